import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Content checks keep a row only for posts with a finding (issue 13, the demo province's full scan): almost every post
 * is clean, and one `post_content_checks` row per scanned post — each checked against the month-partitioned posts by
 * the foreign key — was most of the full scan's time. A clean result depends only on the text (title + content, i.e.
 * the content hash) and the lexicon key (the province's lexicon version and the unit's field), so clean posts are
 * remembered as a per-account set of clean content hashes with the key they were checked with:
 *   - `content_clean_hashes(account_id, lexicon_key, hashes)`: one row per account; the scan rewrites an account's set
 *     to the hashes of its clean posts in the current window (so it never grows past the window); a post is rescanned
 *     when it has no current check row and its hash is not in its account's set for the account's key.
 *   - `post_content_checks` keeps its foreign key to posts (id, published_at) ON DELETE/UPDATE CASCADE, now for the
 *     few posts with findings; a deleted post takes its findings with it. A hash left in a set after its post is
 *     deleted says only "this text is clean under this key", which stays true.
 * Up: the existing rows of clean posts are turned into the accounts' sets (rows checked with another key than the
 * account's other rows are dropped, their posts are rescanned) and deleted. Down: the sets are dropped; posts without
 * a check row are rescanned by the former code (it treats a missing row as new).
 */
export class ContentCleanHashes1732943500000 implements MigrationInterface {
  name = 'ContentCleanHashes1732943500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE content_clean_hashes (
        account_id int CONSTRAINT content_clean_hashes_pkey PRIMARY KEY
          CONSTRAINT content_clean_hashes_account_fkey REFERENCES accounts(id) ON DELETE CASCADE,
        lexicon_key text NOT NULL,
        hashes uuid[] NOT NULL DEFAULT '{}',
        checked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`DO $$ BEGIN
      EXECUTE format('ALTER TABLE content_clean_hashes OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'post_content_checks'::regclass));
    END $$`);
    await q.query(`
      INSERT INTO content_clean_hashes (account_id, lexicon_key, hashes, checked_at)
      SELECT p.account_id, min(c.lexicon_key), array_agg(DISTINCT c.content_hash), max(c.checked_at)
        FROM post_content_checks c JOIN posts p ON p.id = c.post_id AND p.published_at = c.published_at
       WHERE c.wrong = '[]'::jsonb AND cardinality(c.categories) = 0
       GROUP BY p.account_id HAVING count(DISTINCT c.lexicon_key) = 1`);
    await q.query(`DELETE FROM post_content_checks WHERE wrong = '[]'::jsonb AND cardinality(categories) = 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE content_clean_hashes`);
  }
}
