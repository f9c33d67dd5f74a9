import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, startHttp, TEST_ADMIN } from '../support/graphql';
import { makeAccounts, makeUnits } from '../support/factories';
import { makeUser, userWithSession, type TestUser } from '../support/auth';
import { Level, Platform, Role } from '../../server/common/enums';
import { createContext } from '../../server/kernel/context';
import { usersService } from '../../server/auth/users.service';
import { requireRole, requireWrite } from '../../server/kernel/access';
import { failureDelay, LOGIN_POLICY } from '../../server/auth/throttle';

/**
 * Roles and scope. Province 35 government with two cities (3501 with a county, 3502), each with accounts:
 *   P35: 1 account · C3501: 2 · K350102 (county under 3501): 3 · C3502: 4  → 10 in all, 5 in Fuzhou's subtree.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let fuzhou: TestUser;
let xiamen: TestUser;
let auditor: TestUser;
let planner: TestUser;
let accountIds: Record<string, number>;

const COUNTS = `{ accounts(first: 100) { totalCount edges { node { handle } } } units(first: 100) { totalCount } unitRoots { code } }`;

beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [
    { code: 'P35', name: '福建省人民政府', level: Level.PROVINCE, region: '35' },
    { code: 'C3501', name: '福州市人民政府', level: Level.CITY, region: '3501', parent: 'P35' },
    { code: 'K350102', name: '鼓楼区人民政府', level: Level.COUNTY, region: '350102', parent: 'C3501' },
    { code: 'C3502', name: '厦门市人民政府', level: Level.CITY, region: '3502', parent: 'P35' },
  ]);
  const specs = [['P35', 1], ['C3501', 2], ['K350102', 3], ['C3502', 4]] as const;
  accountIds = await makeAccounts(db.ds, specs.flatMap(([unit, n]) =>
    Array.from({ length: n }, (_, i) => ({ unit, handle: `${unit}-${i}`, platform: i % 2 ? Platform.WEIBO : Platform.WECHAT }))));
  gql = await createGraphqlHarness(db.ds, db.config);
  fuzhou = await makeUser(db.ds, { username: 'approver-3501', role: Role.APPROVER, unit: 'C3501' });
  xiamen = await makeUser(db.ds, { username: 'approver-3502', role: Role.APPROVER, unit: 'C3502' });
  auditor = await makeUser(db.ds, { username: 'auditor1', role: Role.AUDITOR, unit: 'P35' });
  planner = await makeUser(db.ds, { username: 'planner1', role: Role.PLANNER, unit: 'P35' });
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

describe('harness defaults', () => {
  it('runs as TEST_ADMIN (no scope) by default and as anonymous when null is passed', async () => {
    const admin = await gql.exec(`{ me { username role unit { id } } accounts { totalCount } }`);
    expect(admin.errors).toBeUndefined();
    expect(admin.data!.me).toEqual({ username: TEST_ADMIN.username, role: 'ADMIN', unit: null });
    expect(admin.data!.accounts.totalCount).toBe(10);
    const anon = await gql.exec(`{ accounts { totalCount } }`, {}, null);
    expect(anon.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    expect(anon.data).toBeUndefined();
    expect(anon.sqlStatements).toBe(0);
  });
});

describe('unit scope', () => {
  it('a city approver sees only their subtree in accounts, units and unitRoots', async () => {
    const fz = await gql.exec(COUNTS, {}, fuzhou.session);
    expect(fz.errors).toBeUndefined();
    expect(fz.data!.accounts.totalCount).toBe(5);
    expect(fz.data!.accounts.edges.map((e: any) => e.node.handle).sort()).toEqual(['C3501-0', 'C3501-1', 'K350102-0', 'K350102-1', 'K350102-2']);
    expect(fz.data!.units.totalCount).toBe(2);
    expect(fz.data!.unitRoots).toEqual([{ code: 'C3501' }]);

    const xm = await gql.exec(COUNTS, {}, xiamen.session);
    expect(xm.data!.accounts.totalCount).toBe(4);
    expect(xm.data!.units.totalCount).toBe(1);

    const prov = await gql.exec(COUNTS, {}, planner.session);
    expect(prov.data!.accounts.totalCount).toBe(10);
    expect(prov.data!.units.totalCount).toBe(4);
  });

  it('the matrix of the province counts only the scoped user\'s accounts', async () => {
    const q = `{ matrix(regionCode: "35") { totals { total } rows { key totalCell { total } } } }`;
    const sum = (d: any) => d.matrix.totals.reduce((n: number, c: any) => n + c.total, 0);
    expect(sum((await gql.exec(q, {}, fuzhou.session)).data)).toBe(5);
    expect(sum((await gql.exec(q, {}, xiamen.session)).data)).toBe(4);
    expect(sum((await gql.exec(q)).data)).toBe(10);
  });

  it('another subtree\'s account is NOT_FOUND for a scoped user', async () => {
    const res = await gql.exec(`query($id: ID!) { account(id: $id) { handle } }`, { id: String(accountIds['C3502-0']) }, fuzhou.session);
    expect(res.errors![0].extensions!.code).toBe('NOT_FOUND');
    const own = await gql.exec(`query($id: ID!) { account(id: $id) { handle } }`, { id: String(accountIds['K350102-0']) }, fuzhou.session);
    expect(own.data!.account.handle).toBe('K350102-0');
  });

  it('the same holds over HTTP with a real session', async () => {
    const http = await startHttp(db.ds, db.config);
    try {
      const s = await userWithSession(db.ds, db.config, { username: 'http-3502', role: Role.PLANNER, unit: 'C3502' });
      const res = await http.post(`{ accounts { totalCount } me { unit { name } } }`, {}, s.headers);
      expect(res.body.data).toEqual({ accounts: { totalCount: 4 }, me: { unit: { name: '厦门市人民政府' } } });
    } finally {
      await http.close();
    }
  });
});

describe('auditors read only', () => {
  it('auditor mutations are FORBIDDEN and change nothing; the guard stops them before any resolver', async () => {
    const [{ n: before }] = await db.ds.query(`SELECT count(*)::int AS n FROM users`);
    const [{ n: auditBefore }] = await db.ds.query(`SELECT count(*)::int AS n FROM audit_events`);
    const res = await gql.exec(`mutation { createUser(input: { username: "sneaky", displayName: "x", password: "abc12345", role: ADMIN }) { id } }`,
      {}, auditor.session);
    expect(res.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(res.errors![0].message).toMatch(/审计员只能查看/);
    expect(res.sqlStatements).toBe(0);
    const upd = await gql.exec(`mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }`, { id: String(planner.id) }, auditor.session);
    expect(upd.errors![0].extensions!.code).toBe('FORBIDDEN');
    const [{ n: after }] = await db.ds.query(`SELECT count(*)::int AS n FROM users`);
    const [{ n: auditAfter }] = await db.ds.query(`SELECT count(*)::int AS n FROM audit_events`);
    expect(after).toBe(before);
    expect(auditAfter).toBe(auditBefore);
    const [{ active }] = await db.ds.query(`SELECT active FROM users WHERE id = $1`, [planner.id]);
    expect(active).toBe(true);
  });

  it('auditors can still read (accounts, audit events) within their scope and log out', async () => {
    const res = await gql.exec(`{ accounts { totalCount } auditEvents { totalCount } }`, {}, auditor.session);
    expect(res.errors).toBeUndefined();
    expect(res.data!.accounts.totalCount).toBe(10);
  });

  it('services refuse auditors too (not only the GraphQL guard)', async () => {
    const ctx = createContext(db.ds, db.config, auditor.session);
    expect(() => requireWrite(ctx)).toThrow(/审计员/);
    await expect(usersService.create(ctx, { username: 'x-y', displayName: 'x', password: 'abc12345', role: Role.PLANNER, unitId: null }))
      .rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const anon = createContext(db.ds, db.config, null);
    expect(() => requireRole(anon, Role.ADMIN)).toThrow(/请先登录/);
    const fz = createContext(db.ds, db.config, fuzhou.session);
    expect(fz.scope.contains('/1/')).toBe(false);
    expect(() => fz.scope.require({ path: '/1/' }, '该单位')).toThrow(/未找到该单位/);
    expect(anon.scope.contains('/1/')).toBe(false);
  });
});

describe('login policy', () => {
  it('failed attempts wait longer each time, capped', () => {
    expect(LOGIN_POLICY.maxFailures).toBe(5);
    expect(LOGIN_POLICY.windowMinutes).toBe(15);
    expect(failureDelay(1)).toBe(150);
    expect(failureDelay(4)).toBe(600);
    expect(failureDelay(50)).toBe(1000);
  });
});
