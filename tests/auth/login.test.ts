import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDataSource, createTestDb, type TestDb } from '../support/db';
import { existingSessionCache } from '../../server/auth/session-cache';
import { startHttp } from '../support/graphql';
import { makeUnits, makeAccounts } from '../support/factories';
import { makeUser, sessionFor } from '../support/auth';
import { Level, Role, UnitKind } from '../../server/common/enums';
import { signSessionToken } from '../../server/auth/session-token';
import { LOGIN_FAILED_MESSAGE } from '../../server/auth/auth.service';

/** Login, cookies, bearer tokens, throttling, revocation — over real HTTP. */
let db: TestDb;
let http: Awaited<ReturnType<typeof startHttp>>;
let plannerId: number;

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt user { id username displayName role unit { id name } } } }`;
const ME = `{ me { username role unit { name } } }`;
const ACCOUNTS = `{ accounts(first: 5) { totalCount edges { node { handle } } } }`;

async function auditCount(action: string, actorName: string): Promise<number> {
  const [r] = await db.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = $1 AND actor_name = $2`, [action, actorName]);
  return r.n;
}

beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [
    { code: 'P35', name: '福建省人民政府', level: Level.PROVINCE, kind: UnitKind.GOVERNMENT, region: '35' },
    { code: 'C3501', name: '福州市人民政府', level: Level.CITY, kind: UnitKind.GOVERNMENT, region: '3501', parent: 'P35' },
  ]);
  await makeAccounts(db.ds, [{ unit: 'C3501', handle: 'fz-gov' }, { unit: 'P35', handle: 'fj-gov' }]);
  plannerId = (await makeUser(db.ds, { username: 'planner1', role: Role.PLANNER, unit: 'P35', password: 'Secret123' })).id;
  await makeUser(db.ds, { username: 'gone', role: Role.PLANNER, unit: 'P35', password: 'Secret123' });
  await db.ds.query(`UPDATE users SET active = false WHERE username = 'gone'`);
  for (const u of ['thr1', 'thr2', 'thr3']) await makeUser(db.ds, { username: u, role: Role.PLANNER, unit: 'P35', password: 'Secret123' });
  http = await startHttp(db.ds, db.config);
});

afterAll(async () => {
  await http?.close();
  await db?.close();
});

