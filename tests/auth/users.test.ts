import { createSystemContext } from '../../server/kernel/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, startHttp } from '../support/graphql';
import { makeUnits } from '../support/factories';
import { makeUser, sessionFor, type TestUser } from '../support/auth';
import { Level, Role, UnitKind } from '../../server/common/enums';
import { DEMO_PASSWORD, ensureDemoUsers } from '../../server/auth/demo-users';

/** User management by admins (validation, scope, audit, session revocation) and the demo users. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let units: Record<string, number>;
let cityAdmin: TestUser;

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id username displayName role active unit { id name } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id role active unit { name } } }`;

async function userCount(): Promise<number> {
  return (await db.ds.query(`SELECT count(*)::int AS n FROM users`))[0].n;
}

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

describe('demo users', () => {
  it('with no units creates only admin; after seeding the rest; idempotent', async () => {
    expect(await ensureDemoUsers(createSystemContext(db.ds))).toEqual(['admin']);
    units = await makeUnits(db.ds, [
      { code: 'GOV35', name: '福建省人民政府', level: Level.PROVINCE, kind: UnitKind.GOVERNMENT, region: '35' },
      { code: 'GOV3501', name: '福州市人民政府', level: Level.CITY, kind: UnitKind.GOVERNMENT, region: '3501', parent: 'GOV35' },
      { code: 'DEP3501', name: '福州市公安局', level: Level.CITY, kind: UnitKind.DEPARTMENT, region: '3501', parent: 'GOV3501' },
      { code: 'GOV3502', name: '厦门市人民政府', level: Level.CITY, kind: UnitKind.GOVERNMENT, region: '3502', parent: 'GOV35' },
      { code: 'GOV3301', name: '杭州市人民政府', level: Level.CITY, kind: UnitKind.GOVERNMENT, region: '3301' },
    ]);
    const created = await ensureDemoUsers(createSystemContext(db.ds));
    expect(created.sort()).toEqual(['approver', 'approver-3501', 'approver-3502', 'auditor', 'planner']);
    expect(await ensureDemoUsers(createSystemContext(db.ds))).toEqual([]);
    const rows = await db.ds.query(`SELECT username, role, unit_id AS "unitId" FROM users WHERE username <> 'test-admin' ORDER BY username`);
    expect(rows).toEqual([
      { username: 'admin', role: 'ADMIN', unitId: null },
      { username: 'approver', role: 'APPROVER', unitId: units.GOV35 },
      { username: 'approver-3501', role: 'APPROVER', unitId: units.GOV3501 },
      { username: 'approver-3502', role: 'APPROVER', unitId: units.GOV3502 },
      { username: 'auditor', role: 'AUDITOR', unitId: units.GOV35 },
      { username: 'planner', role: 'PLANNER', unitId: units.GOV35 },
    ]);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'USER_CREATED' AND actor_name = 'system'`);
    expect(n).toBe(6);
  });

  it('demo users log in with the documented password over HTTP', async () => {
    const http = await startHttp(db.ds, db.config);
    try {
      const res = await http.post(`mutation { login(username: "approver-3501", password: "${DEMO_PASSWORD}") { user { role unit { name } } } }`);
      expect(res.body.data!.login.user).toEqual({ role: 'APPROVER', unit: { name: '福州市人民政府' } });
    } finally {
      await http.close();
    }
  });
});

describe('user management', () => {
  it('an admin creates a user; the event is audited without the password hash', async () => {
    const res = await gql.exec(CREATE, { input: { username: 'Zhang.san', displayName: '张三', password: 'abcd1234', role: 'PLANNER', unitId: String(units.GOV3501) } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createUser).toMatchObject({ username: 'zhang.san', role: 'PLANNER', active: true, unit: { name: '福州市人民政府' } });
    const [ev] = await db.ds.query(`SELECT actor_name, entity_id, unit_id, after FROM audit_events WHERE action = 'USER_CREATED' AND entity_id = $1`, [res.data!.createUser.id]);
    expect(ev).toMatchObject({ actor_name: 'test-admin', unit_id: units.GOV3501 });
    expect(JSON.stringify(ev.after)).not.toMatch(/argon2|password/i);
  });

  it('validation errors name the field and write nothing', async () => {
    const before = await userCount();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ username: '1bad name' }, 'username', /字母开头/],
      [{ password: 'abcdefgh' }, 'password', /字母和数字/],
      [{ password: 'a1b2' }, 'password', /至少 8 位/],
      [{ displayName: '' }, 'displayName', /1–50/],
      [{ unitId: null }, 'unitId', /单位/],
    ];
    for (const [patch, field, msg] of cases) {
      const input = { username: 'valid-name', displayName: '有效', password: 'abcd1234', role: 'PLANNER', unitId: String(units.GOV35), ...patch };
      const res = await gql.exec(CREATE, { input });
      const err = res.errors![0];
      expect(err.extensions!.code, field).toBe('BAD_USER_INPUT');
      expect(err.extensions!.details.map((d: any) => d.field), field).toContain(field);
      expect(err.message, field).toMatch(msg);
    }
    const dup = await gql.exec(CREATE, { input: { username: 'planner', displayName: 'x', password: 'abcd1234', role: 'PLANNER', unitId: String(units.GOV35) } });
    expect(dup.errors![0].extensions).toMatchObject({ code: 'CONFLICT', details: { field: 'username' } });
    const badUnit = await gql.exec(CREATE, { input: { username: 'nounit', displayName: 'x', password: 'abcd1234', role: 'PLANNER', unitId: '999999' } });
    expect(badUnit.errors![0].extensions!.code).toBe('NOT_FOUND');
    expect(await userCount()).toBe(before);
  });

  it('a city admin manages users only in the city\'s subtree', async () => {
    cityAdmin = await makeUser(db.ds, { username: 'admin-3501', role: Role.ADMIN, unit: 'GOV3501' });
    const s = cityAdmin.session;
    const own = await gql.exec(CREATE, { input: { username: 'police1', displayName: '公安', password: 'abcd1234', role: 'APPROVER', unitId: String(units.DEP3501) } }, s);
    expect(own.errors).toBeUndefined();
    const other = await gql.exec(CREATE, { input: { username: 'xm1', displayName: '厦门', password: 'abcd1234', role: 'APPROVER', unitId: String(units.GOV3502) } }, s);
    expect(other.errors![0].extensions!.code).toBe('NOT_FOUND');
    const national = await gql.exec(CREATE, { input: { username: 'boss', displayName: '全国', password: 'abcd1234', role: 'ADMIN' } }, s);
    expect(national.errors![0].extensions!.code).toBe('FORBIDDEN');
    const list = await gql.exec(`{ users(first: 50) { totalCount edges { node { username } } } }`, {}, s);
    expect(list.data!.users.edges.map((e: any) => e.node.username)).toEqual(['admin-3501', 'approver-3501', 'police1', 'zhang.san']);
    const [{ id: xmId }] = await db.ds.query(`SELECT id FROM users WHERE username = 'approver-3502'`);
    const upd = await gql.exec(UPDATE, { id: String(xmId), input: { active: false } }, s);
    expect(upd.errors![0].extensions!.code).toBe('NOT_FOUND');
    const all = await gql.exec(`{ users(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { username } } } }`);
    expect(all.data!.users.totalCount).toBe(10);
    const page2 = await gql.exec(`query($a: String) { users(first: 2, after: $a) { edges { node { username } } } }`, { a: all.data!.users.pageInfo.endCursor });
    expect(page2.data!.users.edges.map((e: any) => e.node.username)).toEqual(['approver', 'approver-3501']);
  });

  it('a city admin neither sees nor changes users of another city or unscoped users (NOT_FOUND), and nothing changes', async () => {
    const s = cityAdmin.session;
    const filtered = await gql.exec(`query($u: ID!) { users(filter: { unitId: $u }) { totalCount } }`, { u: String(units.GOV3502) }, s);
    expect(filtered.errors![0].extensions!.code).toBe('NOT_FOUND');
    const searched = await gql.exec(`{ users(filter: { search: "approver" }) { edges { node { username } } } }`, {}, s);
    expect(searched.data!.users.edges.map((e: any) => e.node.username)).toEqual(['approver-3501']);
    const before = await db.ds.query(`SELECT id, username, role, unit_id, active FROM users ORDER BY id`);
    const [{ id: nationalId }] = await db.ds.query(`SELECT id FROM users WHERE username = 'admin'`);
    const national = await gql.exec(UPDATE, { id: String(nationalId), input: { displayName: '改名' } }, s);
    expect(national.errors![0].extensions!.code).toBe('NOT_FOUND');
    const [{ id: policeId }] = await db.ds.query(`SELECT id FROM users WHERE username = 'police1'`);
    const moveOut = await gql.exec(UPDATE, { id: String(policeId), input: { unitId: String(units.GOV3502) } }, s);
    expect(moveOut.errors![0].extensions!.code).toBe('NOT_FOUND');
    const unscope = await gql.exec(UPDATE, { id: String(policeId), input: { role: 'ADMIN', unitId: null } }, s);
    expect(unscope.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(await db.ds.query(`SELECT id, username, role, unit_id, active FROM users ORDER BY id`)).toEqual(before);
  });

  it('non-admins cannot list or manage users', async () => {
    const planner = await makeUser(db.ds, { username: 'p2', role: Role.PLANNER, unit: 'GOV35' });
    expect((await gql.exec(`{ users { totalCount } }`, {}, planner.session)).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await gql.exec(UPDATE, { id: String(planner.id), input: { role: 'ADMIN' } }, planner.session)).errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('updates role/unit/active, audits before and after, and revokes sessions on deactivation and password reset', async () => {
    const u = await makeUser(db.ds, { username: 'mover', role: Role.PLANNER, unit: 'GOV3501' });
    const s1 = await sessionFor(db.ds, db.config, u.id);
    const moved = await gql.exec(UPDATE, { id: String(u.id), input: { role: 'APPROVER', unitId: String(units.GOV3502) } });
    expect(moved.data!.updateUser).toMatchObject({ role: 'APPROVER', active: true, unit: { name: '厦门市人民政府' } });
    const [ev] = await db.ds.query(`SELECT before, after FROM audit_events WHERE action = 'USER_UPDATED' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [String(u.id)]);
    expect(ev.before).toMatchObject({ role: 'PLANNER', unitId: units.GOV3501 });
    expect(ev.after).toMatchObject({ role: 'APPROVER', unitId: units.GOV3502 });
    const [live] = await db.ds.query(`SELECT revoked_at FROM sessions WHERE id = $1`, [s1.sessionId]);
    expect(live.revoked_at).toBeNull();

    const reset = await gql.exec(UPDATE, { id: String(u.id), input: { password: 'newpass99' } });
    expect(reset.errors).toBeUndefined();
    const [revoked] = await db.ds.query(`SELECT revoked_at FROM sessions WHERE id = $1`, [s1.sessionId]);
    expect(revoked.revoked_at).not.toBeNull();
    const [ev2] = await db.ds.query(`SELECT after FROM audit_events WHERE action = 'USER_UPDATED' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [String(u.id)]);
    expect(ev2.after.passwordReset).toBe(true);

    const weak = await gql.exec(UPDATE, { id: String(u.id), input: { password: 'short' } });
    expect(weak.errors![0].extensions!.details[0].field).toBe('password');

    const s2 = await sessionFor(db.ds, db.config, u.id);
    await gql.exec(UPDATE, { id: String(u.id), input: { active: false } });
    const [r2] = await db.ds.query(`SELECT revoked_at FROM sessions WHERE id = $1`, [s2.sessionId]);
    expect(r2.revoked_at).not.toBeNull();

    const noUnit = await gql.exec(UPDATE, { id: String(u.id), input: { unitId: null } });
    expect(noUnit.errors![0].extensions!.details[0].field).toBe('unitId');
  });

  it('an admin cannot lock themselves out', async () => {
    const selfOff = await gql.exec(UPDATE, { id: String(cityAdmin.id), input: { active: false } }, cityAdmin.session);
    expect(selfOff.errors![0].extensions!.details[0].field).toBe('active');
    const selfRole = await gql.exec(UPDATE, { id: String(cityAdmin.id), input: { role: 'PLANNER' } }, cityAdmin.session);
    expect(selfRole.errors![0].extensions!.details[0].field).toBe('role');
  });
});
