import { createSystemContext } from '../../server/kernel/context';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDirectory } from '../../server/import/import.service';
import { createTestDb, type TestDb } from '../support/db';

/**
 * Import benchmark: 1,000,000 posts for 2,000 accounts (101 units), written to disk and imported with
 * `importDirectory`, then imported again (nothing changes). Skipped unless BENCH=1 (it takes ~half a minute):
 *
 *   BENCH=1 npx vitest run tests/bench/import-bench.test.ts
 *   BENCH=1 BENCH_POSTS=200000 npx vitest run tests/bench/import-bench.test.ts
 *
 * Prints rows per second; asserts the counts, never the time.
 */
const POSTS = Number(process.env.BENCH_POSTS ?? 1_000_000);
const ACCOUNTS = 2_000;

async function writeBenchFiles(dir: string): Promise<void> {
  const units = ['code,name,kind,level,parent_code,region_code,supervisor_code', 'B-ROOT,测试省人民政府,government,province,,35,'];
  for (let i = 0; i < 100; i++) units.push(`B-U${i},测试单位${i},department,city,B-ROOT,3501,B-ROOT`);
  fs.writeFileSync(path.join(dir, 'units.csv'), `${units.join('\n')}\n`);
  const accounts = ['platform,handle,name,unit_code,type,status,filing_no,opened_on,followers,interaction_enabled,is_main'];
  for (let i = 0; i < ACCOUNTS; i++) accounts.push(`wechat,bench${i},测试账号${i},B-U${i % 100},publishing,active,备${i},2020-01-01,${i * 7},true,false`);
  fs.writeFileSync(path.join(dir, 'accounts.csv'), `${accounts.join('\n')}\n`);
  const out = fs.createWriteStream(path.join(dir, 'posts.csv'));
  out.write('platform,handle,published_at,title,original,reads\n');
  const base = Date.UTC(2024, 0, 1);
  let buf: string[] = [];
  for (let i = 0; i < POSTS; i++) {
    const t = new Date(base + i * 31_000).toISOString().slice(0, 19);
    buf.push(`wechat,bench${i % ACCOUNTS},${t}+08:00,关于做好第${i}期政务信息公开工作的通知,${i % 4 ? 'true' : 'false'},${(i * 37) % 20000}`);
    if (buf.length === 10_000) {
      if (!out.write(`${buf.join('\n')}\n`)) await once(out, 'drain');
      buf = [];
    }
  }
  out.end(buf.length ? `${buf.join('\n')}\n` : '');
  await once(out, 'finish');
}

describe.skipIf(!process.env.BENCH)('import benchmark', () => {
  let db: TestDb;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-import-bench-'));
    await writeBenchFiles(dir);
  }, 300_000);
  afterAll(async () => {
    await db?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`imports ${POSTS} posts, then re-imports them without changes`, async () => {
    const size = (fs.statSync(path.join(dir, 'posts.csv')).size / 1e6).toFixed(0);
    const t0 = performance.now();
    const first = await importDirectory(createSystemContext(db.ds), dir, { log: (m) => console.log(`  ${m}`) });
    // Wall time including the ANALYZE after the commit (elapsedMs ends at the commit).
    const wall = (performance.now() - t0) / 1000;
    console.log(`[bench] first import with ANALYZE: ${wall.toFixed(1)} s = ${Math.round(POSTS / wall)} rows/s`);
    expect(first.errors).toEqual([]);
    expect(first.counts.find((c) => c.file === 'posts.csv')).toMatchObject({ rows: POSTS, inserted: POSTS });
    console.log(`[bench] first import: ${POSTS} posts (${size} MB) in ${(first.elapsedMs / 1000).toFixed(1)} s = ${Math.round(POSTS / (first.elapsedMs / 1000))} rows/s`);
    const again = await importDirectory(createSystemContext(db.ds), dir);
    expect(again.counts.find((c) => c.file === 'posts.csv')).toMatchObject({ rows: POSTS, inserted: 0, updated: 0, unchanged: POSTS });
    console.log(`[bench] re-import (no changes): ${(again.elapsedMs / 1000).toFixed(1)} s = ${Math.round(POSTS / (again.elapsedMs / 1000))} rows/s`);
    const [r] = await db.ds.query(`SELECT sum(post_count)::int AS n, count(*) FILTER (WHERE last_post_at IS NULL)::int AS idle FROM accounts`);
    expect(r).toEqual({ n: POSTS, idle: 0 });
  }, 600_000);
});

/**
 * A seeded folder (the demo province: `npm run seed -- --out <dir>`, or the bench's tests/bench/data/csv-quick) imported
 * into an empty database, then detection run twice: the first run right after the import should cost what a repeat
 * costs (statistics ready, rollups ready, partitions pruned). Skipped unless BENCH_DIR is set:
 *
 *   BENCH_DIR=tests/bench/data/csv-quick npx vitest run tests/bench/import-bench.test.ts
 */
describe.skipIf(!process.env.BENCH_DIR)('seeded folder: import, then detection first and repeated', () => {
  let db: TestDb;
  beforeAll(async () => { db = await createTestDb(); });
  afterAll(async () => { await db?.close(); });

  it('imports the folder and runs detection twice', async () => {
    const dir = path.resolve(process.env.BENCH_DIR!);
    const asOf = JSON.parse(fs.readFileSync(path.join(dir, '.seed-manifest.json'), 'utf8')).asOf as string;
    const t0 = performance.now();
    const r = await importDirectory(createSystemContext(db.ds), dir, { log: (m) => console.log(`  ${m}`) });
    const wall = (performance.now() - t0) / 1000;
    expect(r.errors).toEqual([]);
    const rows = r.counts.reduce((n, c) => n + c.rows, 0);
    console.log(`[bench] import ${rows} rows in ${wall.toFixed(1)} s (with ANALYZE) = ${Math.round(rows / wall)} rows/s`);
    const { runDetectionProfiled } = await import('../../server/detection/detection.service');
    const runs: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      const { run, timings } = await runDetectionProfiled(createSystemContext(db.ds), { asOf });
      runs.push(performance.now() - t);
      console.log(`[bench] detection run ${i + 1}: ${Math.round(runs[i])} ms, found ${run.found}`, JSON.stringify(timings));
      expect(run.found).toBeGreaterThan(0);
    }
  }, 1_800_000);
});
