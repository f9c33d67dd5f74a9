import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { inject } from 'vitest';
import { to as copyTo } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { createSystemContext } from '../../server/kernel/context';
import { runDetection } from '../../server/detection/detection.service';
import { buildLexicon, type Lexicon } from '../../server/content/lexicon';
import { checkPost } from '../../server/content/matcher';
import { Checker, openScanner, scanSettings, type Found, type ScanResult } from '../../server/content/content-scan';
import { Level, Platform, UnitKind } from '../../server/common/enums';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makeUnits } from '../support/factories';

/**
 * The content scan's checking side (server/content/content-scan.ts): rows arrive as the text of COPY … TO STDOUT and
 * are checked on this thread or in a worker. Both must read every row exactly as PostgreSQL holds it — tabs,
 * newlines, backslashes, NULL against an empty text, characters cut by a chunk's end — and find what checkPost
 * finds on the same row read as a query's result.
 */
const lexicons = new Map<string, Lexicon>([['35', buildLexicon([], '35')], ['11', buildLexicon([], '11')]]);
const texts = [
  '认真学习十九大四中全会精神', '县旅游局\t开展检查', '限时抢购！全场包邮\n扫码领券', '宝宝们求点赞\r\n求转发',
  'C:\\政务\\十九大四中全会', '\\N', '', '😀 县环保局 \u2028 执法', '文化和旅游局\\t联合', '小编哭晕在厕所\\', '\b\f\v控制字符 环保局',
  '工作动态：县委召开专题会议，部署乡村振兴和营商环境优化工作，推动农村长期稳定发展。'.repeat(20),
];
// Row i: a title and a content (NULL every 7th) from the texts, a province, a key with a unit field or none.
const ROWS = `SELECT g::bigint AS id, ('2024-06-01 10:00:00+08'::timestamptz + g * interval '1 minute')::text AS published_at,
    CASE WHEN g % 5 = 0 THEN NULL ELSE md5(g::text)::uuid END AS content_hash, g % 97 AS account_id,
    (t.texts)[1 + g % $1] || g AS title, CASE WHEN g % 7 = 0 THEN NULL ELSE (t.texts)[1 + (g * 3) % $1] END AS content,
    CASE WHEN g % 2 = 0 THEN '35' ELSE '11' END AS prov, CASE WHEN g % 3 = 0 THEN 'k:-' ELSE 'k:agriculture' END AS key
  FROM generate_series(1, $2) g CROSS JOIN (SELECT ARRAY[$3]::text[] AS texts) t`;

let client: Client;
let db: TestDb;

function literalRows(n: number): string {
  return ROWS.replaceAll('$1', String(texts.length)).replace('$2', String(n)).replace('$3', () => texts.map((t) => client.escapeLiteral(t)).join(', '));
}

/** What checkPost finds on the rows read as an ordinary query's result (pg's own parsing). */
async function expected(n: number): Promise<ScanResult['found'] & { scanned: number }> {
  const { rows } = await client.query(literalRows(n));
  const c = new Checker(lexicons);
  const found = c.found;
  for (const r of rows) {
    const field = r.key.slice(r.key.lastIndexOf(':') + 1);
    const k = checkPost(lexicons.get(r.prov)!, r.title, r.content, field === '-' ? null : field);
    if (!k.wrong.length && !k.categories.length) continue;
    found.ids.push(r.id); found.months.push(r.published_at); found.hashes.push(r.content_hash); found.accounts.push(r.account_id);
    found.keys.push(r.key); found.wrong.push(JSON.stringify(k.wrong)); found.markers.push(JSON.stringify(k.markers));
    found.categories.push(JSON.stringify(k.categories)); found.serious.push(k.serious);
  }
  return { ...found, scanned: rows.length };
}

/** The findings in the order of their posts (the workers each return theirs). */
function ordered(found: Found): Found {
  const order = found.ids.map((_, i) => i).sort((a, b) => Number(found.ids[a]) - Number(found.ids[b]) || a - b);
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, order.map((i) => (v as unknown[])[i])])) as unknown as Found;
}

