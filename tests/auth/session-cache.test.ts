import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, appDataSource, type TestDb } from '../support/db';
import { startHttp } from '../support/graphql';
import { makeUnits } from '../support/factories';
import { makeUser, sessionFor } from '../support/auth';
import { Level, Role, UnitKind } from '../../server/common/enums';
import { existingSessionCache, SessionCache, type SessionCache as Cache } from '../../server/auth/session-cache';

/**
 * The per-process session cache (server/auth/session-cache.ts) over real HTTP and a real LISTEN connection: a
 * verified session costs no statement on the next request, and every way a session can end or narrow — revocation,
 * expiry moved, user deactivated or given another role, unit paths changed, the row deleted — reaches the cache
 * through the triggers' NOTIFY, in this process and in another one (a second app on its own pool and listener).
 */
let db: TestDb;
let http: Awaited<ReturnType<typeof startHttp>>;
let cache: Cache;

const ME = `{ me { username role } }`;
type Http = typeof http;

async function me(h: Http, headers: Record<string, string>) {
  const res = await h.post(ME, {}, headers);
  return { code: res.body.errors?.[0]?.extensions?.code as string | undefined, me: res.body.data?.me as { username: string; role: string } | undefined,
    statements: res.body.extensions?.sqlStatements ?? 0 };
}

/** A session whose second request is answered from the cache (asserted). */
async function warmSession(userId: number) {
  const s = await sessionFor(db.ds, db.config, userId);
  const first = await me(http, s.headers);
  expect(first.code).toBeUndefined();
  const second = await me(http, s.headers);
  expect(second.statements).toBe(first.statements - 1);
  return s;
}

beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [
    { code: 'P35', name: '福建省人民政府', level: Level.PROVINCE, kind: UnitKind.GOVERNMENT, region: '35' },
    { code: 'C3501', name: '福州市人民政府', level: Level.CITY, kind: UnitKind.GOVERNMENT, region: '3501', parent: 'P35' },
  ]);
  http = await startHttp(db.ds, db.config);
  const u = await makeUser(db.ds, { username: 'warm', role: Role.PLANNER, unit: 'P35' });
  // The first authenticated request creates the cache and starts its listener.
  await me(http, (await sessionFor(db.ds, db.config, u.id)).headers);
  cache = existingSessionCache(appDataSource(db.ds))!;
  expect(cache).toBeTruthy();
  expect(await cache.ready()).toBe(true);
});

afterAll(async () => {
  await http?.close();
  await db?.close();
});

