import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import type { SessionUser } from '../../server/kernel/context';
import { beijingTime, exportsRouter } from '../../server/export/xlsx-export';
import { bj, D, daysBefore, makeAccountsWithPosts, makeTree, Platform } from '../detection/fixture';

/** Excel out: accounts, findings and audit lists with Chinese headers and Beijing times, in the user's scope. */
let db: TestDb;
let server: Server;
let url: string;
const users: Record<string, SessionUser> = {};

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  await makeAccountsWithPosts(db.ds, [
    { unit: 'gov3501', handle: 'fz-fb', name: '福州发布', platform: Platform.WECHAT, posts: [bj(daysBefore(20), '23:30:00')] },
    { unit: 'gov3502', handle: 'xm-fb', name: '=厦门发布', platform: Platform.WEIBO, posts: [bj(daysBefore(1))] },
  ]);
  const gql = await createGraphqlHarness(db.ds, db.config);
  await gql.exec(`mutation { runDetection(asOf: "${D}") { id } }`);
  await gql.stop();
  const [fz] = await db.ds.query(`SELECT id, path FROM units WHERE code = 'gov3501'`);
  users.city = { id: 0, username: 'test-admin', role: 'PLANNER', unitId: fz.id, unitPath: fz.path };
  users.admin = { id: 0, username: 'test-admin', role: 'ADMIN', unitId: null, unitPath: null };
  const app = express();
  app.use(exportsRouter(db.ds, db.config, async (req) => users[req.get('x-user') ?? ''] ?? null));
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await db?.close();
});

async function sheetOf(path: string, who: string) {
  const res = await fetch(`${url}${path}`, { headers: { 'x-user': who } });
  expect(res.status).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const rows: unknown[][] = [];
  ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return { name: ws.name, rows };
}

describe('xlsx exports', () => {
  it('accounts: Chinese headers, Beijing times, only the user scope, formulas neutralised', async () => {
    const city = await sheetOf('/api/export/accounts.xlsx', 'city');
    expect(city.name).toBe('账号清单');
    expect(city.rows[0]).toEqual(['平台', '账号标识', '账号名称', '主办单位', '类型', '状态', '备案编号', '备案状态', '开设日期', '注销日期', '粉丝数', '发布数', '最近发布（北京时间）']);
    expect(city.rows).toHaveLength(2);
    expect(city.rows[1].slice(0, 6)).toEqual(['微信公众号', 'fz-fb', '福州发布', '福州市人民政府', '发布类', '正常']);
    expect(city.rows[1][12]).toBe(`${daysBefore(20)} 23:30:00`);
    const all = await sheetOf('/api/export/accounts.xlsx', 'admin');
    expect(all.rows.map((r) => r[2])).toEqual(['账号名称', '福州发布', "'=厦门发布"]);
  });

  it('findings with their Chinese summary; audit for auditors and administrators only', async () => {
    const f = await sheetOf('/api/export/findings.xlsx', 'city');
    expect(f.rows[0][0]).toBe('规则');
    expect(f.rows.slice(1).map((r) => r[0])).toContain('两周未更新（否决项）');
    expect(f.rows.slice(1).every((r) => r[3] === '福州市人民政府')).toBe(true);
    expect((await fetch(`${url}/api/export/audit.xlsx`, { headers: { 'x-user': 'city' } })).status).toBe(403);
    expect((await fetch(`${url}/api/export/audit.xlsx`)).status).toBe(401);
    const audit = await sheetOf('/api/export/audit.xlsx', 'admin');
    expect(audit.rows[0]).toEqual(['时间（北京时间）', '操作人', '角色', '操作', '对象类型', '对象编号', '说明']);
    expect(audit.rows.slice(1).map((r) => r[3])).toContain('DETECTION_RUN');
  });

  it('formats times in Beijing time', () => {
    expect(beijingTime('2024-06-30T16:00:00Z')).toBe('2024-07-01 00:00:00');
    expect(beijingTime(null)).toBe('');
  });
});
