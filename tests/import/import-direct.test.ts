import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { importFiles, type ImportResult } from '../../server/import/import.service';
import { appDataSource, createTestDb, type TestDb } from '../support/db';
import { normalizeName } from '../../server/detection/name-normalize';

/**
 * The direct load (bulk-load.ts `loadDirect`): posts.csv and messages.csv into empty tables go straight into the real
 * tables, without staging. It must leave exactly what the staged path leaves — rows, partitions, indexes, foreign keys,
 * rollups — and whenever anything is wrong (a bad cell, an unknown account, a duplicate the unique key refuses) the
 * import must answer exactly what the staged path answers, having written nothing.
 */
const GOOD = path.join(__dirname, 'fixtures', 'good');
const files = () => fs.readdirSync(GOOD).filter((f) => f.endsWith('.csv')).map((name) => ({ name, content: fs.readFileSync(path.join(GOOD, name), 'utf8') }));
/** The result without its timing; the detection run after the commit by what it found (its id and times differ). */
const strip = (r: ImportResult) => ({ ...r, elapsedMs: 0,
  detectionRun: r.detectionRun && { found: r.detectionRun.found, created: r.detectionRun.created, countsByRule: r.detectionRun.countsByRule } });

async function snapshot(db: TestDb): Promise<unknown> {
  const q = (sql: string) => db.ds.query(sql);
  return {
    posts: await q(`SELECT a.platform, a.handle, p.published_at, p.title, p.original, p.reads, p.content, p.content_hash, p.tableoid::regclass::text AS part
                      FROM posts p JOIN accounts a ON a.id = p.account_id ORDER BY 1, 2, 3, 4`),
    messages: await q(`SELECT a.platform, a.handle, m.received_at, m.replied_at FROM messages m JOIN accounts a ON a.id = m.account_id ORDER BY 1, 2, 3`),
    rollups: await q(`SELECT platform, handle, last_post_at, post_count FROM accounts ORDER BY 1, 2`),
    // The maintained months (detection/post-months.ts): counted by the worker on the direct path, by SQL when staged.
    months: await q(`SELECT a.platform, a.handle, m.month, m.posts, m.originals, m.last_post_at, m.reads_below FROM account_post_months m
                       JOIN accounts a ON a.id = m.account_id ORDER BY 1, 2, 3`),
    totals: await q(`SELECT a.platform, a.handle, t.posts, t.last_post_at FROM account_post_totals t JOIN accounts a ON a.id = t.account_id ORDER BY 1, 2`),
    indexes: await q(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('posts', 'messages', 'accounts', 'units') ORDER BY 1`),
    keys: await q(`SELECT conname, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint
                    WHERE conrelid IN ('posts'::regclass, 'messages'::regclass, 'post_content_checks'::regclass) AND contype <> 'n' ORDER BY 1`),
    // The sequences stand past the ids the direct load numbered itself.
    sequences: await q(`SELECT (SELECT last_value FROM posts_id_seq) >= (SELECT max(id) FROM posts) AS posts,
                               (SELECT last_value FROM messages_id_seq) >= (SELECT max(id) FROM messages) AS messages`),
    partitions: await q(`SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = 'posts'::regclass ORDER BY 1`),
  };
}

describe('direct load of posts and messages into empty tables', () => {
  let direct: TestDb;
  let staged: TestDb;
  beforeAll(async () => { [direct, staged] = await Promise.all([createTestDb(), createTestDb()]); });
  afterAll(async () => { await Promise.all([direct?.close(), staged?.close()]); });

  it('leaves exactly what the staged path leaves', async () => {
    const log: string[] = [];
    const a = await importFiles(createSystemContext(direct.ds), files(), { log: (m) => log.push(m) });
    const b = await importFiles(createSystemContext(staged.ds), files(), { direct: false });
    expect(a.errors).toEqual([]);
    expect(log.some((m) => m.includes('直接写入 posts.csv'))).toBe(true);
    expect(strip(a)).toEqual(strip(b));
    expect(await snapshot(direct)).toEqual(await snapshot(staged));
    // Every account is written with its normalised name (not updated afterwards: bulk-load.ts loadAccounts).
    const names: { name: string; name_normalized: string; name_normalized_from: string }[] =
      await direct.ds.query(`SELECT name, name_normalized, name_normalized_from FROM accounts`);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).toEqual({ name: n.name, name_normalized: normalizeName(n.name), name_normalized_from: n.name });
    // … so the partial index of stale names never held an entry (one written and then updated stays there, dead, until
    // a vacuum, and every detection run's probe walks it): it is still its metapage alone.
    const [{ pages }] = await direct.ds.query(`SELECT pg_relation_size('accounts_name_stale_idx') / current_setting('block_size')::int AS pages`);
    expect(Number(pages)).toBe(1);
    // Re-imported onto the loaded tables: the staged path (tables not empty), nothing changes.
    const again = await importFiles(createSystemContext(direct.ds), files());
    expect(again.counts.find((c) => c.file === 'posts.csv')).toMatchObject({ inserted: 0, updated: 0 });
  });

  it('writes posts and messages frozen and all-visible, as the application role, and leaves it no right on a partition', async () => {
    const db = await createTestDb();
    try {
      const app = appDataSource(db.ds);
      const [{ who }] = await app.query(`SELECT current_user AS who`);
      expect(who).toBe('matrix_app');
      const insertable = async () => (await db.ds.query(`SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
        WHERE h.inhparent = 'posts'::regclass AND has_table_privilege('matrix_app', c.oid, 'INSERT') ORDER BY 1`)).map((r: { relname: string }) => r.relname);
      const before = await insertable();
      // Months of three years, far apart: each chunk of a month's rows goes to its own partition.
      const base = files();
      const posts = base.find((f) => f.name === 'posts.csv')!;
      const extra = ['2023-01-15 08:00:00+08:00', '2025-07-31 23:59:59+08:00', '2025-08-01 00:00:00+08:00', '2024-02-29T16:00:00Z']
        .map((at, i) => `wechat,fjfb,${at},跨月第${i}条,true,${i}`);
      const input = base.map((f) => (f.name === 'posts.csv' ? { name: f.name, content: `${posts.content.trimEnd()}\n${extra.join('\n')}\n` } : f));
      const log: string[] = [];
      const r = await importFiles(createSystemContext(app), input, { log: (m) => log.push(m), checkContent: false });
      expect(r.errors).toEqual([]);
      expect(log.some((m) => m.includes('直接写入 posts.csv'))).toBe(true);
      // Each row in the partition of its Beijing month (2024-02-29T16:00Z is 2024-03-01 00:00 in Beijing).
      const placed = await db.ds.query(`SELECT p.title, p.tableoid::regclass::text AS part FROM posts p WHERE p.title LIKE '跨月%' ORDER BY 1`);
      expect(placed).toEqual([
        { title: '跨月第0条', part: 'posts_2023_01' }, { title: '跨月第1条', part: 'posts_2025_07' },
        { title: '跨月第2条', part: 'posts_2025_08' }, { title: '跨月第3条', part: 'posts_2024_03' }]);
      // Frozen and all-visible: every page of every table the load wrote (pg_visibility, as the superuser).
      await db.ds.query(`CREATE EXTENSION IF NOT EXISTS pg_visibility`);
      const pages = await db.ds.query(`
        SELECT c.relname, count(*)::int AS pages, count(*) FILTER (WHERE v.all_visible AND v.all_frozen)::int AS frozen
          FROM pg_class c CROSS JOIN LATERAL pg_visibility_map(c.oid) v
         WHERE c.relname = 'messages' OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'posts'::regclass)
         GROUP BY 1 HAVING count(*) > 0 ORDER BY 1`);
      expect(pages.length).toBeGreaterThan(4);
      for (const p of pages) expect(p).toEqual({ ...p, frozen: p.pages });
      // Analysed after the commit that wrote them: autovacuum finds no month changed since its statistics (analysed
      // inside the transaction, each month counted its rows as changes at the commit, and autovacuum analysed every
      // month again after a national import). First the import's counts reach the statistics, then none is left.
      const months = () => db.ds.query(`
        SELECT s.relname, s.n_ins_since_vacuum::int AS inserted, s.n_mod_since_analyze::int AS changed,
               s.last_analyze IS NOT NULL AS analysed, s.last_autoanalyze IS NOT NULL AS autoanalysed
          FROM pg_stat_user_tables s WHERE s.relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'posts'::regclass)
           AND s.relname IN ('posts_2023_01', 'posts_2024_03', 'posts_2025_07', 'posts_2025_08') ORDER BY 1`);
      let stats = await months();
      for (let i = 0; i < 50 && !(stats.length === 4 && stats.every((m: { inserted: number }) => m.inserted > 0)); i++) {
        await new Promise((r) => setTimeout(r, 100));
        stats = await months();
      }
      expect(stats.map((m: { inserted: number }) => m.inserted > 0)).toEqual([true, true, true, true]);
      for (const m of stats) expect(m).toEqual({ ...m, changed: 0, analysed: true, autoanalysed: false });
      // An index-only scan reads no heap page.
      const plan: { 'QUERY PLAN': string }[] = await db.ds.query(`EXPLAIN (ANALYZE, COSTS OFF) SELECT /* index only */ account_id, published_at FROM posts_2025_07
         WHERE account_id > 0 AND published_at > '2000-01-01'`);
      const text = plan.map((l) => l['QUERY PLAN']).join('\n');
      if (text.includes('Index Only Scan')) expect(text).toMatch(/Heap Fetches: 0/);
      // The grants that let the load copy into the partitions are gone with it: the role may insert into the same
      // partitions as before (those the migrations created with the table), into none of those the load created.
      expect(await insertable()).toEqual(before);
      expect(before).not.toContain('posts_2025_07');
      // Outside such an import the application role gets nothing from import_copy_target.
      await expect(app.query(`SELECT import_copy_target(now(), current_user)`)).rejects.toThrow(/not emptied/);
      await expect(app.query(`COPY posts_2025_07 (account_id) FROM STDIN`)).rejects.toThrow(/permission denied/);
    } finally {
      await db.close();
    }
  });

  it('a duplicate post, an unknown account, a bad cell: the staged path\'s answer, nothing written', async () => {
    const db = await createTestDb();
    try {
      const base = files();
      const posts = base.find((f) => f.name === 'posts.csv')!;
      const lines = posts.content.trimEnd().split('\n');
      const variants = [
        `${posts.content.trimEnd()}\n${lines[1]}\n`, // a duplicate (found by the unique natural key)
        `${posts.content.trimEnd()}\nwechat,nobody,2024-06-30,无人,true,1\n`, // an unknown account
        `${posts.content.trimEnd()}\nwechat,fjfb,2024-06-31,坏日期,true,1\n`, // a bad cell
      ];
      for (const content of variants) {
        const input = base.map((f) => (f.name === 'posts.csv' ? { name: f.name, content } : f));
        const log: string[] = [];
        const a = await importFiles(createSystemContext(db.ds), input, { log: (m) => log.push(m) });
        const b = await importFiles(createSystemContext(db.ds), input, { direct: false });
        expect(a.ok).toBe(false);
        expect(strip(a)).toEqual(strip(b));
        const [{ n }] = await db.ds.query(`SELECT (SELECT count(*) FROM posts) + (SELECT count(*) FROM accounts) AS n`);
        expect(Number(n)).toBe(0);
        expect(log.some((m) => m.includes('staged path'))).toBe(true);
      }
      // A problem early in a long file: the direct attempt stops reading there (the staged path reads it all).
      const long = ['platform,handle,published_at,title,original,reads', 'wechat,fjfb,2024-06-31,坏日期,true,1'];
      for (let i = 0; i < 40_000; i++) long.push(`wechat,fjfb,2024-05-01T00:00:${String(i % 60).padStart(2, '0')},第${i}条,true,${i}`);
      const log: string[] = [];
      const r = await importFiles(createSystemContext(db.ds), base.map((f) => (f.name === 'posts.csv' ? { name: f.name, content: `${long.join('\n')}\n` } : f)),
        { log: (m) => log.push(m) });
      expect(r.errors.map((e) => `${e.file}:${e.line}: ${e.column}`)).toEqual(['posts.csv:2: published_at']);
      const read = log.map((m) => /^posts\.csv：(\d+) 行（读取并写入/.exec(m)).find(Boolean);
      expect(Number(read![1])).toBeLessThan(40_001);
      // The tables' indexes and foreign keys are all still there after the rolled-back attempts.
      const [{ k }] = await db.ds.query(`SELECT count(*)::int AS k FROM pg_constraint WHERE contype IN ('f', 'p') AND conparentid = 0
        AND conrelid IN ('posts'::regclass, 'messages'::regclass, 'post_content_checks'::regclass)`);
      expect(k).toBe(7); // posts: pkey + 2 foreign keys; messages: pkey + 1; post_content_checks: pkey + its reference to posts
    } finally {
      await db.close();
    }
  });
});
