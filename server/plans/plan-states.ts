import { registerEnumType } from 'type-graphql';
import type { Context } from '../kernel/context';
import { hasRole, requireRole, requireWrite } from '../kernel/access';
import { conflict, forbidden } from '../kernel/errors';
import { recordAudit } from '../kernel/audit';
import { ApprovalRequestStatus, PlanStatus, PLAN_STATUS_NAMES_ZH, Role, StepStatus } from '../common/enums';
import type { Plan } from './plan.entity';
import { AUTHOR_ROLES } from './plan-access';
import { anchorUnitId, checkVersion, forbiddenScope, lockPlan, scopeWithinUser } from './plan-guard';
import { signsForSql } from './signing';

/**
 * THE plan lifecycle (Vendure's order-state.ts): every status, every transition, who may take it and the status it
 * leads to. `applyTransition` is the only code that changes `plans.status`; the services, the GraphQL `Plan` type
 * (`availableTransitions`) and the client's buttons all read this table.
 *
 *   DRAFT ──submit──▶ SUBMITTED ──approve (automatic: every request approved)──▶ APPROVED ──startExecution──▶ EXECUTING
 *     │                 │  ├─requestChanges──▶ CHANGES_REQUESTED ──submit──▶ SUBMITTED             complete (automatic:
 *     │                 │  └─reject──▶ REJECTED                                                    every step done) ──▶ COMPLETED
 *     └─withdraw (from DRAFT, SUBMITTED, CHANGES_REQUESTED, APPROVED)──▶ WITHDRAWN
 */
export enum PlanTransition {
  SUBMIT = 'SUBMIT',
  WITHDRAW = 'WITHDRAW',
  APPROVE = 'APPROVE',
  REQUEST_CHANGES = 'REQUEST_CHANGES',
  REJECT = 'REJECT',
  START_EXECUTION = 'START_EXECUTION',
  COMPLETE = 'COMPLETE',
}
registerEnumType(PlanTransition, {
  name: 'PlanTransition',
  description: '方案状态变更：提交 / 撤回 / 批准（自动）/ 退回修改 / 驳回 / 开始执行 / 完成（自动）',
});

/** A guard answers whether the caller (or, for automatic transitions, the plan's state) allows the transition. */
type Guard = (tx: Context, plan: Plan) => Promise<boolean>;

interface TransitionRule {
  from: readonly PlanStatus[];
  to: PlanStatus;
  /** Roles that may take it, or 'system' for a transition the workflow takes itself when its guard holds. */
  by: readonly Role[] | 'system';
  guard: Guard;
  /** What a refused guard means, for the FORBIDDEN (or, for automatic transitions, CONFLICT) message. */
  refused: string;
  /** The verb, for messages ("不能{verb}"). */
  verb: string;
  /** Audit event written when it is taken. */
  event: string;
  /** Timestamp column set to now() when it is taken. */
  stamp?: 'submitted_at' | 'decided_at' | 'execution_started_at' | 'completed_at';
}

// ---- guards ----

/** An author whose scope contains the whole plan scope. */
const authorInScope: Guard = (tx, plan) => scopeWithinUser(tx, plan);

/**
 * An approver who signs for the unit of a request of the current revision that is pending — or that they decided in
 * this revision (the decision that triggers the transition has just been written).
 */
const signsForOpenRequest: Guard = async (tx, plan) => {
  const sign = signsForSql(tx, 'r.unit_id');
  const scope = tx.scope.sql('u', 'sign_scope');
  const n = await tx.em.createQueryBuilder().select('1').from('plan_approval_requests', 'r')
    .innerJoin('units', 'u', 'u.id = r.unit_id')
    .where('r.plan_id = :planId AND r.revision = :revision', { planId: plan.id, revision: plan.revision })
    .andWhere(`(r.status = :pending OR EXISTS (SELECT 1 FROM plan_approvals pa WHERE pa.id = r.approval_id AND pa.revision = r.revision
      AND pa.approver_id = :sign_user))`, { pending: ApprovalRequestStatus.PENDING })
    .andWhere(sign.sql, sign.params).andWhere(scope.sql, scope.params).getCount();
  return n > 0;
};

