import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeAccounts, makeUnits } from '../support/factories';
import { makeUser } from '../support/auth';
import { Level, Role } from '../../server/common/enums';

/** Detection runs, finding triage, policy edits and imports each leave an audit event, written with the change. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  await makeUnits(db.ds, [{ code: 'P', level: Level.PROVINCE, region: '35' }, { code: 'FZ', level: Level.CITY, parent: 'P', region: '3501' }]);
  await makeAccounts(db.ds, [{ unit: 'FZ', handle: 'fz_unfiled', filingNo: null }]);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

async function events(action: string) {
  return db.ds.query(`SELECT actor_name, entity_type, entity_id, before, after, comment FROM audit_events WHERE action = $1 ORDER BY id`, [action]);
}

describe('audited mutations', () => {
  it('records detection runs, dismissals and reopenings with the acting planner', async () => {
    const planner = await makeUser(db.ds, { username: 'p1', role: Role.PLANNER, unit: 'P' });
    const run = await gql.exec(`mutation { runDetection(asOf: "2024-06-30") { id found } }`, {}, planner.session);
    expect(run.errors).toBeUndefined();
    const [ev] = await events('DETECTION_RUN');
    expect(ev).toMatchObject({ actor_name: 'p1', entity_type: 'detection_run', entity_id: String(run.data!.runDetection.id) });
    expect(ev.after.found).toBe(run.data!.runDetection.found);

    const [finding] = await db.ds.query(`SELECT id FROM findings WHERE rule = 'UNFILED'`);
    const dismissed = await gql.exec(`mutation($id: ID!) { dismissFinding(id: $id, reason: "已线下备案，等待系统同步") { status } }`,
      { id: String(finding.id) }, planner.session);
    expect(dismissed.errors).toBeUndefined();
    const [d] = await events('FINDING_DISMISSED');
    expect(d).toMatchObject({ actor_name: 'p1', entity_id: String(finding.id), comment: '已线下备案，等待系统同步' });
    expect(d.before.status).toBe('open');

    await gql.exec(`mutation($id: ID!) { reopenFinding(id: $id) { status } }`, { id: String(finding.id) }, planner.session);
    expect(await events('FINDING_REOPENED')).toHaveLength(1);
  });

  it('records policy changes with the previous version, and nothing when the change is refused', async () => {
    const admin = await makeUser(db.ds, { username: 'a1', role: Role.ADMIN });
    const ok = await gql.exec(`mutation { updatePolicy(regionCode: "35", settings: { noUpdate: { days: 10 } }, note: "福建按 10 天更新") { regionCode } }`, {}, admin.session);
    expect(ok.errors).toBeUndefined();
    const bad = await gql.exec(`mutation { updatePolicy(regionCode: "35", settings: { noUpdate: { days: -3 } }) { regionCode } }`, {}, admin.session);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const evs = await events('POLICY_UPDATED');
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ actor_name: 'a1', entity_id: '35', comment: '福建按 10 天更新' });
    expect(evs[0].after.settings).toEqual({ noUpdate: { days: 10 } });
  });

  it('records an import with its counts, and nothing for a dry run or a failed import', async () => {
    const planner = await makeUser(db.ds, { username: 'p2', role: Role.PLANNER, unit: 'P' });
    const csv = 'platform,handle,published_at,title,original,reads\nwechat,fz_unfiled,2024-06-01,通知,true,120\n';
    const q = `mutation($files: [CsvFileInput!]!, $dry: Boolean) { importCsv(files: $files, dryRun: $dry) { ok } }`;
    await gql.exec(q, { files: [{ name: 'posts.csv', content: csv }], dry: true }, planner.session);
    await gql.exec(q, { files: [{ name: 'posts.csv', content: csv.replace('120', '-1') }] }, planner.session);
    expect(await events('CSV_IMPORTED')).toHaveLength(0);
    const res = await gql.exec(q, { files: [{ name: 'posts.csv', content: csv }] }, planner.session);
    expect(res.data!.importCsv.ok).toBe(true);
    const evs = await events('CSV_IMPORTED');
    expect(evs).toHaveLength(1);
    expect(evs[0].actor_name).toBe('p2');
    expect(evs[0].after.files[0]).toMatchObject({ file: 'posts.csv', inserted: 1 });
  });
});
