import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { decodeCsvBytes } from '../../server/import/file-input';

/** Excel and GBK in: bytes from the browser, the encoding detected on the server, workbooks by sheet. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const UPLOAD = `mutation($files: [UploadFileInput!]!, $dry: Boolean) { importUpload(files: $files, dryRun: $dry) {
  notices result { ok errorCount errors { file line column message } counts { file rows inserted } } } }`;

async function workbook(sheets: Record<string, (string | number | Date)[][]>): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const r of rows) ws.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
}

describe('GBK / GB18030 CSV', () => {
  it('detects the encoding from the bytes', () => {
    expect(decodeCsvBytes(Buffer.from('\uFEFF代码,名称\n', 'utf8'))).toEqual({ text: '代码,名称\n', encoding: 'utf-8' });
    expect(decodeCsvBytes(iconv.encode('代码,名称\n', 'gbk'))).toEqual({ text: '代码,名称\n', encoding: 'gb18030' });
  });

  it('imports a GBK file saved by Excel with a notice, Chinese text intact', async () => {
    const csv = 'code,name,kind,level\nGBK-GOV,福建省人民政府办公厅,government,province\n';
    const res = await gql.exec(UPLOAD, { files: [{ name: 'units.csv', base64: iconv.encode(csv, 'gbk').toString('base64') }] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.importUpload.result.ok).toBe(true);
    expect(res.data!.importUpload.notices).toEqual([expect.stringContaining('units.csv 的编码为 GBK/GB18030')]);
    const [u] = await db.ds.query(`SELECT name FROM units WHERE code = 'GBK-GOV'`);
    expect(u.name).toBe('福建省人民政府办公厅');
  });
});

describe('.xlsx workbooks', () => {
  it('imports the sheets of one workbook (Chinese or English sheet names), dates included', async () => {
    const base64 = await workbook({
      单位: [['code', 'name', 'kind', 'level'], ['XL-GOV', '厦门市人民政府', 'government', 'city']],
      accounts: [['platform', 'handle', 'name', 'unit_code', 'type', 'status', 'opened_on'],
        ['wechat', 'xl-fb', '厦门发布', 'XL-GOV', 'publishing', 'active', new Date(Date.UTC(2021, 2, 4))]],
    });
    const res = await gql.exec(UPLOAD, { files: [{ name: 'registry.xlsx', base64 }] });
    expect(res.errors).toBeUndefined();
    expect(res.data!.importUpload.result).toMatchObject({ ok: true, errorCount: 0 });
    const [a] = await db.ds.query(`SELECT name, opened_on::text FROM accounts WHERE handle = 'xl-fb'`);
    expect(a).toEqual({ name: '厦门发布', opened_on: '2021-03-04' });
  });

  it('reports problems as file:sheet:row: column and writes nothing', async () => {
    const base64 = await workbook({
      accounts: [['platform', 'handle', 'name', 'unit_code', 'type', 'status'],
        ['wechat', 'xl-ok', '厦门旅游', 'XL-GOV', 'publishing', 'active'],
        ['wechat', 'xl-bad', '厦门交通', 'XL-GOV', 'newsletter', 'active']],
    });
    const res = await gql.exec(UPLOAD, { files: [{ name: 'book.xlsx', base64 }] });
    const r = res.data!.importUpload.result;
    expect(r.ok).toBe(false);
    expect(r.errors.map((e: { file: string; line: number; column: string }) => `${e.file}:${e.line}: ${e.column}`)).toEqual(['book.xlsx:accounts:3: type']);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM accounts WHERE handle IN ('xl-ok', 'xl-bad')`);
    expect(n).toBe(0);
    const none = await gql.exec(UPLOAD, { files: [{ name: 'empty.xlsx', base64: await workbook({ Sheet1: [['a']] }) }] });
    expect(none.data!.importUpload.result.errors[0]).toMatchObject({ file: 'empty.xlsx', column: '-' });
  });
});
