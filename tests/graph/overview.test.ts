import { createSystemContext } from '../../server/kernel/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, TEST_ADMIN } from '../support/graphql';
import { makeAccounts, makePosts, makeUnits, type AccountSpec } from '../support/factories';
import { AccountStatus, Level, Platform, Role, UnitKind } from '../../server/common/enums';
import { runDetection } from '../../server/detection/detection.service';

/**
 * What the overview needs beyond the plain matrix: open findings per matrix cell, accounts by level × platform and
 * weekly activity per account. A small Fujian with one detection run on 2024-06-30; accounts opened 2024-06-25 are
 * too new for the update rules, so only the problems planted here are found:
 *   福州市人民政府   WeChat 福州发布 (main) + Douyin 榕城发布 → NAME_INCONSISTENT (WECHAT, DOUYIN)
 *   福州市公安局     WeChat 平安福州 (main) + 福州交警 (unfiled) → REDUNDANT_SAME_PLATFORM (WECHAT), UNFILED (WECHAT)
 *   鼓楼区人民政府   WeChat 鼓楼发布 opened 2020, never posted → NO_UPDATE_14D + ZOMBIE (ZOMBIE dismissed below)
 *   鼓东街道办事处   WeChat 鼓东发布 (township 350102001), unfiled → UNFILED (WECHAT)
 *   省政府、厦门     clean; 厦门 has a suspended Weibo and 15 departments with one clean WeChat account each.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let units: Record<string, number>;
let acc: Record<string, number>;

const NEW = '2024-06-25';
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Monday of the current week in Shanghai, as the UTC-midnight timestamp of that calendar date. */
function currentMonday(): number {
  const bj = new Date(Date.now() + 8 * HOUR);
  const date = Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth(), bj.getUTCDate());
  return date - ((bj.getUTCDay() + 6) % 7) * DAY;
}
/** The instant of a Shanghai wall-clock time `days` days and `hours` hours after the Shanghai midnight `dateMs`. */
const shanghai = (dateMs: number, days: number, hours: number) => new Date(dateMs + days * DAY + hours * HOUR - 8 * HOUR).toISOString();
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  const specs = [
    { code: 'P', name: '福建省人民政府', level: Level.PROVINCE, region: '35' },
    { code: 'FZ', name: '福州市人民政府', level: Level.CITY, parent: 'P', region: '3501', supervisor: 'P' },
    { code: 'FZ-GA', name: '福州市公安局', kind: UnitKind.DEPARTMENT, level: Level.CITY, parent: 'FZ', region: '3501', supervisor: 'FZ' },
    { code: 'GL', name: '鼓楼区人民政府', level: Level.COUNTY, parent: 'FZ', region: '350102', supervisor: 'FZ' },
    { code: 'GD', name: '鼓东街道办事处', level: Level.TOWNSHIP, parent: 'GL', region: '350102001', supervisor: 'GL' },
    { code: 'XM', name: '厦门市人民政府', level: Level.CITY, parent: 'P', region: '3502', supervisor: 'P' },
  ];
  for (let i = 0; i < 15; i++) {
    specs.push({ code: `XM-D${i}`, name: `厦门市第${i}局`, kind: UnitKind.DEPARTMENT, level: Level.CITY, parent: 'XM', region: '3502', supervisor: 'XM' } as never);
  }
  units = await makeUnits(db.ds, specs);
  const accounts: AccountSpec[] = [
    { unit: 'P', handle: 'fj_fabu', name: '福建发布', isMain: true, openedOn: NEW },
    { unit: 'P', handle: 'fj_wb', name: '福建发布', platform: Platform.WEIBO, isMain: true, openedOn: NEW },
    { unit: 'P', handle: 'fj_dy', name: '福建发布', platform: Platform.DOUYIN, openedOn: NEW },
    { unit: 'FZ', handle: 'fz_fabu', name: '福州发布', isMain: true, openedOn: NEW },
    { unit: 'FZ', handle: 'fz_dy', name: '榕城发布', platform: Platform.DOUYIN, openedOn: NEW },
    { unit: 'FZ-GA', handle: 'pingan', name: '平安福州', isMain: true, openedOn: NEW },
    { unit: 'FZ-GA', handle: 'fzjj', name: '福州交警', filingNo: null, openedOn: NEW },
    { unit: 'FZ-GA', handle: 'pingan_wb', name: '平安福州', platform: Platform.WEIBO, openedOn: NEW },
    { unit: 'GL', handle: 'gl_fabu', name: '鼓楼发布', isMain: true, openedOn: '2020-01-01' },
    { unit: 'GL', handle: 'gl_old', name: '鼓楼区政府', platform: Platform.WEIBO, status: AccountStatus.CLOSED, openedOn: NEW },
    { unit: 'GD', handle: 'gd_fabu', name: '鼓东发布', filingNo: null, openedOn: NEW },
    { unit: 'XM', handle: 'xm_fabu', name: '厦门发布', isMain: true, openedOn: NEW },
    { unit: 'XM', handle: 'xm_wb', name: '厦门发布', platform: Platform.WEIBO, status: AccountStatus.SUSPENDED, openedOn: NEW },
  ];
  for (let i = 0; i < 15; i++) accounts.push({ unit: `XM-D${i}`, handle: `xm_d${i}`, name: `厦门第${i}局`, openedOn: NEW });
  acc = await makeAccounts(db.ds, accounts);
  await runDetection(createSystemContext(db.ds), { asOf: '2024-06-30' });
  await db.ds.query(
    `UPDATE findings SET status = 'dismissed', dismissed_reason = '测试：已整改', dismissed_at = now(), dismissed_hash = evidence_hash
      WHERE rule = 'ZOMBIE' AND account_id = $1`, [acc.gl_fabu]);

  // Activity (relative to now): 平安福州 posts in the previous week (Monday 00:30 Shanghai, i.e. Sunday 16:30 UTC, and
  // Wednesday), on the Sunday 23:30 before it (the week before), and 30 weeks ago.
  const monday = currentMonday();
  const prev = monday - 7 * DAY;
  await makePosts(db.ds, acc.pingan, [shanghai(prev, 0, 0.5)], { reads: 100, original: true });
  await makePosts(db.ds, acc.pingan, [shanghai(prev, 2, 12)], { reads: 50, original: false });
  await makePosts(db.ds, acc.pingan, [shanghai(prev, -1, 23.5)], { reads: 7, original: true });
  await makePosts(db.ds, acc.pingan, [shanghai(monday - 30 * 7 * DAY, 3, 9)], { reads: 3_000_000, original: true });
  for (let i = 0; i < 15; i++) await makePosts(db.ds, acc[`xm_d${i}`], [shanghai(prev, 1, 10)], { reads: 10 * (i + 1) });
}, 120_000);

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const MATRIX = `query M($code: String!) { matrix(regionCode: $code) { openFindings platforms
  rows { key kind label live openFindings cells { platform active suspended closed total openFindings } totalCell { total openFindings } }
  totals { platform total openFindings } } }`;

