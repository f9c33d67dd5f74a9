import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, startHttp, TEST_ADMIN } from '../support/graphql';
import { makeAccounts, makeUnits } from '../support/factories';
import { makeUser, sessionFor, type TestUser } from '../support/auth';
import { Level, Role } from '../../server/common/enums';
import { createContext, createSystemContext } from '../../server/kernel/context';
import { recordAudit, recordAuditMany } from '../../server/kernel/audit';
import { transaction } from '../../server/kernel/transaction';

/** The append-only audit trail: database-enforced immutability, same-transaction writes, scoped queries, export. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let units: Record<string, number>;
let accounts: Record<string, number>;
let fuzhouPlanner: TestUser;
let auditor: TestUser;

const EVENTS = `query($f: AuditFilter, $first: Int, $after: String) {
  auditEvents(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at actorName action entityType entityId accountId unitId planId before after comment } }
  } }`;

async function count(where = 'true', params: unknown[] = []): Promise<number> {
  return (await db.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE ${where}`, params))[0].n;
}

beforeAll(async () => {
  db = await createTestDb();
  units = await makeUnits(db.ds, [
    { code: 'P35', level: Level.PROVINCE, region: '35' },
    { code: 'C3501', level: Level.CITY, region: '3501', parent: 'P35' },
    { code: 'C3502', level: Level.CITY, region: '3502', parent: 'P35' },
  ]);
  accounts = await makeAccounts(db.ds, [{ unit: 'C3501', handle: 'fz' }, { unit: 'C3502', handle: 'xm' }]);
  gql = await createGraphqlHarness(db.ds, db.config);
  fuzhouPlanner = await makeUser(db.ds, { username: 'planner-fz', role: Role.PLANNER, unit: 'C3501' });
  auditor = await makeUser(db.ds, { username: 'auditor1', role: Role.AUDITOR, unit: 'P35' });
  // 3 plan events per city account (unit derived from the account), one on the province, one without unit.
  const ctx = createContext(db.ds, db.config, TEST_ADMIN);
  await transaction(ctx, (tx) => recordAuditMany(tx, [
    ...['fz', 'xm'].flatMap((h) => ['PLAN_SUBMITTED', 'ACTION_APPROVED', 'STEP_CONFIRMED'].map((action) =>
      ({ action, entityType: 'plan_action', entityId: `${h}-${action}`, accountId: accounts[h], planId: 7, comment: `${h} ${action}` }))),
    { action: 'POLICY_CHANGED', entityType: 'policy', unitId: units.P35, before: { zombieDays: 90 }, after: { zombieDays: 60 } },
    { action: 'IMPORT_RUN', entityType: 'import', comment: 'no unit' },
  ]));
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

describe('append-only, enforced by the database', () => {
  it('refuses UPDATE, DELETE and TRUNCATE from raw SQL', async () => {
    const n = await count();
    expect(n).toBe(8);
    await expect(db.ds.query(`UPDATE audit_events SET comment = 'tampered'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.ds.query(`DELETE FROM audit_events WHERE action = 'IMPORT_RUN'`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.ds.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await count()).toBe(n);
    expect(await count(`comment = 'tampered'`)).toBe(0);
  });

  it('events written in a transaction roll back with it', async () => {
    const ctx = createContext(db.ds, db.config, TEST_ADMIN);
    const before = await count();
    await expect(transaction(ctx, async (tx) => {
      await tx.em.query(`UPDATE accounts SET name = 'renamed' WHERE id = $1`, [accounts.fz]);
      await recordAudit(tx, { action: 'ACCOUNT_RENAMED', entityType: 'account', entityId: accounts.fz, accountId: accounts.fz, before: { name: 'fz' }, after: { name: 'renamed' } });
      expect(await tx.em.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'ACCOUNT_RENAMED'`)).toEqual([{ n: 1 }]);
      throw new Error('validation failed later in the same transaction');
    })).rejects.toThrow(/validation failed/);
    expect(await count()).toBe(before);
    const [{ name }] = await db.ds.query(`SELECT name FROM accounts WHERE id = $1`, [accounts.fz]);
    expect(name).toBe('fz');
    // …and commit with it.
    await transaction(createSystemContext(db.ds), (tx) => recordAudit(tx, { actor: { id: 5, username: 'someone' }, action: 'ACCOUNT_RENAMED', entityType: 'account', accountId: accounts.xm }));
    expect(await count(`action = 'ACCOUNT_RENAMED' AND unit_id = $1 AND actor_name = 'someone'`, [units.C3502])).toBe(1);
  });

  it('drops secrets from snapshots and rejects malformed actions', async () => {
    const id = await transaction(createSystemContext(db.ds), (tx) => recordAudit(tx, { action: 'USER_UPDATED', entityType: 'user', before: { password: 'x', passwordHash: '$argon2id$…', name: 'a' }, after: { nested: { token: 't', ok: 1 } } }));
    const [row] = await db.ds.query(`SELECT before, after, actor_name FROM audit_events WHERE id = $1`, [id]);
    expect(row).toEqual({ before: { name: 'a' }, after: { nested: { ok: 1 } }, actor_name: 'system' });
    await expect(transaction(createSystemContext(db.ds), (tx) => recordAudit(tx, { action: 'bad action', entityType: 'x' }))).rejects.toThrow(/UPPER_SNAKE_CASE/);
    await expect(recordAudit(createSystemContext(db.ds), { action: 'OUTSIDE', entityType: 'x' })).rejects.toThrow(/inside transaction/);
  });
});

describe('queries', () => {
  it('an unscoped admin sees everything, newest first, filtered by account / plan / action / actor / time', async () => {
    const all = await gql.exec(EVENTS, { first: 100 });
    expect(all.errors).toBeUndefined();
    const total = await count();
    expect(all.data!.auditEvents.totalCount).toBe(total);
    const ids = all.data!.auditEvents.edges.map((e: any) => Number(e.node.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const fz = await gql.exec(EVENTS, { f: { accountId: String(accounts.fz) } });
    expect(fz.data!.auditEvents.edges.map((e: any) => e.node.action)).toEqual(['STEP_CONFIRMED', 'ACTION_APPROVED', 'PLAN_SUBMITTED']);
    expect(fz.data!.auditEvents.edges[0].node).toMatchObject({ unitId: String(units.C3501), planId: '7', actorName: 'test-admin' });

    expect((await gql.exec(EVENTS, { f: { planId: '7', action: ['ACTION_APPROVED'] } })).data!.auditEvents.totalCount).toBe(2);
    expect((await gql.exec(EVENTS, { f: { actorId: '0' } })).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect((await gql.exec(EVENTS, { f: { unitId: String(units.P35), includeSubunits: true } })).data!.auditEvents.totalCount).toBe(8);
    const policy = await gql.exec(EVENTS, { f: { unitId: String(units.P35) } });
    expect(policy.data!.auditEvents.edges.map((e: any) => e.node.action)).toEqual(['POLICY_CHANGED']);
    expect(policy.data!.auditEvents.edges[0].node.before).toEqual({ zombieDays: 90 });
    const future = await gql.exec(EVENTS, { f: { from: new Date(Date.now() + 60_000).toISOString() } });
    expect(future.data!.auditEvents.totalCount).toBe(0);
    const bad = await gql.exec(EVENTS, { f: { from: '2024-02-01T00:00:00Z', to: '2024-01-01T00:00:00Z' } });
    expect(bad.errors![0].extensions!.details[0].field).toBe('filter.from');
  });

  it('names the account, unit and plan an event refers to (no ids for people to decode)', async () => {
    const [{ name: accountName }] = await db.ds.query(`SELECT name FROM accounts WHERE id = $1`, [accounts.xm]);
    const [{ name: unitName }] = await db.ds.query(`SELECT name FROM units WHERE id = $1`, [units.C3502]);
    const res = await gql.exec(`query($f: AuditFilter) { auditEvents(filter: $f, first: 5) { edges { node { action accountName unitName planTitle } } } }`,
      { f: { accountId: String(accounts.xm), action: ['STEP_CONFIRMED'] } });
    expect(res.errors).toBeUndefined();
    // Plan 7 does not exist in this database: its title is null rather than an error.
    expect(res.data!.auditEvents.edges.map((e: any) => e.node)).toEqual([{ action: 'STEP_CONFIRMED', accountName, unitName, planTitle: null }]);
  });

  it('pages with cursors without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: any = await gql.exec(EVENTS, { first: 3, after });
      seen.push(...res.data.auditEvents.edges.map((e: any) => e.node.id));
      if (!res.data.auditEvents.pageInfo.hasNextPage) break;
      after = res.data.auditEvents.pageInfo.endCursor;
    }
    expect(seen.length).toBe(await count());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('a scoped planner sees only events of units in their subtree', async () => {
    const res = await gql.exec(EVENTS, { first: 100 }, fuzhouPlanner.session);
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.auditEvents.edges.map((e: any) => e.node);
    expect(nodes.length).toBe(3);
    expect(new Set(nodes.map((n: any) => n.unitId))).toEqual(new Set([String(units.C3501)]));
    const prov = await gql.exec(EVENTS, { first: 100 }, auditor.session);
    // Province auditor: everything with a unit in the province (not the unit-less import event).
    expect(prov.data!.auditEvents.totalCount).toBe(await count(`unit_id IS NOT NULL`));
    const out = await gql.exec(EVENTS, { f: { unitId: String(units.C3502), includeSubunits: true } }, fuzhouPlanner.session);
    expect(out.errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  it('accountTimeline merges audit events, plan-level events and status history in time order', async () => {
    const planEvent = await transaction(createSystemContext(db.ds), (tx) => recordAudit(tx, { actor: { id: 3, username: 'approver' }, action: 'PLAN_APPROVED', entityType: 'plan', entityId: 7, planId: 7 }));
    await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source, reason)
      VALUES ($1, NULL, 'active', '2020-01-01', 'import', '开通'), ($1, 'active', 'closed', now() + interval '1 minute', 'plan', '方案 7 注销')`, [accounts.fz]);
    const q = `query($id: ID!) { accountTimeline(accountId: $id) { at kind auditEvent { id action } statusChange { toStatus reason } } }`;
    const res = await gql.exec(q, { id: String(accounts.fz) });
    expect(res.errors).toBeUndefined();
    const t = res.data!.accountTimeline;
    expect(t.map((e: any) => e.kind === 'AUDIT' ? e.auditEvent.action : `STATUS:${e.statusChange.toStatus}`)).toEqual(
      ['STATUS:ACTIVE', 'PLAN_SUBMITTED', 'ACTION_APPROVED', 'STEP_CONFIRMED', 'PLAN_APPROVED', 'STATUS:CLOSED']);
    expect(t.find((e: any) => e.auditEvent?.action === 'PLAN_APPROVED').auditEvent.id).toBe(planEvent);
    const other = await gql.exec(q, { id: String(accounts.xm) }, fuzhouPlanner.session);
    expect(other.errors![0].extensions!.code).toBe('NOT_FOUND');
  });
});

describe('CSV export (GET /api/audit.csv)', () => {
  it('needs a session, the AUDITOR or ADMIN role, and applies the scope and filters', async () => {
    const http = await startHttp(db.ds, db.config);
    try {
      const anon = await fetch(`${http.url}/api/audit.csv`);
      expect(anon.status).toBe(401);
      const planner = await sessionFor(db.ds, db.config, fuzhouPlanner.id);
      expect((await fetch(`${http.url}/api/audit.csv`, { headers: planner.headers })).status).toBe(403);
      const aud = await sessionFor(db.ds, db.config, auditor.id);
      const res = await fetch(`${http.url}/api/audit.csv?action=ACTION_APPROVED,STEP_CONFIRMED&planId=7`, { headers: { cookie: `mp_session=${aud.token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/csv/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="audit-\d+\.csv"/);
      const text = await res.text();
      const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(lines[0]).toBe('编号,时间（北京时间）,操作人,登录名,角色,操作,操作代码,对象,账号,单位,方案,说明,IP 地址,浏览器,变更前,变更后');
      expect(lines.length).toBe(1 + 4);
      // Chinese action names beside the code, Beijing time to the second, names instead of ids.
      expect(lines.filter((l) => l.includes(',确认执行步骤,STEP_CONFIRMED,')).length).toBe(2);
      const cells = lines[1].split(',');
      const [{ at }] = await db.ds.query(`SELECT to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS') AS at FROM audit_events WHERE id = $1`, [cells[0]]);
      expect(cells[1]).toBe(at);
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
      const bad = await fetch(`${http.url}/api/audit.csv?from=notadate`, { headers: aud.headers });
      expect(bad.status).toBe(400);
    } finally {
      await http.close();
    }
  });
});