describe('session cache', () => {
  it('answers a verified session from memory: the second request has no session statement', async () => {
    const u = await makeUser(db.ds, { username: 'reader', role: Role.PLANNER, unit: 'C3501' });
    const s = await sessionFor(db.ds, db.config, u.id);
    const first = await me(http, s.headers);
    expect(first.me).toEqual({ username: 'reader', role: 'PLANNER' });
    const hits = cache.stats.hits;
    const second = await me(http, s.headers);
    expect(second.me).toEqual(first.me);
    expect(second.statements).toBe(first.statements - 1);
    expect(cache.stats.hits).toBe(hits + 1);
    // A token naming the right session but another user is never answered from the entry.
    const other = await makeUser(db.ds, { username: 'other', role: Role.PLANNER, unit: 'C3501' });
    const { signSessionToken } = await import('../../server/auth/session-token');
    const forged = await signSessionToken(db.config, { sessionId: s.sessionId, userId: other.id }, new Date(Date.now() + 3600_000));
    expect((await me(http, { authorization: `Bearer ${forged}` })).code).toBe('UNAUTHENTICATED');
  });

  it('reads the signed-in user once per request, however many times the document selects `me`', async () => {
    const u = await makeUser(db.ds, { username: 'aliased', role: Role.PLANNER, unit: 'C3501' });
    const s = await warmSession(u.id);
    const one = await http.post(`{ me { username } }`, {}, s.headers);
    const many = await http.post(`{ a: me { username } b: me { role } c: me { id username } d: me { unit { name } } }`, {}, s.headers);
    expect(many.body.errors).toBeUndefined();
    expect(many.body.data).toEqual({ a: { username: 'aliased' }, b: { role: 'PLANNER' }, c: { id: String(u.id), username: 'aliased' },
      d: { unit: { name: '福州市人民政府' } } });
    // The unit is one more statement (its loader); the four `me` are one, as the single `me`.
    expect(many.body.extensions.sqlStatements).toBe(one.body.extensions.sqlStatements + 1);
  });

  it('a session revoked, expired or deleted by any SQL is refused as soon as the notification is in', async () => {
    const u = await makeUser(db.ds, { username: 'revoked', role: Role.PLANNER, unit: 'P35' });
    const changes = [
      (id: string) => db.ds.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1`, [id]),
      (id: string) => db.ds.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]),
      (id: string) => db.ds.query(`DELETE FROM sessions WHERE id = $1`, [id]),
    ];
    for (const change of changes) {
      const s = await warmSession(u.id);
      await change(s.sessionId);
      await cache.settle();
      expect((await me(http, s.headers)).code).toBe('UNAUTHENTICATED');
    }
  });

  it('follows the user: deactivation refuses, a new role shows on the next request', async () => {
    const u = await makeUser(db.ds, { username: 'changing', role: Role.PLANNER, unit: 'P35' });
    const s = await warmSession(u.id);
    await db.ds.query(`UPDATE users SET role = 'AUDITOR' WHERE id = $1`, [u.id]);
    await cache.settle();
    const after = await me(http, s.headers);
    expect(after.me?.role).toBe('AUDITOR');
    // An auditor may not run mutations: the cached role must not let the old one through.
    const write = await http.post(`mutation { createPlan(input: { title: "x", regionCode: "35" }) { id } }`, {}, s.headers);
    expect(write.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await db.ds.query(`UPDATE users SET active = false WHERE id = $1`, [u.id]);
    await cache.settle();
    expect((await me(http, s.headers)).code).toBe('UNAUTHENTICATED');
    // last_login_at is not a change of the session: nothing is forgotten.
    const v = await makeUser(db.ds, { username: 'stays', role: Role.PLANNER, unit: 'P35' });
    const kept = await warmSession(v.id);
    const before = cache.stats.invalidations;
    await db.ds.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [v.id]);
    await cache.settle();
    expect(cache.stats.invalidations).toBe(before);
    expect((await me(http, kept.headers)).statements).toBe(1);
  });

  it('forgets everything when unit paths change (a user\'s scope is their unit\'s path)', async () => {
    const u = await makeUser(db.ds, { username: 'scoped', role: Role.PLANNER, unit: 'C3501' });
    const s = await warmSession(u.id);
    await db.ds.query(`UPDATE units SET path = path WHERE code = 'C3501'`);
    await cache.settle();
    const again = await me(http, s.headers);
    expect(again.statements).toBe(2); // asked the database again
  });

  it('logout in one process is refused at once there, and in another process after its notification', async () => {
    const u = await makeUser(db.ds, { username: 'two-procs', role: Role.PLANNER, unit: 'P35', password: 'Secret123' });
    const login = await http.post(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: 'two-procs', p: 'Secret123' });
    const headers = { authorization: `Bearer ${login.body.data!.login.token}` };
    // A second application on its own pool, cache and listener, as another worker process would be.
    const secondDs = (await import('../../server/registry')).createDataSource(db.url, 2);
    await secondDs.initialize();
    const second = await startHttp(secondDs, db.config);
    try {
      for (const h of [http, second, http, second]) expect((await me(h, headers)).me?.username).toBe('two-procs');
      const secondCache = existingSessionCache(secondDs)!;
      expect(await secondCache.ready()).toBe(true);
      await me(second, headers); // read once now that it listens, then answered from memory
      expect((await me(second, headers)).statements).toBe(1);
      const out = await http.post(`mutation { logout }`, {}, headers);
      expect(out.body.data).toEqual({ logout: true });
      expect((await me(http, headers)).code).toBe('UNAUTHENTICATED'); // same process: forgotten before the response
      await secondCache.settle();
      expect((await me(second, headers)).code).toBe('UNAUTHENTICATED');
      expect(u.id).toBeGreaterThan(0);
    } finally {
      await second.close();
      await existingSessionCache(secondDs)?.close();
      await secondDs.destroy();
    }
  });

  it('answers nothing from memory while its listener is down, and resumes when it is back', async () => {
    const u = await makeUser(db.ds, { username: 'outage', role: Role.PLANNER, unit: 'P35' });
    const s = await warmSession(u.id);
    await db.ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'matrix-planner-sessions' AND datname = current_database()`);
    for (let i = 0; i < 200 && cache.live; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.live).toBe(false);
    // Revoked while nobody listens: no notification will ever arrive, the database must be asked.
    await db.ds.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1`, [s.sessionId]);
    expect((await me(http, s.headers)).code).toBe('UNAUTHENTICATED');
    const fresh = await sessionFor(db.ds, db.config, u.id);
    expect((await me(http, fresh.headers)).statements).toBe(2);
    expect(await cache.ready(10_000)).toBe(true);
    await me(http, fresh.headers);
    expect((await me(http, fresh.headers)).statements).toBe(1);
  });
});

describe('SessionCache (unit)', () => {
  const user = { id: 7, username: 'u', role: 'PLANNER', unitId: 1, unitPath: '/0/35/', sessionId: 's1' };
  const live = () => {
    const c = new SessionCache('postgres://unused', 60_000);
    (c as unknown as { listening: boolean }).listening = true;
    return c;
  };

  it('does not store an answer read while an invalidation arrived (ticket)', () => {
    const c = live();
    const t = c.ticket();
    c.forget('s1');
    c.put(t, user, Date.now() + 3600_000);
    expect(c.get('s1', 7)).toBeNull();
    c.put(c.ticket(), user, Date.now() + 3600_000);
    expect(c.get('s1', 7)).toEqual(user);
  });

  it('never answers past the session\'s expiry or the cache lifetime, nor for another user', () => {
    const c = live();
    const now = Date.now();
    c.put(c.ticket(), user, now + 1000, now);
    expect(c.get('s1', 8, now)).toBeNull();
    c.put(c.ticket(), user, now + 1000, now);
    expect(c.get('s1', 7, now + 999)).toEqual(user);
    expect(c.get('s1', 7, now + 1000)).toBeNull();
    c.put(c.ticket(), user, now + 3600_000, now);
    expect(c.get('s1', 7, now + 59_999)).toEqual(user);
    expect(c.get('s1', 7, now + 60_000)).toBeNull();
  });

  it('forgets by session, by user and all', () => {
    const c = live();
    const t = () => c.ticket();
    c.put(t(), user, Date.now() + 3600_000);
    c.put(t(), { ...user, sessionId: 's2' }, Date.now() + 3600_000);
    c.put(t(), { ...user, id: 9, sessionId: 's3' }, Date.now() + 3600_000);
    c.forget('user:7');
    expect([c.get('s1', 7), c.get('s2', 7), c.get('s3', 9)].map(Boolean)).toEqual([false, false, true]);
    c.forget('*');
    expect(c.get('s3', 9)).toBeNull();
  });
});
