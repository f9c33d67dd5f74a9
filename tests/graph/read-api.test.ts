import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, TEST_ADMIN } from '../support/graphql';
import { makeAccounts, makeMessages, makePosts, makeUnits } from '../support/factories';
import { AccountStatus, Level, Platform, Role, UnitKind } from '../../server/common/enums';

let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let ids: Record<string, number>;
let acc: Record<string, number>;

/**
 * A small province: provincial government with 2 departments, two cities (福州 3501, 厦门 3502) each with a government,
 * 25 departments and one county (鼓楼区 350102 under 福州) with 20 departments: 50 + units, accounts on each.
 */
beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  const specs = [
    { code: 'P', name: '福建省人民政府', level: Level.PROVINCE, region: '35' },
    { code: 'P-GA', name: '福建省公安厅', kind: UnitKind.DEPARTMENT, level: Level.PROVINCE, parent: 'P', region: '35' },
    { code: 'P-SF', name: '福建省司法厅', kind: UnitKind.DEPARTMENT, level: Level.PROVINCE, parent: 'P', region: '35' },
    { code: 'FZ', name: '福州市人民政府', level: Level.CITY, parent: 'P', region: '3501', supervisor: 'P' },
    { code: 'XM', name: '厦门市人民政府', level: Level.CITY, parent: 'P', region: '3502', supervisor: 'P' },
    { code: 'GL', name: '鼓楼区人民政府', level: Level.COUNTY, parent: 'FZ', region: '350102', supervisor: 'FZ' },
  ];
  for (let i = 0; i < 25; i++) {
    specs.push({ code: `FZ-D${i}`, name: `福州市第${i}局`, kind: UnitKind.DEPARTMENT, level: Level.CITY, parent: 'FZ', region: '3501' } as never);
    specs.push({ code: `XM-D${i}`, name: `厦门市第${i}局`, kind: UnitKind.DEPARTMENT, level: Level.CITY, parent: 'XM', region: '3502' } as never);
  }
  for (let i = 0; i < 20; i++) {
    specs.push({ code: `GL-D${i}`, name: `鼓楼区第${i}局`, kind: UnitKind.DEPARTMENT, level: Level.COUNTY, parent: 'GL', region: '350102' } as never);
  }
  ids = await makeUnits(db.ds, specs);
  const accounts = [
    { unit: 'P', handle: 'fj_fabu', name: '福建发布', followers: 2_000_000, isMain: true },
    { unit: 'P', handle: 'fj_fabu_wb', name: '福建发布', platform: Platform.WEIBO, followers: 900_000, isMain: true },
    { unit: 'P-GA', handle: 'fj_ga', name: '福建公安', followers: 500_000 },
    { unit: 'FZ', handle: 'fz_fabu', name: '福州发布', followers: 800_000 },
    { unit: 'FZ', handle: 'fz_fabu_dy', name: '福州发布', platform: Platform.DOUYIN, followers: 300_000 },
    { unit: 'FZ', handle: 'fz_old', name: '福州旧号', status: AccountStatus.CLOSED, followers: 10 },
    { unit: 'XM', handle: 'xm_fabu', name: '厦门发布', followers: 700_000, filingNo: null },
    { unit: 'GL', handle: 'gl_fabu', name: '鼓楼发布', followers: 40_000, status: AccountStatus.SUSPENDED },
  ];
  for (let i = 0; i < 25; i++) {
    accounts.push({ unit: `FZ-D${i}`, handle: `fz_d${i}`, name: `福州第${i}局`, followers: 1000 + i });
    accounts.push({ unit: `XM-D${i}`, handle: `xm_d${i}`, name: `厦门第${i}局`, followers: 2000 + i, platform: i % 2 ? Platform.WEIBO : Platform.WECHAT } as never);
  }
  for (let i = 0; i < 20; i++) accounts.push({ unit: `GL-D${i}`, handle: `gl_d${i}`, name: `鼓楼第${i}局`, followers: 100 + i });
  acc = await makeAccounts(db.ds, accounts as never);
  const now = Date.now();
  const day = 86_400_000;
  await makePosts(db.ds, acc.fz_fabu, [0, 1, 2, 10, 45, 200].map((d) => new Date(now - d * day - 3_600_000).toISOString()), { reads: 3000 });
  await makePosts(db.ds, acc.fj_fabu, [5, 6].map((d) => new Date(now - d * day).toISOString()), { reads: 100_000, original: false });
  await makeMessages(db.ds, acc.fz_fabu, [
    { received: new Date(now - 20 * day).toISOString(), replied: new Date(now - 20 * day + 2 * 3_600_000).toISOString() },
    { received: new Date(now - 10 * day).toISOString(), replied: new Date(now - 10 * day + 6 * 3_600_000).toISOString() },
    { received: new Date(now - 3 * day).toISOString(), replied: null },
  ]);
  await db.ds.query(`INSERT INTO services (account_id, name, category) VALUES ($1, '社保查询', '查询'), ($1, '出入境预约', '预约')`, [acc.fz_fabu]);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

