import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, type GqlResult } from '../support/graphql';
import type { SessionUser } from '../../server/kernel/context';
import { AccountStatus, AccountType, bj, D, daysBefore, makeAccountsWithPosts, makeTree, Platform } from './fixture';

/** The GraphQL API of detection: runs, findings connection, summary, inspection, dismissal, policy. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let ids: Record<string, number>;

const daily = (n: number) => Array.from({ length: n }, (_, i) => bj(daysBefore(i + 1)));
const admin: SessionUser = { id: 1, username: 'admin', role: 'ADMIN', unitId: null, unitPath: null };
const planner: SessionUser = { id: 2, username: 'planner', role: 'PLANNER', unitId: null, unitPath: null };

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  ids = await makeAccountsWithPosts(db.ds, [
    { unit: 'gov3501', handle: 'fz-ok', name: '福州发布', platform: Platform.WECHAT, posts: daily(20) },
    { unit: 'gov3501', handle: 'fz-stale', name: '福州发布', platform: Platform.WEIBO, posts: [bj(daysBefore(20))] },
    { unit: 'gov3502', handle: 'xm-unfiled', name: '厦门发布', platform: Platform.WECHAT, followers: 5000, filingNo: null, posts: daily(10) },
    { unit: 'gov3502', handle: 'xm-zombie', name: '厦门服务', platform: Platform.WEIBO, type: AccountType.SERVICE, posts: [bj(daysBefore(100))] },
    { unit: 'dep350102', handle: 'gl-a', name: '鼓楼司法', followers: 20_000, posts: daily(60), reads: 2000 },
    { unit: 'dep350102', handle: 'gl-b', name: '鼓楼普法', followers: 3_000, posts: daily(30), reads: 2000 },
    { unit: 'dep350102', handle: 'gl-closed', name: '鼓楼法援', status: AccountStatus.CLOSED },
    { unit: 'dep350102', handle: 'gl-susp', name: '鼓楼调解', platform: Platform.WEIBO, status: AccountStatus.SUSPENDED, posts: daily(3) },
    // Eight unfiled accounts of the province government, one per platform, same name: 8 UNFILED findings.
    ...[Platform.WECHAT, Platform.WEIBO, Platform.DOUYIN, Platform.TOUTIAO, Platform.KUAISHOU, Platform.BILIBILI, Platform.XIAOHONGSHU, Platform.APP]
      .map((platform, i) => ({ unit: 'gov35', handle: `fj-${i}`, name: '福建发布', platform, filingNo: null, posts: daily(5) })),
  ]);
  // The province's app offers services (an app without any would be the finding: issue 11's type-aware rules).
  await db.ds.query(`INSERT INTO services (account_id, name, category) SELECT id, '社保查询', '查询' FROM accounts WHERE handle = 'fj-7'`);
  gql = await createGraphqlHarness(db.ds, db.config);
  const res = await gql.exec(`mutation { runDetection(asOf: "${D}") { id asOf regionCode found created countsByRule durationMs policyVersions accountsChecked } }`);
  expect(res.errors).toBeUndefined();
  expect(res.data!.runDetection).toMatchObject({ asOf: D, regionCode: null, accountsChecked: 15, policyVersions: { 0: 1 } });
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const PAGE = `query($first: Int, $after: String, $filter: FindingFilter) {
  findings(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id rule ruleName severity status summary evidence platforms level
      accounts { id platform handle name } suggestedMain { handle } suggestedMainReasons unit { name } firstSeenAt } }
  }
}`;

describe('findings connection', () => {
  it('pages through every finding, veto first, without duplicates', async () => {
    const seen: string[] = [];
    const severities: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const res: GqlResult = await gql.exec(PAGE, { first: 4, after });
      expect(res.errors).toBeUndefined();
      const c: any = res.data!.findings;
      total = c.totalCount;
      for (const e of c.edges) {
        seen.push(e.node.id);
        severities.push(e.node.severity);
      }
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM findings`);
    expect(seen).toHaveLength(n);
    expect(new Set(seen).size).toBe(n);
    expect(total).toBe(n);
    const rank = { VETO: 0, MAJOR: 1, MINOR: 2 } as Record<string, number>;
    expect(severities.map((s) => rank[s])).toEqual([...severities.map((s) => rank[s])].sort());
    expect(severities[0]).toBe('VETO');
  });

  it('filters by rule, platform, level and region', async () => {
    const unfiled = await gql.exec(PAGE, { first: 50, filter: { rule: ['UNFILED'] } });
    expect(unfiled.data!.findings.totalCount).toBe(9);
    const douyin = await gql.exec(PAGE, { first: 50, filter: { rule: ['UNFILED'], platform: ['DOUYIN'] } });
    expect(douyin.data!.findings.edges.map((e: any) => e.node.accounts[0].handle)).toEqual(['fj-2']);
    const county = await gql.exec(PAGE, { first: 50, filter: { level: ['COUNTY'] } });
    expect(county.data!.findings.edges.map((e: any) => e.node.rule)).toEqual(['REDUNDANT_SAME_PLATFORM']);
    const xiamen = await gql.exec(PAGE, { first: 50, filter: { regionCode: '3502' } });
    expect(xiamen.data!.findings.edges.map((e: any) => e.node.rule).sort()).toEqual(['NAME_INCONSISTENT', 'UNFILED', 'ZOMBIE']);
    const bad = await gql.exec(PAGE, { first: 50, filter: { regionCode: 'abc' } });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('explains each finding and lists every account it concerns', async () => {
    const res = await gql.exec(PAGE, { first: 50, filter: { rule: ['REDUNDANT_SAME_PLATFORM', 'NO_UPDATE_14D', 'NAME_INCONSISTENT'] } });
    const byRule = Object.fromEntries(res.data!.findings.edges.map((e: any) => [e.node.rule, e.node]));
    expect(byRule.REDUNDANT_SAME_PLATFORM.accounts.map((a: any) => a.handle)).toEqual(['gl-a', 'gl-b']);
    expect(byRule.REDUNDANT_SAME_PLATFORM.suggestedMain.handle).toBe('gl-a');
    expect(byRule.REDUNDANT_SAME_PLATFORM.suggestedMainReasons).toEqual(['状态正常', '已备案', '粉丝 2.0 万，为同组最多', '近 90 天发布 60 条，为同组最多']);
    expect(byRule.REDUNDANT_SAME_PLATFORM.summary).toMatch(/^同一单位在微信公众号上有 2 个未注销账号（原则上不超过 1 个），建议保留「鼓楼司法」为主账号/);
    expect(byRule.NO_UPDATE_14D.accounts).toEqual([{ id: String(ids['fz-stale']), platform: 'WEIBO', handle: 'fz-stale', name: '福州发布' }]);
    expect(byRule.NO_UPDATE_14D.summary).toBe('发布类账号「福州发布」（微博）在检查日 2024-06-30 前 14 天（2024-06-16 至 2024-06-29）内没有发布内容，最近一次发布为 2024-06-10（已 20 天），属否决项');
    expect(byRule.NO_UPDATE_14D.unit.name).toBe('福州市人民政府');
    expect(byRule.NAME_INCONSISTENT.summary).toBe('同一单位在不同平台的账号名称不一致：微信公众号「厦门发布」、微博「厦门服务」；建议统一为「厦门发布」');
  });

  it('costs a bounded number of SQL statements, not one per finding (batched loaders)', async () => {
    // page + count + finding→account links + accounts + units + suggested mains: at most 6, whatever the page size.
    const small = await gql.exec(PAGE, { first: 2 });
    const large = await gql.exec(PAGE, { first: 12 });
    expect(large.data!.findings.edges).toHaveLength(12);
    expect(large.data!.findings.edges.some((e: any) => e.node.suggestedMain)).toBe(true);
    expect(small.sqlStatements).toBeLessThanOrEqual(6);
    expect(large.sqlStatements).toBeLessThanOrEqual(6);
  });
});

describe('summary, account fields, inspection', () => {
  it('summarises open findings by rule, level and platform', async () => {
    const res = await gql.exec(`{ findingSummary(regionCode: "35") { open openVetoes dismissed
      byRule { key open } byLevel { key open } byPlatform { key open } lastRun { id } } }`);
    expect(res.errors).toBeUndefined();
    const s = res.data!.findingSummary;
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM findings WHERE status = 'open'`);
    expect(s.open).toBe(n);
    expect(s.openVetoes).toBe(1);
    expect(s.byRule.find((r: any) => r.key === 'UNFILED').open).toBe(9);
    expect(s.byRule.find((r: any) => r.key === 'LOW_VALUE').open).toBe(0);
    expect(s.byLevel.find((r: any) => r.key === 'county').open).toBe(1);
    // NAME_INCONSISTENT spans WeChat and Weibo: it counts on both.
    expect(s.byPlatform.find((r: any) => r.key === 'weibo').open).toBe(4);
    expect(s.lastRun).not.toBeNull();
  });

  it('Account.findings and Account.inspection (veto, deductions, pass mark)', async () => {
    const q = `query($id: ID!) { account(id: $id) { handle findings { rule } inspection(asOf: "${D}") { checked grade passed score vetoes reasons note deductions { code points } } } }`;
    const stale = (await gql.exec(q, { id: ids['fz-stale'] })).data!.account;
    expect(stale.findings.map((f: any) => f.rule)).toEqual(['NO_UPDATE_14D']);
    expect(stale.inspection).toMatchObject({ checked: true, grade: 'FAIL', passed: false, vetoes: ['NO_UPDATE_14D'], reasons: ['否决项：两周未更新'] });
    const zombie = (await gql.exec(q, { id: ids['xm-zombie'] })).data!.account;
    expect(zombie.inspection).toMatchObject({ grade: 'FAIL', score: 55, vetoes: [] });
    expect(zombie.inspection.deductions).toEqual([{ code: 'ZOMBIE', points: 40 }, { code: 'NAME_INCONSISTENT', points: 5 }]);
    const unfiled = (await gql.exec(q, { id: ids['xm-unfiled'] })).data!.account;
    expect(unfiled.inspection).toMatchObject({ grade: 'PASS', score: 80 });
    const susp = (await gql.exec(q, { id: ids['gl-susp'] })).data!.account;
    expect(susp.inspection).toMatchObject({ checked: false, grade: null, note: '已暂停更新（停更待注销），不参加检查' });
  });

  it('inspection report of a province: checked, failed, pass rate by sub-region, level and platform', async () => {
    const res = await gql.exec(`{ inspectionReport(regionCode: "35", asOf: "${D}") { regionName checked failed good passRate failuresTotal
      byRegion { key label checked failed passRate } byLevel { key checked failed passRate } byPlatform { key checked failed }
      failures { account { handle } score vetoes reasons } } }`);
    expect(res.errors).toBeUndefined();
    const r = res.data!.inspectionReport;
    expect(r).toMatchObject({ regionName: '福建省', checked: 14, failed: 2, good: 3, passRate: 85.71, failuresTotal: 2 });
    const region = Object.fromEntries(r.byRegion.map((g: any) => [g.key, g]));
    expect(region.self).toMatchObject({ label: '福建省本级', checked: 8, failed: 0, passRate: 100 });
    expect(region['3501']).toMatchObject({ label: '福州市', checked: 4, failed: 1, passRate: 75 });
    expect(region['3502']).toMatchObject({ label: '厦门市', checked: 2, failed: 1, passRate: 50 });
    expect(region['3503']).toMatchObject({ checked: 0, passRate: null });
    expect(r.byLevel.find((g: any) => g.key === 'city')).toMatchObject({ checked: 4, failed: 2, passRate: 50 });
    expect(r.failures.map((f: any) => f.account.handle)).toEqual(['fz-stale', 'xm-zombie']);
  });
});

describe('mutations and permissions', () => {
  it('dismissFinding needs a reason; planners may dismiss, auditors may not', async () => {
    const [f] = await db.ds.query(`SELECT id FROM findings WHERE rule = 'ZOMBIE'`);
    const m = `mutation($id: ID!, $reason: String!) { dismissFinding(id: $id, reason: $reason) { id status dismissedReason } }`;
    const auditor: SessionUser = { ...planner, role: 'AUDITOR' };
    expect((await gql.exec(m, { id: f.id, reason: '服务类账号，按需发布' }, auditor)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await gql.exec(m, { id: f.id, reason: '' }, planner)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const ok = await gql.exec(m, { id: f.id, reason: '服务类账号，按需发布' }, planner);
    expect(ok.data!.dismissFinding).toEqual({ id: String(f.id), status: 'DISMISSED', dismissedReason: '服务类账号，按需发布' });
    const again = await gql.exec(`mutation($id: ID!) { reopenFinding(id: $id) { status } }`, { id: f.id }, planner);
    expect(again.data!.reopenFinding.status).toBe('OPEN');
  });

  it('policy is readable; updatePolicy is for administrators and validates the settings', async () => {
    const read = await gql.exec(`{ policy(regionCode: "3501") { regionCode regionName version nationalVersion effective } }`);
    expect(read.data!.policy).toMatchObject({ regionCode: '35', regionName: '福建省', version: null, nationalVersion: 1 });
    expect(read.data!.policy.effective.noUpdate).toEqual({ days: 14 });
    const m = `mutation($s: JSONObject!) { updatePolicy(regionCode: "35", settings: $s) { version effective override } }`;
    expect((await gql.exec(m, { s: { zombie: { days: 60 } } }, planner)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await gql.exec(m, { s: { zombie: { days: -1 } } }, admin);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].extensions?.details).toEqual([{ field: 'settings.zombie.days', message: '应为 1–3650 之间的整数' }]);
    const ok = await gql.exec(m, { s: { zombie: { days: 60 } } }, admin);
    expect(ok.data!.updatePolicy).toMatchObject({ version: 1, override: { zombie: { days: 60 } } });
    expect(ok.data!.updatePolicy.effective.zombie.days).toBe(60);
    const runs = await gql.exec(`{ detectionRuns { id countsByRule } }`);
    expect(runs.data!.detectionRuns).toHaveLength(1);
  });

  it('suggests a main account for every platform of a unit, with reasons', async () => {
    const res = await gql.exec(`query($u: ID!) { suggestedMainAccounts(unitId: $u, asOf: "${D}") { platform account { handle } score reasons accountsOnPlatform others { handle } } }`,
      { u: String((await db.ds.query(`SELECT id FROM units WHERE code = 'dep350102'`))[0].id) });
    expect(res.errors).toBeUndefined();
    expect(res.data!.suggestedMainAccounts).toEqual([
      { platform: 'WECHAT', account: { handle: 'gl-a' }, score: 100, reasons: '状态正常；已备案；粉丝 2.0 万，为同组最多；近 90 天发布 60 条，为同组最多', accountsOnPlatform: 2, others: [{ handle: 'gl-b' }] },
      { platform: 'WEIBO', account: { handle: 'gl-susp' }, score: 100, reasons: '已暂停更新；已备案；粉丝 100；近 90 天发布 3 条；组内没有状态正常且已备案的账号，按影响力和活跃度推荐', accountsOnPlatform: 1, others: [] },
    ]);
  });
});
