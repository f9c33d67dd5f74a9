import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, TEST_ADMIN } from '../support/graphql';
import { makeAccounts, makeMessages, makePosts, makeUnits, type AccountSpec, type UnitSpec } from '../support/factories';
import { AccountStatus, Level, Platform, Role, UnitKind } from '../../server/common/enums';
import { createSystemContext, type SessionUser } from '../../server/kernel/context';
import { runDetection } from '../../server/detection/detection.service';
import { readPlanner } from '../../server/reads/planner';
import { directStats } from '../../server/reads/direct';
import { RENDER_ABORT } from '../../server/reads/render-sql';

/**
 * The read planner (server/reads/): each planned root field — `account`, `unit` with its subtree, `accounts`, `matrix`
 * — answers with ONE SQL statement, and its answer is the loader path's answer (planner off) on every selection:
 * fixed ones (aliases, fragments, @include, fields the planner does not know) and generated ones, for the national
 * administrator and for a user limited to one city, inside and outside their scope.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let units: Record<string, number>;
let acc: Record<string, number>;
let cityUser: SessionUser;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  const specs: UnitSpec[] = [
    { code: 'P', name: '福建省人民政府', level: Level.PROVINCE, region: '35' },
    { code: 'P-GA', name: '福建省公安厅', kind: UnitKind.DEPARTMENT, level: Level.PROVINCE, parent: 'P', region: '35' },
    { code: 'FZ', name: '福州市人民政府', level: Level.CITY, parent: 'P', region: '3501', supervisor: 'P' },
    { code: 'XM', name: '厦门市人民政府', level: Level.CITY, parent: 'P', region: '3502', supervisor: 'P' },
    { code: 'GL', name: '鼓楼区人民政府', level: Level.COUNTY, parent: 'FZ', region: '350102', supervisor: 'FZ' },
  ];
  const accounts: AccountSpec[] = [
    { unit: 'P', handle: 'fj_fabu', name: '福建发布', followers: 2_000_000, isMain: true },
    { unit: 'P', handle: 'fj_fabu_wb', name: '福建发布', platform: Platform.WEIBO, isMain: true },
    { unit: 'FZ', handle: 'fz_fabu', name: '福州发布', followers: 800_000 },
    { unit: 'FZ', handle: 'fz_fabu_2', name: '福州发布二号', followers: 10 },
    { unit: 'FZ', handle: 'fz_old', name: '福州旧号', status: AccountStatus.CLOSED, filingNo: null },
    { unit: 'XM', handle: 'xm_fabu', name: '厦门发布', filingNo: null },
    { unit: 'GL', handle: 'gl_fabu', name: '鼓楼发布', status: AccountStatus.SUSPENDED, openedOn: '2019-05-06' },
  ];
  for (let i = 0; i < 4; i++) {
    specs.push({ code: `GL-D${i}`, name: `鼓楼区第${i}局`, kind: UnitKind.DEPARTMENT, level: Level.COUNTY, parent: 'GL', region: '350102' });
    accounts.push({ unit: `GL-D${i}`, handle: `gl_d${i}`, name: `鼓楼第${i}局`, platform: i % 2 ? Platform.DOUYIN : Platform.WECHAT });
    for (let j = 0; j < 2; j++) {
      specs.push({ code: `GL-D${i}-${j}`, kind: UnitKind.INSTITUTION, level: Level.TOWNSHIP, parent: `GL-D${i}`, region: '350102' });
      accounts.push({ unit: `GL-D${i}-${j}`, handle: `gl_d${i}_${j}`, status: j ? AccountStatus.ACTIVE : AccountStatus.SUSPENDED });
    }
  }
  units = await makeUnits(db.ds, specs);
  acc = await makeAccounts(db.ds, accounts);
  const now = Date.now();
  const day = 86_400_000;
  await makePosts(db.ds, acc.fz_fabu, [0, 1, 2, 10, 45, 200].map((d) => new Date(now - d * day - 3_600_000).toISOString()), { reads: 3000 });
  await makePosts(db.ds, acc.fj_fabu, [5, 6].map((d) => new Date(now - d * day - 3_600_000).toISOString()), { reads: 100_000, original: false });
  await makeMessages(db.ds, acc.fz_fabu, [
    { received: new Date(now - 20 * day).toISOString(), replied: new Date(now - 20 * day + 2 * 3_600_000).toISOString() },
    { received: new Date(now - 3 * day).toISOString(), replied: null },
  ]);
  await db.ds.query(`INSERT INTO services (account_id, name, category) VALUES ($1, '社保查询', '查询'), ($1, '出入境预约', NULL)`, [acc.fz_fabu]);
  await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source, reason)
    VALUES ($1, NULL, 'active', '2020-01-01T08:00:00+08:00', 'import', NULL), ($1, 'active', 'closed', '2023-03-04T10:30:00.123456+08:00', 'manual', '停更')`,
  [acc.fz_old]);
  await db.ds.query(`UPDATE accounts SET closed_on = '2023-03-04', filing_status = 'deregistered', filing_changed_on = '2023-04-01' WHERE id = $1`, [acc.fz_old]);
  await runDetection(createSystemContext(db.ds), {});
  const [{ path }] = await db.ds.query(`SELECT path FROM units WHERE id = $1`, [units.FZ]);
  cityUser = { id: 0, username: 'fz-planner', role: Role.PLANNER, unitId: units.FZ, unitPath: path };
});

afterAll(async () => {
  readPlanner.enabled = true;
  await gql?.stop();
  await db?.close();
});

/** Runs `query` planned and through the loaders; both answers (data and errors) must be equal. Returns the planned run. */
async function same(query: string, variables: Record<string, unknown> = {}, user: SessionUser = TEST_ADMIN) {
  readPlanner.enabled = false;
  const loaded = await gql.exec(query, variables, user);
  readPlanner.enabled = true;
  const planned = await gql.exec(query, variables, user);
  const errors = (r: typeof planned) => r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code }));
  expect(errors(planned)).toEqual(errors(loaded));
  expect(planned.data).toEqual(loaded.data);
  // Byte for byte, keys in the same order: the direct answers (server/reads/direct.ts) serialize as graphql-js does.
  expect(JSON.stringify(planned.data)).toBe(JSON.stringify(loaded.data));
  return planned;
}