/** Every request of the current revision is approved. */
const allRequestsApproved: Guard = async (tx, plan) => {
  const [row] = await tx.em.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status <> $3)::int AS open
    FROM plan_approval_requests WHERE plan_id = $1 AND revision = $2`, [plan.id, plan.revision, ApprovalRequestStatus.APPROVED]);
  return row.n > 0 && row.open === 0;
};

/** Every execution step is done. */
const allStepsDone: Guard = async (tx, plan) => {
  const [row] = await tx.em.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status <> $2)::int AS open FROM plan_steps WHERE plan_id = $1`,
    [plan.id, StepStatus.DONE]);
  return row.n > 0 && row.open === 0;
};

const OUTSIDE = '方案范围超出您的管辖范围 (forbidden: plan scope outside your scope)';
const NOT_SIGNER = '您不是该方案任何待审批单位的审批人或受托人 (forbidden: you sign for no unit with a pending request)';

export const PLAN_TRANSITIONS: Readonly<Record<PlanTransition, TransitionRule>> = {
  [PlanTransition.SUBMIT]: { from: [PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED], to: PlanStatus.SUBMITTED, by: AUTHOR_ROLES,
    guard: authorInScope, refused: OUTSIDE, verb: '提交', event: 'PLAN_SUBMITTED', stamp: 'submitted_at' },
  [PlanTransition.WITHDRAW]: { from: [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.CHANGES_REQUESTED, PlanStatus.APPROVED],
    to: PlanStatus.WITHDRAWN, by: AUTHOR_ROLES, guard: authorInScope, refused: OUTSIDE, verb: '撤回', event: 'PLAN_WITHDRAWN' },
  [PlanTransition.APPROVE]: { from: [PlanStatus.SUBMITTED], to: PlanStatus.APPROVED, by: 'system', guard: allRequestsApproved,
    refused: '尚有审批未同意 (not every approval request is approved)', verb: '批准', event: 'PLAN_APPROVED', stamp: 'decided_at' },
  [PlanTransition.REQUEST_CHANGES]: { from: [PlanStatus.SUBMITTED], to: PlanStatus.CHANGES_REQUESTED, by: [Role.APPROVER],
    guard: signsForOpenRequest, refused: NOT_SIGNER, verb: '退回修改', event: 'PLAN_CHANGES_REQUESTED', stamp: 'decided_at' },
  [PlanTransition.REJECT]: { from: [PlanStatus.SUBMITTED], to: PlanStatus.REJECTED, by: [Role.APPROVER],
    guard: signsForOpenRequest, refused: NOT_SIGNER, verb: '驳回', event: 'PLAN_REJECTED', stamp: 'decided_at' },
  [PlanTransition.START_EXECUTION]: { from: [PlanStatus.APPROVED], to: PlanStatus.EXECUTING, by: AUTHOR_ROLES,
    guard: authorInScope, refused: OUTSIDE, verb: '开始执行', event: 'PLAN_EXECUTION_STARTED', stamp: 'execution_started_at' },
  [PlanTransition.COMPLETE]: { from: [PlanStatus.EXECUTING], to: PlanStatus.COMPLETED, by: 'system', guard: allStepsDone,
    refused: '尚有执行步骤未确认 (steps pending)', verb: '完成', event: 'PLAN_COMPLETED', stamp: 'completed_at' },
};

/** Editing (title, actions) is not a transition but follows the same rule: authors in scope, while the plan is open to edits. */
export const PLAN_EDIT = { in: [PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED] as readonly PlanStatus[], by: AUTHOR_ROLES, guard: authorInScope };

function statusConflict(plan: Plan, verb: string, allowed: readonly PlanStatus[]) {
  return conflict(`方案当前状态为「${PLAN_STATUS_NAMES_ZH[plan.status]}」，不能${verb} (plan is ${plan.status})`, { status: plan.status, allowed });
}

/**
 * Checks that the caller may take transition `t` on the plan now: role (FORBIDDEN), current status (CONFLICT), guard
 * (FORBIDDEN; CONFLICT for automatic transitions, whose guard is the plan's state).
 */
export async function assertTransition(tx: Context, plan: Plan, t: PlanTransition): Promise<void> {
  const rule = PLAN_TRANSITIONS[t];
  if (rule.by !== 'system') {
    requireWrite(tx);
    requireRole(tx, ...rule.by);
  }
  if (!rule.from.includes(plan.status)) throw statusConflict(plan, rule.verb, rule.from);
  if (!(await rule.guard(tx, plan))) {
    throw rule.by === 'system' ? conflict(`不能${rule.verb}：${rule.refused}`) : forbidden(`不能${rule.verb}：${rule.refused}`);
  }
}

