import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostsByMonth1732940000000 } from '../../migrations/1732940000000-PostsByMonth';
import { CHECK_INSTANT, dayStart } from '../../server/detection/detection.dates';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makePosts, makeUnits } from '../support/factories';

/**
 * Posts partitioned by month (migrations/1732940000000-PostsByMonth.ts): the migration keeps every row, id and
 * content check both ways (down/up with data); posts_ensure_months moves rows out of the default partition; the
 * content checks' reference to posts keeps its semantics; a week's query reads only its month.
 */
let db: TestDb;
let acc: number;
beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [{ code: 'P' }]);
  acc = (await makeAccounts(db.ds, [{ unit: 'P', handle: 'part' }])).part;
  await makePosts(db.ds, acc, ['2024-01-31T23:30:00+08:00', '2024-02-01T00:10:00+08:00', '2024-03-15T09:00:00+08:00', '2024-06-03T10:00:00+08:00']);
  await db.ds.query(`UPDATE posts SET content = '正文 ' || id`);
  await db.ds.query(`INSERT INTO post_content_checks (post_id, published_at, content_hash, lexicon_key, account_id)
    SELECT id, published_at, content_hash, 'k', account_id FROM posts`);
});
afterAll(async () => { await db?.close(); });

const partitions = async (): Promise<string[]> => (await db.ds.query(`
  SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'posts'::regclass
     AND (c.relname LIKE 'posts_2024%' OR c.relname = 'posts_default') ORDER BY 1`))
  .map((r: { relname: string }) => r.relname);
const rowsWhere = async () => (await db.ds.query(`SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM posts GROUP BY 1 ORDER BY 1`));
const snapshot = async () => db.ds.query(`SELECT p.id, p.published_at, p.title, p.content, p.content_hash, c.lexicon_key
  FROM posts p LEFT JOIN post_content_checks c ON c.post_id = p.id ORDER BY p.id`);

