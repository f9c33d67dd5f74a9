import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/common/enums';
import { createContext } from '../../server/kernel/context';
import { importFiles, type ImportFile, type ImportResult } from '../../server/import/import.service';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, startHttp } from '../support/graphql';
import { makeAccounts, makeUnits } from '../support/factories';
import { makeUser, userWithSession, type TestUser } from '../support/auth';

/**
 * Scope of an import run for a user (issue 9): a city planner imports only inside their city — every row before and
 * after, every reference — and the province's auditor sees the province's imports with one event per renamed or
 * re-statused account and per moved or renamed unit.
 */

const TABLES = ['units', 'accounts', 'services', 'posts', 'messages', 'account_status_history', 'audit_events'];

async function snapshot(db: TestDb): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const [r] = await db.ds.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) AS h FROM ${t} x`);
    out[t] = `${r.n}:${r.h}`;
  }
  return out;
}

const IMPORT = `mutation ($files: [CsvFileInput!]!) { importCsv(files: $files) { ok errorCount errors { file line column message } counts { file inserted updated } } }`;
const EVENTS = `query($f: AuditFilter) { auditEvents(filter: $f, first: 100) {
  edges { node { actorName action entityType entityId accountId unitId before after comment } } } }`;

interface EventsData {
  auditEvents: { edges: { node: { actorName: string; action: string; accountId: string | null; unitId: string | null; before: unknown; after: unknown } }[] };
}

const ACCOUNTS_HEADER = 'platform,handle,name,unit_code,type,status\n';
const UNITS_HEADER = 'code,name,kind,level,parent_code,region_code,supervisor_code\n';
const problems = (r: { errors: { file: string; line: number; column: string; message: string }[] }) =>
  r.errors.map((e) => `${e.file}:${e.line}: ${e.column}: ${e.message}`);

let db: TestDb;
let units: Record<string, number>;
let accounts: Record<string, number>;
let planner: TestUser;
let nationalAdmin: TestUser;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;

beforeAll(async () => {
  db = await createTestDb();
  units = await makeUnits(db.ds, [
    { code: 'CN', region: '0' },
    { code: 'FJ', parent: 'CN', region: '35' },
    { code: 'FZ', parent: 'FJ', region: '3501' },
    { code: 'FZ-EDU', parent: 'FZ', region: '3501' },
    { code: 'XM', parent: 'FJ', region: '3502' },
    { code: 'XM-EDU', parent: 'XM', region: '3502' },
    { code: 'GD', parent: 'CN', region: '44' },
  ]);
  accounts = await makeAccounts(db.ds, [
    { unit: 'FZ', handle: 'fzfb', name: '福州发布' },
    { unit: 'FZ-EDU', handle: 'fzedu', name: '福州教育' },
    { unit: 'XM', handle: 'xmfb', name: '厦门发布' },
    { unit: 'XM-EDU', handle: 'xmedu', name: '厦门教育' },
  ]);
  planner = await makeUser(db.ds, { username: 'fz-planner', role: Role.PLANNER, unit: 'FZ' });
  nationalAdmin = await makeUser(db.ds, { username: 'cn-admin', role: Role.ADMIN, unit: null });
  gql = await createGraphqlHarness(db.ds, db.config);
});
afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

async function importAs(user: TestUser, files: ImportFile[]): Promise<ImportResult> {
  const res = await gql.exec<{ importCsv: ImportResult }>(IMPORT, { files }, user.session);
  expect(res.errors).toBeUndefined();
  return res.data!.importCsv;
}

describe('importCsv by a city planner (PLANNER of FZ)', () => {
  it('refuses renaming and suspending an account of another city, and writes nothing', async () => {
    const before = await snapshot(db);
    const r = await importAs(planner, [{ name: 'accounts.csv', content: `${ACCOUNTS_HEADER}wechat,xmfb,被改名,XM,publishing,suspended\n` }]);
    expect(r.ok).toBe(false);
    expect(problems(r)).toEqual(['accounts.csv:2: handle: 超出管辖范围：账号 wechat:xmfb 不在您的管辖范围内（outside your scope）']);
    expect(await snapshot(db)).toEqual(before);
  });

  it('refuses moving its own account into another city, and pointing posts, services and messages at one', async () => {
    const before = await snapshot(db);
    const r = await importAs(planner, [
      { name: 'accounts.csv', content: `${ACCOUNTS_HEADER}wechat,fzfb,福州发布,FZ,publishing,active\nwechat,fzedu,福州教育,XM-EDU,publishing,active\nwechat,fznew,新账号,XM,publishing,active\n` },
      { name: 'posts.csv', content: 'platform,handle,published_at,title,original,reads\nwechat,fzfb,2024-06-01,本市,true,1\nwechat,xmedu,2024-06-01,外市,true,1\n' },
      { name: 'services.csv', content: 'platform,handle,name\nwechat,xmfb,外市服务\n' },
      { name: 'messages.csv', content: 'platform,handle,received_at\nwechat,xmfb,2024-06-01T08:00:00\n' },
    ]);
    expect(problems(r)).toEqual([
      'accounts.csv:3: unit_code: 超出管辖范围：主办单位 XM-EDU 不在您的管辖范围内（outside your scope）',
      'accounts.csv:4: unit_code: 超出管辖范围：主办单位 XM 不在您的管辖范围内（outside your scope）',
      'services.csv:2: handle: 超出管辖范围：账号 wechat:xmfb 不在您的管辖范围内（outside your scope）',
      'posts.csv:3: handle: 超出管辖范围：账号 wechat:xmedu 不在您的管辖范围内（outside your scope）',
      'messages.csv:2: handle: 超出管辖范围：账号 wechat:xmfb 不在您的管辖范围内（outside your scope）',
    ]);
    expect(await snapshot(db)).toEqual(before);
  });

  it('refuses re-parenting a unit into the scope, out of it, its own unit, a new root and an outside supervisor', async () => {
    const before = await snapshot(db);
    const r = await importAs(planner, [{
      name: 'units.csv',
      content: UNITS_HEADER
        + 'XM-EDU,厦门市教育局,department,city,FZ,3502,\n' // into the scope (the breach)
        + 'FZ-EDU,福州市教育局,department,city,XM,3501,\n' // out of it
        + 'FZ,福州市,government,city,XM,3501,\n' // the planner's own unit moved
        + 'FZ-NEW,新单位,department,city,,3501,\n' // a new root
        + 'FZ-NEW2,新单位二,department,city,FZ,3501,XM\n', // supervisor outside
    }]);
    expect(problems(r)).toEqual([
      'units.csv:2: code: 超出管辖范围：单位 XM-EDU 不在您的管辖范围内（outside your scope）',
      'units.csv:3: parent_code: 超出管辖范围：上级单位 XM 不在您的管辖范围内（outside your scope）',
      'units.csv:4: parent_code: 超出管辖范围：不能更改您所在单位 FZ 的上级单位（outside your scope）',
      'units.csv:5: parent_code: 超出管辖范围：单位 FZ-NEW 没有上级单位，将不在您的管辖范围内（outside your scope）',
      'units.csv:6: supervisor_code: 超出管辖范围：主管单位 XM 不在您的管辖范围内（outside your scope）',
    ]);
    expect(await snapshot(db)).toEqual(before);
    const [u] = await db.ds.query(`SELECT p.code FROM units u JOIN units p ON p.id = u.parent_id WHERE u.code = 'XM-EDU'`);
    expect(u.code).toBe('XM');
  });

  it('refuses a units.csv without parent_code that changes a unit outside, or creates a root', async () => {
    const r = await importFiles(createContext(db.ds, db.config, planner.session), [
      { name: 'units.csv', content: 'code,name,kind,level\nXM,改名,government,city\nFZ-X,新,department,city\n' },
    ]);
    expect(problems(r)).toEqual([
      'units.csv:2: code: 超出管辖范围：单位 XM 不在您的管辖范围内（outside your scope）',
      'units.csv:3: code: 超出管辖范围：单位 FZ-X 没有上级单位，将不在您的管辖范围内（outside your scope）',
    ]);
  });

  it('imports inside its city: new units and accounts, renames and status changes, each audited under the city', async () => {
    const r = await importAs(planner, [
      { name: 'units.csv', content: `${UNITS_HEADER}FZ,福州市,government,city,FJ,3501,\nFZ-EDU,福州市教育局,department,city,FZ,3501,FZ\nFZ-SPORT,福州市体育局,department,city,FZ,3501,FZ\n` },
      { name: 'accounts.csv', content: `${ACCOUNTS_HEADER}wechat,fzfb,福州发布平台,FZ,publishing,suspended\nwechat,fzsport,福州体育,FZ-SPORT,publishing,active\n` },
    ]);
    expect(problems(r)).toEqual([]);
    expect(r.ok).toBe(true);
    const ev: { action: string; account_id: number | null; unit_id: number | null; entity_id: string | null; before: unknown; after: unknown; actor_name: string }[] =
      await db.ds.query(`SELECT action, account_id, unit_id, entity_id, before, after, actor_name FROM audit_events ORDER BY id`);
    expect(ev.map((e) => e.action)).toEqual(['ACCOUNT_STATUS_CHANGED', 'ACCOUNT_RENAMED', 'UNIT_RENAMED', 'UNIT_RENAMED', 'CSV_IMPORTED', 'DETECTION_RUN']);
    expect(ev[0]).toMatchObject({ account_id: accounts.fzfb, unit_id: units.FZ, before: { status: 'active' }, after: { status: 'suspended' }, actor_name: 'fz-planner' });
    expect(ev[1]).toMatchObject({ account_id: accounts.fzfb, unit_id: units.FZ, before: { name: '福州发布' }, after: { name: '福州发布平台' } });
    expect(ev[2]).toMatchObject({ unit_id: units.FZ, before: { code: 'FZ', name: '单位FZ' }, after: { code: 'FZ', name: '福州市' } });
    expect(ev[3]).toMatchObject({ unit_id: units['FZ-EDU'], entity_id: String(units['FZ-EDU']), before: { name: '单位FZ-EDU' }, after: { name: '福州市教育局' } });
    // Everything touched (FZ, FZ-EDU, the new FZ-SPORT and their accounts) lies under FZ.
    expect(ev[4]).toMatchObject({ unit_id: units.FZ, actor_name: 'fz-planner' });
    // Then the check of what it wrote: the planner's own region (the city), under its government unit, by the planner.
    expect(ev[5]).toMatchObject({ unit_id: units.FZ, actor_name: 'fz-planner', after: { regionCode: '3501' } });
    const [run] = await db.ds.query(`SELECT region_code, triggered_by FROM detection_runs ORDER BY id DESC LIMIT 1`);
    expect(run).toEqual({ region_code: '3501', triggered_by: planner.id });
  });
});

describe('importCsv by the national administrator', () => {
  it('accepts the rows refused to the city planner, and files the events where the province sees them', async () => {
    const [{ mark }] = await db.ds.query(`SELECT coalesce(max(id), 0) AS mark FROM audit_events`);
    const r = await importAs(nationalAdmin, [
      { name: 'units.csv', content: `${UNITS_HEADER}XM-EDU,厦门市教育局,department,city,FZ,3502,\n` },
      { name: 'accounts.csv', content: `${ACCOUNTS_HEADER}wechat,xmfb,被改名,XM,publishing,suspended\n` },
    ]);
    expect(problems(r)).toEqual([]);
    expect(r.ok).toBe(true);
    const [moved] = await db.ds.query(`SELECT p.code FROM units u JOIN units p ON p.id = u.parent_id WHERE u.code = 'XM-EDU'`);
    expect(moved.code).toBe('FZ');
    const ev: { action: string; unit_id: number | null; account_id: number | null; before: unknown; after: unknown }[] =
      await db.ds.query(`SELECT action, unit_id, account_id, before, after FROM audit_events WHERE id > $1 ORDER BY id`, [mark]);
    expect(ev.map((e) => [e.action, e.unit_id])).toEqual([
      ['ACCOUNT_STATUS_CHANGED', units.XM],
      ['ACCOUNT_RENAMED', units.XM],
      ['UNIT_MOVED', units.FJ], // the common ancestor of the old parent (XM) and the new place (under FZ)
      ['UNIT_RENAMED', units['XM-EDU']],
      ['CSV_IMPORTED', units.FJ], // XM-EDU (now under FZ), XM (xmfb) and its old parent XM → FJ
      ['DETECTION_RUN', null], // the check of what it wrote: the administrator's scope is the nation
    ]);
    expect(ev[2]).toMatchObject({ before: { code: 'XM-EDU', parentCode: 'XM' }, after: { code: 'XM-EDU', parentCode: 'FZ' } });
  });

  it('lets the provincial auditor read the import and its per-account events; another province sees none', async () => {
    const fj = await userWithSession(db.ds, db.config, { username: 'fj-auditor', role: Role.AUDITOR, unit: 'FJ' });
    const gd = await userWithSession(db.ds, db.config, { username: 'gd-auditor', role: Role.AUDITOR, unit: 'GD' });
    const http = await startHttp(db.ds, db.config);
    try {
      const byAdmin = { f: { actorId: String(nationalAdmin.id) } };
      const seen = await http.post(EVENTS, byAdmin, fj.headers);
      expect(seen.body.errors).toBeUndefined();
      const nodes = (seen.body.data as EventsData).auditEvents.edges.map((e) => e.node);
      const actions = nodes.map((n) => n.action).sort();
      expect(actions).toEqual(['ACCOUNT_RENAMED', 'ACCOUNT_STATUS_CHANGED', 'CSV_IMPORTED', 'UNIT_MOVED', 'UNIT_RENAMED']);
      const renamed = nodes.find((n) => n.action === 'ACCOUNT_RENAMED');
      expect(renamed).toMatchObject({ accountId: String(accounts.xmfb), before: { name: '厦门发布' }, after: { name: '被改名' }, actorName: 'cn-admin' });
      const imported = nodes.find((n) => n.action === 'CSV_IMPORTED');
      expect(imported?.unitId).toBe(String(units.FJ));
      expect((imported?.after as { files: unknown }).files).toEqual([
        { file: 'units.csv', rows: 1, inserted: 0, updated: 1, unchanged: 0 },
        { file: 'accounts.csv', rows: 1, inserted: 0, updated: 1, unchanged: 0 },
      ]);
      const other = await http.post(EVENTS, byAdmin, gd.headers);
      expect(other.body.errors).toBeUndefined();
      expect((other.body.data as EventsData).auditEvents.edges).toEqual([]);
    } finally {
      await http.close();
    }
  });
});
