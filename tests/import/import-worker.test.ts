import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { importDirectory, importFiles, type ImportResult } from '../../server/import/import.service';
import { createTestDb, type TestDb } from '../support/db';
import { sqlScope, type SqlScope } from '../../server/db/sql-counter';

/**
 * Parsing in worker threads (server/import/csv-worker.ts) gives exactly the in-thread results: the same problems with
 * the same file:line: column, the same counts; posts loaded into an empty table get their indexes and statistics back
 * (the empty-table path drops and rebuilds the secondary indexes), and the months they fall in get partitions; an
 * import analyses only the tables it changed by a tenth or more.
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const strip = (r: ImportResult) => ({ ...r, elapsedMs: 0 });

describe('CSV import in worker threads', () => {
  let db: TestDb;
  beforeAll(async () => { db = await createTestDb(); });
  afterAll(async () => { await db?.close(); });

  it('a bad folder: the same problems, line for line, as parsing on the calling thread', async () => {
    const ctx = createSystemContext(db.ds);
    const inThread = await importDirectory(ctx, path.join(FIXTURES, 'bad'), { workerMinBytes: Number.MAX_SAFE_INTEGER });
    const inWorker = await importDirectory(ctx, path.join(FIXTURES, 'bad'), { workerMinBytes: 0 });
    expect(inThread.ok).toBe(false);
    expect(inThread.errors.length).toBeGreaterThan(5);
    expect(strip(inWorker)).toEqual(strip(inThread));
  });

  it('bad encoding and an unclosed quote are reported at the same lines from a worker', async () => {
    const ctx = createSystemContext(db.ds);
    const gbk = Buffer.concat([Buffer.from('code,name,kind,level\nA,ok,government,province\n'), Buffer.from([0xb2, 0xe2, 0xca, 0xd4]), Buffer.from(',x,government,city\n')]);
    const quote = 'platform,handle,name,unit_code,type,status\nwechat,a,"unclosed,U,publishing,active\nwechat,b,b,U,publishing,active\n';
    const files = [{ name: 'units.csv', content: gbk }, { name: 'accounts.csv', content: quote }];
    const a = await importFiles(ctx, files, { workerMinBytes: Number.MAX_SAFE_INTEGER });
    const b = await importFiles(ctx, files, { workerMinBytes: 0 });
    expect(a.errors.map((e) => `${e.file}:${e.line}`)).toEqual(expect.arrayContaining(['units.csv:3']));
    expect(strip(b)).toEqual(strip(a));
  });

  it('a good folder into empty tables: counts as in-thread, indexes rebuilt, months partitioned, statistics present', async () => {
    const ctx = createSystemContext(db.ds);
    const indexes = async (t: string) => (await db.ds.query(`SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1`, [t]))
      .map((r: { indexname: string }) => r.indexname);
    const before = { posts: await indexes('posts'), messages: await indexes('messages') };
    expect(before.posts).toEqual(expect.arrayContaining(['posts_natural_key', 'posts_pkey', 'posts_with_content']));
    const dry = await importDirectory(ctx, path.join(FIXTURES, 'good'), { dryRun: true, workerMinBytes: Number.MAX_SAFE_INTEGER });
    const marks = async () => (await db.ds.query(`SELECT count(*) FILTER (WHERE unit_id IS NULL)::int AS every, count(unit_id)::int AS units FROM detection_dirty`))[0];
    const marksBefore = await marks();
    // (detect: false — the marks the load leaves, before a detection run evaluates and clears them.)
    const real = await importDirectory(ctx, path.join(FIXTURES, 'good'), { workerMinBytes: 0, detect: false });
    // Detection's marks: the load of the empty tables marked every unit once (their truncation) and no unit one by one;
    // the insert trigger it disabled for the COPY is enabled again.
    expect(await marks()).toEqual({ every: marksBefore.every + 1, units: marksBefore.units });
    const triggers = await db.ds.query(`SELECT tgrelid::regclass::text AS t, tgenabled AS on FROM pg_trigger WHERE tgname = 'detection_dirty_insert'
      AND tgrelid IN ('posts'::regclass, 'messages'::regclass) ORDER BY 1`);
    expect(triggers).toEqual([{ t: 'messages', on: 'O' }, { t: 'posts', on: 'O' }]);
    expect(real.errors).toEqual([]);
    expect(real.counts).toEqual(dry.counts);
    expect(await indexes('posts')).toEqual(before.posts);
    expect(await indexes('messages')).toEqual(before.messages);
    const [{ valid }] = await db.ds.query(`SELECT bool_and(i.indisvalid) AS valid FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indrelid
      WHERE h.inhparent = 'posts'::regclass`);
    expect(valid).toBe(true);
    const [{ misplaced }] = await db.ds.query(`SELECT count(*)::int AS misplaced FROM posts_default`);
    expect(misplaced).toBe(0);
    // ANALYZE ran (analyze_imported): the parent of the partitioned table has statistics.
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM pg_stats WHERE tablename = 'posts' AND attname = 'published_at'`);
    expect(n).toBeGreaterThan(0);
    // A re-import finds nothing to change (the natural key is back and drives the comparison).
    const again = await importDirectory(ctx, path.join(FIXTURES, 'good'), { workerMinBytes: 0 });
    expect(again.counts.map((c) => [c.file, c.inserted, c.updated])).toEqual(again.counts.map((c) => [c.file, 0, 0]));
  });

  it('a file larger than the worker threshold streams through the worker (many chunks, bounded flow)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-import-worker-'));
    try {
      fs.writeFileSync(path.join(dir, 'units.csv'), 'code,name,kind,level,region_code\nW,单位W,government,province,35\n');
      fs.writeFileSync(path.join(dir, 'accounts.csv'), 'platform,handle,name,unit_code,type,status\nwechat,w1,账号,W,publishing,active\n');
      const rows = ['platform,handle,published_at,title,original,reads'];
      for (let i = 0; i < 40_000; i++) rows.push(`wechat,w1,${new Date(Date.UTC(2023, 0, 1) + i * 600_000).toISOString().slice(0, 19)}+08:00,第${i}条通知,true,${i}`);
      rows.push('wechat,w1,2023-13-01,坏日期,true,1');
      fs.writeFileSync(path.join(dir, 'posts.csv'), `${rows.join('\n')}\n`);
      const bad = await importDirectory(createSystemContext(db.ds), dir, { workerMinBytes: 1 << 16 });
      expect(bad.errors.map((e) => `${e.file}:${e.line}: ${e.column}`)).toEqual(['posts.csv:40002: published_at']);
      fs.writeFileSync(path.join(dir, 'posts.csv'), `${rows.slice(0, -1).join('\n')}\n`);
      const ok = await importDirectory(createSystemContext(db.ds), dir, { workerMinBytes: 1 << 16 });
      expect(ok.counts.find((c) => c.file === 'posts.csv')).toMatchObject({ rows: 40_000, inserted: 40_000 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('an import analyses only the tables it changed by a tenth of their rows or more (autovacuum sees to the rest)', async () => {
    // Runs after the test above: unit W, account w1 and its 40,000 posts of 2023 are in the table (and analysed).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-import-analyze-'));
    try {
      const run = async (n: number, from: number) => {
        const rows = ['platform,handle,published_at,title,original,reads'];
        for (let i = from; i < from + n; i++) rows.push(`wechat,w1,${new Date(Date.UTC(2024, 0, 1) + i * 600_000).toISOString().slice(0, 19)}+08:00,第${i}条动态,true,${i}`);
        fs.writeFileSync(path.join(dir, 'posts.csv'), `${rows.join('\n')}\n`);
        const scope: SqlScope = { statements: 0, log: [] };
        // (detect: false — the marks the import leaves, before a detection run evaluates and clears them.)
        const r = await sqlScope.run(scope, () => importDirectory(createSystemContext(db.ds), dir, { detect: false }));
        expect(r.errors).toEqual([]);
        expect(r.counts.find((c) => c.file === 'posts.csv')).toMatchObject({ inserted: n });
        return scope.log!.filter((q) => q.includes('analyze_imported')).length;
      };
      const [{ n: before }] = await db.ds.query(`SELECT count(*)::int AS n FROM posts`);
      expect(before).toBeGreaterThanOrEqual(40_000);
      // 40 posts into a table of 40,000: no ANALYZE of posts (nor of anything else: posts is the only file).
      const [{ last }] = await db.ds.query(`SELECT COALESCE(max(xid::text::bigint), 0)::text AS last FROM detection_dirty`);
      expect(await run(40, 0)).toBe(0);
      // They mark their account's unit for detection, and only it.
      expect(await db.ds.query(`SELECT DISTINCT unit_id FROM detection_dirty WHERE xid::text::bigint > $1::bigint`, [last]))
        .toEqual(await db.ds.query(`SELECT unit_id FROM accounts WHERE platform = 'wechat' AND handle = 'w1'`));
      // A tenth of the table and more: posts and its maintained months are analysed.
      expect(await run(Math.ceil(before / 10) + 100, 1_000)).toBeGreaterThan(0);
      const [{ estimate }] = await db.ds.query(`SELECT sum(GREATEST(c.reltuples, 0))::int AS estimate FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'posts'::regclass`);
      expect(estimate).toBe(before + 40 + Math.ceil(before / 10) + 100);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an upload in memory goes to the worker in chunks, each with bytes of its own (never the whole upload cloned)', async () => {
    // A chunk is a view of the upload's buffer; cloned, a view carries its whole ArrayBuffer: a 64 KB chunk of a 20 MB
    // upload copied 20 MB on the event loop each time. Each chunk must arrive as its own, transferred bytes.
    const rows = ['platform,handle,published_at,title,original,reads'];
    for (let i = 0; i < 20_000; i++) rows.push(`wechat,w1,${new Date(Date.UTC(2023, 0, 1) + i * 600_000).toISOString().slice(0, 19)}+08:00,第${i}条通知,true,${i}`);
    const content = Buffer.from(`${rows.join('\n')}\n`);
    expect(content.length).toBeGreaterThan(8 * (1 << 16));
    const sent: { bytes: number; backing: number; transferred: boolean }[] = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: any, transfer?: readonly any[]) {
      if (message?.type === 'chunk' && typeof message.data !== 'string') {
        sent.push({ bytes: message.data.byteLength, backing: message.data.buffer.byteLength, transferred: Boolean(transfer?.includes(message.data.buffer)) });
      }
      return post.call(this, message, transfer as any);
    };
    try {
      const result = await importFiles(createSystemContext(db.ds), [{ name: 'posts.csv', content }], { dryRun: true, workerMinBytes: 0 });
      expect(result.counts.find((c) => c.file === 'posts.csv')).toMatchObject({ rows: 20_000 });
    } finally {
      Worker.prototype.postMessage = post;
    }
    expect(sent.length).toBeGreaterThan(8);
    expect(sent.reduce((n, c) => n + c.bytes, 0)).toBe(content.length);
    expect(sent.filter((c) => c.backing !== c.bytes || !c.transferred)).toEqual([]);
  });
});