export interface TransitionOptions {
  comment?: string | null;
  /** Audit event instead of the rule's (e.g. PLAN_RESUBMITTED). */
  event?: string;
  /** Extra facts for the audit event's `after`. */
  after?: Record<string, unknown>;
  /** SUBMIT: the revision being submitted. */
  revision?: number;
}

/**
 * Takes transition `t` inside the caller's transaction (the plan row locked by the caller): checks it
 * (`assertTransition`), sets the new status (and its timestamp), bumps `version`, writes the audit event.
 * The only place where a plan's status changes.
 */
export async function applyTransition(tx: Context, plan: Plan, t: PlanTransition, opts: TransitionOptions = {}): Promise<Plan> {
  if (!tx.inTransaction) throw new Error('applyTransition: call it inside transaction(ctx, …)');
  await assertTransition(tx, plan, t);
  const rule = PLAN_TRANSITIONS[t];
  const before = { status: plan.status, revision: plan.revision };
  const revision = t === PlanTransition.SUBMIT && opts.revision !== undefined ? opts.revision : plan.revision;
  const stamp = rule.stamp ? `, ${rule.stamp} = now()` : '';
  const reopen = t === PlanTransition.SUBMIT ? ', decided_at = NULL' : '';
  const [[row]] = await tx.em.query(
    `UPDATE plans SET status = $2, revision = $3, version = version + 1, updated_at = now()${stamp}${reopen}
      WHERE id = $1 RETURNING version, updated_at`, [plan.id, rule.to, revision]);
  Object.assign(plan, { status: rule.to, revision, version: row.version, updatedAt: row.updated_at });
  await recordAudit(tx, { action: opts.event ?? rule.event, entityType: 'plan', entityId: plan.id, planId: plan.id, unitId: await anchorUnitId(tx, plan),
    before, after: { status: rule.to, revision, transition: t, ...opts.after }, comment: opts.comment ?? null });
  return plan;
}

/** CONFLICT unless the plan is in a status transition `t` leaves from (work that belongs to it: deciding, confirming steps). */
export function requireFrom(plan: Plan, t: PlanTransition, verb: string): void {
  const rule = PLAN_TRANSITIONS[t];
  if (!rule.from.includes(plan.status)) throw statusConflict(plan, verb, rule.from);
}

/** Takes an automatic transition when its guard holds (every request approved, every step done); returns whether it did. */
export async function applyIfDue(tx: Context, plan: Plan, t: PlanTransition, opts: TransitionOptions = {}): Promise<boolean> {
  const rule = PLAN_TRANSITIONS[t];
  if (rule.by !== 'system') throw new Error(`applyIfDue: ${t} is not automatic`);
  if (!rule.from.includes(plan.status) || !(await rule.guard(tx, plan))) return false;
  await applyTransition(tx, plan, t, opts);
  return true;
}

/** The transitions the current user may take on the plan now (automatic ones never: the workflow takes them). */
export async function availableTransitions(ctx: Context, plan: Plan): Promise<PlanTransition[]> {
  if (!ctx.user || hasRole(ctx, Role.AUDITOR)) return [];
  const out: PlanTransition[] = [];
  for (const t of Object.values(PlanTransition)) {
    const rule = PLAN_TRANSITIONS[t];
    if (rule.by === 'system' || !hasRole(ctx, ...rule.by) || !rule.from.includes(plan.status)) continue;
    if (await rule.guard(ctx, plan)) out.push(t);
  }
  return out;
}

/** Whether the current user may edit the plan now (the one rule: author role, editable status, plan scope within theirs). */
export async function mayEdit(ctx: Context, plan: Plan): Promise<boolean> {
  if (!ctx.user || !hasRole(ctx, ...PLAN_EDIT.by) || !PLAN_EDIT.in.includes(plan.status)) return false;
  return PLAN_EDIT.guard(ctx, plan);
}

/** Locks the plan and checks the user may edit it now (role, scope, status, version); `what` names the edit. */
export async function lockForEdit(tx: Context, planId: number, expectedVersion: number | null | undefined, what: string): Promise<Plan> {
  requireWrite(tx);
  requireRole(tx, ...PLAN_EDIT.by);
  const plan = await lockPlan(tx, planId);
  if (!(await PLAN_EDIT.guard(tx, plan))) throw forbiddenScope();
  if (!PLAN_EDIT.in.includes(plan.status)) throw statusConflict(plan, what, PLAN_EDIT.in);
  checkVersion(plan, expectedVersion);
  return plan;
}