describe('DataLoader batching', () => {
  it('a nested query over 50+ units with accounts, parents and ancestors issues a bounded number of statements', async () => {
    const query = `query($id: ID!) { unit(id: $id) { name descendants(first: 60) { totalCount edges { node {
      name parent { name } ancestors { name } region { name }
      accounts { handle platform unit { name } services { name } } } } } } }`;
    const res = await gql.exec(query, { id: String(ids.P) });
    expect(res.errors).toBeUndefined();
    const edges = res.data!.unit.descendants.edges;
    expect(edges.length).toBe(60);
    expect(res.data!.unit.descendants.totalCount).toBe(2 + 2 + 1 + 50 + 20);
    const withAccounts = edges.filter((e: any) => e.node.accounts.length > 0).length;
    expect(withAccounts).toBeGreaterThan(50);
    // unit(id) 1, descendants page 1, totalCount 1, parents/ancestors (unit loader: one per tree level at most 3),
    // regions 1, accounts 1, services 1 — independent of the number of rows.
    expect(res.sqlStatements).toBeLessThanOrEqual(10);

    // Doubling the page size does not change the number of statements (no per-row queries).
    const small = await gql.exec(query.replace('first: 60', 'first: 5'), { id: String(ids.P) });
    expect(small.errors).toBeUndefined();
    expect(res.sqlStatements - small.sqlStatements).toBeLessThanOrEqual(1);
  });
});

