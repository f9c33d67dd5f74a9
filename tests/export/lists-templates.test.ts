import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import type { SessionUser } from '../../server/kernel/context';
import { exportsRouter } from '../../server/export/xlsx-export';
import { bj, daysBefore, makeAccountsWithPosts, makeTree, Platform } from '../detection/fixture';

/** Excel out for the matrix (today and as of a date) and the plans list (the list's filters), and the import templates. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let server: Server;
let url: string;
const users: Record<string, SessionUser> = {};

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  await makeAccountsWithPosts(db.ds, [
    { unit: 'gov3501', handle: 'fz-fb', name: '福州发布', platform: Platform.WECHAT, posts: [bj(daysBefore(2))] },
    { unit: 'gov3501', handle: 'fz-wb', name: '福州发布', platform: Platform.WEIBO, posts: [bj(daysBefore(2))] },
    { unit: 'dep350102', handle: 'gl-sf', name: '鼓楼司法', platform: Platform.WECHAT, posts: [bj(daysBefore(2))] },
    { unit: 'gov3502', handle: 'xm-fb', name: '厦门发布', platform: Platform.WEIBO, posts: [bj(daysBefore(1))] },
  ]);
  // fz-wb was deregistered on 2024-06-10 (its history), registered by an import at the start of the year.
  await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source) SELECT id, NULL, 'active', '2024-01-02T10:00:00+08:00', 'import' FROM accounts`);
  await db.ds.query(`UPDATE accounts SET status = 'closed', closed_on = '2024-06-10' WHERE handle = 'fz-wb'`);
  await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source)
                     SELECT id, 'active', 'closed', '2024-06-10T10:00:00+08:00', 'plan' FROM accounts WHERE handle = 'fz-wb'`);
  const plan = (title: string, status: string, region: string, at: string) => db.ds.query(
    `INSERT INTO plans (title, status, scope_region_code, author_name, notice_working_days, created_at) VALUES ($1, $2, $3, 'planner', 15, $4)`,
    [title, status, region, at]);
  await plan('福州市公安局账号整合', 'draft', '3501', '2024-06-01T09:00:00+08:00');
  await plan('福州市司法局关停方案', 'submitted', '3501', '2024-06-02T09:00:00+08:00');
  await plan('=HYPERLINK("x")', 'completed', '3501', '2024-06-03T09:00:00+08:00');
  await plan('厦门市公安局账号整合', 'draft', '3502', '2024-06-04T09:00:00+08:00');
  const [fz] = await db.ds.query(`SELECT id, path FROM units WHERE code = 'gov3501'`);
  users.city = { id: 0, username: 'test-admin', role: 'PLANNER', unitId: fz.id, unitPath: fz.path };
  users.admin = { id: 0, username: 'test-admin', role: 'ADMIN', unitId: null, unitPath: null };
  gql = await createGraphqlHarness(db.ds, db.config);
  const app = express();
  app.use(exportsRouter(db.ds, db.config, async (req) => users[req.get('x-user') ?? ''] ?? null));
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await gql?.stop();
  await db?.close();
});

async function get(path: string, who = 'city') {
  return fetch(`${url}${path}`, { headers: { 'x-user': who } });
}

async function workbook(path: string, who = 'city') {
  const res = await get(path, who);
  expect(res.status, await res.clone().text().then((t) => t.slice(0, 200))).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
  return { wb, disposition: res.headers.get('content-disposition') ?? '' };
}

function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

describe('matrix.xlsx', () => {
  it("today's matrix of the user's own region: live accounts per platform, by status, a total line and the levels", async () => {
    const { wb } = await workbook('/api/export/matrix.xlsx');
    const rows = rowsOf(wb.worksheets[0]);
    expect(wb.worksheets[0].name).toBe('账号矩阵-福州市');
    expect(rows[0].slice(0, 4)).toEqual(['区划/单位', '类型', '微信公众号（未注销）', '微博（未注销）']);
    expect(rows[0].slice(-5)).toEqual(['正常', '暂停更新', '已注销', '合计（含注销）', '待处理问题']);
    const self = rows.find((r) => r[0] === '福州市本级')!;
    expect(self.slice(2, 4)).toEqual([1, 0]);
    expect(self.slice(-5, -1)).toEqual([1, 0, 1, 2]);
    const gulou = rows.find((r) => r[0] === '鼓楼区')!;
    expect(gulou.slice(-5, -1)).toEqual([1, 0, 0, 1]);
    expect(rows.find((r) => r[0] === '合计')!.slice(-5, -1)).toEqual([2, 0, 1, 3]);
    expect(rows.filter((r) => r[1] === '按层级').map((r) => r[0])).toEqual(['市级', '县级']);
  });

  it('as of a date: the matrix as it was (fz-wb still live before its deregistration)', async () => {
    const { wb } = await workbook('/api/export/matrix.xlsx?regionCode=3501&date=2024-06-01');
    const rows = rowsOf(wb.worksheets[0]);
    expect(rows[0].at(-1)).toBe('当日待处理问题');
    expect(rows.find((r) => r[0] === '福州市本级')!.slice(2, 4)).toEqual([1, 1]);
    expect(rows.find((r) => r[0] === '合计')!.slice(-5, -1)).toEqual([3, 0, 0, 3]);
    expect((await get('/api/export/matrix.xlsx?regionCode=3501&date=2999-01-01')).status).toBe(400);
  });

  it('only the user scope is counted', async () => {
    const { wb } = await workbook('/api/export/matrix.xlsx?regionCode=35');
    const rows = rowsOf(wb.worksheets[0]);
    expect(rows.find((r) => r[0] === '厦门市')!.slice(-5, -1)).toEqual([0, 0, 0, 0]);
    const all = rowsOf((await workbook('/api/export/matrix.xlsx?regionCode=35', 'admin')).wb.worksheets[0]);
    expect(all.find((r) => r[0] === '厦门市')!.slice(-5, -1)).toEqual([1, 0, 0, 1]);
  });
});

describe('plans.xlsx', () => {
  it('the plans the user may read, with the list filters q, status and sort; Chinese statuses, Beijing times', async () => {
    const { wb, disposition } = await workbook('/api/export/plans.xlsx');
    expect(disposition).toContain(encodeURIComponent('整合方案'));
    const rows = rowsOf(wb.worksheets[0]);
    expect(rows[0].slice(0, 5)).toEqual(['编号', '标题', '状态', '范围', '动作数']);
    expect(rows.slice(1).map((r) => r[1])).toEqual(["'=HYPERLINK(\"x\")", '福州市司法局关停方案', '福州市公安局账号整合']);
    expect(rows[3].slice(2, 5)).toEqual(['草稿', '福州市', 0]);
    expect(rows[3][7]).toBe('2024-06-01 09:00:00');
    const q = rowsOf((await workbook(`/api/export/plans.xlsx?q=${encodeURIComponent('公安')}`, 'admin')).wb.worksheets[0]);
    expect(q.slice(1).map((r) => r[1])).toEqual(['厦门市公安局账号整合', '福州市公安局账号整合']);
    const st = rowsOf((await workbook('/api/export/plans.xlsx?status=DRAFT,submitted&sort=createdAt', 'admin')).wb.worksheets[0]);
    expect(st.slice(1).map((r) => r[1])).toEqual(['福州市公安局账号整合', '福州市司法局关停方案', '厦门市公安局账号整合']);
    expect((await get('/api/export/plans.xlsx?status=nonsense')).status).toBe(400);
    expect((await get('/api/export/plans.xlsx?sort=password')).status).toBe(400);
    expect((await get('/api/export/plans.xlsx', 'nobody')).status).toBe(401);
  });
});

describe('import templates', () => {
  it('xlsx: a sheet named like the table with 中文 (column) headers, an example row and a 说明 sheet', async () => {
    const { wb, disposition } = await workbook('/api/templates/accounts.xlsx');
    expect(disposition).toContain(encodeURIComponent('账号导入模板.xlsx'));
    const rows = rowsOf(wb.getWorksheet('accounts')!);
    expect(rows[0].slice(0, 4)).toEqual(['平台 (platform)', '账号标识 (handle)', '名称 (name)', '主办单位代码 (unit_code)']);
    expect(rows[1].slice(0, 3)).toEqual(['wechat', 'gh_3501_gov', '福州发布']);
    const help = rowsOf(wb.getWorksheet('说明')!);
    expect(help.find((r) => r[0] === 'status')).toEqual(['status', '账号状态', '是', 'active / suspended / closed']);
    expect((await get('/api/templates/passwords.xlsx')).status).toBe(400);
    expect((await get('/api/templates/units.csv', 'nobody')).status).toBe(401);
  });

  it('csv: UTF-8 with BOM; a filled-in template imports as it is', async () => {
    const res = await get('/api/templates/accounts.csv');
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header] = bytes.subarray(3).toString('utf-8').split('\r\n');
    const values: Record<string, string> = { platform: 'douyin', handle: 'tpl-dy', name: '福州发布', unit_code: 'gov3501', type: 'publishing', status: 'active' };
    const row = header.split(',').map((h) => values[/\((\w+)\)$/.exec(h)![1]] ?? '').join(',');
    const imp = await gql.exec(`mutation($files: [CsvFileInput!]!) { importCsv(files: $files) { ok errors { message } } }`,
      { files: [{ name: 'accounts.csv', content: `${header}\n${row}\n` }] });
    expect(imp.errors).toBeUndefined();
    expect(imp.data!.importCsv).toEqual({ ok: true, errors: [] });
    const [a] = await db.ds.query(`SELECT name, platform FROM accounts WHERE handle = 'tpl-dy'`);
    expect(a).toEqual({ name: '福州发布', platform: 'douyin' });
  });
});