describe('posts by month', () => {
  it('rows of the default partition move into the month partitions posts_ensure_months creates (Beijing months)', async () => {
    expect(await partitions()).toEqual(['posts_default']);
    const before = await snapshot();
    const [{ n }] = await db.ds.query(`SELECT posts_ensure_months(ARRAY['2024-01-31T23:30:00+08:00', '2024-02-10', '2024-03-01', '1900-01-01']::timestamptz[]) AS n`);
    expect(n).toBe(3);
    expect(await partitions()).toEqual(['posts_2024_01', 'posts_2024_02', 'posts_2024_03', 'posts_default']);
    expect(await rowsWhere()).toEqual([
      { part: 'posts_2024_01', n: 1 }, { part: 'posts_2024_02', n: 1 }, { part: 'posts_2024_03', n: 1 }, { part: 'posts_default', n: 1 },
    ]);
    expect(await snapshot()).toEqual(before);
    // Asking again creates nothing.
    const [{ n: again }] = await db.ds.query(`SELECT posts_ensure_months(ARRAY['2024-02-10']::timestamptz[]) AS n`);
    expect(again).toBe(0);
  });

  it('content checks reference posts (id, published_at): unknown posts refused, deleting a post deletes its check', async () => {
    await expect(db.ds.query(`INSERT INTO post_content_checks (post_id, published_at, content_hash, lexicon_key)
      VALUES (999999, '2024-02-01', gen_random_uuid(), 'k')`)).rejects.toThrow(/post_content_checks_post_fkey/);
    const [p] = await db.ds.query(`SELECT id FROM posts WHERE published_at = '2024-03-15T09:00:00+08:00'`);
    await db.ds.query(`DELETE FROM posts WHERE id = $1`, [p.id]);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM post_content_checks WHERE post_id = $1`, [p.id]);
    expect(n).toBe(0);
    await makePosts(db.ds, acc, ['2024-03-15T09:00:00+08:00']);
    await db.ds.query(`INSERT INTO post_content_checks (post_id, published_at, content_hash, lexicon_key)
      SELECT id, published_at, content_hash, 'k' FROM posts WHERE published_at = '2024-03-15T09:00:00+08:00'`);
  });

  it('a week inside one month reads only that month (partition pruning, also with a parameter)', async () => {
    const plan = async (sql: string, params: unknown[] = []) => JSON.stringify(await db.ds.query(`EXPLAIN (FORMAT JSON) ${sql}`, params));
    const week = await plan(`SELECT count(*) FROM posts WHERE account_id = ${acc} AND published_at >= '2024-02-05T00:00:00+08:00' AND published_at < '2024-02-12T00:00:00+08:00'`);
    expect(week).toContain('posts_2024_02');
    expect(week).not.toMatch(/posts_2024_01|posts_2024_03|posts_default/);
    // Detection's window (the 7 days before the check date, in Beijing time, from a parameter) is pruned when the
    // statement starts: EXPLAIN ANALYZE lists only the month read.
    const runtime = await db.ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM posts
      WHERE account_id = ${acc} AND published_at >= ${dayStart('7')} AND published_at < ${CHECK_INSTANT}`, ['2024-03-18']);
    const text = JSON.stringify(runtime);
    expect(text).toContain('posts_2024_03');
    expect(text).not.toMatch(/"posts_2024_01"|"posts_2024_02"|"posts_default"/);
  });

  it('the application role creates months through posts_ensure_months, and cannot smuggle statements into the index rebuild', async () => {
    const q = db.ds.createQueryRunner();
    try {
      await q.startTransaction();
      await q.query(`SET LOCAL ROLE matrix_app`);
      await expect(q.query(`CREATE TABLE posts_2030_01 PARTITION OF posts FOR VALUES FROM ('2030-01-01') TO ('2030-02-01')`)).rejects.toThrow(/permission denied|must be owner/);
      await q.rollbackTransaction();
      await q.startTransaction();
      await q.query(`SET LOCAL ROLE matrix_app`);
      const [{ n }] = await q.query(`SELECT posts_ensure_months(ARRAY['2024-05-05']::timestamptz[]) AS n`);
      expect(n).toBe(1);
      // A temporary table of its own under the name the index rebuild reads is refused, nothing executed.
      await q.query(`CREATE TEMP TABLE _import_dropped_indexes (def text)`);
      await q.query(`INSERT INTO _import_dropped_indexes VALUES ('ALTER ROLE matrix_app SUPERUSER')`);
      await expect(q.query(`SELECT import_restore_indexes()`)).rejects.toThrow(/not the import's own/);
      await q.rollbackTransaction();
    } finally {
      await q.release();
    }
    const [{ rolsuper }] = await db.ds.query(`SELECT rolsuper FROM pg_roles WHERE rolname = 'matrix_app'`);
    expect(rolsuper).toBe(false);
  });

  it('down() turns posts back into one table with every row, id and check; up() partitions them again', async () => {
    const before = await snapshot();
    const indexDefs = async () => (await db.ds.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'posts' ORDER BY 1`));
    const defsBefore = await indexDefs();
    expect(defsBefore.map((r: { indexname: string }) => r.indexname)).toEqual(expect.arrayContaining(['posts_natural_key', 'posts_pkey', 'posts_with_content']));
    const m = new PostsByMonth1732940000000();
    const q = db.ds.createQueryRunner();
    try {
      await m.down(q);
      const [kind] = await db.ds.query(`SELECT relkind FROM pg_class WHERE relname = 'posts'`);
      expect(kind.relkind).toBe('r');
      expect(await snapshot()).toEqual(before);
      const plain = (await db.ds.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'posts' ORDER BY 1`)).map((r: { indexname: string }) => r.indexname);
      expect(plain).toEqual(defsBefore.map((r: { indexname: string }) => r.indexname));
      await m.up(q);
    } finally {
      await q.release();
    }
    const [kind] = await db.ds.query(`SELECT relkind FROM pg_class WHERE relname = 'posts'`);
    expect(kind.relkind).toBe('p');
    expect(await partitions()).toEqual(['posts_2024_01', 'posts_2024_02', 'posts_2024_03', 'posts_2024_06', 'posts_default']);
    expect(await snapshot()).toEqual(before);
    // Every index comes back as it was (also those later migrations added to posts).
    expect(await indexDefs()).toEqual(defsBefore);
    // The sequence continues after the highest id; the natural key still drives ON CONFLICT.
    const [{ max }] = await db.ds.query(`SELECT max(id)::text AS max FROM posts`);
    await makePosts(db.ds, acc, ['2024-06-04T10:00:00+08:00']);
    const [{ id }] = await db.ds.query(`SELECT id::text FROM posts WHERE published_at = '2024-06-04T10:00:00+08:00'`);
    expect(BigInt(id)).toBeGreaterThan(BigInt(max));
    const up = await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, '2024-06-04T10:00:00+08:00', '内容 1', true, 7)
      ON CONFLICT (account_id, published_at, md5(title)) DO UPDATE SET reads = EXCLUDED.reads RETURNING id::text`, [acc]);
    expect(up).toEqual([{ id }]);
  });
});