const cellOf = (row: any, p: string) => row.cells.find((c: any) => c.platform === p);

describe('detection run behind the numbers', () => {
  it('found exactly the planted problems', async () => {
    const rows: { rule: string; status: string; n: number }[] = await db.ds.query(
      `SELECT rule, status, count(*)::int AS n FROM findings GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(rows).toEqual([
      { rule: 'NAME_INCONSISTENT', status: 'open', n: 1 },
      { rule: 'NO_UPDATE_14D', status: 'open', n: 1 },
      { rule: 'REDUNDANT_SAME_PLATFORM', status: 'open', n: 1 },
      { rule: 'UNFILED', status: 'open', n: 2 },
      { rule: 'ZOMBIE', status: 'dismissed', n: 1 },
    ]);
  });
});

describe('matrix open findings', () => {
  it('counts open findings per row × platform, a multi-platform finding once per cell and once per total', async () => {
    const res = await gql.exec(MATRIX, { code: '35' });
    expect(res.errors).toBeUndefined();
    const m = res.data!.matrix;
    const self = m.rows.find((r: any) => r.key === 'self');
    expect(self.openFindings).toBe(0);
    expect(self.cells.every((c: any) => c.openFindings === 0)).toBe(true);
    const fz = m.rows.find((r: any) => r.key === '3501');
    // WeChat: NAME_INCONSISTENT (福州市政府), REDUNDANT + UNFILED (公安局), NO_UPDATE (鼓楼), UNFILED (鼓东); the
    // dismissed ZOMBIE is not counted. Douyin: NAME_INCONSISTENT again. Row: 5 distinct findings (cells sum to 6).
    expect(cellOf(fz, 'WECHAT')).toMatchObject({ active: 5, openFindings: 5 });
    expect(cellOf(fz, 'DOUYIN')).toMatchObject({ active: 1, openFindings: 1 });
    expect(cellOf(fz, 'WEIBO')).toMatchObject({ active: 1, closed: 1, openFindings: 0 });
    expect(fz.openFindings).toBe(5);
    expect(fz.totalCell.openFindings).toBe(5);
    const xm = m.rows.find((r: any) => r.key === '3502');
    expect(xm.openFindings).toBe(0);
    expect(cellOf(xm, 'WEIBO')).toMatchObject({ suspended: 1, openFindings: 0 });
    expect(m.totals.find((c: any) => c.platform === 'WECHAT').openFindings).toBe(5);
    expect(m.totals.find((c: any) => c.platform === 'DOUYIN').openFindings).toBe(1);
    expect(m.openFindings).toBe(5);
    // Region, its children (one batched load each), account counts, finding counts.
    expect(res.sqlStatements).toBeLessThanOrEqual(4);
  });

  it('places findings in the drilled-down rows the same way', async () => {
    const m = (await gql.exec(MATRIX, { code: '3501' })).data!.matrix;
    const self = m.rows.find((r: any) => r.key === 'self');
    expect([cellOf(self, 'WECHAT').openFindings, cellOf(self, 'DOUYIN').openFindings, self.openFindings]).toEqual([3, 1, 3]);
    const gulou = m.rows.find((r: any) => r.key === '350102');
    expect([cellOf(gulou, 'WECHAT').openFindings, gulou.openFindings]).toEqual([2, 2]);
    expect(m.openFindings).toBe(5);
  });

  it('lists units with their findings for a region without sub-regions', async () => {
    const m = (await gql.exec(MATRIX, { code: '350102001' })).data!.matrix;
    expect(m.rows.map((r: any) => [r.kind, r.label, r.openFindings, cellOf(r, 'WECHAT').openFindings])).toEqual([['UNIT', '鼓东街道办事处', 1, 1]]);
  });

  it('respects the user\'s unit scope', async () => {
    const [{ path }] = await db.ds.query(`SELECT path FROM units WHERE id = $1`, [units['FZ-GA']]);
    const planner = { ...TEST_ADMIN, role: Role.PLANNER, unitId: units['FZ-GA'], unitPath: path };
    const m = (await gql.exec(MATRIX, { code: '35' }, planner)).data!.matrix;
    const fz = m.rows.find((r: any) => r.key === '3501');
    expect(cellOf(fz, 'WECHAT')).toMatchObject({ active: 2, openFindings: 2 });
    expect(cellOf(fz, 'DOUYIN').openFindings).toBe(0);
    expect(m.openFindings).toBe(2);
  });
});

describe('matrix by level', () => {
  const BY_LEVEL = `query L($code: String!) { matrix(regionCode: $code) { byLevel { level live openFindings
    cells { platform active suspended closed total openFindings } totalCell { total openFindings } } } }`;

  it('counts accounts by level × platform and status, with open findings, in the matrix\'s own statement', async () => {
    const res = await gql.exec(BY_LEVEL, { code: '35' });
    expect(res.errors).toBeUndefined();
    const levels = res.data!.matrix.byLevel;
    expect(levels.map((l: any) => l.level)).toEqual(['PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP']);
    const [province, city, county, township] = levels;
    expect([province.live, province.totalCell.total, province.openFindings]).toEqual([3, 3, 0]);
    // City: 福州 2 + 公安局 3 + 厦门 2 + 15 departments = 22 accounts, the Weibo of 厦门 suspended.
    expect([city.live, city.totalCell.total]).toEqual([22, 22]);
    expect(cellOf(city, 'WECHAT')).toMatchObject({ active: 19, total: 19, openFindings: 3 });
    expect(cellOf(city, 'WEIBO')).toMatchObject({ active: 1, suspended: 1, total: 2, openFindings: 0 });
    expect(cellOf(city, 'DOUYIN')).toMatchObject({ active: 1, openFindings: 1 });
    expect(city.openFindings).toBe(3);
    expect(cellOf(county, 'WEIBO')).toMatchObject({ closed: 1, total: 1 });
    expect([county.live, county.openFindings, cellOf(county, 'WECHAT').openFindings]).toEqual([1, 1, 1]);
    expect([township.live, township.openFindings]).toEqual([1, 1]);
    // The read planner (server/reads/) reads byLevel in the matrix's one statement: no statement more.
    const plain = await gql.exec(`{ matrix(regionCode: "35") { openFindings } }`);
    expect(res.sqlStatements).toBe(plain.sqlStatements);
    expect(res.sqlStatements).toBeLessThanOrEqual(4);
  });

  it('follows the drill-down region and the user\'s scope', async () => {
    const gulou = (await gql.exec(BY_LEVEL, { code: '350102' })).data!.matrix.byLevel;
    expect(gulou.map((l: any) => [l.level, l.live, l.totalCell.total, l.openFindings])).toEqual([['COUNTY', 1, 2, 1], ['TOWNSHIP', 1, 1, 1]]);
    const [{ path }] = await db.ds.query(`SELECT path FROM units WHERE id = $1`, [units.XM]);
    const xm = (await gql.exec(BY_LEVEL, { code: '35' }, { ...TEST_ADMIN, role: Role.PLANNER, unitId: units.XM, unitPath: path })).data!.matrix.byLevel;
    expect(xm.map((l: any) => [l.level, l.live, l.openFindings])).toEqual([['CITY', 17, 0]]);
  });
});

describe('account activity per week', () => {
  const ACTIVITY = `query A($id: ID!, $weeks: Int) { account(id: $id) { activity(weeks: $weeks) { weekStart posts originals reads } } }`;
  const monday = currentMonday();

  it('buckets posts into Shanghai weeks starting on Monday, oldest first, empty weeks as zero', async () => {
    const res = await gql.exec(ACTIVITY, { id: String(acc.pingan), weeks: 4 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.account.activity).toEqual([
      { weekStart: iso(monday - 21 * DAY), posts: 0, originals: 0, reads: 0 },
      { weekStart: iso(monday - 14 * DAY), posts: 1, originals: 1, reads: 7 }, // Sunday 23:30 Shanghai
      { weekStart: iso(monday - 7 * DAY), posts: 2, originals: 1, reads: 150 }, // Monday 00:30 Shanghai = Sunday UTC
      { weekStart: iso(monday), posts: 0, originals: 0, reads: 0 },
    ]);
  });

  it('defaults to 26 weeks and reaches back up to 104', async () => {
    const res = await gql.exec(`query A($id: ID!) { account(id: $id) { d: activity { weekStart posts } y: activity(weeks: 52) { posts reads } } }`, { id: String(acc.pingan) });
    expect(res.errors).toBeUndefined();
    const { d, y } = res.data!.account;
    expect(d).toHaveLength(26);
    expect(d[0].weekStart).toBe(iso(monday - 25 * 7 * DAY));
    expect(d.reduce((n: number, w: any) => n + w.posts, 0)).toBe(3);
    expect(y).toHaveLength(52);
    expect(y.reduce((n: number, w: any) => n + w.posts, 0)).toBe(4);
    expect(y.reduce((n: number, w: any) => n + w.reads, 0)).toBe(3_000_157);
  });

  it('rejects weeks outside 1–104 with a clear error', async () => {
    for (const weeks of [0, 105, -3]) {
      const res = await gql.exec(ACTIVITY, { id: String(acc.pingan), weeks });
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].message).toMatch(/weeks 应在 1 到 104 之间/);
    }
  });

  it('loads the activity of a page of accounts in one statement, whatever the page size', async () => {
    const page = (first: number) => `{ accounts(first: ${first}, sort: NAME) { edges { node { id activity(weeks: 8) { weekStart posts reads } } } } }`;
    const bare = (first: number) => `{ accounts(first: ${first}, sort: NAME) { edges { node { id } } } }`;
    const twenty = await gql.exec(page(20));
    expect(twenty.errors).toBeUndefined();
    expect(twenty.data!.accounts.edges).toHaveLength(20);
    const five = await gql.exec(page(5));
    expect(twenty.sqlStatements).toBe(five.sqlStatements);
    expect(twenty.sqlStatements).toBe((await gql.exec(bare(20))).sqlStatements + 1);
    const weeks = twenty.data!.accounts.edges.map((e: any) => e.node.activity);
    expect(weeks.every((w: any[]) => w.length === 8)).toBe(true);
    // The 15 Xiamen departments posted once last week, with 10, 20, … 150 reads.
    const lastWeek = weeks.map((w: any[]) => w[6]);
    expect(lastWeek.reduce((n: number, w: any) => n + w.reads, 0)).toBeGreaterThan(0);
    const all = twenty.data!.accounts.edges.map((e: any) => [Number(e.node.id), e.node.activity[6].reads]);
    for (const [id, reads] of all) {
      const i = Array.from({ length: 15 }, (_, k) => acc[`xm_d${k}`]).indexOf(id);
      if (i >= 0) expect(reads).toBe(10 * (i + 1));
    }
  });
});
