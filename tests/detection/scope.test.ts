import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeAccounts, makeUnits } from '../support/factories';
import { makeUser, type TestUser } from '../support/auth';
import { Level, Role, UnitKind } from '../../server/common/enums';

/**
 * Detection by region scope: a scoped planner runs only their own region and below (default: their own); runs are
 * listed only to users whose region covers them (nationwide runs to unrestricted users only); each run's audit
 * event is filed under the government of its region, so the auditors of the region see it.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let units: Record<string, number>;
let fzPlanner: TestUser;
let xmPlanner: TestUser;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  units = await makeUnits(db.ds, [
    { code: 'P', level: Level.PROVINCE, region: '35' },
    { code: 'FZ', level: Level.CITY, parent: 'P', region: '3501' },
    { code: 'FZDEP', level: Level.COUNTY, kind: UnitKind.DEPARTMENT, parent: 'FZ', region: '350104' },
    { code: 'XM', level: Level.CITY, parent: 'P', region: '3502' },
    { code: 'ZJ', level: Level.PROVINCE, region: '33' },
  ]);
  await makeAccounts(db.ds, [
    { unit: 'FZ', handle: 'fz_unfiled', filingNo: null },
    { unit: 'XM', handle: 'xm_unfiled', filingNo: null },
  ]);
  fzPlanner = await makeUser(db.ds, { username: 'fz-planner', role: Role.PLANNER, unit: 'FZ' });
  xmPlanner = await makeUser(db.ds, { username: 'xm-planner', role: Role.PLANNER, unit: 'XM' });
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const RUN = `mutation($region: String) { runDetection(asOf: "2024-06-30", regionCode: $region) { id regionCode } }`;
const RUNS = `query($region: String) { detectionRuns(first: 50, regionCode: $region) { regionCode } }`;
const EVENTS = `{ auditEvents(first: 50, filter: { action: ["DETECTION_RUN"] }) { totalCount edges { node { entityId unitId after } } } }`;

const sorted = (list: (string | null)[]) => [...list].sort();

async function runCount(): Promise<number> {
  return (await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs`))[0].n;
}

describe('runDetection by a scoped planner', () => {
  it('defaults to the region of the planner’s unit and refuses regions outside it, writing nothing', async () => {
    const own = await gql.exec(RUN, {}, fzPlanner.session);
    expect(own.errors).toBeUndefined();
    expect(own.data!.runDetection.regionCode).toBe('3501');

    const below = await gql.exec(RUN, { region: '350102' }, fzPlanner.session);
    expect(below.data!.runDetection.regionCode).toBe('350102');

    const before = await runCount();
    for (const region of ['3502', '35', '33']) {
      const outside = await gql.exec(RUN, { region }, fzPlanner.session);
      expect(outside.errors?.[0].extensions?.code, region).toBe('FORBIDDEN');
      expect(outside.errors?.[0].message, region).toMatch(/不在您的管辖范围内/);
    }
    const national = await gql.exec(RUN, { region: '0' }, fzPlanner.session);
    expect(national.data!.runDetection.regionCode).toBe('3501');
    const malformed = await gql.exec(RUN, { region: '35x' }, fzPlanner.session);
    expect(malformed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badDate = await gql.exec(`mutation { runDetection(asOf: "2024-02-30") { id } }`, {}, fzPlanner.session);
    expect(badDate.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: [{ field: 'asOf' }] });
    expect(await runCount()).toBe(before + 1);

    const found = await db.ds.query(
      `SELECT a.handle FROM findings f JOIN finding_accounts fa ON fa.finding_id = f.id JOIN accounts a ON a.id = fa.account_id
        WHERE f.rule = 'UNFILED' ORDER BY a.handle`);
    expect(found.map((r: { handle: string }) => r.handle)).toEqual(['fz_unfiled']);
  });

  it('a planner whose unit has no region may not run detection at all', async () => {
    await makeUnits(db.ds, [{ code: 'NOREGION', level: Level.CITY, parent: 'P', region: null }]);
    const lost = await makeUser(db.ds, { username: 'lost-planner', role: Role.PLANNER, unit: 'NOREGION' });
    const before = await runCount();
    const res = await gql.exec(RUN, {}, lost.session);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await runCount()).toBe(before);
  });
});

describe('detectionRuns and DETECTION_RUN events by region scope', () => {
  beforeAll(async () => {
    expect((await gql.exec(RUN, {}, xmPlanner.session)).errors).toBeUndefined(); // 3502
    expect((await gql.exec(RUN, {})).errors).toBeUndefined(); // nationwide, by the national admin
    expect((await gql.exec(RUN, { region: '33' })).errors).toBeUndefined(); // Zhejiang, by the national admin
    expect((await gql.exec(RUN, { region: '350104' })).errors).toBeUndefined(); // a county with a department only
  });

  it('a city approver lists only the runs of the city and below; a provincial one the province’s; nationwide runs only unrestricted users', async () => {
    const fzApprover = await makeUser(db.ds, { username: 'fz-approver', role: Role.APPROVER, unit: 'FZ' });
    const pApprover = await makeUser(db.ds, { username: 'p-approver', role: Role.APPROVER, unit: 'P' });
    const codes = async (user: TestUser | null, region?: string) => {
      const res = await gql.exec(RUNS, { region }, user ? user.session : undefined);
      expect(res.errors).toBeUndefined();
      return res.data!.detectionRuns.map((r: { regionCode: string | null }) => r.regionCode).sort();
    };
    expect(await codes(fzApprover)).toEqual(sorted(['350102', '350104', '3501', '3501']));
    expect(await codes(pApprover)).toEqual(sorted(['350102', '350104', '3501', '3501', '3502']));
    expect(await codes(null)).toEqual(sorted(['33', '350102', '350104', '3501', '3501', '3502', null]));
    expect(await codes(fzApprover, '3502')).toEqual(sorted([]));
    expect(await codes(fzApprover, '0')).toEqual(sorted([]));
    expect(await codes(null, '0')).toEqual(sorted([null]));
    expect(await codes(null, '3501')).toEqual(sorted(['3501', '3501']));
    const bad = await gql.exec(RUNS, { region: 'x' }, fzApprover.session);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('findingSummary.lastRun names no run outside the user’s region scope', async () => {
    const q = `query($r: String!) { findingSummary(regionCode: $r) { lastRun { regionCode } } }`;
    const fz = await gql.exec(q, { r: '3501' }, fzPlanner.session);
    expect(fz.data!.findingSummary.lastRun).toEqual({ regionCode: '3501' });
    const admin = await gql.exec(q, { r: '3501' });
    expect(admin.data!.findingSummary.lastRun).toEqual({ regionCode: null });
  });

  it('files each run’s audit event under the government of its region, so scoped auditors see their runs', async () => {
    const pAuditor = await makeUser(db.ds, { username: 'p-auditor', role: Role.AUDITOR, unit: 'P' });
    const fzAuditor = await makeUser(db.ds, { username: 'fz-auditor', role: Role.AUDITOR, unit: 'FZ' });
    const zjAuditor = await makeUser(db.ds, { username: 'zj-auditor', role: Role.AUDITOR, unit: 'ZJ' });
    const regions = async (user: TestUser | null) => {
      const res = await gql.exec(EVENTS, {}, user ? user.session : undefined);
      expect(res.errors).toBeUndefined();
      return res.data!.auditEvents.edges.map((e: any) => e.node.after.regionCode).sort();
    };
    expect(await regions(pAuditor)).toEqual(sorted(['350102', '350104', '3501', '3501', '3502']));
    expect(await regions(fzAuditor)).toEqual(sorted(['350102', '350104', '3501', '3501']));
    expect(await regions(zjAuditor)).toEqual(sorted(['33']));
    expect(await regions(null)).toEqual(sorted(['33', '350102', '350104', '3501', '3501', '3502', null]));
    const byRegion = Object.fromEntries((await db.ds.query(
      `SELECT r.region_code, e.unit_id FROM audit_events e JOIN detection_runs r ON r.id::text = e.entity_id WHERE e.action = 'DETECTION_RUN'`))
      .map((r: { region_code: string | null; unit_id: number | null }) => [r.region_code ?? 'national', r.unit_id]));
    // 350102 has no units: the government of 3501 above it; 350104 has only a department: that department.
    expect(byRegion).toEqual({ 3501: units.FZ, 350102: units.FZ, 350104: units.FZDEP, 3502: units.XM, 33: units.ZJ, national: null });
  });
});
