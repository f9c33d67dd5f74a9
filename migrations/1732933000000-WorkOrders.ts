import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rectification work orders (整改工单) and notifications: a veto finding becomes a work order to the sponsoring unit
 * with a deadline; the unit answers; detection closes it or it becomes overdue and is escalated to the supervising
 * unit. `notifications` is the outbox a mail or SMS gateway can read (sent_at set by the gateway).
 */
export class WorkOrders1732933000000 implements MigrationInterface {
  name = 'WorkOrders1732933000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE work_orders (
        id serial CONSTRAINT work_orders_pkey PRIMARY KEY,
        finding_id int CONSTRAINT work_orders_finding_fkey REFERENCES findings(id),
        unit_id int NOT NULL CONSTRAINT work_orders_unit_fkey REFERENCES units(id),
        account_id int CONSTRAINT work_orders_account_fkey REFERENCES accounts(id),
        rule text NOT NULL,
        title text NOT NULL,
        status text NOT NULL CONSTRAINT work_orders_status_check CHECK (status IN ('open', 'answered', 'overdue', 'escalated', 'closed')),
        deadline date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        answer_note text,
        answer_evidence text,
        answered_at timestamptz,
        answered_by int CONSTRAINT work_orders_answered_by_fkey REFERENCES users(id),
        escalated_to_unit_id int CONSTRAINT work_orders_escalated_fkey REFERENCES units(id),
        escalated_at timestamptz,
        reminded_on date,
        closed_at timestamptz,
        close_reason text
      )`);
    await q.query(`CREATE UNIQUE INDEX work_orders_live_finding_key ON work_orders (finding_id) WHERE status <> 'closed'`);
    await q.query(`CREATE INDEX work_orders_unit_idx ON work_orders (unit_id, status)`);
    await q.query(`
      CREATE TABLE notifications (
        id bigserial CONSTRAINT notifications_pkey PRIMARY KEY,
        unit_id int NOT NULL CONSTRAINT notifications_unit_fkey REFERENCES units(id),
        work_order_id int CONSTRAINT notifications_work_order_fkey REFERENCES work_orders(id),
        kind text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX notifications_unit_idx ON notifications (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX notifications_unsent_idx ON notifications (id) WHERE sent_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE work_orders`);
  }
}