async function scan(n: number, inWorker: boolean, streams = 1): Promise<ScanResult> {
  const scanner = openScanner(lexicons, inWorker);
  // Several streams into one scanner (a run's groups of accounts): each its own COPY.
  for (let i = 0; i < streams; i++) await scanner.consume(client.query(copyTo(`COPY (${literalRows(n)}) TO STDOUT`)));
  const r = await scanner.finish();
  return { ...r, found: ordered(r.found) };
}

beforeAll(async () => {
  client = new Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  // The texts come back from the rows' SQL exactly.
  const { rows: [{ t }] } = await client.query(`SELECT ARRAY[${texts.map((x) => client.escapeLiteral(x)).join(', ')}]::text[] AS t`);
  expect(t).toEqual(texts);
}, 60_000);

afterAll(async () => {
  await client?.end();
  await db?.close();
  scanSettings.workerMinAccounts = 20_000;
});

describe('content scan from COPY text', () => {
  it('reads every row as a query does and finds what checkPost finds, on this thread and in a worker', async () => {
    const n = 30_000; // several batches for each worker: rows and multi-byte characters cut by the stream's chunks
    const want = await expected(n);
    expect(want.ids.length).toBeGreaterThan(5_000);
    expect(new Set(want.wrong.flatMap((w) => JSON.parse(w).map((h: { term: string }) => h.term)))).toEqual(new Set(['十九大四中全会', '旅游局', '环保局']));
    const { scanned, ...found } = want;
    expect(scanned).toBe(n);
    for (const inWorker of [false, true]) {
      const got = await scan(n, inWorker);
      expect(got.scanned).toBe(n);
      expect(got.found).toEqual(found);
    }
    // The same bytes in chunks of any size (not a row each, as a COPY stream gives them): batches cut after their last
    // complete row, the rest carried over.
    const bytes = Buffer.concat(await Readable.from(client.query(copyTo(`COPY (${literalRows(n)}) TO STDOUT`))).toArray());
    let seed = 7;
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length;) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const len = 1 + (seed % (3 << 20));
      chunks.push(bytes.subarray(at, at + len));
      at += len;
    }
    expect(chunks.length).toBeGreaterThan(3);
    const scanner = openScanner(lexicons, true);
    await scanner.consume(Readable.from(chunks));
    const got = await scanner.finish();
    expect(got.scanned).toBe(n);
    expect(ordered(got.found)).toEqual(found);
  }, 120_000);

  it('several streams into one scanner add up', async () => {
    const one = await expected(500);
    for (const inWorker of [false, true]) {
      const got = await scan(500, inWorker, 3);
      expect(got.scanned).toBe(1500);
      expect(got.found.ids).toEqual(one.ids.flatMap((id) => [id, id, id]));
    }
  }, 60_000);

  it('any chunking gives the same rows (byte by byte, a last row without its newline)', async () => {
    const stream = client.query(copyTo(`COPY (${literalRows(300)}) TO STDOUT`));
    const bytes = Buffer.concat(await Readable.from(stream).toArray());
    const whole = new Checker(lexicons);
    whole.push(bytes);
    whole.end();
    const byByte = new Checker(lexicons);
    for (let i = 0; i < bytes.length; i++) byByte.push(bytes.subarray(i, i + 1));
    byByte.end();
    const noNewline = new Checker(lexicons);
    noNewline.push(bytes.subarray(0, bytes.length - 1));
    noNewline.end();
    expect(whole.scanned).toBe(300);
    expect(byByte.found).toEqual(whole.found);
    expect(noNewline.found).toEqual(whole.found);
    expect(noNewline.scanned).toBe(300);
    expect(whole.found).toEqual((({ scanned: _s, ...f }) => f)(await expected(300)));
  }, 60_000);

  it('a scan that fails reads the rest of its COPY: the connection stays usable', async () => {
    for (const inWorker of [false, true]) {
      const scanner = openScanner(lexicons, inWorker);
      // Nine columns: the first row already fails, with megabytes still to come.
      const copy = client.query(copyTo(`COPY (SELECT r.*, 'x' FROM (${literalRows(20_000)}) r) TO STDOUT`));
      await expect((async () => { await scanner.consume(copy); return scanner.finish(); })()).rejects.toThrow(/9 fields/);
      await scanner.abort();
      const { rows: [{ one }] } = await client.query(`SELECT 1 AS one`);
      expect(one).toBe(1);
    }
  }, 60_000);

  it('a row it cannot read fails the scan (worker and this thread), naming no internals', async () => {
    for (const inWorker of [false, true]) {
      const scanner = openScanner(lexicons, inWorker);
      const bad = Readable.from([Buffer.from('1\t2024-06-01\tx\n')]);
      await expect((async () => { await scanner.consume(bad); return scanner.finish(); })()).rejects.toThrow(/3 fields/);
      await scanner.abort();
    }
  }, 30_000);
});

