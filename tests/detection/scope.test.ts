import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeAccounts, makeUnits } from '../support/factories';
import { makeUser } from '../support/auth';
import { Level, Role } from '../../server/common/enums';

/** A scoped planner may inspect only their own unit's region and below; by default their own region. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  await makeUnits(db.ds, [
    { code: 'P', level: Level.PROVINCE, region: '35' },
    { code: 'FZ', level: Level.CITY, parent: 'P', region: '3501' },
    { code: 'XM', level: Level.CITY, parent: 'P', region: '3502' },
  ]);
  await makeAccounts(db.ds, [
    { unit: 'FZ', handle: 'fz_unfiled', filingNo: null },
    { unit: 'XM', handle: 'xm_unfiled', filingNo: null },
  ]);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const RUN = `mutation($region: String) { runDetection(asOf: "2024-06-30", regionCode: $region) { regionCode } }`;

describe('detection scope of a scoped planner', () => {
  it('defaults to the region of the planner’s unit and refuses regions outside it, writing nothing', async () => {
    const fz = await makeUser(db.ds, { username: 'fz-planner', role: Role.PLANNER, unit: 'FZ' });
    const own = await gql.exec(RUN, {}, fz.session);
    expect(own.errors).toBeUndefined();
    expect(own.data!.runDetection.regionCode).toBe('3501');

    const below = await gql.exec(RUN, { region: '350102' }, fz.session);
    expect(below.data!.runDetection.regionCode).toBe('350102');

    const before = await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs`);
    const outside = await gql.exec(RUN, { region: '3502' }, fz.session);
    expect(outside.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const after = await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs`);
    expect(after[0].n).toBe(before[0].n);

    const found = await db.ds.query(
      `SELECT a.handle FROM findings f JOIN finding_accounts fa ON fa.finding_id = f.id JOIN accounts a ON a.id = fa.account_id
        WHERE f.rule = 'UNFILED' ORDER BY a.handle`);
    expect(found.map((r: { handle: string }) => r.handle)).toEqual(['fz_unfiled']);
  });
});
