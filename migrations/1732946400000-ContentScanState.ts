import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Maintained content-check state (issue 14): a detection run reads only the posts it has not checked yet instead of
 * every post with text in the window (≈1 M nationally, read from the heap on every run).
 *
 * - `content_scan_state(account_id, lexicon_key, unit_name, field, scanned_through, covered_from, covered_to)`: after
 *   a run, every post of the account with text, published in [covered_from, covered_to) and with
 *   `id <= scanned_through`, has a current check result under `lexicon_key` (a row in post_content_checks when it has
 *   a finding, clean otherwise). Post ids only grow (posts_id_seq), so the next run reads the account's posts with a
 *   larger id, plus those of its window outside the covered range (server/content/content.rule.ts). `unit_name` and
 *   `field`: the unit's name and the field it gave (the regular expressions of the unit fields are matched again only
 *   when the name changed).
 * - Writers that change an existing post (its text, its account or origin, its date) or delete one make the state of
 *   the accounts concerned void: the row triggers below delete their state rows (cloned onto every partition, so a
 *   direct write to a partition — posts_ensure_months moving rows out of posts_default — counts as well; a TRUNCATE
 *   voids every state). Such an account is checked the full way at its next run (its window's posts against its
 *   check rows and clean hashes, as before). Inserts need no trigger: a new post has a larger id. The update trigger's
 *   WHEN clause is evaluated without calling the function, so an import that rewrites only reads pays nothing.
 * - `post_content_checks.account_id`: the account of the checked post, so a run reads the check rows of its accounts
 *   (filled from the posts: every row belongs to a post by the foreign key; a row inserted without it gets it from
 *   its post, by a trigger — the column stays nullable so that a row of an unknown post is refused by that key).
 */
const SAME_OWNER = (table: string) => `DO $$ BEGIN
  EXECUTE format('ALTER TABLE ${table} OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'posts'::regclass));
END $$`;

export class ContentScanState1732946400000 implements MigrationInterface {
  name = 'ContentScanState1732946400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE content_scan_state (
        account_id int CONSTRAINT content_scan_state_pkey PRIMARY KEY
          CONSTRAINT content_scan_state_account_fkey REFERENCES accounts(id) ON DELETE CASCADE,
        lexicon_key text NOT NULL,
        unit_name text NOT NULL,
        field text NOT NULL,
        scanned_through bigint NOT NULL,
        covered_from timestamptz NOT NULL,
        covered_to timestamptz NOT NULL
      )`);
    await q.query(SAME_OWNER('content_scan_state'));
    await q.query(`ALTER TABLE post_content_checks ADD COLUMN account_id int`);
    await q.query(`UPDATE post_content_checks c SET account_id = p.account_id FROM posts p WHERE p.id = c.post_id AND p.published_at = c.published_at`);
    await q.query(`CREATE INDEX post_content_checks_account_idx ON post_content_checks (account_id, published_at)`);
    // A row written without its account (by another writer than the content rule) gets it from its post.
    await q.query(`
      CREATE FUNCTION post_content_checks_account() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT p.account_id INTO NEW.account_id FROM public.posts p WHERE p.id = NEW.post_id AND p.published_at = NEW.published_at;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER post_content_checks_account BEFORE INSERT ON post_content_checks FOR EACH ROW
      WHEN (NEW.account_id IS NULL) EXECUTE FUNCTION post_content_checks_account()`);
    await q.query(`
      CREATE FUNCTION posts_void_content_state() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          DELETE FROM public.content_scan_state;
          RETURN NULL;
        END IF;
        DELETE FROM public.content_scan_state WHERE account_id = OLD.account_id;
        IF TG_OP = 'UPDATE' AND NEW.account_id <> OLD.account_id THEN
          DELETE FROM public.content_scan_state WHERE account_id = NEW.account_id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER posts_content_state_update AFTER UPDATE ON posts FOR EACH ROW
        WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash OR (OLD.content IS NULL) <> (NEW.content IS NULL)
              OR OLD.account_id <> NEW.account_id OR OLD.origin_account_id IS DISTINCT FROM NEW.origin_account_id
              OR OLD.published_at <> NEW.published_at OR OLD.id <> NEW.id)
        EXECUTE FUNCTION posts_void_content_state()`);
    await q.query(`CREATE TRIGGER posts_content_state_delete AFTER DELETE ON posts FOR EACH ROW EXECUTE FUNCTION posts_void_content_state()`);
    await q.query(`CREATE TRIGGER posts_content_state_truncate AFTER TRUNCATE ON posts FOR EACH STATEMENT EXECUTE FUNCTION posts_void_content_state()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER posts_content_state_truncate ON posts`);
    await q.query(`DROP TRIGGER posts_content_state_delete ON posts`);
    await q.query(`DROP TRIGGER posts_content_state_update ON posts`);
    await q.query(`DROP FUNCTION posts_void_content_state()`);
    await q.query(`DROP TRIGGER post_content_checks_account ON post_content_checks`);
    await q.query(`DROP FUNCTION post_content_checks_account()`);
    await q.query(`DROP INDEX post_content_checks_account_idx`);
    await q.query(`ALTER TABLE post_content_checks DROP COLUMN account_id`);
    await q.query(`DROP TABLE content_scan_state`);
  }
}
