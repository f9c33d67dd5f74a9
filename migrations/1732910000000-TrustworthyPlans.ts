import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plans a planner can trust (issue 11):
 * - plan_actions.override_reason: closing or merging a protected account needs a written reason (shown to approvers,
 *   kept in the audit); plan_actions.services_mode: a source service matching one of the target's is merged into it
 *   (default) or kept as a second service;
 * - plan_steps.evidence (the stop-update notice's URL / title, the matched post) and plan_steps.override_reason
 *   (RECTIFIED confirmed while detection still shows the cited findings open);
 * - plan_revisions.impact / plan_approvals.impact: the impact figures frozen at submission and at each approval;
 * - services.merged_into_id: a migrated service merged into the target's equal service (the row stays as the record
 *   of its origin, and is not counted as a service of its own);
 * - the posts natural-key index also carries origin_account_id, so that statistics restricted to an account's own
 *   posts (migrated posts are an archive) stay index-only.
 */
const ROLLUP = `UPDATE accounts a SET last_post_at = (SELECT max(published_at) FROM posts WHERE account_id = a.id $OWN),
  post_count = (SELECT count(*) FROM posts WHERE account_id = a.id $OWN)`;

export class TrustworthyPlans1732910000000 implements MigrationInterface {
  name = 'TrustworthyPlans1732910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE plan_actions
      ADD COLUMN override_reason text CONSTRAINT plan_actions_override_reason_check CHECK (override_reason IS NULL OR length(btrim(override_reason)) > 0),
      ADD COLUMN services_mode text NOT NULL DEFAULT 'merge' CONSTRAINT plan_actions_services_mode_check CHECK (services_mode IN ('merge', 'keep_both'))`);
    await q.query(`ALTER TABLE plan_steps ADD COLUMN evidence jsonb, ADD COLUMN override_reason text`);
    await q.query(`ALTER TABLE plan_revisions ADD COLUMN impact jsonb`);
    // plan_approvals refuses UPDATE/DELETE but not DDL.
    await q.query(`ALTER TABLE plan_approvals ADD COLUMN impact jsonb`);
    await q.query(`ALTER TABLE services ADD COLUMN merged_into_id int CONSTRAINT services_merged_into_fkey REFERENCES services(id)`);
    await q.query(`CREATE UNIQUE INDEX posts_natural_key_origin ON posts (account_id, published_at, md5(title)) INCLUDE (reads, origin_account_id)`);
    await q.query(`DROP INDEX posts_natural_key`);
    await q.query(`ALTER INDEX posts_natural_key_origin RENAME TO posts_natural_key`);
    // The rollups count an account's own posts only (migrated posts are an archive).
    await q.query(`${ROLLUP} WHERE EXISTS (SELECT 1 FROM posts p WHERE p.account_id = a.id AND p.origin_account_id IS NOT NULL)`.replace(/\$OWN/g, 'AND origin_account_id IS NULL'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`${ROLLUP} WHERE EXISTS (SELECT 1 FROM posts p WHERE p.account_id = a.id AND p.origin_account_id IS NOT NULL)`.replace(/\$OWN/g, ''));
    await q.query(`CREATE UNIQUE INDEX posts_natural_key_reads ON posts (account_id, published_at, md5(title)) INCLUDE (reads)`);
    await q.query(`DROP INDEX posts_natural_key`);
    await q.query(`ALTER INDEX posts_natural_key_reads RENAME TO posts_natural_key`);
    await q.query(`ALTER TABLE services DROP COLUMN merged_into_id`);
    await q.query(`ALTER TABLE plan_approvals DROP COLUMN impact`);
    await q.query(`ALTER TABLE plan_revisions DROP COLUMN impact`);
    await q.query(`ALTER TABLE plan_steps DROP COLUMN override_reason, DROP COLUMN evidence`);
    await q.query(`ALTER TABLE plan_actions DROP COLUMN services_mode, DROP COLUMN override_reason`);
  }
}