describe('detection with the scan in a worker', () => {
  it('finds exactly what the scan on this thread finds', async () => {
    db = await createTestDb();
    await makeUnits(db.ds, [
      { code: 'gov', name: '某县人民政府办公室', level: Level.COUNTY, region: '35' },
      { code: 'ny', name: '某县农业农村局', kind: UnitKind.DEPARTMENT, parent: 'gov', region: '35' },
    ]);
    const ids = await makeAccounts(db.ds, [{ unit: 'gov', handle: 'gov' }, { unit: 'ny', handle: 'ny' }, { unit: 'ny', handle: 'ny2', platform: Platform.WEIBO }]);
    const posts: [string, string, string, string | null][] = [
      ['gov', '2024-06-20', '认真学习十九大四中全会精神', '县人大常委会主任出席。'],
      ['ny', '2024-06-22', '限时抢购！全场包邮', '本地蜜柚秒杀，扫码领券。'],
      ['ny', '2024-06-23', '小编哭晕在厕所', '宝宝们求点赞，求转发！'],
      ['gov', '2024-06-27', '县旅游局开展检查', '县文化和旅游局\t同步推进。\n第二段 \\ 完'],
      ['ny2', '2024-06-24', '宝宝们求转发', '求点赞！限时抢购，扫码领券。'],
      ['ny2', '2024-06-25', '工作动态', null],
    ];
    for (const [a, day, title, content] of posts) {
      await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads, content) VALUES ($1, $2, $3, true, 800, $4)`,
        [ids[a], `${day}T10:00:00+08:00`, title, content]);
    }
    const findings = () => db.ds.query(`SELECT subject_key, rule, evidence FROM findings
      WHERE rule IN ('WRONG_EXPRESSION_SERIOUS', 'WRONG_EXPRESSION', 'OFF_MISSION') AND status = 'open' ORDER BY subject_key`);
    const checks = () => db.ds.query(`SELECT post_id::int, wrong, markers, categories, serious FROM post_content_checks ORDER BY post_id`);
    const reset = () => db.ds.query(`DELETE FROM content_scan_state; DELETE FROM content_clean_hashes; DELETE FROM post_content_checks;
      DELETE FROM finding_accounts; DELETE FROM findings`);
    const run = () => runDetection(createSystemContext(db.ds), { asOf: '2024-06-30' });
    scanSettings.workerMinAccounts = 20_000;
    await run();
    const local = { findings: await findings(), checks: await checks() };
    expect(local.findings.map((f: { rule: string }) => f.rule).sort()).toEqual(['OFF_MISSION', 'WRONG_EXPRESSION', 'WRONG_EXPRESSION_SERIOUS']);
    await reset();
    scanSettings.workerMinAccounts = 0;
    await run();
    expect({ findings: await findings(), checks: await checks() }).toEqual(local);
  }, 120_000);
});
