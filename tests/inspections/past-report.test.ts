import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, TEST_ADMIN } from '../support/graphql';
import { createContext, createSystemContext } from '../../server/kernel/context';
import { transaction } from '../../server/kernel/transaction';
import { movePosts, moveServices } from '../../server/plans/moves';
import { AccountStatus } from '../../server/common/enums';
import { ServicesMode } from '../../server/plans/plan-action.entity';
import { importService } from '../../server/import/import.service';
import { bj, D, daysBefore, makeAccountsWithPosts, makeTree, Platform } from '../detection/fixture';

/**
 * A past inspection report with no stored inspection is computed from the data as it was on the check date — each
 * account's status from its history, its own posts and services including those a plan moved away since — so later
 * changes (a plan merges an account into another and deregisters it, an import adds an account and suspends another)
 * leave it as it was.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let ids: Record<string, number>;
const daily = (n: number, from = 1) => Array.from({ length: n }, (_, i) => bj(daysBefore(i + from)));

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  ids = await makeAccountsWithPosts(db.ds, [
    { unit: 'gov3501', handle: 'fz-main', name: '福州发布', platform: Platform.WECHAT, posts: daily(20) },
    { unit: 'gov3501', handle: 'fz-old', name: '福州发布', platform: Platform.WEIBO, posts: daily(10, 3) },
    { unit: 'gov3501', handle: 'fz-stale', name: '福州发布', platform: Platform.DOUYIN, posts: [bj(daysBefore(30))] },
    { unit: 'gov3502', handle: 'xm-ok', name: '厦门发布', platform: Platform.WECHAT, posts: daily(10) },
  ]);
  await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source) SELECT id, NULL, 'active', $1, 'import' FROM accounts`,
    [bj('2024-01-02')]);
  await db.ds.query(`INSERT INTO services (account_id, name, category) VALUES ($1, '公积金查询', '查询')`, [ids['fz-old']]);
  gql = await createGraphqlHarness(db.ds, db.config);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const REPORT = `query($asOf: String) { inspectionReport(regionCode: "35", asOf: $asOf) {
  inspectionId checked failed good passRate byRegion { key checked failed } byPlatform { key checked failed }
  failures { account { handle } vetoes reasons } } }`;

describe('a past report computed from the data as it was', () => {
  it('stays the same after a plan merges and deregisters an account and an import changes others', async () => {
    const before = await gql.exec(REPORT, { asOf: D });
    expect(before.errors).toBeUndefined();
    expect(before.data!.inspectionReport).toMatchObject({ inspectionId: null, checked: 4, failed: 1 });
    expect(before.data!.inspectionReport.failures.map((f: { account: { handle: string } }) => f.account.handle)).toEqual(['fz-stale']);

    // A plan's execution today: fz-old's posts and services move to fz-main, then fz-old is deregistered.
    const sys = createSystemContext(db.ds, db.config);
    await transaction(sys, async (tx) => {
      const src = { id: ids['fz-old'], name: '福州发布', status: AccountStatus.ACTIVE, unit_id: 0, unit_path: '', unit_name: '福州市人民政府' };
      expect(await movePosts(tx, src, ids['fz-main'])).toBe(10);
      expect((await moveServices(tx, src, ids['fz-main'], ServicesMode.MERGE)).moved).toBe(1);
      await tx.em.query(`UPDATE accounts SET status = 'closed', closed_on = (now() AT TIME ZONE 'Asia/Shanghai')::date, is_main = false WHERE id = $1`, [src.id]);
      await tx.em.query(`INSERT INTO account_status_history (account_id, from_status, to_status, source) VALUES ($1, 'active', 'closed', 'plan')`, [src.id]);
    });
    // An import today: a new Douyin account of Xiamen that never posted, and fz-stale suspended.
    const res = await importService.importCsv(createContext(db.ds, db.config, TEST_ADMIN), [{ name: 'accounts.csv', content:
      'platform,handle,name,unit_code,type,status\ndouyin,xm-new,厦门发布,gov3502,publishing,active\ndouyin,fz-stale,福州发布,gov3501,publishing,suspended\n' }], {});
    expect(res.ok).toBe(true);

    const after = await gql.exec(REPORT, { asOf: D });
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(before.data);
    // Today's report does see the changes: fz-old closed, fz-stale suspended, xm-new checked.
    const today = await gql.exec(`{ inspectionReport(regionCode: "35") { checked } }`);
    expect(today.data!.inspectionReport.checked).toBe(3);
  });
});
