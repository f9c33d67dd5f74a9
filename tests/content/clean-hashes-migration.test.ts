import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentCleanHashes1732943500000 } from '../../migrations/1732943500000-ContentCleanHashes';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makePosts, makeUnits } from '../support/factories';

/**
 * migrations/1732943500000-ContentCleanHashes.ts: down() drops the clean-hash sets (posts without a check row are
 * rescanned by the former code); up() turns the check rows of clean posts into their accounts' sets and keeps the
 * rows with findings (and their foreign key to posts).
 */
let db: TestDb;
let acc: Record<string, number>;

beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [{ code: 'P' }]);
  acc = await makeAccounts(db.ds, [{ unit: 'P', handle: 'a' }, { unit: 'P', handle: 'b' }]);
  await makePosts(db.ds, acc.a, ['2024-06-01T10:00:00+08:00', '2024-06-02T10:00:00+08:00', '2024-06-03T10:00:00+08:00']);
  await makePosts(db.ds, acc.b, ['2024-06-01T10:00:00+08:00']);
  await db.ds.query(`UPDATE posts SET content = '正文 ' || id`);
}, 120_000);
afterAll(async () => { await db?.close(); });

describe('ContentCleanHashes migration', () => {
  it('down() drops the sets; up() turns clean check rows into sets and keeps the rows with findings', async () => {
    const m = new ContentCleanHashes1732943500000();
    const q = db.ds.createQueryRunner();
    try {
      await m.down(q);
      expect(await db.ds.query(`SELECT to_regclass('content_clean_hashes') AS t`)).toEqual([{ t: null }]);
      // The former layout: one check row per scanned post; the first post of `a` has a finding (with the account the
      // later migration ContentScanState adds to every row).
      await db.ds.query(`INSERT INTO post_content_checks (post_id, published_at, content_hash, account_id, lexicon_key, wrong, categories)
        SELECT id, published_at, content_hash, account_id, 'k:-',
               CASE WHEN id = (SELECT min(id) FROM posts) THEN '[{"term": "十九大四中全会", "severity": "serious"}]'::jsonb ELSE '[]' END, '{}'
          FROM posts`);
      await m.up(q);
    } finally {
      await q.release();
    }
    const rows = await db.ds.query(`SELECT c.post_id::int AS id FROM post_content_checks c`);
    const [{ first }] = await db.ds.query(`SELECT min(id)::int AS first FROM posts`);
    expect(rows).toEqual([{ id: first }]);
    const sets: { account_id: number; lexicon_key: string; n: number; exact: boolean }[] = await db.ds.query(`
      SELECT s.account_id, s.lexicon_key, cardinality(s.hashes) AS n,
             s.hashes @> ARRAY(SELECT content_hash FROM posts p WHERE p.account_id = s.account_id AND p.id <> $1) AS exact
        FROM content_clean_hashes s ORDER BY s.account_id`, [first]);
    expect(sets).toEqual([
      { account_id: acc.a, lexicon_key: 'k:-', n: 2, exact: true },
      { account_id: acc.b, lexicon_key: 'k:-', n: 1, exact: true },
    ]);
    // The sets go with their account.
    await db.ds.query(`DELETE FROM posts WHERE account_id = $1`, [acc.b]);
    await db.ds.query(`DELETE FROM accounts WHERE id = $1`, [acc.b]);
    expect(await db.ds.query(`SELECT account_id FROM content_clean_hashes ORDER BY 1`)).toEqual([{ account_id: acc.a }]);
  });
});