describe('login', () => {
  it('returns a token and sets an httpOnly SameSite=Lax cookie that authenticates later requests', async () => {
    const res = await http.post(LOGIN, { u: 'Planner1', p: 'Secret123' });
    expect(res.body.errors).toBeUndefined();
    const login = res.body.data!.login;
    expect(login.user).toMatchObject({ id: String(plannerId), username: 'planner1', role: 'PLANNER', unit: { name: '福建省人民政府' } });
    const hours = (new Date(login.expiresAt).getTime() - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(7.9);
    expect(hours).toBeLessThanOrEqual(8);

    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^mp_session=[\w\-.]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/i); // NODE_ENV is not production in tests
    const value = /^mp_session=([^;]+)/.exec(cookie)![1];
    expect(value).toBe(login.token);

    const me = await http.post(ME, {}, { cookie: `mp_session=${value}` });
    expect(me.body.errors).toBeUndefined();
    expect(me.body.data!.me).toEqual({ username: 'planner1', role: 'PLANNER', unit: { name: '福建省人民政府' } });
    expect(await auditCount('LOGIN', 'planner1')).toBeGreaterThanOrEqual(1);
    const [s] = await db.ds.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [plannerId]);
    expect(s.n).toBeGreaterThanOrEqual(1);
  });

  it('accepts the token as a bearer header (scripts)', async () => {
    const { body } = await http.post(LOGIN, { u: 'planner1', p: 'Secret123' });
    const res = await http.post(ACCOUNTS, {}, { authorization: `Bearer ${body.data!.login.token}` });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.accounts.totalCount).toBe(2);
  });

  it('gives the same message for a wrong password and an unknown user, and audits both', async () => {
    const wrong = await http.post(LOGIN, { u: 'planner1', p: 'Wrong1234' }, { 'x-forwarded-for': '10.0.0.1' });
    const unknown = await http.post(LOGIN, { u: 'nobody', p: 'Wrong1234' }, { 'x-forwarded-for': '10.0.0.1' });
    expect(wrong.body.data).toBeNull();
    expect(wrong.body.errors![0].message).toBe(LOGIN_FAILED_MESSAGE);
    expect(unknown.body.errors![0].message).toBe(LOGIN_FAILED_MESSAGE);
    expect(wrong.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect(unknown.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect(await auditCount('LOGIN_FAILED', 'planner1')).toBe(1);
    expect(await auditCount('LOGIN_FAILED', 'nobody')).toBe(1);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a deactivated user even with the right password', async () => {
    const res = await http.post(LOGIN, { u: 'gone', p: 'Secret123' });
    expect(res.body.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(res.body.errors![0].message).toMatch(/停用/);
  });

  it('refuses further attempts after 5 failures within 15 minutes, per username and IP, with the wait', async () => {
    const ip = { 'x-forwarded-for': '10.0.0.5' };
    for (let i = 0; i < 5; i++) {
      const r = await http.post(LOGIN, { u: 'thr1', p: `Wrong${i}abc` }, ip);
      expect(r.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    }
    // Even the right password is refused now.
    const locked = await http.post(LOGIN, { u: 'thr1', p: 'Secret123' }, ip);
    const err = locked.body.errors![0];
    expect(err.extensions!.code).toBe('TOO_MANY_ATTEMPTS');
    expect(err.message).toMatch(/登录失败次数过多，请 1[45] 分钟后再试/);
    expect(err.extensions!.retryAfterSeconds).toBeGreaterThan(800);
    expect(err.extensions!.retryAfterSeconds).toBeLessThanOrEqual(900);
    expect(locked.headers.get('set-cookie')).toBeNull();
    expect(await auditCount('LOGIN_THROTTLED', 'thr1')).toBe(1);
    // Refused attempts are not counted as failures (the lock does not extend itself).
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM login_attempts WHERE username = 'thr1'`);
    expect(n).toBe(5);
    // Another IP is not affected; nor is another user from the same IP.
    const other = await http.post(LOGIN, { u: 'thr1', p: 'Secret123' }, { 'x-forwarded-for': '10.0.0.6' });
    expect(other.body.errors).toBeUndefined();
    const otherUser = await http.post(LOGIN, { u: 'thr2', p: 'Secret123' }, ip);
    expect(otherUser.body.errors).toBeUndefined();
  });

  it('unlocks when the failures leave the 15-minute window, and a success clears the count', async () => {
    const ip = { 'x-forwarded-for': '10.0.0.7' };
    for (let i = 0; i < 5; i++) await http.post(LOGIN, { u: 'thr3', p: 'Nope12345' }, ip);
    expect((await http.post(LOGIN, { u: 'thr3', p: 'Secret123' }, ip)).body.errors![0].extensions!.code).toBe('TOO_MANY_ATTEMPTS');
    await db.ds.query(`UPDATE login_attempts SET at = at - interval '16 minutes' WHERE username = 'thr3'`);
    const ok = await http.post(LOGIN, { u: 'thr3', p: 'Secret123' }, ip);
    expect(ok.body.errors).toBeUndefined();
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM login_attempts WHERE username = 'thr3'`);
    expect(n).toBe(0);
  });
});

describe('sessions', () => {
  it('rejects anonymous requests to any read query with UNAUTHENTICATED (resolvers never run)', async () => {
    for (const q of [ACCOUNTS, `{ units { totalCount } }`, `{ regions { code } }`, `{ matrix(regionCode: "35") { rows { key } } }`, ME]) {
      const res = await http.post(q);
      expect(res.status).toBe(200);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      expect(res.body.errors![0].message).toMatch(/请先登录/);
      expect(res.body.extensions?.sqlStatements ?? 0).toBe(0);
    }
  });

  it('leaves introspection open outside production', async () => {
    const res = await http.post(`{ __schema { queryType { name } } }`);
    expect(res.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('does not let `login` smuggle another root field past the guard', async () => {
    const res = await http.post(`mutation { login(username: "planner1", password: "Secret123") { token } logout }`);
    expect(res.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('rejects forged, expired, malformed and revoked tokens', async () => {
    const live = await sessionFor(db.ds, db.config, plannerId);
    expect((await http.post(ME, {}, live.headers)).body.data!.me.username).toBe('planner1');

    const forged = await signSessionToken({ ...db.config, sessionSecret: 'not-our-secret-not-our-secret-123' }, { sessionId: live.sessionId, userId: plannerId }, new Date(Date.now() + 3600_000));
    const expired = await signSessionToken(db.config, { sessionId: live.sessionId, userId: plannerId }, new Date(Date.now() - 1000));
    const unknownSession = await signSessionToken(db.config, { sessionId: randomUUID(), userId: plannerId }, new Date(Date.now() + 3600_000));
    const otherUser = await signSessionToken(db.config, { sessionId: live.sessionId, userId: plannerId + 1 }, new Date(Date.now() + 3600_000));
    const [header, payload] = live.token.split('.');
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    for (const token of [forged, expired, unknownSession, otherUser, noneAlg, `${header}.${payload}.AAAA`, 'garbage']) {
      const res = await http.post(ME, {}, { authorization: `Bearer ${token}` });
      expect(res.body.errors![0].extensions!.code, token).toBe('UNAUTHENTICATED');
    }
    // A session row past its expiry is rejected even if the token is still valid.
    const stale = await sessionFor(db.ds, db.config, plannerId);
    await db.ds.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [stale.sessionId]);
    await existingSessionCache(appDataSource(db.ds))?.settle(); // the change's NOTIFY has reached the session cache
    expect((await http.post(ME, {}, stale.headers)).body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('logout revokes the session at once, clears the cookie and is audited; a stale cookie does not block login', async () => {
    const { body } = await http.post(LOGIN, { u: 'planner1', p: 'Secret123' });
    const token = body.data!.login.token;
    const before = await auditCount('LOGOUT', 'planner1');
    const out = await http.post(`mutation { logout }`, {}, { cookie: `mp_session=${token}` });
    expect(out.body.data).toEqual({ logout: true });
    expect(out.headers.get('set-cookie')).toMatch(/^mp_session=;.*Expires=Thu, 01 Jan 1970/);
    expect(await auditCount('LOGOUT', 'planner1')).toBe(before + 1);
    const again = await http.post(ME, {}, { authorization: `Bearer ${token}` });
    expect(again.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM sessions WHERE id = (SELECT entity_id::uuid FROM audit_events WHERE action = 'LOGOUT' ORDER BY id DESC LIMIT 1) AND revoked_at IS NOT NULL`);
    expect(n).toBe(1);
    const relogin = await http.post(LOGIN, { u: 'planner1', p: 'Secret123' }, { cookie: `mp_session=${token}` });
    expect(relogin.body.errors).toBeUndefined();
  });

  it('a deactivated user loses their live sessions', async () => {
    const u = await makeUser(db.ds, { username: 'soon-gone', role: Role.PLANNER, unit: 'P35' });
    const s = await sessionFor(db.ds, db.config, u.id);
    expect((await http.post(ME, {}, s.headers)).body.data!.me.username).toBe('soon-gone');
    await db.ds.query(`UPDATE users SET active = false WHERE id = $1`, [u.id]);
    await existingSessionCache(appDataSource(db.ds))?.settle();
    expect((await http.post(ME, {}, s.headers)).body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });
});
