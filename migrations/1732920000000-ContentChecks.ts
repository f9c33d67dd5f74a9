import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Content checks (issue 13): posts carry their text (`content`, ≤ 100 KB of UTF-8) and a content hash; each post's
 * check result is kept with the hash and lexicon key it was made with, so a detection rescans only posts that are new
 * or changed (or whose province's lexicon changed); province and national lexicon edits are versioned rows.
 */
const OLD_RULES = ['NO_UPDATE_14D', 'ZOMBIE', 'NO_INTERACTION', 'STOPPED_NOT_DEREGISTERED', 'REDUNDANT_SAME_PLATFORM', 'NAME_INCONSISTENT',
  'UNFILED', 'LEVEL_NOT_ALLOWED', 'LOW_VALUE'];
const NEW_RULES = ['WRONG_EXPRESSION_SERIOUS', 'WRONG_EXPRESSION', 'OFF_MISSION'];
const list = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');

export class ContentChecks1732920000000 implements MigrationInterface {
  name = 'ContentChecks1732920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE posts ADD COLUMN content text CONSTRAINT posts_content_size_check CHECK (octet_length(content) <= 102400),
      ADD COLUMN content_hash uuid GENERATED ALWAYS AS (md5(title || E'\\x1f' || COALESCE(content, ''))::uuid) STORED`);
    await q.query(`
      CREATE TABLE post_content_checks (
        post_id bigint CONSTRAINT post_content_checks_pkey PRIMARY KEY CONSTRAINT post_content_checks_post_fkey REFERENCES posts(id) ON DELETE CASCADE,
        content_hash uuid NOT NULL,
        lexicon_key text NOT NULL,
        wrong jsonb NOT NULL DEFAULT '[]',
        markers jsonb NOT NULL DEFAULT '[]',
        categories text[] NOT NULL DEFAULT '{}',
        serious boolean NOT NULL DEFAULT false,
        checked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE content_lexicon_edits (
        id serial CONSTRAINT content_lexicon_edits_pkey PRIMARY KEY,
        region_code varchar(12) NOT NULL,
        version int NOT NULL,
        op text NOT NULL CONSTRAINT content_lexicon_edits_op_check CHECK (op IN ('add', 'disable', 'enable')),
        term text NOT NULL CONSTRAINT content_lexicon_edits_term_check CHECK (length(btrim(term)) BETWEEN 1 AND 100),
        entry jsonb,
        reason text NOT NULL CONSTRAINT content_lexicon_edits_reason_check CHECK (length(btrim(reason)) > 0),
        created_by int CONSTRAINT content_lexicon_edits_created_by_fkey REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT content_lexicon_edits_version_key UNIQUE (region_code, version)
      )`);
    await q.query(`ALTER TABLE findings DROP CONSTRAINT findings_rule_check`);
    await q.query(`ALTER TABLE findings ADD CONSTRAINT findings_rule_check CHECK (rule IN (${list([...OLD_RULES, ...NEW_RULES])}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM plan_action_findings WHERE finding_id IN (SELECT id FROM findings WHERE rule IN (${list(NEW_RULES)}))`);
    await q.query(`DELETE FROM findings WHERE rule IN (${list(NEW_RULES)})`);
    await q.query(`ALTER TABLE findings DROP CONSTRAINT findings_rule_check`);
    await q.query(`ALTER TABLE findings ADD CONSTRAINT findings_rule_check CHECK (rule IN (${list(OLD_RULES)}))`);
    await q.query(`DROP TABLE content_lexicon_edits`);
    await q.query(`DROP TABLE post_content_checks`);
    await q.query(`ALTER TABLE posts DROP COLUMN content_hash, DROP COLUMN content`);
  }
}
