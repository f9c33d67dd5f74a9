import { MigrationInterface, QueryRunner } from 'typeorm';
import { ApprovalDecision, ApprovalRequestStatus, PlanActionType, PlanStatus, StepKind, StepStatus, sqlIn } from '../server/common/enums';

/**
 * Consolidation plans: plans, their revisions (snapshots at each submission), actions (+ the findings they cite),
 * approval requests (routing: one per action × unit × revision), approvals (immutable decisions: a trigger refuses
 * UPDATE, DELETE and TRUNCATE) and execution steps.
 *
 * An account can be the source of at most one action of an open, submitted plan: actions of a submitted plan are
 * `claimed`, and a partial unique index allows one claimed action per account. Drafts are not claimed (validation
 * reports overlaps with other open plans); the claim is taken at submission and released when the plan closes.
 */
export class Plans1732600000000 implements MigrationInterface {
  name = 'Plans1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plans (
        id serial PRIMARY KEY,
        title text NOT NULL CONSTRAINT plans_title_check CHECK (length(btrim(title)) BETWEEN 1 AND 200),
        description text,
        status text NOT NULL DEFAULT '${PlanStatus.DRAFT}' CONSTRAINT plans_status_check CHECK (status IN (${sqlIn(PlanStatus)})),
        scope_region_code varchar(12) CONSTRAINT plans_scope_region_fkey REFERENCES regions(code),
        scope_unit_id int CONSTRAINT plans_scope_unit_fkey REFERENCES units(id),
        author_id int,
        author_name text NOT NULL,
        revision int NOT NULL DEFAULT 1 CONSTRAINT plans_revision_check CHECK (revision >= 1),
        version int NOT NULL DEFAULT 1 CONSTRAINT plans_version_check CHECK (version >= 1),
        notice_working_days int NOT NULL CONSTRAINT plans_notice_days_check CHECK (notice_working_days BETWEEN 0 AND 365),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        submitted_at timestamptz,
        decided_at timestamptz,
        execution_started_at timestamptz,
        completed_at timestamptz,
        CONSTRAINT plans_scope_check CHECK ((scope_region_code IS NULL) <> (scope_unit_id IS NULL))
      )`);
    await q.query(`CREATE INDEX plans_status_idx ON plans (status, id)`);
    await q.query(`CREATE INDEX plans_scope_region_idx ON plans (scope_region_code)`);
    await q.query(`CREATE INDEX plans_scope_unit_idx ON plans (scope_unit_id)`);

    await q.query(`
      CREATE TABLE plan_revisions (
        id serial PRIMARY KEY,
        plan_id int NOT NULL CONSTRAINT plan_revisions_plan_fkey REFERENCES plans(id),
        number int NOT NULL CONSTRAINT plan_revisions_number_check CHECK (number >= 1),
        submitted_at timestamptz NOT NULL DEFAULT now(),
        submitted_by_id int,
        submitted_by_name text NOT NULL,
        comment text,
        snapshot jsonb NOT NULL,
        CONSTRAINT plan_revisions_plan_number_key UNIQUE (plan_id, number)
      )`);

    await q.query(`
      CREATE TABLE plan_actions (
        id serial PRIMARY KEY,
        plan_id int NOT NULL CONSTRAINT plan_actions_plan_fkey REFERENCES plans(id),
        type text NOT NULL CONSTRAINT plan_actions_type_check CHECK (type IN (${sqlIn(PlanActionType)})),
        account_id int NOT NULL CONSTRAINT plan_actions_account_fkey REFERENCES accounts(id),
        target_account_id int CONSTRAINT plan_actions_target_fkey REFERENCES accounts(id),
        service_target_account_id int CONSTRAINT plan_actions_service_target_fkey REFERENCES accounts(id),
        content_target_account_id int CONSTRAINT plan_actions_content_target_fkey REFERENCES accounts(id),
        new_name text,
        rectification text,
        note text,
        claimed boolean NOT NULL DEFAULT false,
        removed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plan_actions_merge_target_check CHECK (type <> '${PlanActionType.MERGE}' OR target_account_id IS NOT NULL),
        CONSTRAINT plan_actions_target_only_merge_check CHECK (type = '${PlanActionType.MERGE}' OR target_account_id IS NULL),
        CONSTRAINT plan_actions_destinations_only_shutdown_check CHECK (type = '${PlanActionType.SHUTDOWN}'
          OR (service_target_account_id IS NULL AND content_target_account_id IS NULL)),
        CONSTRAINT plan_actions_not_self_check CHECK (target_account_id IS DISTINCT FROM account_id
          AND service_target_account_id IS DISTINCT FROM account_id AND content_target_account_id IS DISTINCT FROM account_id),
        CONSTRAINT plan_actions_rename_check CHECK ((type = '${PlanActionType.RENAME}') = (new_name IS NOT NULL)
          AND (new_name IS NULL OR length(btrim(new_name)) > 0)),
        CONSTRAINT plan_actions_keep_check CHECK ((type = '${PlanActionType.KEEP}') = (rectification IS NOT NULL)
          AND (rectification IS NULL OR length(btrim(rectification)) > 0)),
        CONSTRAINT plan_actions_claim_check CHECK (NOT (claimed AND removed_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX plan_actions_plan_idx ON plan_actions (plan_id, id) WHERE removed_at IS NULL`);
    await q.query(`CREATE INDEX plan_actions_account_idx ON plan_actions (account_id)`);
    await q.query(`CREATE INDEX plan_actions_target_idx ON plan_actions (target_account_id) WHERE target_account_id IS NOT NULL`);
    await q.query(`CREATE INDEX plan_actions_service_target_idx ON plan_actions (service_target_account_id) WHERE service_target_account_id IS NOT NULL`);
    await q.query(`CREATE INDEX plan_actions_content_target_idx ON plan_actions (content_target_account_id) WHERE content_target_account_id IS NOT NULL`);
    // One open (submitted, not closed) action per account, across all plans.
    await q.query(`CREATE UNIQUE INDEX plan_actions_one_open_per_account_key ON plan_actions (account_id) WHERE claimed`);

    // Findings live in the detection feature; citations keep the finding id (no FK: a finding may be re-detected or purged).
    await q.query(`
      CREATE TABLE plan_action_findings (
        action_id int NOT NULL CONSTRAINT plan_action_findings_action_fkey REFERENCES plan_actions(id),
        finding_id int NOT NULL,
        CONSTRAINT plan_action_findings_pkey PRIMARY KEY (action_id, finding_id)
      )`);
    await q.query(`CREATE INDEX plan_action_findings_finding_idx ON plan_action_findings (finding_id)`);

    await q.query(`
      CREATE TABLE plan_approval_requests (
        id serial PRIMARY KEY,
        plan_id int NOT NULL CONSTRAINT plan_approval_requests_plan_fkey REFERENCES plans(id),
        revision int NOT NULL,
        action_id int NOT NULL CONSTRAINT plan_approval_requests_action_fkey REFERENCES plan_actions(id),
        unit_id int NOT NULL CONSTRAINT plan_approval_requests_unit_fkey REFERENCES units(id),
        reason text NOT NULL,
        status text NOT NULL CONSTRAINT plan_approval_requests_status_check CHECK (status IN (${sqlIn(ApprovalRequestStatus)})),
        approval_id int,
        carried_over boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plan_approval_requests_key UNIQUE (plan_id, revision, action_id, unit_id),
        CONSTRAINT plan_approval_requests_decided_check CHECK ((status IN ('${ApprovalRequestStatus.PENDING}', '${ApprovalRequestStatus.CANCELLED}')) OR approval_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX plan_approval_requests_pending_idx ON plan_approval_requests (unit_id, id) WHERE status = '${ApprovalRequestStatus.PENDING}'`);
    await q.query(`CREATE INDEX plan_approval_requests_plan_idx ON plan_approval_requests (plan_id, revision)`);
    await q.query(`CREATE INDEX plan_approval_requests_action_idx ON plan_approval_requests (action_id)`);

    await q.query(`
      CREATE TABLE plan_approvals (
        id serial PRIMARY KEY,
        request_id int NOT NULL CONSTRAINT plan_approvals_request_fkey REFERENCES plan_approval_requests(id),
        plan_id int NOT NULL CONSTRAINT plan_approvals_plan_fkey REFERENCES plans(id),
        action_id int NOT NULL CONSTRAINT plan_approvals_action_fkey REFERENCES plan_actions(id),
        unit_id int NOT NULL CONSTRAINT plan_approvals_unit_fkey REFERENCES units(id),
        revision int NOT NULL,
        decision text NOT NULL CONSTRAINT plan_approvals_decision_check CHECK (decision IN (${sqlIn(ApprovalDecision)})),
        comment text,
        approver_id int,
        approver_name text NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plan_approvals_comment_check CHECK (decision = '${ApprovalDecision.APPROVE}' OR (comment IS NOT NULL AND length(btrim(comment)) > 0)),
        CONSTRAINT plan_approvals_request_key UNIQUE (request_id)
      )`);
    await q.query(`CREATE INDEX plan_approvals_plan_idx ON plan_approvals (plan_id, id)`);
    await q.query(`CREATE INDEX plan_approvals_action_idx ON plan_approvals (action_id)`);
    await q.query(`ALTER TABLE plan_approval_requests ADD CONSTRAINT plan_approval_requests_approval_fkey
      FOREIGN KEY (approval_id) REFERENCES plan_approvals(id)`);
    await q.query(`
      CREATE FUNCTION plan_approvals_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '审批记录不可修改或删除 (plan_approvals is immutable: % refused)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`CREATE TRIGGER plan_approvals_no_update_delete BEFORE UPDATE OR DELETE ON plan_approvals
      FOR EACH ROW EXECUTE FUNCTION plan_approvals_immutable()`);
    await q.query(`CREATE TRIGGER plan_approvals_no_truncate BEFORE TRUNCATE ON plan_approvals
      FOR EACH STATEMENT EXECUTE FUNCTION plan_approvals_immutable()`);

    await q.query(`
      CREATE TABLE plan_steps (
        id serial PRIMARY KEY,
        plan_id int NOT NULL CONSTRAINT plan_steps_plan_fkey REFERENCES plans(id),
        action_id int NOT NULL CONSTRAINT plan_steps_action_fkey REFERENCES plan_actions(id),
        kind text NOT NULL CONSTRAINT plan_steps_kind_check CHECK (kind IN (${sqlIn(StepKind)})),
        seq int NOT NULL,
        status text NOT NULL DEFAULT '${StepStatus.PENDING}' CONSTRAINT plan_steps_status_check CHECK (status IN (${sqlIn(StepStatus)})),
        done_on date,
        confirmed_by_id int,
        confirmed_by_name text,
        confirmed_at timestamptz,
        note text,
        moved_posts int,
        moved_services int,
        CONSTRAINT plan_steps_action_kind_key UNIQUE (action_id, kind),
        CONSTRAINT plan_steps_done_check CHECK ((status = '${StepStatus.DONE}') = (confirmed_at IS NOT NULL AND done_on IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX plan_steps_plan_idx ON plan_steps (plan_id, action_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS plan_steps`);
    await q.query(`ALTER TABLE IF EXISTS plan_approval_requests DROP CONSTRAINT IF EXISTS plan_approval_requests_approval_fkey`);
    await q.query(`DROP TRIGGER IF EXISTS plan_approvals_no_truncate ON plan_approvals`);
    await q.query(`DROP TRIGGER IF EXISTS plan_approvals_no_update_delete ON plan_approvals`);
    await q.query(`DROP TABLE IF EXISTS plan_approvals`);
    await q.query(`DROP FUNCTION IF EXISTS plan_approvals_immutable()`);
    for (const t of ['plan_approval_requests', 'plan_action_findings', 'plan_actions', 'plan_revisions', 'plans']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
