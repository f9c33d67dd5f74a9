import { MigrationInterface, QueryRunner } from 'typeorm';
import { postMonthsSelect, postTotalsUpsert, READ_EDGES } from '../server/detection/post-months';

/**
 * Maintained per-account activity (issue 14, server/detection/post-months.ts): `account_post_months` (account ×
 * Beijing month: own posts, originals, last post, cumulative reads histogram over READ_EDGES) and
 * `account_post_totals` (per account: what its month rows sum to). Filled here from the posts already stored (one
 * aggregation), then kept by the import, plan execution and detection. Owned like `posts`.
 */
export class PostMonths1732946000000 implements MigrationInterface {
  name = 'PostMonths1732946000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_post_months (
        account_id int NOT NULL CONSTRAINT account_post_months_account_fkey REFERENCES accounts(id) ON DELETE CASCADE,
        month date NOT NULL,
        posts int NOT NULL,
        originals int NOT NULL,
        last_post_at timestamptz NOT NULL,
        reads_below int[] NOT NULL CONSTRAINT account_post_months_edges_check CHECK (cardinality(reads_below) = ${READ_EDGES.length}),
        CONSTRAINT account_post_months_pkey PRIMARY KEY (account_id, month)
      )`);
    await q.query(`COMMENT ON COLUMN account_post_months.reads_below IS 'own posts of the month read fewer than {${READ_EDGES.join(',')}} times'`);
    await q.query(`
      CREATE TABLE account_post_totals (
        account_id int CONSTRAINT account_post_totals_pkey PRIMARY KEY
          CONSTRAINT account_post_totals_account_fkey REFERENCES accounts(id) ON DELETE CASCADE,
        posts int NOT NULL,
        last_post_at timestamptz
      )`);
    await q.query(`DO $$ BEGIN
      EXECUTE format('ALTER TABLE account_post_months OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'posts'::regclass));
      EXECUTE format('ALTER TABLE account_post_totals OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'posts'::regclass));
    END $$`);
    await q.query(`INSERT INTO account_post_months (account_id, month, posts, originals, last_post_at, reads_below) ${postMonthsSelect('')}`);
    await q.query(postTotalsUpsert('SELECT id FROM accounts'));
    await q.query(`ANALYZE account_post_months`);
    await q.query(`ANALYZE account_post_totals`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_post_totals`);
    await q.query(`DROP TABLE account_post_months`);
  }
}
