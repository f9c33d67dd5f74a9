import { createSystemContext } from '../../server/kernel/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeAccounts, makeMessages, makePosts, makeUnits, type AccountSpec, type UnitSpec } from '../support/factories';
import { AccountStatus, Level, Platform, UnitKind } from '../../server/common/enums';
import { runDetection } from '../../server/detection/detection.service';
import { BENCH_OPERATIONS, type BenchParams } from './operations';

/**
 * The four benchmark read operations (tests/bench/operations.ts) issue a fixed number of SQL statements, whatever the
 * size of the data: measured on a small province, then again after the data has grown (more units on every level,
 * more accounts, posts, messages and findings). Counts are per operation without the session lookup the HTTP
 * server adds (+1), once the regions named have been read.
 */
const EXPECTED: Record<(typeof BENCH_OPERATIONS)[number]['key'], number> = {
  // The read planner (server/reads/) answers each with one statement.
  matrix: 1, // account counts and open-finding counts together (regions are reference data, kept by the process after their first read)
  accountsPage: 1, // the first page with its total (window count) and each row's unit
  accountFull: 1, // account, unit, services, status history, stats and findings as nested JSON
  unitSubtree: 1, // the unit, its children 3 levels down and every level's accounts as nested JSON
};

let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let params: BenchParams;
let generation = 0;

/** Adds a county government with `width` departments, each with `width` bodies, each with `width` sub-bodies. */
async function grow(width: number): Promise<{ county: number; account: number }> {
  const g = ++generation;
  const units: UnitSpec[] = [{ code: `C${g}`, name: `县${g}人民政府`, level: Level.COUNTY, parent: 'P', region: '350102' }];
  const accounts: AccountSpec[] = [{ unit: `C${g}`, handle: `c${g}`, name: `县${g}发布` }];
  for (let i = 0; i < width; i++) {
    units.push({ code: `C${g}-${i}`, kind: UnitKind.DEPARTMENT, level: Level.COUNTY, parent: `C${g}`, region: '350102' });
    accounts.push({ unit: `C${g}-${i}`, handle: `c${g}_${i}`, platform: i % 2 ? Platform.WEIBO : Platform.WECHAT });
    for (let j = 0; j < width; j++) {
      units.push({ code: `C${g}-${i}-${j}`, kind: UnitKind.DEPARTMENT, level: Level.TOWNSHIP, parent: `C${g}-${i}`, region: '350102' });
      accounts.push({ unit: `C${g}-${i}-${j}`, handle: `c${g}_${i}_${j}`, status: j % 3 ? AccountStatus.ACTIVE : AccountStatus.SUSPENDED });
      for (let k = 0; k < width; k++) {
        units.push({ code: `C${g}-${i}-${j}-${k}`, kind: UnitKind.DEPARTMENT, level: Level.TOWNSHIP, parent: `C${g}-${i}-${j}`, region: '350102' });
        accounts.push({ unit: `C${g}-${i}-${j}-${k}`, handle: `c${g}_${i}_${j}_${k}`, filingNo: k % 2 ? null : undefined });
      }
    }
  }
  const u = await makeUnits(db.ds, units);
  const a = await makeAccounts(db.ds, accounts);
  const now = Date.now();
  const main = a[`c${g}`];
  await makePosts(db.ds, main, Array.from({ length: 10 * width }, (_, i) => new Date(now - i * 86_400_000 - 3_600_000).toISOString()), { reads: 500 });
  await makeMessages(db.ds, main, [{ received: new Date(now - 20 * 86_400_000).toISOString(), replied: null }]);
  await db.ds.query(`INSERT INTO services (account_id, name, category) VALUES ($1, $2, '查询')`, [main, `服务${g}`]);
  await runDetection(createSystemContext(db.ds), {});
  return { county: u[`C${g}`], account: main };
}

async function statements(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const op of BENCH_OPERATIONS) {
    const res = await gql.exec(op.ours.query, op.ours.variables(params));
    expect(res.errors, op.key).toBeUndefined();
    out[op.key] = res.sqlStatements;
  }
  return out;
}

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  await makeUnits(db.ds, [{ code: 'P', name: '福建省人民政府', level: Level.PROVINCE, region: '35' }]);
  const first = await grow(2);
  params = { provinceCode: '35', provincePath: '/0/35/', countyUnitId: first.county, accountId: first.account };
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

