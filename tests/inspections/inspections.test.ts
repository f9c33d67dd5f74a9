import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness, TEST_ADMIN } from '../support/graphql';
import type { SessionUser } from '../../server/kernel/context';
import { bulletinsRouter } from '../../server/inspections/bulletins.http';
import { stratifiedSample } from '../../server/inspections/sampling';
import { bj, D, daysBefore, makeAccountsWithPosts, makeTree, Platform } from '../detection/fixture';

/** Stored inspections (检查批次) and bulletins (通报): frozen verdicts, reproducible samples, files that open. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let ids: Record<string, number>;
const daily = (n: number) => Array.from({ length: n }, (_, i) => bj(daysBefore(i + 1)));

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  ids = await makeAccountsWithPosts(db.ds, [
    { unit: 'gov3501', handle: 'fz-ok', name: '福州发布', platform: Platform.WECHAT, posts: daily(20) },
    { unit: 'gov3501', handle: 'fz-stale', name: '福州发布', platform: Platform.WEIBO, posts: [bj(daysBefore(20))] },
    { unit: 'gov3502', handle: 'xm-ok', name: '厦门发布', platform: Platform.WECHAT, posts: daily(10) },
    { unit: 'gov3502', handle: 'xm-stale', name: '厦门发布', platform: Platform.DOUYIN, posts: [bj(daysBefore(30))] },
    { unit: 'gov35', handle: 'fj-1', name: '福建发布', platform: Platform.WECHAT, posts: daily(5) },
    { unit: 'gov35', handle: 'fj-2', name: '福建发布', platform: Platform.WEIBO, posts: daily(5) },
    { unit: 'gov35', handle: 'fj-web', name: '福建省人民政府门户网站', platform: Platform.WEBSITE, posts: [bj(daysBefore(40))] },
    { unit: 'dep350102', handle: 'gl-a', name: '鼓楼司法', posts: daily(30) },
  ]);
  gql = await createGraphqlHarness(db.ds, db.config);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const REPORT = `query($asOf: String) { inspectionReport(regionCode: "35", asOf: $asOf) {
  inspectionId sampleRatio population checked failed good passRate websiteChecked websiteFailed websitePassRate failuresTotal
  byRegion { key label checked failed passRate } byLevel { key checked failed passRate } byPlatform { key checked failed passRate }
  failures { account { handle } score vetoes reasons } } }`;

describe('stored inspections', () => {
  let inspectionId: string;

  it('stores a quarterly inspection with its sample, seed and policy versions', async () => {
    const res = await gql.exec(`mutation { createInspection(regionCode: "35", asOf: "${D}", sampleRatio: 1, seed: "q2") {
      id regionName periodStart periodEnd asOf sampleRatio seed population sampled policyVersions createdByName } }`);
    expect(res.errors).toBeUndefined();
    const i = res.data!.createInspection;
    inspectionId = i.id;
    expect(i).toMatchObject({ regionName: '福建省', periodStart: '2024-04-01', periodEnd: D, asOf: D, sampleRatio: 1, seed: 'q2',
      population: 8, sampled: 8, policyVersions: { 0: 1 }, createdByName: TEST_ADMIN.username });
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM inspection_items WHERE inspection_id = $1`, [i.id]);
    expect(n).toBe(8);
    const [audit] = await db.ds.query(`SELECT action, comment FROM audit_events WHERE entity_type = 'inspection'`);
    expect(audit.action).toBe('INSPECTION_CREATED');
    expect(audit.comment).toContain('不合格 3 个');
  });

  it('reports new media and websites separately', async () => {
    const res = await gql.exec(REPORT, { asOf: D });
    expect(res.errors).toBeUndefined();
    const r = res.data!.inspectionReport;
    // 7 new-media accounts (fz-stale and xm-stale fail the 14-day veto), the website counted apart (it fails too).
    expect(r).toMatchObject({ inspectionId, sampleRatio: 1, population: 8, checked: 7, failed: 2, passRate: 71.43,
      websiteChecked: 1, websiteFailed: 1, websitePassRate: 0, failuresTotal: 3 });
    expect(r.byLevel.reduce((n: number, g: { checked: number }) => n + g.checked, 0)).toBe(7);
    expect(r.byPlatform.find((g: { key: string }) => g.key === 'website')).toMatchObject({ checked: 1, failed: 1 });
  });

  it('a stored report never changes: deregistering accounts and new posts afterwards leave it identical', async () => {
    const before = await gql.exec(REPORT, { asOf: D });
    await db.ds.query(`UPDATE accounts SET status = 'closed' WHERE id = ANY($1::int[])`, [[ids['fz-stale'], ids['xm-ok']]]);
    await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, $2, '补发', true, 10)`,
      [ids['xm-stale'], bj(daysBefore(2))]);
    await db.ds.query(`UPDATE accounts SET name = '改名后' WHERE id = $1`, [ids['fj-1']]);
    const after = await gql.exec(REPORT, { asOf: D });
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(before.data);
    // The live computation (another date, no stored inspection) does see the change.
    const live = await gql.exec(REPORT, { asOf: daysBefore(1) });
    expect(live.data!.inspectionReport.inspectionId).toBeNull();
    expect(live.data!.inspectionReport.checked).toBe(5);
    // The stored rows cannot be edited.
    await expect(db.ds.query(`UPDATE inspection_items SET grade = 'pass' WHERE inspection_id = $1`, [inspectionId])).rejects.toThrow(/不可修改/);
  });

  it('scoped users see only their part of the stored sample', async () => {
    const [{ id: unitId, path }] = await db.ds.query(`SELECT id, path FROM units WHERE code = 'gov3502'`);
    const cityPlanner: SessionUser = { id: 0, username: 'test-admin', role: 'PLANNER', unitId, unitPath: path };
    const res = await gql.exec(REPORT, { asOf: D }, cityPlanner);
    expect(res.errors).toBeUndefined();
    expect(res.data!.inspectionReport).toMatchObject({ checked: 2, failed: 1, websiteChecked: 0 });
    const list = await gql.exec(`{ inspections { id } }`, undefined, cityPlanner);
    expect(list.data!.inspections).toEqual([]);
    const one = await gql.exec(`{ inspection(id: "${inspectionId}") { id } }`, undefined, cityPlanner);
    expect(one.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a sample ratio outside 10–100%', async () => {
    const res = await gql.exec(`mutation { createInspection(regionCode: "35", asOf: "${D}", sampleRatio: 0.05) { id } }`);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('stratified sampling', () => {
  const population = Array.from({ length: 60 }, (_, i) => ({ id: i + 1, level: i % 3 === 0 ? 'city' : 'county', platform: i % 2 ? 'wechat' : 'weibo' }));
  const stratum = (a: { level: string; platform: string }) => `${a.level}|${a.platform}`;

  it('draws the same accounts from the same seed, others from another seed, every stratum represented', () => {
    const a = stratifiedSample(population, 0.2, 'seed-a', stratum);
    const b = stratifiedSample([...population].reverse(), 0.2, 'seed-a', stratum);
    const c = stratifiedSample(population, 0.2, 'seed-b', stratum);
    expect(a.map((x) => x.id)).toEqual(b.map((x) => x.id));
    expect(a.map((x) => x.id)).not.toEqual(c.map((x) => x.id));
    // Strata: city|weibo 10, city|wechat 10, county|weibo 20, county|wechat 20 → 2 + 2 + 4 + 4.
    expect(a).toHaveLength(12);
    const counts = new Map<string, number>();
    for (const x of a) counts.set(stratum(x), (counts.get(stratum(x)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 'city|weibo': 2, 'city|wechat': 2, 'county|weibo': 4, 'county|wechat': 4 });
  });

  it('stores a reproducible sample: the recorded seed draws the same accounts again', async () => {
    const make = () => gql.exec(`mutation { createInspection(regionCode: "35", asOf: "${daysBefore(1)}", sampleRatio: 0.5, seed: "fixed") { id sampled population } }`);
    const [x, y] = [await make(), await make()];
    expect(x.errors).toBeUndefined();
    // Six strata of one account each (level × platform): ceil(1 × 0.5) = 1 from each, so all six.
    expect(x.data!.createInspection).toMatchObject({ population: 6, sampled: 6 });
    const items = async (id: string) => (await db.ds.query(`SELECT account_id FROM inspection_items WHERE inspection_id = $1 ORDER BY 1`, [id]))
      .map((r: { account_id: number }) => r.account_id);
    expect(await items(y.data!.createInspection.id)).toEqual(await items(x.data!.createInspection.id));
  });
});

describe('bulletins', () => {
  let bulletinId: string;
  let url: string;
  let server: import('node:http').Server;

  beforeAll(async () => {
    const app = express();
    app.use(bulletinsRouter(db.ds, db.config, async (req) => (req.get('authorization') === 'Bearer ok' ? TEST_ADMIN : null)));
    server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is generated once from an inspection, with the change against the previous one', async () => {
    const [first] = await db.ds.query(`SELECT id FROM inspections WHERE as_of = $1 ORDER BY id LIMIT 1`, [D]);
    // A later inspection of the region: its bulletin compares with the first.
    const later = await gql.exec(`mutation { createInspection(regionCode: "35", asOf: "2024-09-30", sampleRatio: 1, seed: "q3") { id } }`);
    expect(later.errors).toBeUndefined();
    const b1 = await gql.exec(`mutation { createBulletin(inspectionId: "${first.id}") { id title content xlsxUrl docxUrl } }`);
    expect(b1.errors).toBeUndefined();
    expect(b1.data!.createBulletin.title).toBe('福建省政务新媒体2024年第二季度检查情况通报');
    const again = await gql.exec(`mutation { createBulletin(inspectionId: "${first.id}") { id } }`);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
    const b2 = await gql.exec(`mutation { createBulletin(inspectionId: "${later.data!.createInspection.id}") { id title content } }`);
    expect(b2.errors).toBeUndefined();
    const c = b2.data!.createBulletin.content;
    bulletinId = b2.data!.createBulletin.id;
    expect(c.previous).toEqual({ asOf: D, passRate: 71.43 });
    // Q3: the closed accounts are gone, the rest has not posted since 2024-06 → every new-media account fails.
    expect(c.newMedia).toMatchObject({ previousPassRate: 71.43, passRate: 0, change: -71.43 });
    expect(c.failures.length).toBe(c.newMedia.failed + c.website.failed);
    const byInspection = await gql.exec(`{ inspection(id: "${first.id}") { bulletin { id } report { checked } } }`);
    expect(byInspection.data!.inspection).toEqual({ bulletin: { id: b1.data!.createBulletin.id }, report: { checked: 7 } });
  });

  it('downloads as .xlsx and .docx laid out like a bulletin (authenticated)', async () => {
    expect((await fetch(`${url}/api/bulletins/${bulletinId}.xlsx`)).status).toBe(401);
    expect((await fetch(`${url}/api/bulletins/999999.xlsx`, { headers: { authorization: 'Bearer ok' } })).status).toBe(404);
    const [first] = await db.ds.query(`SELECT b.id FROM bulletins b JOIN inspections i ON i.id = b.inspection_id WHERE i.as_of = $1`, [D]);
    const xres = await fetch(`${url}/api/bulletins/${first.id}.xlsx`, { headers: { authorization: 'Bearer ok' } });
    expect(xres.status).toBe(200);
    expect(xres.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xres.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概况', '按地区', '按层级', '按平台', '不合格账号']);
    expect(wb.getWorksheet('概况')!.getCell('A1').value).toBe('福建省政务新媒体2024年第二季度检查情况通报');
    expect(String(wb.getWorksheet('概况')!.getCell('A2').value)).toContain('总体合格率 71.43%');
    const fails = wb.getWorksheet('不合格账号')!;
    expect(fails.rowCount).toBe(1 + 3);
    const failNames = [2, 3, 4].map((r) => fails.getCell(r, 2).value);
    // Frozen names: the account renamed afterwards keeps its name of the inspection (it passed anyway), failures as they were.
    expect(failNames).toEqual(expect.arrayContaining(['福州发布', '厦门发布', '福建省人民政府门户网站']));
    const regions = wb.getWorksheet('按地区')!;
    expect(regions.getRow(1).values).toEqual([undefined, '分组', '检查数', '不合格数', '合格率', '上期合格率', '变化']);

    const dres = await fetch(`${url}/api/bulletins/${first.id}.docx`, { headers: { authorization: 'Bearer ok' } });
    expect(dres.status).toBe(200);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bulletin-')), 'b.docx');
    fs.writeFileSync(file, Buffer.from(await dres.arrayBuffer()));
    const xml = execFileSync('unzip', ['-p', file, 'word/document.xml']).toString('utf8');
    expect(xml).toContain('福建省政务新媒体2024年第二季度检查情况通报');
    expect(xml).toContain('一、总体情况');
    expect(xml).toContain('五、不合格账号名单');
    expect(xml).toContain('福州发布');
    expect(xml).toContain('71.43%');
  });
});
