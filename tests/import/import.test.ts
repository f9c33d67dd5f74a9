import { createSystemContext } from '../../server/kernel/context';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDirectory, importFiles, type ImportResult } from '../../server/import/import.service';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeAccounts, makeUnits } from '../support/factories';
import type { SessionUser } from '../../server/kernel/context';

const FIXTURES = path.join(__dirname, 'fixtures');
const GOOD = path.join(FIXTURES, 'good');
const BAD = path.join(FIXTURES, 'bad');

const user = (role: string): SessionUser => ({ id: 1, username: role.toLowerCase(), role, unitId: null, unitPath: null });
const ADMIN = user('ADMIN');

const TABLES = ['units', 'accounts', 'services', 'posts', 'messages', 'account_status_history'];

/** Row count and an md5 over every row of each table: "byte for byte as before". */
async function snapshot(db: TestDb): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const [r] = await db.ds.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x.id), '')) AS h FROM ${t} x`);
    out[t] = `${r.n}:${r.h}`;
  }
  return out;
}

const count = async (db: TestDb, table: string) => Number((await db.ds.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
const lines = (r: ImportResult) => r.errors.map((e) => `${e.file}:${e.line}: ${e.column}`);
const counts = (r: ImportResult) => Object.fromEntries(r.counts.map((c) => [c.file, [c.rows, c.inserted, c.updated, c.unchanged]]));

describe('CSV import: a good folder', () => {
  let db: TestDb;
  beforeAll(async () => { db = await createTestDb(); });
  afterAll(async () => { await db.close(); });

  it('imports every file with the right counts', async () => {
    const r = await importDirectory(createSystemContext(db.ds), GOOD);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(counts(r)).toEqual({
      'units.csv': [7, 7, 0, 0],
      'accounts.csv': [7, 7, 0, 0],
      'services.csv': [4, 4, 0, 0],
      'posts.csv': [6, 6, 0, 0],
      'messages.csv': [3, 3, 0, 0],
    });
    expect(r.statusChanges).toBe(7);
    expect(await count(db, 'account_status_history')).toBe(7);
    const [h] = await db.ds.query(`SELECT count(*)::int AS n FROM account_status_history WHERE source = 'import' AND from_status IS NULL`);
    expect(h.n).toBe(7);
  });

  it('builds the unit tree (paths, region paths, supervisors)', async () => {
    const rows: { code: string; path: string; depth: number; region_path: string; parent: string | null; sup: string | null }[] = await db.ds.query(`
      SELECT u.code, u.path, u.depth, u.region_path, p.code AS parent, s.code AS sup
        FROM units u LEFT JOIN units p ON p.id = u.parent_id LEFT JOIN units s ON s.id = u.supervisor_id ORDER BY u.code`);
    const byCode = Object.fromEntries(rows.map((r) => [r.code, r]));
    expect(byCode['GL-MEDIA'].depth).toBe(3);
    expect(byCode['GL-MEDIA'].parent).toBe('GL-GOV');
    expect(byCode['GL-MEDIA'].region_path).toBe('/0/35/3501/350102/');
    expect(byCode['FZ-PSB'].sup).toBe('FZ-GOV-OFFICE');
    const ids: Record<string, number> = Object.fromEntries((await db.ds.query(`SELECT code, id FROM units`)).map((r: { code: string; id: number }) => [r.code, r.id]));
    expect(byCode['GL-MEDIA'].path).toBe(`/${ids['FJ-GOV']}/${ids['FZ-GOV']}/${ids['GL-GOV']}/${ids['GL-MEDIA']}/`);
  });

  it('reads times: no offset means Asia/Shanghai, bare dates are midnight there, Z and offsets are honoured', async () => {
    const rows: { title: string; t: string }[] = await db.ds.query(`
      SELECT title, to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS t FROM posts ORDER BY id`);
    const t = Object.fromEntries(rows.map((r) => [r.title, r.t]));
    expect(t['福建省召开全省数字政府建设推进会']).toBe('2024-06-29T16:00:00.000000'); // 2024-06-30 (Shanghai midnight)
    expect(t['标题里有逗号,和"引号"']).toBe('2024-06-29T01:30:00.000000'); // 09:30 without offset
    expect(t['多行\n标题']).toBe('2024-06-28T01:30:00.000000'); // explicit +08:00, multi-line quoted title
    expect(t['福建发布微博']).toBe('2024-06-30T01:00:00.000000'); // Z
    expect(t['福州发布：夏季用电提示']).toBe('2024-07-01T00:00:00.000000'); // space separator, no seconds
    expect(t['鼓楼区工作周报']).toBe('2023-01-02T02:00:00.123456'); // microseconds kept
    const [m] = await db.ds.query(`SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS r FROM messages m JOIN accounts a ON a.id = m.account_id WHERE a.handle = 'fzfb'`);
    expect(m.r).toBe('2024-06-02 16:00');
  });

  it('reads booleans (true/false, yes/no, 是/否, any case), empty filing numbers and empty dates', async () => {
    const rows: { k: string; interaction_enabled: boolean; is_main: boolean; filing_no: string | null; opened_on: string | null }[] = await db.ds.query(`
      SELECT platform || ':' || handle AS k, interaction_enabled, is_main, filing_no, to_char(opened_on, 'YYYY-MM-DD') AS opened_on FROM accounts`);
    const a = Object.fromEntries(rows.map((r) => [r.k, r]));
    expect(a['weibo:fjfb']).toMatchObject({ interaction_enabled: true, is_main: true }); // yes, 是
    expect(a['wechat:fzfb']).toMatchObject({ interaction_enabled: true, is_main: true }); // 是, true
    expect(a['wechat:pafz']).toMatchObject({ interaction_enabled: false, is_main: false }); // 否, false
    expect(a['wechat:fzgaj']).toMatchObject({ interaction_enabled: false, is_main: false, opened_on: '2016-02-29' }); // no
    expect(a['wechat:glfb']).toMatchObject({ interaction_enabled: true, opened_on: null }); // TRUE
    expect(a['douyin:pafz'].filing_no).toBeNull();
    expect(a['wechat:fjfb'].filing_no).toBe('闽备2018001');
  });

  it('keeps the post rollups of the affected accounts', async () => {
    const [r] = await db.ds.query(`SELECT post_count, to_char(last_post_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS last FROM accounts WHERE platform = 'wechat' AND handle = 'fjfb'`);
    expect(r).toEqual({ post_count: 3, last: '2024-06-29 16:00' });
    const [z] = await db.ds.query(`SELECT post_count, last_post_at FROM accounts WHERE platform = 'wechat' AND handle = 'pafz'`);
    expect(z).toEqual({ post_count: 0, last_post_at: null });
  });

  it('changes nothing when the same files are imported again', async () => {
    const before = await snapshot(db);
    const r = await importDirectory(createSystemContext(db.ds), GOOD);
    expect(r.ok).toBe(true);
    expect(counts(r)).toEqual({
      'units.csv': [7, 0, 0, 7],
      'accounts.csv': [7, 0, 0, 7],
      'services.csv': [4, 0, 0, 4],
      'posts.csv': [6, 0, 0, 6],
      'messages.csv': [3, 0, 0, 3],
    });
    expect(r.statusChanges).toBe(0);
    expect(await snapshot(db)).toEqual(before);
  });

  it('updates only rows whose values differ and records status changes', async () => {
    const r = await importFiles(createSystemContext(db.ds), [
      {
        name: 'accounts.csv',
        content: 'platform,handle,name,unit_code,type,status,followers\n'
          + 'wechat,fjfb,福建发布,FJ-GOV,publishing,suspended,1250000\n' // status changes
          + 'weibo,fjfb,福建发布,FJ-GOV,publishing,active,3300000\n' // followers change
          + 'wechat,fzfb,福州发布,FZ-GOV,both,active,560000\n', // same
      },
      { name: 'posts.csv', content: 'platform,handle,published_at,title,original,reads\nwechat,fjfb,2024-06-30,福建省召开全省数字政府建设推进会,true,20000\n' },
    ]);
    expect(r.errors).toEqual([]);
    expect(counts(r)).toEqual({ 'accounts.csv': [3, 0, 2, 1], 'posts.csv': [1, 0, 1, 0] });
    expect(r.statusChanges).toBe(1);
    const hist = await db.ds.query(`
      SELECT h.from_status, h.to_status, h.source FROM account_status_history h JOIN accounts a ON a.id = h.account_id
       WHERE a.platform = 'wechat' AND a.handle = 'fjfb' ORDER BY h.id`);
    expect(hist).toEqual([
      { from_status: null, to_status: 'active', source: 'import' },
      { from_status: 'active', to_status: 'suspended', source: 'import' },
    ]);
    // Columns left out of the header keep their stored values.
    const [a] = await db.ds.query(`SELECT filing_no, is_main FROM accounts WHERE platform = 'wechat' AND handle = 'fjfb'`);
    expect(a).toEqual({ filing_no: '闽备2018001', is_main: true });
  });
});

describe('CSV import: bad input writes nothing', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    await importDirectory(createSystemContext(db.ds), GOOD);
  });
  afterAll(async () => { await db.close(); });

  const EXPECTED = [
    'notes.txt:0: -',
    'units.csv:3: parent_code',
    'units.csv:4: parent_code',
    'units.csv:5: kind',
    'units.csv:5: region_code',
    'units.csv:6: code',
    'units.csv:7: supervisor_code',
    'accounts.csv:3: platform',
    'accounts.csv:4: opened_on',
    'accounts.csv:4: followers',
    'accounts.csv:4: interaction_enabled',
    'accounts.csv:5: unit_code',
    'services.csv:1: owner',
    'posts.csv:3: title',
    'posts.csv:4: handle',
    'posts.csv:5: published_at',
    'posts.csv:5: reads',
    'messages.csv:2: replied_at',
  ];

  it('lists every problem of every file with file, line and column, and leaves the database as it was', async () => {
    const before = await snapshot(db);
    const r = await importDirectory(createSystemContext(db.ds), BAD);
    expect(r.ok).toBe(false);
    expect(lines(r)).toEqual(EXPECTED);
    expect(r.errorCount).toBe(EXPECTED.length);
    expect(r.counts).toEqual([]);
    const msg = (l: string) => r.errors.find((e) => `${e.file}:${e.line}: ${e.column}` === l)!.message;
    expect(msg('units.csv:5: kind')).toBe('“bureau”不是有效的单位类型，可选值：government、department、institution、media_center、internal');
    expect(msg('units.csv:3: parent_code')).toContain('循环');
    expect(msg('units.csv:6: code')).toBe('单位代码（X-ROOT）与第 2 行重复');
    expect(msg('accounts.csv:3: platform')).toContain('可选值：wechat、weibo、douyin');
    expect(msg('accounts.csv:4: followers')).toBe('不能为负数：-5');
    expect(msg('accounts.csv:4: opened_on')).toContain('2023 年 2 月没有 30 日');
    expect(msg('accounts.csv:5: unit_code')).toContain('NO-UNIT 不存在');
    expect(msg('posts.csv:4: handle')).toContain('wechat:nobody 不存在');
    expect(msg('services.csv:1: owner')).toContain('未知的列');
    expect(msg('messages.csv:2: replied_at')).toBe('回复时间早于收到时间');
    expect(await snapshot(db)).toEqual(before);
  });

  it('returns the same problems from the GraphQL mutation, writes nothing', async () => {
    const before = await snapshot(db);
    const files = fs.readdirSync(BAD).map((name) => ({ name, content: fs.readFileSync(path.join(BAD, name), 'utf8') }));
    const gql = await createGraphqlHarness(db.ds, db.config);
    const res = await gql.exec(`mutation ($files: [CsvFileInput!]!) {
      importCsv(files: $files) { ok dryRun errorCount errors { file line column message } counts { file } } }`, { files }, ADMIN);
    await gql.stop();
    expect(res.errors).toBeUndefined();
    const out = res.data!.importCsv;
    expect(out.ok).toBe(false);
    expect(out.counts).toEqual([]);
    const direct = await importDirectory(createSystemContext(db.ds), BAD);
    expect(out.errors).toEqual(direct.errors);
    expect(out.errors.map((e: { file: string; line: number; column: string }) => `${e.file}:${e.line}: ${e.column}`)).toEqual(EXPECTED);
    expect(await snapshot(db)).toEqual(before);
  });

  it('rejects a bad row in a later file even when the earlier files are fine (all or nothing)', async () => {
    const before = await snapshot(db);
    const r = await importFiles(createSystemContext(db.ds), [
      { name: 'units.csv', content: 'code,name,kind,level\nNEW-1,新单位,government,county\n' },
      { name: 'accounts.csv', content: 'platform,handle,name,unit_code,type,status\nwechat,new1,新账号,NEW-1,publishing,active\n' },
      { name: 'posts.csv', content: 'platform,handle,published_at,title,original,reads\nwechat,new1,2024-01-01,标题,true,abc\n' },
    ]);
    expect(lines(r)).toEqual(['posts.csv:2: reads']);
    expect(r.errors[0].message).toBe('“abc”不是有效的整数');
    expect(await snapshot(db)).toEqual(before);
  });
});

describe('CSV import: format rules', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
    await makeUnits(db.ds, [
      { code: 'P', name: '省政府', region: '35' },
      { code: 'C', name: '市政府', parent: 'P', region: '3501' },
      { code: 'D', name: '区政府', parent: 'C', region: '350102' },
    ]);
    await makeAccounts(db.ds, [{ unit: 'C', handle: 'city' }]);
  });
  afterAll(async () => { await db.close(); });

  it('accepts references to rows already in the database', async () => {
    const r = await importFiles(createSystemContext(db.ds), [
      { name: 'units.csv', content: 'code,name,kind,level,parent_code,region_code,supervisor_code\nD2,区公安分局,department,county,D,350102,C\n' },
      { name: 'accounts.csv', content: 'platform,handle,name,unit_code,type,status\nwechat,d2,平安鼓楼,D,publishing,active\n' },
      { name: 'posts.csv', content: 'platform,handle,published_at,title,original,reads\nwechat,city,2024-05-01T08:00:00,市里的内容,true,10\n' },
      { name: 'services.csv', content: 'platform,handle,name\nwechat,city,违章查询\n' },
      { name: 'messages.csv', content: 'platform,handle,received_at\nwechat,city,2024-05-02T08:00:00+08:00\n' },
    ]);
    expect(r.errors).toEqual([]);
    expect(counts(r)).toEqual({
      'units.csv': [1, 1, 0, 0],
      'accounts.csv': [1, 1, 0, 0],
      'services.csv': [1, 1, 0, 0],
      'posts.csv': [1, 1, 0, 0],
      'messages.csv': [1, 1, 0, 0],
    });
    const [u] = await db.ds.query(`SELECT u.depth, p.code AS parent, s.code AS sup FROM units u JOIN units p ON p.id = u.parent_id JOIN units s ON s.id = u.supervisor_id WHERE u.code = 'D2'`);
    expect(u).toEqual({ depth: 3, parent: 'D', sup: 'C' });
    const [a] = await db.ds.query(`SELECT post_count FROM accounts WHERE handle = 'city'`);
    expect(a.post_count).toBe(1);
  });

  it('accepts columns in any order, a BOM and Windows line endings', async () => {
    const content = '\uFEFFreads,title,original,handle,platform,published_at\r\n5,"换行\r\n标题",否,city,WeChat,2024-05-03\r\n7,另一篇,是,city,wechat,2024-05-04\r\n';
    const r = await importFiles(createSystemContext(db.ds), [{ name: 'posts.csv', content }]);
    expect(r.errors).toEqual([]);
    expect(counts(r)).toEqual({ 'posts.csv': [2, 2, 0, 0] });
    const rows = await db.ds.query(`SELECT title, original, reads FROM posts WHERE title IN ('换行\n标题', '另一篇') ORDER BY reads`);
    expect(rows).toEqual([{ title: '换行\n标题', original: false, reads: 5 }, { title: '另一篇', original: true, reads: 7 }]);
  });

  it('counts physical lines (header = 1) across multi-line fields and blank lines', async () => {
    const content = 'platform,handle,published_at,title,original,reads\r\n\r\nwechat,city,2024-05-05,"一\r\n二\r\n三",true,1\r\nwechat,city,2024-05-06,坏,true,-3\r\n';
    const r = await importFiles(createSystemContext(db.ds), [{ name: 'posts.csv', content: Buffer.from(content, 'utf8') }]);
    expect(r.errors).toEqual([{ file: 'posts.csv', line: 6, column: 'reads', message: '不能为负数：-3' }]);
  });

  it('rejects extra, unknown, duplicate and missing columns', async () => {
    const r = await importFiles(createSystemContext(db.ds), [
      { name: 'services.csv', content: 'platform,handle,name,category,remark\nwechat,city,查询,查询,备注\n' },
      { name: 'messages.csv', content: 'platform,received_at,received_at\nwechat,2024-01-01,2024-01-01\n' },
    ]);
    expect(r.errors).toEqual([
      { file: 'services.csv', line: 1, column: 'remark', message: '未知的列；services.csv 允许的列：platform,handle,name,category' },
      { file: 'messages.csv', line: 1, column: 'handle', message: '缺少必需的列' },
      { file: 'messages.csv', line: 1, column: 'received_at', message: '列名重复（第 2 列与第 3 列）' },
    ]);
  });

  it('rejects a parent cycle, also one that runs through units already in the database', async () => {
    const inFile = await importFiles(createSystemContext(db.ds), [{ name: 'units.csv', content: 'code,name,kind,level,parent_code\nA,甲,department,county,B\nB,乙,department,county,A\nS,自己,department,county,S\n' }]);
    expect(lines(inFile)).toEqual(['units.csv:2: parent_code', 'units.csv:3: parent_code', 'units.csv:4: parent_code']);
    const viaDb = await importFiles(createSystemContext(db.ds), [{ name: 'units.csv', content: 'code,name,kind,level,parent_code\nP,省政府,government,province,D\n' }]);
    expect(lines(viaDb)).toEqual(['units.csv:2: parent_code']);
    expect(viaDb.errors[0].message).toContain('循环');
    const [p] = await db.ds.query(`SELECT parent_id FROM units WHERE code = 'P'`);
    expect(p.parent_id).toBeNull();
  });

  it('rejects bad values: enums, too-long text, negative numbers, bad dates, bad booleans, empty required cells', async () => {
    const r = await importFiles(createSystemContext(db.ds), [{
      name: 'accounts.csv',
      content: 'platform,handle,name,unit_code,type,status,opened_on,followers,is_main\n'
        + `wechat,x1,${'长'.repeat(201)},C,publishing,active,2024-06-31,10,true\n`
        + 'wechat,x2,名称,C,official,gone,2024-06-30,1.5,maybe\n'
        + 'wechat,x3,,C,publishing,active,,99999999999,\n',
    }]);
    expect(r.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [2, 'name', '过长：201 个字符，最多 200 个'],
      [2, 'opened_on', '日期“2024-06-31”无效：2024 年 6 月没有 31 日'],
      [3, 'type', '“official”不是有效的账号类型，可选值：publishing、service、both'],
      [3, 'status', '“gone”不是有效的账号状态，可选值：active、suspended、closed'],
      [3, 'followers', '“1.5”不是有效的整数'],
      [3, 'is_main', '“maybe”不是有效的是/否值，应为 true/false、yes/no 或 是/否'],
      [4, 'name', '不能为空'],
      [4, 'followers', '数值过大：99999999999，最大 2147483647'],
    ]);
  });

  it('rejects unknown file names, duplicate files, files that are not UTF-8 and empty files', async () => {
    const gbk = Buffer.from([...Buffer.from('platform,handle,name\nwechat,city,'), 0xb2, 0xe9, 0xd1, 0xaf, 0x0a]); // "查询" in GBK
    const r = await importFiles(createSystemContext(db.ds), [
      { name: 'unit.csv', content: 'code\n' },
      { name: 'posts.csv', content: '' },
      { name: 'posts.csv', content: '' },
      { name: 'services.csv', content: gbk },
    ]);
    expect(r.errors).toEqual([
      { file: 'unit.csv', line: 0, column: '-', message: '不认识的文件名；只接受 units.csv、accounts.csv、services.csv、posts.csv、messages.csv' },
      { file: 'services.csv', line: 2, column: '-', message: '文件不是 UTF-8 编码（可能是 GBK/GB18030），请另存为 UTF-8 后再导入' },
      { file: 'posts.csv', line: 0, column: '-', message: '同名文件提供了不止一次' },
      { file: 'posts.csv', line: 1, column: '-', message: '文件为空：缺少表头行' },
    ]);
  });

  it('dry run validates and counts but writes nothing', async () => {
    const before = await snapshot(db);
    const r = await importDirectory(createSystemContext(db.ds), GOOD, { dryRun: true });
    expect(r.ok).toBe(true);
    expect(r.dryRun).toBe(true);
    expect(counts(r)['units.csv']).toEqual([7, 7, 0, 0]);
    expect(await snapshot(db)).toEqual(before);
    const gql = await createGraphqlHarness(db.ds, db.config);
    const files = fs.readdirSync(GOOD).map((name) => ({ name, content: fs.readFileSync(path.join(GOOD, name), 'utf8') }));
    const res = await gql.exec(`mutation ($files: [CsvFileInput!]!) { importCsv(files: $files, dryRun: true) { ok dryRun counts { file rows inserted } } }`, { files }, user('PLANNER'));
    await gql.stop();
    expect(res.errors).toBeUndefined();
    expect(res.data!.importCsv.ok).toBe(true);
    expect(res.data!.importCsv.dryRun).toBe(true);
    expect(res.data!.importCsv.counts).toContainEqual({ file: 'posts.csv', rows: 6, inserted: 6 });
    expect(await snapshot(db)).toEqual(before);
  });

  it('imports through the GraphQL mutation', async () => {
    const gql = await createGraphqlHarness(db.ds, db.config);
    const res = await gql.exec(`mutation ($files: [CsvFileInput!]!) { importCsv(files: $files) { ok errors { message } counts { file rows inserted updated unchanged } } }`,
      { files: [{ name: 'services.csv', content: 'platform,handle,name,category\nwechat,city,违章查询,查询\nwechat,city,社保,查询\n' }] }, ADMIN);
    await gql.stop();
    expect(res.errors).toBeUndefined();
    expect(res.data!.importCsv).toEqual({ ok: true, errors: [], counts: [{ file: 'services.csv', rows: 2, inserted: 1, updated: 1, unchanged: 0 }] });
  });

  it('is for administrators and planners only', async () => {
    const before = await snapshot(db);
    const gql = await createGraphqlHarness(db.ds, db.config);
    const q = `mutation ($files: [CsvFileInput!]!) { importCsv(files: $files) { ok } }`;
    const files = [{ name: 'services.csv', content: 'platform,handle,name\nwechat,city,新服务\n' }];
    const anonymous = await gql.exec(q, { files }, null);
    const approver = await gql.exec(q, { files }, user('APPROVER'));
    const auditor = await gql.exec(q, { files }, user('AUDITOR'));
    await gql.stop();
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(approver.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(auditor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot(db)).toEqual(before);
  });
});