describe('benchmark operations: SQL statements', () => {
  it('issue the expected statements on a small province, and return what was asked for', async () => {
    await statements(); // the first read of a region loads it (and its sub-regions) once per process
    expect(await statements()).toEqual(EXPECTED);
    const subtree = await gql.exec(BENCH_OPERATIONS[3].ours.query, BENCH_OPERATIONS[3].ours.variables(params));
    const unit = subtree.data!.unit;
    expect(unit.children).toHaveLength(2);
    expect(unit.children[0].children).toHaveLength(2);
    expect(unit.children[0].children[0].children).toHaveLength(2);
    expect(unit.children[0].children[0].children[0].accounts).toHaveLength(1);
    const account = await gql.exec(BENCH_OPERATIONS[2].ours.query, BENCH_OPERATIONS[2].ours.variables(params));
    expect(account.data!.account.stats.postsTotal).toBe(20);
    expect(account.data!.account.services).toHaveLength(1);
    expect(account.data!.account.findings.length).toBeGreaterThan(0);
    const page = await gql.exec(BENCH_OPERATIONS[1].ours.query, BENCH_OPERATIONS[1].ours.variables(params));
    // Active WeChat accounts of the province: the county's own, department 0 (1 is on Weibo), the bodies with
    // j % 3 ≠ 0 (one per department), every sub-body.
    expect(page.data!.accounts.totalCount).toBe(1 + 1 + 2 + 8);
  });

  it('have hand-written limit statements (the bench\'s third column) that return the same data', async () => {
    const run = async (i: number) => (await db.ds.query(BENCH_OPERATIONS[i].limit.sql, BENCH_OPERATIONS[i].limit.params(params)));
    const matrix = await run(0);
    const total = matrix.reduce((n: number, r: { n: number }) => n + r.n, 0);
    const ours = await gql.exec(BENCH_OPERATIONS[0].ours.query, BENCH_OPERATIONS[0].ours.variables(params));
    expect(total).toBe(ours.data!.matrix.rows.reduce((n: number, r: { totalCell: { total: number } }) => n + r.totalCell.total, 0));
    const page = await run(1);
    const ourPage = await gql.exec(BENCH_OPERATIONS[1].ours.query, BENCH_OPERATIONS[1].ours.variables(params));
    expect(Number(page[0].total_count)).toBe(ourPage.data!.accounts.totalCount);
    expect(page.slice(0, 50).map((r: { id: number }) => String(r.id))).toEqual(ourPage.data!.accounts.edges.map((e: { node: { id: string } }) => e.node.id));
    const [{ account }] = await run(2);
    const ourAccount = await gql.exec(BENCH_OPERATIONS[2].ours.query, BENCH_OPERATIONS[2].ours.variables(params));
    expect(account.stats.postsTotal).toBe(ourAccount.data!.account.stats.postsTotal);
    expect(account.services.map((s: { name: string }) => s.name)).toEqual(ourAccount.data!.account.services.map((s: { name: string }) => s.name));
    expect(account.findings.map((f: { id: number }) => String(f.id))).toEqual(ourAccount.data!.account.findings.map((f: { id: string }) => f.id));
    const [{ unit }] = await run(3);
    const ourUnit = await gql.exec(BENCH_OPERATIONS[3].ours.query, BENCH_OPERATIONS[3].ours.variables(params));
    const codes = (u: { code: string; children?: unknown[] }): string[] => [u.code, ...((u.children ?? []) as typeof u[]).flatMap(codes)];
    expect(codes(unit)).toEqual(codes(ourUnit.data!.unit));
  });

  it('issue the same number of statements when the data grows', async () => {
    const bigger = await grow(4);
    await grow(3);
    params = { ...params, countyUnitId: bigger.county, accountId: bigger.account };
    expect(await statements()).toEqual(EXPECTED);
    const page = await gql.exec(BENCH_OPERATIONS[1].ours.query, BENCH_OPERATIONS[1].ours.variables(params));
    expect(page.data!.accounts.edges).toHaveLength(50);
    expect(page.data!.accounts.totalCount).toBeGreaterThan(50);
    const subtree = await gql.exec(BENCH_OPERATIONS[3].ours.query, BENCH_OPERATIONS[3].ours.variables(params));
    expect(subtree.data!.unit.children).toHaveLength(4);
    expect(subtree.data!.unit.children[3].children[3].children).toHaveLength(4);
  });
});
