import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeUnits } from '../support/factories';
import { makeUser, type TestUser } from '../support/auth';
import { Level, Role } from '../../server/common/enums';

/**
 * Policies by region scope (issue 9): an administrator writes only the policy of a region inside their scope (the
 * nation only when unrestricted); policy reads answer NOT_FOUND outside the scope; each edit's audit event is
 * filed under the region's government so the region's auditors see it.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let units: Record<string, number>;
let cityAdmin: TestUser;
let provinceAdmin: TestUser;
let cityPlanner: TestUser;

const UPDATE = `mutation($r: String!, $s: JSONObject!) { updatePolicy(regionCode: $r, settings: $s) { regionCode version override } }`;
const READ = `query($r: String!) { policy(regionCode: $r) { regionCode regionName version effective } }`;
const HISTORY = `query($r: String!) { policyHistory(regionCode: $r) { regionCode version } }`;

/** Policy versions written by the tests (the migrations store national version 1). */
async function policyRows(): Promise<{ region_code: string; version: number }[]> {
  return db.ds.query(`SELECT region_code, version FROM policies WHERE NOT (region_code = '0' AND version = 1) ORDER BY region_code, version`);
}

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  units = await makeUnits(db.ds, [
    { code: 'GOV35', level: Level.PROVINCE, region: '35' },
    { code: 'GOV3501', level: Level.CITY, parent: 'GOV35', region: '3501' },
    { code: 'GOV33', level: Level.PROVINCE, region: '33' },
  ]);
  cityAdmin = await makeUser(db.ds, { username: 'admin-3501', role: Role.ADMIN, unit: 'GOV3501' });
  provinceAdmin = await makeUser(db.ds, { username: 'admin-35', role: Role.ADMIN, unit: 'GOV35' });
  cityPlanner = await makeUser(db.ds, { username: 'planner-3501', role: Role.PLANNER, unit: 'GOV3501' });
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

describe('updatePolicy', () => {
  it('a city administrator writes neither the national policy nor any province’s, and nothing is stored', async () => {
    for (const region of ['0', '33', '35']) {
      const res = await gql.exec(UPDATE, { r: region, s: { zombie: { days: 30 } } }, cityAdmin.session);
      expect(res.errors?.[0].extensions?.code, region).toBe('FORBIDDEN');
      expect(res.errors?.[0].message, region).toMatch(/不在您的管辖范围内/);
    }
    expect(await policyRows()).toEqual([]);
    expect((await db.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'POLICY_UPDATED'`))[0].n).toBe(0);
  });

  it('a provincial administrator writes their own province only; the national administrator writes the nation', async () => {
    const own = await gql.exec(UPDATE, { r: '35', s: { zombie: { days: 60 } } }, provinceAdmin.session);
    expect(own.errors).toBeUndefined();
    expect(own.data!.updatePolicy).toEqual({ regionCode: '35', version: 1, override: { zombie: { days: 60 } } });
    for (const region of ['0', '33']) {
      const res = await gql.exec(UPDATE, { r: region, s: { zombie: { days: 30 } } }, provinceAdmin.session);
      expect(res.errors?.[0].extensions?.code, region).toBe('FORBIDDEN');
    }
    const unknown = await gql.exec(UPDATE, { r: '99', s: {} }, provinceAdmin.session);
    expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const national = await gql.exec(UPDATE, { r: '0', s: { noUpdate: { days: 10 } } });
    expect(national.data!.updatePolicy).toMatchObject({ regionCode: '0', version: 2 });
    const zhejiang = await gql.exec(UPDATE, { r: '33', s: { noUpdate: { days: 7 } } });
    expect(zhejiang.data!.updatePolicy).toMatchObject({ regionCode: '33', version: 1 });
    expect(await policyRows()).toEqual([{ region_code: '0', version: 2 }, { region_code: '33', version: 1 }, { region_code: '35', version: 1 }]);
  });
});

describe('policy reads', () => {
  it('policy(regionCode) answers NOT_FOUND outside the user’s region scope and the applicable policy inside it', async () => {
    for (const region of ['0', '33', '35', '3502']) {
      const res = await gql.exec(READ, { r: region }, cityPlanner.session);
      expect(res.errors?.[0].extensions?.code, region).toBe('NOT_FOUND');
      expect(res.data?.policy ?? null, region).toBeNull();
    }
    const own = await gql.exec(READ, { r: '3501' }, cityPlanner.session);
    expect(own.errors).toBeUndefined();
    expect(own.data!.policy).toMatchObject({ regionCode: '35', regionName: '福建省', version: 1 });
    expect(own.data!.policy.effective.zombie.days).toBe(60);
    expect(own.data!.policy.effective.noUpdate.days).toBe(10);
    const below = await gql.exec(READ, { r: '350102' }, cityPlanner.session);
    expect(below.data!.policy.regionCode).toBe('35');
    const province = await gql.exec(READ, { r: '35' }, provinceAdmin.session);
    expect(province.data!.policy.version).toBe(1);
    const anonymous = await gql.exec(READ, { r: '35' }, null);
    expect(anonymous.errors?.[0].extensions?.code).toMatch(/UNAUTHENTICATED|NOT_FOUND/);
    const nation = await gql.exec(READ, { r: '0' });
    expect(nation.data!.policy).toMatchObject({ regionCode: '0', version: 2 });
  });

  it('policyHistory answers NOT_FOUND outside the user’s region scope', async () => {
    expect((await gql.exec(HISTORY, { r: '35' }, cityPlanner.session)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await gql.exec(HISTORY, { r: '0' }, provinceAdmin.session)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await gql.exec(HISTORY, { r: '33' }, provinceAdmin.session)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await gql.exec(HISTORY, { r: '35' }, provinceAdmin.session)).data!.policyHistory).toEqual([{ regionCode: '35', version: 1 }]);
    expect((await gql.exec(HISTORY, { r: '0' })).data!.policyHistory).toEqual([{ regionCode: '0', version: 2 }, { regionCode: '0', version: 1 }]);
    expect((await gql.exec(HISTORY, { r: 'abc' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('POLICY_UPDATED events', () => {
  it('are filed under the region’s government: the provincial auditor sees the province’s edits, not the nation’s or Zhejiang’s', async () => {
    const events = `{ auditEvents(first: 20, filter: { action: ["POLICY_UPDATED"] }) { edges { node { entityId unitId actorName } } } }`;
    const pAuditor = await makeUser(db.ds, { username: 'auditor-35', role: Role.AUDITOR, unit: 'GOV35' });
    const zjAuditor = await makeUser(db.ds, { username: 'auditor-33', role: Role.AUDITOR, unit: 'GOV33' });
    const cityAuditor = await makeUser(db.ds, { username: 'auditor-3501', role: Role.AUDITOR, unit: 'GOV3501' });
    const seen = async (user?: TestUser) => (await gql.exec(events, {}, user?.session)).data!.auditEvents.edges.map((e: any) => e.node);
    expect(await seen(pAuditor)).toEqual([{ entityId: '35', unitId: String(units.GOV35), actorName: 'admin-35' }]);
    expect(await seen(zjAuditor)).toEqual([{ entityId: '33', unitId: String(units.GOV33), actorName: 'test-admin' }]);
    expect(await seen(cityAuditor)).toEqual([]);
    expect((await seen()).map((e: any) => e.entityId).sort()).toEqual(['0', '33', '35']);
  });
});
