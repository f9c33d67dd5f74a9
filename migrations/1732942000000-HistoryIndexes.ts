import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replaying a past date (detection and inspection reports for an earlier day) counts an account's own posts and
 * services including those a plan has since moved to another account (`origin_account_id`): small partial indexes,
 * since only migrated rows carry an origin.
 * Also: `work_orders.plan_step_id` keeps no foreign key, so that the Plans migration's own down() (which drops
 * plan_steps) still works on its own; the step is checked where the order is made (workorders.service).
 */
export class HistoryIndexes1732942000000 implements MigrationInterface {
  name = 'HistoryIndexes1732942000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX posts_origin_idx ON posts (origin_account_id, published_at) WHERE origin_account_id IS NOT NULL`);
    await q.query(`CREATE INDEX services_origin_idx ON services (origin_account_id) WHERE origin_account_id IS NOT NULL`);
    await q.query(`ALTER TABLE work_orders DROP CONSTRAINT IF EXISTS work_orders_plan_step_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE work_orders ADD CONSTRAINT work_orders_plan_step_fkey FOREIGN KEY (plan_step_id) REFERENCES plan_steps(id)`);
    await q.query(`DROP INDEX services_origin_idx`);
    await q.query(`DROP INDEX posts_origin_idx`);
  }
}
