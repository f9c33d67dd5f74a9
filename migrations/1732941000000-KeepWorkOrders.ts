import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12, the rest of the closed loop:
 * - work orders from a plan's KEEP actions (keep but rectify): `work_orders.plan_step_id` is the action's RECTIFIED
 *   step; one live order per step;
 * - progress of long work on `job_runs`: `done` / `total` items and the `phase` being worked on (the 0–100 `progress`
 *   stays, computed from them where they are known);
 * - `job_runs.requested_by`: who asked for a run now (`runJobNow`), null for the schedule.
 */
export class KeepWorkOrders1732941000000 implements MigrationInterface {
  name = 'KeepWorkOrders1732941000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE work_orders ADD COLUMN plan_step_id int CONSTRAINT work_orders_plan_step_fkey REFERENCES plan_steps(id)`);
    await q.query(`CREATE UNIQUE INDEX work_orders_live_step_key ON work_orders (plan_step_id) WHERE status <> 'closed' AND plan_step_id IS NOT NULL`);
    await q.query(`ALTER TABLE job_runs ADD COLUMN done int, ADD COLUMN total int, ADD COLUMN phase text, ADD COLUMN requested_by text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_runs DROP COLUMN requested_by, DROP COLUMN phase, DROP COLUMN total, DROP COLUMN done`);
    await q.query(`DROP INDEX work_orders_live_step_key`);
    await q.query(`ALTER TABLE work_orders DROP COLUMN plan_step_id`);
  }
}