const ACCOUNT_FULL = `id platform platformName handle name status type followers isMain lastPostAt filingNo filed openedOn
  interactionEnabled postCount unit { id code name depth regionCode }
  services { id name category } statusHistory { id fromStatus toStatus changedAt source reason }
  stats { lastPostAt daysSinceLastPost postsTotal postsLast30Days postsLast90Days originalsLast30Days originalsLast90Days
    medianReads messagesReceived messagesReplied messagesUnanswered oldestUnansweredAt replyRate medianReplyHours }
  findings { id rule severity status platforms level evidence firstSeenAt lastSeenAt resolvedAt dismissedReason }`;

describe('account(id)', () => {
  it('reads the account in full in one statement, equal to the loader path', async () => {
    for (const handle of ['fz_fabu', 'fz_old', 'fj_fabu', 'xm_fabu', 'gl_d0_0']) {
      const res = await same(`query($id: ID!) { account(id: $id) { ${ACCOUNT_FULL} } }`, { id: String(acc[handle]) });
      expect(res.sqlStatements).toBe(1);
    }
    const full = await gql.exec(`query($id: ID!) { account(id: $id) { ${ACCOUNT_FULL} } }`, { id: String(acc.fz_fabu) });
    expect(full.data!.account.services).toHaveLength(2);
    expect(full.data!.account.stats.postsTotal).toBe(6);
    const old = await gql.exec(`query($id: ID!) { account(id: $id) { statusHistory { changedAt } findings { rule } } }`, { id: String(acc.fz_old) });
    expect(old.data!.account.statusHistory.map((h: { changedAt: string }) => h.changedAt)).toEqual(['2020-01-01T00:00:00.000Z', '2023-03-04T02:30:00.123Z']);
    const withFindings = await gql.exec(`query($id: ID!) { account(id: $id) { findings { rule } } }`, { id: String(acc.xm_fabu) });
    expect(withFindings.data!.account.findings.length).toBeGreaterThan(0);
  });

  it('answers NOT_FOUND outside the scope, for a missing id, and BAD_USER_INPUT for a malformed one, as before', async () => {
    for (const [id, user] of [[String(acc.xm_fabu), cityUser], [String(acc.fj_fabu), cityUser], ['999999', TEST_ADMIN], ['x1', TEST_ADMIN]] as const) {
      const res = await same(`query($id: ID!) { account(id: $id) { id name unit { name } } }`, { id }, user);
      expect(res.errors?.[0].extensions?.code).toBe(id === 'x1' ? 'BAD_USER_INPUT' : 'NOT_FOUND');
    }
    const inside = await same(`query($id: ID!) { account(id: $id) { ${ACCOUNT_FULL} } }`, { id: String(acc.gl_fabu) }, cityUser);
    expect(inside.sqlStatements).toBe(1);
    expect(inside.data!.account.unit.name).toBe('鼓楼区人民政府');
  });

  it('leaves relations it does not plan to their loaders (posts, activity, inspection, a finding\'s accounts)', async () => {
    const res = await same(`query($id: ID!) { account(id: $id) { name posts(first: 3) { totalCount edges { node { title } } }
      activity(weeks: 4) { posts } findings { rule accounts { handle unit { name } } } unit { name parent { name } region { name } } } }`,
    { id: String(acc.gl_d0_0) });
    expect(res.sqlStatements).toBeGreaterThan(1);
  });
});

