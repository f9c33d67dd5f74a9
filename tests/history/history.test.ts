import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import type { SessionUser } from '../../server/kernel/context';
import { todayInBeijing } from '../../server/kernel/dates';
import { makeAccounts } from '../support/factories';
import { makeTree, Platform, AccountStatus } from '../detection/fixture';

/**
 * Time travel (历史回溯): the matrix and account counts as they were on a date, from the status history and the
 * accounts' opening and deregistration dates — and unchanged by anything that happens afterwards.
 *
 * Fuzhou (3501): fz-wx WeChat (active throughout), fz-wb Weibo (closed on 2024-06-10), fz-dy Douyin (opened 2024-06-15),
 * and the Gulou justice bureau's gl-wx (suspended on 2024-06-20); Xiamen (3502): xm-wx.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let ids: Record<string, number>;
const at = (day: string, time = '10:00:00') => `${day}T${time}+08:00`;

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  ids = await makeAccounts(db.ds, [
    { unit: 'gov3501', handle: 'fz-wx', name: '福州发布', platform: Platform.WECHAT, openedOn: '2020-01-01' },
    { unit: 'gov3501', handle: 'fz-wb', name: '福州发布', platform: Platform.WEIBO, openedOn: '2020-01-01', status: AccountStatus.CLOSED },
    { unit: 'gov3501', handle: 'fz-dy', name: '福州发布', platform: Platform.DOUYIN, openedOn: '2024-06-15' },
    { unit: 'dep350102', handle: 'gl-wx', name: '鼓楼司法', platform: Platform.WECHAT, openedOn: '2020-01-01', status: AccountStatus.SUSPENDED },
    { unit: 'gov3502', handle: 'xm-wx', name: '厦门发布', platform: Platform.WECHAT, openedOn: '2020-01-01' },
  ]);
  // Registered by an import on 2024-01-02; later changes as the status history records them.
  await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source)
                     SELECT id, NULL, 'active', $1, 'import' FROM accounts`, [at('2024-01-02')]);
  await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source, reason) VALUES
    ($1, 'active', 'closed', $2, 'plan', '注销'), ($3, 'active', 'suspended', $4, 'manual', '停更')`,
  [ids['fz-wb'], at('2024-06-10'), ids['gl-wx'], at('2024-06-20')]);
  await db.ds.query(`UPDATE accounts SET closed_on = '2024-06-10' WHERE id = $1`, [ids['fz-wb']]);
  gql = await createGraphqlHarness(db.ds, db.config);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const MATRIX = `query($r: String!, $d: String!) { matrixAsOf(regionCode: $r, date: $d) {
  date live total openFindings region { code }
  rows { key label live totalCell { active suspended closed total } cells { platform active suspended closed } }
  totals { platform active suspended closed total } byLevel { level live totalCell { active suspended closed total } } } }`;
const row = (m: { rows: { key: string }[] }, key: string) => m.rows.find((r) => r.key === key) as unknown as { live: number; totalCell: Record<string, number>;
  cells: { platform: string; active: number; suspended: number; closed: number }[] };

describe('matrix as of a date', () => {
  it('counts each account by its status that day; accounts opened later are left out', async () => {
    const first = await gql.exec(MATRIX, { r: "35", d: "2024-06-01" });
    expect(first.errors).toBeUndefined();
    const before = first.data!.matrixAsOf;
    expect(before).toMatchObject({ date: '2024-06-01', live: 4, total: 4, region: { code: '35' } });
    expect(row(before, '3501').totalCell).toEqual({ active: 3, suspended: 0, closed: 0, total: 3 });
    expect(row(before, '3502').totalCell).toEqual({ active: 1, suspended: 0, closed: 0, total: 1 });

    const after = (await gql.exec(MATRIX, { r: '35', d: '2024-06-30' })).data!.matrixAsOf;
    expect(after).toMatchObject({ live: 4, total: 5 });
    expect(row(after, '3501').totalCell).toEqual({ active: 2, suspended: 1, closed: 1, total: 4 });
    expect(row(after, '3501').cells.find((c) => c.platform === 'WEIBO')).toMatchObject({ active: 0, closed: 1 });
    expect(row(after, '3501').cells.find((c) => c.platform === 'DOUYIN')).toMatchObject({ active: 1 });
    expect(after.byLevel.map((l: { level: string; live: number }) => [l.level, l.live])).toEqual([['CITY', 3], ['COUNTY', 1]]);
  });

  it('the day of a change counts the change (days end at midnight Beijing time)', async () => {
    const m = (await gql.exec(MATRIX, { r: '3501', d: '2024-06-10' })).data!.matrixAsOf;
    expect(m.total).toBe(3);
    expect(m.totals.find((c: { platform: string }) => c.platform === 'WEIBO')).toMatchObject({ closed: 1, active: 0 });
    const eve = (await gql.exec(MATRIX, { r: '3501', d: '2024-06-09' })).data!.matrixAsOf;
    expect(eve.totals.find((c: { platform: string }) => c.platform === 'WEIBO')).toMatchObject({ closed: 0, active: 1 });
  });

  it('a past matrix stays the same after later changes (a plan deregisters an account, an import adds one)', async () => {
    const dates = ['2024-06-01', '2024-06-30'];
    const before = await Promise.all(dates.map((d) => gql.exec(MATRIX, { r: '35', d })));
    const today = todayInBeijing();
    // A plan's DEREGISTERED step today; an import today: a new account and a status change of an existing one.
    await db.ds.query(`UPDATE accounts SET status = 'closed', closed_on = $2 WHERE id = $1`, [ids['fz-wx'], today]);
    await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, source) VALUES ($1, 'active', 'closed', 'plan')`, [ids['fz-wx']]);
    const [fresh] = await db.ds.query(`INSERT INTO accounts (platform, handle, name, unit_id, type, status, opened_on, followers, interaction_enabled, is_main)
      SELECT 'toutiao', 'fz-tt', '福州发布', id, 'publishing', 'active', NULL, 0, true, false FROM units WHERE code = 'gov3501' RETURNING id`);
    await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, source) VALUES ($1, NULL, 'active', 'import')`, [fresh.id]);
    await db.ds.query(`UPDATE accounts SET status = 'active' WHERE id = $1`, [ids['gl-wx']]);
    await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, source) VALUES ($1, 'suspended', 'active', 'import')`, [ids['gl-wx']]);
    const after = await Promise.all(dates.map((d) => gql.exec(MATRIX, { r: '35', d })));
    expect(after.map((r) => r.data)).toEqual(before.map((r) => r.data));
    // Today's matrix does see them.
    const now = (await gql.exec(MATRIX, { r: '3501', d: today })).data!.matrixAsOf;
    expect(now.totals.find((c: { platform: string }) => c.platform === 'TOUTIAO')).toMatchObject({ active: 1 });
    expect(now.totals.find((c: { platform: string }) => c.platform === 'WECHAT')).toMatchObject({ active: 1, closed: 1 });
  });

  it('refuses a date in the future or not a date; keeps to the user scope', async () => {
    for (const d of ['2999-01-01', '2024-13-01', 'yesterday']) {
      expect((await gql.exec(MATRIX, { r: '35', d })).errors?.[0].extensions?.code, d).toBe('BAD_USER_INPUT');
    }
    const [u] = await db.ds.query(`SELECT id, path FROM units WHERE code = 'gov3502'`);
    const xiamen: SessionUser = { id: 0, username: 'test-admin', role: 'AUDITOR', unitId: u.id, unitPath: u.path };
    const m = (await gql.exec(MATRIX, { r: '35', d: '2024-06-01' }, xiamen)).data!.matrixAsOf;
    expect(m).toMatchObject({ live: 1, total: 1 });
    expect((await gql.exec(MATRIX, { r: '35', d: '2024-06-01' }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('account counts as of a date and around a plan', () => {
  it('counts by unit × platform × status', async () => {
    const res = await gql.exec(`{ accountCountsAsOf(regionCode: "3501", date: "2024-06-30") {
      date totalRows totals { active suspended closed total } rows { unit { name } platform active suspended closed total } } }`);
    expect(res.errors).toBeUndefined();
    const c = res.data!.accountCountsAsOf;
    expect(c.totals).toEqual({ active: 2, suspended: 1, closed: 1, total: 4 });
    expect(c.rows).toEqual(expect.arrayContaining([
      { unit: { name: '福州市人民政府' }, platform: 'WEIBO', active: 0, suspended: 0, closed: 1, total: 1 },
      { unit: { name: '鼓楼区司法局' }, platform: 'WECHAT', active: 0, suspended: 1, closed: 0, total: 1 },
    ]));
    expect(c.totalRows).toBe(4);
  });

  it('planImpactCounts: the plan scope the day before submission, at execution start and at completion', async () => {
    const [plan] = await db.ds.query(`INSERT INTO plans (title, status, scope_region_code, author_name, notice_working_days, created_at, submitted_at,
        execution_started_at, completed_at) VALUES ('关停福州微博', 'completed', '3501', 'test-admin', 15, $1, $1, $2, $3) RETURNING id`,
    [at('2024-06-03'), at('2024-06-05'), at('2024-06-12')]);
    await db.ds.query(`INSERT INTO plan_actions (plan_id, type, account_id) VALUES ($1, 'shutdown', $2)`, [plan.id, ids['fz-wb']]);
    const res = await gql.exec(`query($id: ID!) { planImpactCounts(planId: $id) { regionCode points { label date planAccountsLive counts { active closed total } } } }`,
      { id: String(plan.id) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.planImpactCounts).toEqual({ regionCode: '3501', points: [
      { label: 'before', date: '2024-06-02', planAccountsLive: 1, counts: { active: 3, closed: 0, total: 3 } },
      { label: 'started', date: '2024-06-05', planAccountsLive: 1, counts: { active: 3, closed: 0, total: 3 } },
      { label: 'completed', date: '2024-06-12', planAccountsLive: 0, counts: { active: 2, closed: 1, total: 3 } },
    ] });
    expect((await gql.exec(`{ planImpactCounts(planId: "999999") { regionCode } }`)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});