describe('accounts connection', () => {
  const q = `query($filter: AccountFilter, $first: Int, $after: String, $sort: AccountSort) {
    accounts(filter: $filter, first: $first, after: $after, sort: $sort) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { handle followers status filed } } } }`;

  it('filters by region subtree, platform and status with totalCount', async () => {
    const res = await gql.exec(q, { filter: { regionCode: '3502', platform: ['WEIBO'] }, first: 50 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.accounts.totalCount).toBe(12); // xm_d1, xm_d3 … xm_d23
    const fz = await gql.exec(q, { filter: { regionCode: '3501', status: ['ACTIVE'] }, first: 100 });
    // 福州 subtree: fz_fabu, fz_fabu_dy, 25 departments, 20 鼓楼 departments (gl_fabu suspended, fz_old closed)
    expect(fz.data!.accounts.totalCount).toBe(2 + 25 + 20);
    const unfiled = await gql.exec(q, { filter: { filed: false }, first: 10 });
    expect(unfiled.data!.accounts.edges.map((e: any) => e.node.handle)).toEqual(['xm_fabu']);
    const byUnit = await gql.exec(q, { filter: { unitId: String(ids.GL), level: ['COUNTY'] }, first: 100 });
    expect(byUnit.data!.accounts.totalCount).toBe(21);
    const search = await gql.exec(q, { filter: { search: '发布' }, first: 100 });
    expect(search.data!.accounts.totalCount).toBe(6);
  });

  it('gives the rows plain SQL gives for every mix of scope, region, unit and level (with or without a join to units)', async () => {
    const [{ path: fzPath }] = await db.ds.query(`SELECT path FROM units WHERE id = $1`, [ids.FZ]);
    const fzUser = { ...TEST_ADMIN, role: Role.PLANNER, unitId: ids.FZ, unitPath: fzPath };
    const [{ path: glPath }] = await db.ds.query(`SELECT path FROM units WHERE id = $1`, [ids.GL]);
    const cases: { user: typeof TEST_ADMIN; filter: Record<string, unknown>; where: string }[] = [];
    for (const user of [TEST_ADMIN, fzUser]) {
      const scope = user === TEST_ADMIN ? 'TRUE' : `u.path LIKE '${fzPath}%'`;
      cases.push({ user, filter: {}, where: scope });
      cases.push({ user, filter: { regionCode: '35' }, where: `${scope} AND u.region_path LIKE '/0/35/%'` });
      cases.push({ user, filter: { regionCode: '3501', level: ['COUNTY'] }, where: `${scope} AND u.region_path LIKE '/0/35/3501/%' AND u.level = 'county'` });
      cases.push({ user, filter: { level: ['CITY'] }, where: `${scope} AND u.level = 'city'` });
      cases.push({ user, filter: { unitId: String(ids.GL), status: ['ACTIVE'] }, where: `${scope} AND u.path LIKE '${glPath}%' AND a.status = 'active'` });
    }
    for (const c of cases) {
      const res = await gql.exec(`query($filter: AccountFilter) { accounts(filter: $filter, first: 100) { totalCount edges { node { handle } } } }`,
        { filter: c.filter }, c.user);
      expect(res.errors, JSON.stringify(c.filter)).toBeUndefined();
      const rows: { handle: string }[] = await db.ds.query(`SELECT a.handle FROM accounts a JOIN units u ON u.id = a.unit_id WHERE ${c.where}`);
      const got = res.data!.accounts.edges.map((e: any) => e.node.handle).sort();
      expect(got, `${c.user.username} ${JSON.stringify(c.filter)}`).toEqual(rows.map((r) => r.handle).sort());
      expect(res.data!.accounts.totalCount).toBe(rows.length);
      expect(rows.length).toBeGreaterThan(0);
    }
  });

  it('pages with cursors through every row exactly once, sorted by followers', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let last = Infinity;
    for (let page = 0; page < 20; page++) {
      const res: any = await gql.exec(q, { first: 7, after, sort: 'FOLLOWERS' });
      expect(res.errors).toBeUndefined();
      for (const e of res.data.accounts.edges) {
        expect(e.node.followers).toBeLessThanOrEqual(last);
        last = e.node.followers;
        seen.push(e.node.handle);
      }
      if (!res.data.accounts.pageInfo.hasNextPage) break;
      after = res.data.accounts.pageInfo.endCursor;
    }
    expect(seen.length).toBe(8 + 50 + 20);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen[0]).toBe('fj_fabu');
  });

  it('sorts names by pinyin, as Chinese readers expect (福 fu < 鼓 gu < 厦 xia), across pages', async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res: any = await gql.exec(`query($after: String) { accounts(first: 30, after: $after, sort: NAME) {
        pageInfo { hasNextPage endCursor } edges { node { name } } } }`, { after });
      expect(res.errors).toBeUndefined();
      names.push(...res.data.accounts.edges.map((e: any) => e.node.name));
      if (!res.data.accounts.pageInfo.hasNextPage) break;
      after = res.data.accounts.pageInfo.endCursor;
    }
    expect(names.length).toBe(78);
    const firstChars = [...new Set(names.map((n) => n[0]))];
    expect(firstChars).toEqual(['福', '鼓', '厦']); // code-point order would be 厦 (U+53A6) < 福 (U+798F) < 鼓 (U+9F13)
    expect(names[0]).toBe('福建发布');
  });

  it('sorts by last post, never-posted accounts last', async () => {
    const res = await gql.exec(q, { first: 3, sort: 'LAST_POST' });
    expect(res.data!.accounts.edges.map((e: any) => e.node.handle)).toEqual(['fz_fabu', 'fj_fabu', expect.any(String)]);
  });

  it('rejects a page size over the maximum and a forged cursor with BAD_USER_INPUT', async () => {
    const big = await gql.exec(q, { first: 1000 });
    expect(big.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(big.errors?.[0].message).toContain('first');
    const bad = await gql.exec(q, { first: 5, after: 'not-a-cursor' });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('one account in full', () => {
  it('has its unit chain, services, posts, statistics and status history', async () => {
    const res = await gql.exec(`query($id: ID!) { account(id: $id) {
      name platformName unit { name ancestors { name } }
      services { name category }
      posts(first: 2) { totalCount edges { node { title reads } } pageInfo { hasNextPage } }
      stats { postsTotal postsLast30Days postsLast90Days originalsLast30Days medianReads messagesReceived messagesReplied
              messagesUnanswered replyRate medianReplyHours daysSinceLastPost }
      statusHistory { toStatus } } }`, { id: String(acc.fz_fabu) });
    expect(res.errors).toBeUndefined();
    const a = res.data!.account;
    expect(a.platformName).toBe('微信公众号');
    expect(a.unit.ancestors.map((u: any) => u.name)).toEqual(['福建省人民政府']);
    expect(a.services).toHaveLength(2);
    expect(a.posts.totalCount).toBe(6);
    expect(a.posts.pageInfo.hasNextPage).toBe(true);
    expect(a.stats).toMatchObject({
      postsTotal: 6, postsLast30Days: 4, postsLast90Days: 5, originalsLast30Days: 4, medianReads: 3000,
      messagesReceived: 3, messagesReplied: 2, messagesUnanswered: 1, medianReplyHours: 4, daysSinceLastPost: 0,
    });
    expect(a.stats.replyRate).toBeCloseTo(0.667, 3);
  });

  it('NOT_FOUND for a missing account, BAD_USER_INPUT for a malformed id', async () => {
    expect((await gql.exec(`{ account(id: "999999") { id } }`)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await gql.exec(`{ account(id: "abc") { id } }`)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('matrix', () => {
  it('has one row per sub-region plus the province itself, counts by status per platform, in a bounded number of statements', async () => {
    const res = await gql.exec(`{ matrix(regionCode: "35") { platforms rows { key kind label live
      cells { platform active suspended closed total } totalCell { total } } totals { platform total } } }`);
    expect(res.errors).toBeUndefined();
    const m = res.data!.matrix;
    const self = m.rows.find((r: any) => r.key === 'self');
    expect(self.label).toBe('福建省本级');
    expect(self.totalCell.total).toBe(3);
    const fz = m.rows.find((r: any) => r.key === '3501');
    expect(fz.label).toBe('福州市');
    const fzWechat = fz.cells.find((c: any) => c.platform === 'WECHAT');
    expect(fzWechat).toMatchObject({ active: 1 + 25 + 20, suspended: 1, closed: 1, total: 48 });
    expect(fz.live).toBe(48 - 1 + 1); // + douyin
    const xm = m.rows.find((r: any) => r.key === '3502');
    expect(xm.cells.find((c: any) => c.platform === 'WEIBO').total).toBe(12);
    expect(m.rows.length).toBe(1 + 9); // self + Fujian's 9 cities
    expect(m.totals.reduce((s: number, c: any) => s + c.total, 0)).toBe(78);
    // Region + children (batched loads), account counts, open-finding counts (tests/graph/overview.test.ts).
    expect(res.sqlStatements).toBeLessThanOrEqual(4);
  });

  it('lists units as rows for a region without sub-regions', async () => {
    const res = await gql.exec(`{ matrix(regionCode: "350102001") { rows { kind } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.matrix.rows).toEqual([]);
  });
});

describe('limits', () => {
  it('rejects queries nested too deep', async () => {
    const res = await gql.exec(`{ unitRoots { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } }`);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toContain('嵌套过深');
  });

  it('rejects queries that are too expensive', async () => {
    // 8 levels deep (within the depth limit) but 100 × 100 units with their accounts: ~40,000 estimated.
    const res = await gql.exec(`{ units(first: 100) { edges { node { descendants(first: 100) { edges { node { accounts { name } } } } } } } }`);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toContain('过于复杂');
  });
});
