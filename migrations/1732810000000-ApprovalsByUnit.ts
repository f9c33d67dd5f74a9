import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Approvals by unit: an approval request is decided by an approver OF its unit (users.unit_id = unit), or by a user
 * the unit delegated to. Delegations are recorded (who granted, when, why; revocation keeps the row). Every approval
 * and every confirmed execution step records the unit it was signed for and whether it was signed by delegation.
 */
export class ApprovalsByUnit1732810000000 implements MigrationInterface {
  name = 'ApprovalsByUnit1732810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE approval_delegations (
        id serial CONSTRAINT approval_delegations_pkey PRIMARY KEY,
        unit_id int NOT NULL CONSTRAINT approval_delegations_unit_fkey REFERENCES units(id),
        delegate_user_id int NOT NULL CONSTRAINT approval_delegations_delegate_fkey REFERENCES users(id),
        granted_by_id int CONSTRAINT approval_delegations_granted_by_fkey REFERENCES users(id),
        granted_by_name text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        reason text NOT NULL CONSTRAINT approval_delegations_reason_check CHECK (length(btrim(reason)) > 0),
        revoked_at timestamptz,
        revoked_by_name text,
        CONSTRAINT approval_delegations_revoked_check CHECK ((revoked_at IS NULL) = (revoked_by_name IS NULL))
      )`);
    // One live delegation per (unit, delegate); revoked rows stay as the record.
    await q.query(`CREATE UNIQUE INDEX approval_delegations_live_key ON approval_delegations (unit_id, delegate_user_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX approval_delegations_delegate_idx ON approval_delegations (delegate_user_id) WHERE revoked_at IS NULL`);
    await q.query(`ALTER TABLE plan_approvals ADD COLUMN delegation_id int CONSTRAINT plan_approvals_delegation_fkey REFERENCES approval_delegations(id)`);
    await q.query(`ALTER TABLE plan_steps
      ADD COLUMN confirmed_unit_id int CONSTRAINT plan_steps_confirmed_unit_fkey REFERENCES units(id),
      ADD COLUMN delegation_id int CONSTRAINT plan_steps_delegation_fkey REFERENCES approval_delegations(id)`);
    await q.query(`CREATE INDEX users_unit_role_idx ON users (unit_id, role)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX users_unit_role_idx`);
    await q.query(`ALTER TABLE plan_steps DROP COLUMN delegation_id, DROP COLUMN confirmed_unit_id`);
    // plan_approvals refuses UPDATE/DELETE but not DDL: dropping the column is allowed.
    await q.query(`ALTER TABLE plan_approvals DROP COLUMN delegation_id`);
    await q.query(`DROP TABLE approval_delegations`);
  }
}