const UNIT_ROW = 'id code name kind level depth regionCode';
const ACCOUNT_ROW = 'id platform handle name status type followers isMain lastPostAt';

function subtree(levels: number): string {
  let inner = `${UNIT_ROW} accounts { ${ACCOUNT_ROW} }`;
  for (let i = 0; i < levels; i++) inner = `${UNIT_ROW} childCount accounts { ${ACCOUNT_ROW} } children { ${inner} }`;
  return inner;
}

describe('unit(id | code) with its subtree', () => {
  it('reads three levels of children with every level\'s accounts in one statement, equal to the loader path', async () => {
    const res = await same(`query($id: ID!) { unit(id: $id) { ${subtree(3)} } }`, { id: String(units.P) });
    expect(res.sqlStatements).toBe(1);
    expect(res.data!.unit.children.map((c: { code: string }) => c.code)).toEqual(['FZ', 'P-GA', 'XM']);
    const gl = res.data!.unit.children[0].children[0];
    expect(gl.children).toHaveLength(4);
    expect(gl.children[1].accounts.map((a: { handle: string }) => a.handle)).toEqual(['gl_d1']);
    const byCode = await same(`query { unit(code: "GL") { ${subtree(2)} } }`);
    expect(byCode.sqlStatements).toBe(1);
  });

  it('merges aliases, fragments, inline fragments and @include/@skip, and filters accounts by their arguments', async () => {
    const query = `query($id: ID!, $deep: Boolean!) { unit(id: $id) { ...U
        kids: children { code ... on Unit { accounts(platform: [DOUYIN]) { handle } } }
        children @include(if: $deep) { children { name childCount } }
        live: accounts(status: [ACTIVE]) { handle stats { postsTotal } findings { rule } }
        accounts @skip(if: $deep) { handle } } }
      fragment U on Unit { name children { ...U2 } }
      fragment U2 on Unit { code accounts(status: [SUSPENDED], platform: [WECHAT]) { handle unit { code } } }`;
    for (const deep of [true, false]) {
      const res = await same(query, { id: String(units.GL), deep });
      expect(res.sqlStatements).toBe(1);
    }
  });

  it('keeps the scope: NOT_FOUND outside it, the subtree inside it, a parent above it hidden', async () => {
    for (const id of [units.XM, units.P, units['P-GA']]) {
      const res = await same(`query($id: ID!) { unit(id: $id) { ${subtree(2)} } }`, { id: String(id) }, cityUser);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    const code = await same(`query { unit(code: "XM") { name } }`, {}, cityUser);
    expect(code.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const inside = await same(`query($id: ID!) { unit(id: $id) { parent { name } ${subtree(2)} } }`, { id: String(units.FZ) }, cityUser);
    expect(inside.data!.unit.parent).toBeNull();
    const missing = await same(`query { unit(id: "987654") { name } }`);
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('accounts(…) and matrix(…)', () => {
  const PAGE = `query($filter: AccountFilter, $after: String) { accounts(first: 5, after: $after, filter: $filter) { totalCount
    edges { cursor node { ${ACCOUNT_ROW} unit { id name children { code } } stats { postsTotal medianReads } findings { rule } services { name } } }
    pageInfo { hasNextPage endCursor } } }`;

  it('reads the first page with its total and every node\'s relations in one statement, equal to the loader path', async () => {
    for (const [filter, user] of [[{ regionCode: '35' }, TEST_ADMIN], [{ regionCode: '35', platform: ['WECHAT'] }, cityUser],
      [{ status: ['ACTIVE', 'SUSPENDED'], level: ['TOWNSHIP', 'COUNTY'] }, TEST_ADMIN], [{ regionCode: '3502' }, cityUser]] as const) {
      const res = await same(PAGE, { filter }, user);
      expect(res.sqlStatements).toBe(1);
      // The city's planner sees Fuzhou's accounts only (福州 and 鼓楼 below it), and nothing of 厦门.
      if (user === cityUser) for (const e of res.data!.accounts.edges) expect(e.node.handle).toMatch(/^(fz|gl)_/);
    }
    const first = await gql.exec(PAGE, { filter: {} });
    const next = await same(PAGE, { filter: {}, after: first.data!.accounts.pageInfo.endCursor });
    expect(next.data!.accounts.edges).toHaveLength(5);
  });

  it('reads a later page with its total in one statement too, every page and sort equal to the loader path', async () => {
    const query = `query($after: String, $sort: AccountSort, $dir: SortDirection) { accounts(first: 4, after: $after, sort: $sort, direction: $dir,
      filter: { regionCode: "35" }) { totalCount edges { node { handle unit { code } } } pageInfo { hasNextPage endCursor } } }`;
    for (const [sort, dir] of [['NAME', null], ['FOLLOWERS', 'ASC'], ['LAST_POST', null]] as const) {
      let after: string | null = null;
      let last: string | null = null;
      const seen: string[] = [];
      for (;;) {
        const res = await same(query, { after, sort, dir });
        last = res.data!.accounts.pageInfo.endCursor;
        expect(res.sqlStatements).toBe(1);
        expect(res.data!.accounts.totalCount).toBe(Object.keys(acc).length);
        seen.push(...res.data!.accounts.edges.map((e: { node: { handle: string } }) => e.node.handle));
        if (!res.data!.accounts.pageInfo.hasNextPage) break;
        after = res.data!.accounts.pageInfo.endCursor;
      }
      expect(seen.sort()).toEqual(Object.keys(acc).sort());
      // Past the end: an empty page still has its total (counted on its own).
      const empty = await same(query, { after: last, sort, dir });
      expect(empty.data!.accounts.edges).toEqual([]);
      expect(empty.data!.accounts.totalCount).toBe(Object.keys(acc).length);
      // A later page without totalCount: the page alone, still one statement.
      const first = await same(query, { after: null, sort, dir });
      const bare = await same(`query($after: String, $sort: AccountSort, $dir: SortDirection) { accounts(first: 4, after: $after, sort: $sort,
        direction: $dir, filter: { regionCode: "35" }) { edges { cursor node { handle unit { code } } } pageInfo { hasNextPage } } }`,
      { after: first.data!.accounts.pageInfo.endCursor, sort, dir });
      expect(bare.sqlStatements).toBe(1);
      expect(bare.data!.accounts.edges).toHaveLength(4);
    }
  });

  it('reads the matrix in one statement, with or without open findings, equal to the loader path', async () => {
    const cell = 'platform active suspended closed total';
    await gql.exec(`query { matrix(regionCode: "35") { platforms } }`); // regions: read once per process
    for (const [code, user] of [['35', TEST_ADMIN], ['35', cityUser], ['3501', cityUser], ['350102', TEST_ADMIN]] as const) {
      const withFindings = await same(`query($code: String!) { matrix(regionCode: $code) { region { code } openFindings
        rows { key label kind live openFindings cells { ${cell} openFindings } totalCell { ${cell} openFindings } } totals { ${cell} openFindings } } }`,
      { code }, user);
      expect(withFindings.sqlStatements).toBe(1);
      const without = await same(`query($code: String!) { matrix(regionCode: $code) { rows { key live cells { ${cell} } } totals { ${cell} }
        byLevel { level live openFindings cells { ${cell} openFindings } } } }`, { code }, user);
      expect(without.sqlStatements).toBe(1); // byLevel read by the matrix's statement
    }
  });
});

/** Generated selections: random subsets of fields and relations on units and accounts, nested up to three levels. */
const unitScalars = ['id', 'code', 'name', 'kind', 'level', 'depth', 'regionCode', 'childCount'];
const accountScalars = ['id', 'platform', 'platformName', 'handle', 'name', 'status', 'type', 'filingNo', 'filed', 'openedOn', 'closedOn',
  'filingStatus', 'filingChangedOn',
  'followers', 'interactionEnabled', 'isMain', 'lastPostAt', 'postCount'];
const accountLeaves = ['services { name category }', 'statusHistory { toStatus source changedAt }',
  'stats { postsTotal postsLast90Days medianReads replyRate oldestUnansweredAt }', 'findings { rule severity status platforms }'];

const fields = (names: string[]) => fc.subarray(names, { minLength: 1 });

function accountSel(depth: number): fc.Arbitrary<string> {
  return fc.tuple(fields(accountScalars), fc.subarray(accountLeaves),
    depth > 0 ? fc.option(unitSel(depth - 1), { nil: undefined }) : fc.constant(undefined))
    .map(([s, leaves, unit]) => [...s, ...leaves, unit ? `unit { ${unit} }` : ''].join(' '));
}

function unitSel(depth: number): fc.Arbitrary<string> {
  const args = fc.constantFrom('', '(platform: [WECHAT])', '(status: [ACTIVE])', '(platform: [DOUYIN, WECHAT], status: [SUSPENDED])');
  return fc.tuple(fields(unitScalars),
    depth > 0 ? fc.option(unitSel(depth - 1), { nil: undefined }) : fc.constant(undefined),
    depth > 0 ? fc.option(fc.tuple(args, accountSel(depth - 1)), { nil: undefined }) : fc.constant(undefined),
    fc.boolean())
    .map(([s, children, accounts, parent]) => [...s, children ? `children { ${children} }` : '',
      accounts ? `accounts${accounts[0]} { ${accounts[1]} }` : '', parent ? 'parent { code }' : ''].join(' '));
}

describe('generated selections', () => {
  it('unit(id) and account(id): planned equals loaded for any selection, user and id', async () => {
    const unitIds = () => Object.values(units);
    await fc.assert(fc.asyncProperty(unitSel(3), fc.constantFrom(...unitIds()), fc.boolean(), async (sel, id, restricted) => {
      await same(`query($id: ID!) { unit(id: $id) { ${sel} } }`, { id: String(id) }, restricted ? cityUser : TEST_ADMIN);
    }), { numRuns: 25 });
    await fc.assert(fc.asyncProperty(accountSel(2), fc.constantFrom(...Object.values(acc)), fc.boolean(), async (sel, id, restricted) => {
      await same(`query($id: ID!) { account(id: $id) { ${sel} } }`, { id: String(id) }, restricted ? cityUser : TEST_ADMIN);
    }), { numRuns: 25 });
  });

  it('accounts(…): planned nodes equal loaded nodes for any selection, filter and user', async () => {
    const filter = fc.record({ regionCode: fc.constantFrom('35', '3501', '350102'), status: fc.subarray(['ACTIVE', 'SUSPENDED', 'CLOSED']) },
      { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(accountSel(2), filter, fc.boolean(), async (sel, f, restricted) => {
      const res = await same(`query($f: AccountFilter) { accounts(first: 6, filter: $f) { totalCount edges { node { ${sel} } } } }`,
        { f }, restricted ? cityUser : TEST_ADMIN);
      expect(res.errors).toBeUndefined();
    }), { numRuns: 20 });
  });
});

describe('direct answers (server/reads/direct.ts)', () => {
  /** Runs `query` twice (loaders, planned) like `same`; returns whether the planned run was answered without graphql-js execution. */
  async function direct(query: string, variables: Record<string, unknown> = {}, user: SessionUser = TEST_ADMIN): Promise<boolean> {
    const before = directStats.answered;
    await same(query, variables, user);
    return directStats.answered === before + 1;
  }

  it('answers the planned reads of the benchmark and the screens directly, byte for byte as graphql-js', async () => {
    const rendered = directStats.rendered;
    for (const handle of ['fz_fabu', 'fz_old', 'gl_d0_0']) {
      expect(await direct(`query($id: ID!) { account(id: $id) { ${ACCOUNT_FULL} } }`, { id: String(acc[handle]) }), handle).toBe(true);
    }
    expect(await direct(`query($id: ID!) { unit(id: $id) { __typename ${subtree(3)} } }`, { id: String(units.P) })).toBe(true);
    expect(await direct(`query { t: __typename unit(code: "GL") { code kids: children { ... on Unit { code childCount } } } }`)).toBe(true);
    expect(await direct(`query($f: AccountFilter) { accounts(first: 3, filter: $f) { totalCount edges { cursor node { id handle unit { id name } } }
      pageInfo { hasNextPage endCursor } } }`, { f: { regionCode: '35' } })).toBe(true);
    expect(await direct(`query { matrix(regionCode: "35") { region { code name } platforms rows { key label kind live cells { platform total }
      totalCell { total openFindings } } totals { platform active } } }`)).toBe(true);
    // A city's planner: its own subtree directly; outside it the root resolver's NOT_FOUND is left to graphql-js.
    expect(await direct(`query($id: ID!) { unit(id: $id) { ${subtree(2)} } }`, { id: String(units.GL) }, cityUser)).toBe(true);
    // account ×3 and unit ×3 had their statement render the answer (server/reads/render-sql.ts); accounts and matrix did not.
    expect(directStats.rendered - rendered).toBe(6);
    const declined = directStats.declined;
    expect(await direct(`query($id: ID!) { unit(id: $id) { code } }`, { id: String(units.XM) }, cityUser)).toBe(false);
    expect(directStats.declined).toBe(declined + 1);
  });

  it('renders every text, number and date exactly as graphql-js writes it, and executes when a row cannot be rendered', async () => {
    const names = ['引号"与\\反斜杠', '换行\n制表\t回车\r', `控制${String.fromCharCode(1)}字符${String.fromCharCode(31)}`, '表情😀与\u2028分隔',
      "单引号'与 $1 和 %s", '  前后空格  '];
    const [unitRow] = await db.ds.query(`SELECT name FROM units WHERE id = $1`, [units['GL-D2']]);
    const [accRow] = await db.ds.query(`SELECT name, last_post_at FROM accounts WHERE id = $1`, [acc.gl_d2]);
    try {
      for (const name of names) {
        await db.ds.query(`UPDATE units SET name = $2 WHERE id = $1`, [units['GL-D2'], name]);
        await db.ds.query(`UPDATE accounts SET name = $2, last_post_at = $3 WHERE id = $1`, [acc.gl_d2, `${name}号`, '2024-02-29T23:59:59.999999+08:00']);
        const before = directStats.rendered;
        expect(await direct(`query($id: ID!) { unit(id: $id) { ${subtree(1)} } }`, { id: String(units.GL) }), name).toBe(true);
        expect(await direct(`query($id: ID!) { account(id: $id) { ${ACCOUNT_FULL} } }`, { id: String(acc.gl_d2) }), name).toBe(true);
        expect(directStats.rendered).toBe(before + 2);
      }
      const res = await gql.exec(`query($id: ID!) { account(id: $id) { name lastPostAt unit { name } } }`, { id: String(acc.gl_d2) });
      expect(res.data!.account).toEqual({ name: `${names.at(-1)}号`, lastPostAt: '2024-02-29T15:59:59.999Z', unit: { name: names.at(-1) } });
      // A row the statement cannot write (here: the marker itself in a name) is executed by graphql-js instead.
      await db.ds.query(`UPDATE units SET name = $2 WHERE id = $1`, [units['GL-D2'], `名称${RENDER_ABORT}`]);
      const before = { rendered: directStats.rendered, declined: directStats.declined };
      expect(await direct(`query($id: ID!) { unit(id: $id) { ${subtree(1)} } }`, { id: String(units.GL) })).toBe(false);
      expect(directStats).toMatchObject({ rendered: before.rendered, declined: before.declined + 1 });
    } finally {
      await db.ds.query(`UPDATE units SET name = $2 WHERE id = $1`, [units['GL-D2'], unitRow.name]);
      await db.ds.query(`UPDATE accounts SET name = $2, last_post_at = $3 WHERE id = $1`, [acc.gl_d2, accRow.name, accRow.last_post_at]);
    }
  });

  it('leaves to graphql-js what it does not know: other relations, mutations, several root fields', async () => {
    const declined = directStats.declined;
    expect(await direct(`query($id: ID!) { account(id: $id) { handle posts(first: 2) { totalCount } } }`, { id: String(acc.fz_fabu) })).toBe(false);
    expect(await direct(`query($id: ID!) { unit(id: $id) { code region { code } } }`, { id: String(units.GL) })).toBe(false);
    expect(await direct(`query($id: ID!) { unit(id: $id) { code } me: account(id: $id) { id } }`, { id: String(units.GL) })).toBe(false);
    // None of these ran the root resolver first: the static check refused them before any statement.
    expect(directStats.declined).toBe(declined);
  });
});
