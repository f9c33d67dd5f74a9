import type { Context } from '../kernel/context';
import { badInput, conflict, forbidden, notFound, parseId } from '../kernel/errors';
import { ApprovalDecision, ApprovalRequestStatus, PlanStatus, Role } from '../common/enums';
import { recordAuditMany } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../kernel/pagination';
import { Plan } from './plan.entity';
import { PlanRevision, type RevisionSnapshot } from './plan-revision.entity';
import { Approval, ApprovalRequest } from './approval.entity';
import type { DecideApprovalResult } from './plan.types';
import type { DecideApprovalInput } from './plans.inputs';
import { requireApprover } from './plan-access';
import { requireRole } from '../kernel/access';
import { activeActions, citationsOf } from './plans.service';
import { bumpVersion, checkVersion, fingerprint, lockPlan } from './plan-guard';
import { applyIfDue, applyTransition, assertTransition, PLAN_TRANSITIONS, PlanTransition, requireFrom } from './plan-states';
import { signatureFor, signsForSql, type Signature } from './signing';
import { validatePlan } from './validation.service';
import { planImpact } from './impact.service';
import type { PlanImpact } from './impact.types';

/** The impact figures now, stamped with the revision and the moment they were frozen. */
async function frozenImpact(tx: Context, plan: Plan, revision: number, on: string): Promise<PlanImpact> {
  return { ...(await planImpact(tx, plan)), revision, frozenAt: new Date().toISOString(), frozenOn: on };
}

/**
 * The approval workflow: DRAFT → SUBMITTED → APPROVED (→ EXECUTING → COMPLETED, see execution.service), with
 * CHANGES_REQUESTED (the planner revises and resubmits as a new revision), REJECTED and WITHDRAWN.
 * On submission every action is routed to the units it needs: the sponsoring unit of each account it touches
 * (source and destinations) and their supervising unit (the parent unit when none is recorded). A request is
 * decided by an approver OF its unit, or one the unit delegated to (signing.ts) — seeing it (scope) is not enough.
 * Approvals are immutable rows recording the unit signed for and the delegation used; a resubmitted revision keeps
 * the approvals of actions that did not change. Status changes go through plan-states.ts.
 */

const ROLE_ZH: Record<string, string> = { source: '源账号', target: '合并目标账号', service: '服务迁入账号', content: '内容迁入的门户网站' };

interface RouteRow {
  action_id: number;
  role: string;
  account_id: number;
  account_name: string;
  sponsor_id: number;
  supervisor_id: number | null;
}

/** Approval requests each action needs: (action, unit) → reasons. One statement. */
async function route(tx: Context, planId: number): Promise<Map<string, { actionId: number; unitId: number; reasons: string[] }>> {
  const rows: RouteRow[] = await tx.em.query(
    `SELECT pa.id AS action_id, x.role, a.id AS account_id, a.name AS account_name, u.id AS sponsor_id,
            COALESCE(u.supervisor_id, u.parent_id) AS supervisor_id
       FROM plan_actions pa
       CROSS JOIN LATERAL (VALUES ('source', pa.account_id), ('target', pa.target_account_id),
                                  ('service', pa.service_target_account_id), ('content', pa.content_target_account_id)) AS x(role, account_id)
       JOIN accounts a ON a.id = x.account_id
       JOIN units u ON u.id = a.unit_id
      WHERE pa.plan_id = $1 AND pa.removed_at IS NULL
      ORDER BY pa.id, x.role`, [planId]);
  const out = new Map<string, { actionId: number; unitId: number; reasons: string[] }>();
  const add = (actionId: number, unitId: number, reason: string) => {
    const key = `${actionId}:${unitId}`;
    const cur = out.get(key) ?? { actionId, unitId, reasons: [] };
    if (!cur.reasons.includes(reason)) cur.reasons.push(reason);
    out.set(key, cur);
  };
  for (const r of rows) {
    add(r.action_id, r.sponsor_id, `${ROLE_ZH[r.role]}「${r.account_name}」的主办单位`);
    if (r.supervisor_id !== null) add(r.action_id, r.supervisor_id, `${ROLE_ZH[r.role]}「${r.account_name}」的主管单位`);
  }
  return out;
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const name = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && name === constraint;
}

export const workflowService = {
  /** Validates, snapshots a revision, claims the accounts and routes every action to its approvers. */
  async submit(ctx: Context, planIdRaw: string, expectedVersion?: number | null, comment?: string | null): Promise<Plan> {
    const planId = parseId(planIdRaw, 'planId');
    return transaction(ctx, async (tx) => {
      const plan = await lockPlan(tx, planId);
      await assertTransition(tx, plan, PlanTransition.SUBMIT);
      checkVersion(plan, expectedVersion);
      const validation = await validatePlan(tx, plan);
      if (!validation.valid) {
        throw badInput(`方案校验未通过，有 ${validation.errors.length} 个错误，请修改后再提交：${validation.errors.slice(0, 3).map((e) => e.message).join('；')}${validation.errors.length > 3 ? '……' : ''} (plan has validation errors)`,
          { errors: validation.errors });
      }
      const resubmission = plan.status === PlanStatus.CHANGES_REQUESTED;
      const revision = resubmission ? plan.revision + 1 : plan.revision;
      const actions = await activeActions(tx, plan.id);
      const cites = await citationsOf(tx, actions.map((a) => a.id));
      const snapshot: RevisionSnapshot = {
        title: plan.title,
        actions: actions.map((a) => ({
          id: a.id, type: a.type, accountId: a.accountId, targetAccountId: a.targetAccountId, serviceTargetAccountId: a.serviceTargetAccountId,
          contentTargetAccountId: a.contentTargetAccountId, newName: a.newName, rectification: a.rectification,
          overrideReason: a.overrideReason, servicesMode: a.servicesMode,
          findingIds: cites.get(a.id) ?? [], fingerprint: fingerprint(a),
        })),
      };
      try {
        await tx.em.query(`UPDATE plan_actions SET claimed = true WHERE plan_id = $1 AND removed_at IS NULL AND NOT claimed`, [plan.id]);
      } catch (err) {
        if (isUniqueViolation(err, 'plan_actions_one_open_per_account_key')) {
          throw conflict('方案中有账号刚被另一个方案占用（同一账号只能在一个未结方案中），请重新校验 (account claimed by another open plan)');
        }
        throw err;
      }
      const user = tx.user!;
      const impact = await frozenImpact(tx, plan, revision, 'submitted');
      await tx.em.getRepository(PlanRevision).insert({ planId: plan.id, number: revision, submittedById: user.id, submittedByName: user.username,
        comment: comment?.trim() || null, snapshot, impact });

      // Carry over approvals of unchanged actions from the previous revision.
      const carry = new Map<string, number>();
      if (resubmission) {
        const prev = await tx.em.getRepository(PlanRevision).findOneBy({ planId: plan.id, number: plan.revision });
        const prevPrint = new Map((prev?.snapshot.actions ?? []).map((a) => [a.id, a.fingerprint]));
        const prevApproved = await tx.em.getRepository(ApprovalRequest).findBy({ planId: plan.id, revision: plan.revision, status: ApprovalRequestStatus.APPROVED });
        for (const r of prevApproved) {
          const now = snapshot.actions.find((a) => a.id === r.actionId);
          if (now && prevPrint.get(r.actionId) === now.fingerprint && r.approvalId !== null) carry.set(`${r.actionId}:${r.unitId}`, r.approvalId);
        }
      }
      const routes = [...(await route(tx, plan.id)).entries()];
      const inserted: { id: number; action_id: number; unit_id: number; status: ApprovalRequestStatus }[] = await tx.em.query(
        `INSERT INTO plan_approval_requests (plan_id, revision, action_id, unit_id, reason, status, approval_id, carried_over)
         SELECT $1, $2, x.action_id, x.unit_id, x.reason, x.status, x.approval_id, x.approval_id IS NOT NULL
           FROM jsonb_to_recordset($3::jsonb) AS x(action_id int, unit_id int, reason text, status text, approval_id int)
         RETURNING id, action_id, unit_id, status`,
        [plan.id, revision, JSON.stringify(routes.map(([key, r]) => ({ action_id: r.actionId, unit_id: r.unitId, reason: r.reasons.join('；'),
          status: carry.has(key) ? ApprovalRequestStatus.APPROVED : ApprovalRequestStatus.PENDING, approval_id: carry.get(key) ?? null })))]);
      const pending = inserted.filter((r) => r.status === ApprovalRequestStatus.PENDING).length;
      await applyTransition(tx, plan, PlanTransition.SUBMIT, { revision, event: resubmission ? 'PLAN_RESUBMITTED' : undefined, comment: comment?.trim() || null,
        after: { actions: actions.length, approvalRequests: inserted.length, pending, carriedOver: carry.size, warnings: validation.warnings.length } });
      // Filed under the action's account, so an account's timeline shows only the requests that concern it.
      const accountOfAction = new Map(actions.map((a) => [a.id, a.accountId]));
      await recordAuditMany(tx, inserted.map((r) => ({ action: 'APPROVAL_REQUESTED', entityType: 'approval_request', entityId: r.id,
        planId: plan.id, accountId: accountOfAction.get(r.action_id) ?? null, unitId: r.unit_id, after: { actionId: r.action_id, unitId: r.unit_id, revision, status: r.status } })));
      await applyIfDue(tx, plan, PlanTransition.APPROVE, { comment: '所有动作均未修改，沿用上一修订的审批' });
      return plan;
    });
  },

  /** An approver decides one request, or every request of an action that lies in their scope. */
  async decide(ctx: Context, input: DecideApprovalInput): Promise<DecideApprovalResult> {
    const user = requireApprover(ctx);
    const byRequest = input.approvalRequestId !== undefined && input.approvalRequestId !== null;
    const byAction = input.actionId !== undefined && input.actionId !== null;
    if (byRequest === byAction) {
      throw badInput('请指定审批请求编号或动作编号（二选一）(give exactly one of approvalRequestId, actionId)',
        [{ field: 'approvalRequestId', message: '与 actionId 二选一' }]);
    }
    const comment = input.comment?.trim() || null;
    if (input.decision !== ApprovalDecision.APPROVE && !comment) {
      throw badInput('驳回或退回修改时必须填写审批意见 (comment required)', [{ field: 'comment', message: '必填' }]);
    }
    const reqId = byRequest ? parseId(input.approvalRequestId, 'approvalRequestId') : null;
    const actId = byAction ? parseId(input.actionId, 'actionId') : null;
    return transaction(ctx, async (tx) => {
      const [head] = reqId !== null
        ? await tx.em.query(`SELECT plan_id FROM plan_approval_requests WHERE id = $1`, [reqId])
        : await tx.em.query(`SELECT plan_id FROM plan_actions WHERE id = $1 AND removed_at IS NULL`, [actId]);
      if (!head) throw notFound(reqId !== null ? `审批请求 ${reqId}` : `整合动作 ${actId}`);
      // Lock the plan: concurrent decisions on one plan are serialised and see each other's results.
      const plan = await lockPlan(tx, head.plan_id);
      const candidates: (ApprovalRequest & { unit_path: string; unit_name: string })[] = (await tx.em.query(
        `SELECT r.*, u.path AS unit_path, u.name AS unit_name FROM plan_approval_requests r JOIN units u ON u.id = r.unit_id
          WHERE ${reqId !== null ? 'r.id = $1' : 'r.action_id = $1 AND r.revision = $2'} ORDER BY r.id`,
        reqId !== null ? [reqId] : [actId, plan.revision])).map((r: RequestRow) => ({
        ...tx.em.getRepository(ApprovalRequest).create({ id: r.id, planId: r.plan_id, revision: r.revision, actionId: r.action_id, unitId: r.unit_id,
          reason: r.reason, status: r.status, approvalId: r.approval_id, carriedOver: r.carried_over, createdAt: r.created_at }),
        unit_path: r.unit_path, unit_name: r.unit_name,
      }));
      if (!candidates.length) {
        requireFrom(plan, PlanTransition.APPROVE, '审批');
        throw conflict('该动作在当前修订中没有审批请求 (no approval requests for this action)');
      }
      // Only the requests of units the approver signs for (their own unit, or one that delegated to them).
      const mine: { r: (typeof candidates)[number]; sig: Signature }[] = [];
      for (const r of candidates) {
        const sig = await signatureFor(tx, { id: r.unitId, path: r.unit_path });
        if (sig) mine.push({ r, sig });
      }
      if (!mine.length) {
        throw forbidden(`该审批须由「${[...new Set(candidates.map((c) => c.unit_name))].join('、')}」的审批人（或其授权的人）作出，您不能代表该单位审批 (forbidden: you do not sign for this unit)`);
      }
      requireFrom(plan, PlanTransition.APPROVE, '审批');
      if (reqId !== null && mine[0].r.revision !== plan.revision) {
        throw conflict(`该审批请求属于旧修订（第 ${mine[0].r.revision} 版），方案当前为第 ${plan.revision} 版 (stale revision)`);
      }
      const open = mine.filter((m) => m.r.status === ApprovalRequestStatus.PENDING);
      if (!open.length) throw conflict('该审批已作出决定，不能重复审批 (already decided)');

      const approvals: Approval[] = [];
      // The figures the approver decided on, frozen with the decision.
      const impact = await frozenImpact(tx, plan, plan.revision, input.decision.toLowerCase());
      for (const { r, sig } of open) {
        const saved = await tx.em.getRepository(Approval).save(tx.em.getRepository(Approval).create({
          requestId: r.id, planId: plan.id, actionId: r.actionId, unitId: sig.unitId, revision: plan.revision, decision: input.decision,
          comment, approverId: user.id, approverName: user.username, delegationId: sig.delegationId, impact,
        }));
        approvals.push(saved);
      }
      const newStatus = { [ApprovalDecision.APPROVE]: ApprovalRequestStatus.APPROVED, [ApprovalDecision.REJECT]: ApprovalRequestStatus.REJECTED,
        [ApprovalDecision.REQUEST_CHANGES]: ApprovalRequestStatus.CHANGES_REQUESTED }[input.decision];
      await tx.em.query(
        `UPDATE plan_approval_requests r SET status = $2, approval_id = x.approval_id
           FROM unnest($1::int[], $3::int[]) AS x(request_id, approval_id) WHERE r.id = x.request_id`,
        [approvals.map((a) => a.requestId), newStatus, approvals.map((a) => a.id)]);
      const accountOf = new Map<number, number>((await tx.em.query(`SELECT id, account_id FROM plan_actions WHERE id = ANY($1::int[])`,
        [approvals.map((a) => a.actionId)])).map((r: { id: number; account_id: number }) => [r.id, r.account_id]));
      const verb = { [ApprovalDecision.APPROVE]: 'ACTION_APPROVED', [ApprovalDecision.REJECT]: 'ACTION_REJECTED',
        [ApprovalDecision.REQUEST_CHANGES]: 'ACTION_CHANGES_REQUESTED' }[input.decision];
      await recordAuditMany(tx, approvals.map((a) => ({ action: verb, entityType: 'approval', entityId: a.id, planId: plan.id, unitId: a.unitId,
        accountId: accountOf.get(a.actionId) ?? null, after: { requestId: a.requestId, actionId: a.actionId, unitId: a.unitId, revision: a.revision,
          decision: a.decision, delegationId: a.delegationId }, comment })));

      let moved: boolean;
      if (input.decision === ApprovalDecision.APPROVE) {
        moved = await applyIfDue(tx, plan, PlanTransition.APPROVE, { comment: '所需审批已全部同意' });
      } else {
        await tx.em.query(`UPDATE plan_approval_requests SET status = $3 WHERE plan_id = $1 AND revision = $2 AND status = $4`,
          [plan.id, plan.revision, ApprovalRequestStatus.CANCELLED, ApprovalRequestStatus.PENDING]);
        const t = input.decision === ApprovalDecision.REJECT ? PlanTransition.REJECT : PlanTransition.REQUEST_CHANGES;
        if (t === PlanTransition.REJECT) await tx.em.query(`UPDATE plan_actions SET claimed = false WHERE plan_id = $1`, [plan.id]);
        await applyTransition(tx, plan, t, { comment });
        moved = true;
      }
      if (!moved) await bumpVersion(tx, plan);
      return { plan, approvals };
    });
  },

  async withdraw(ctx: Context, planIdRaw: string, expectedVersion?: number | null, comment?: string | null): Promise<Plan> {
    const planId = parseId(planIdRaw, 'planId');
    return transaction(ctx, async (tx) => {
      const plan = await lockPlan(tx, planId);
      await assertTransition(tx, plan, PlanTransition.WITHDRAW);
      checkVersion(plan, expectedVersion);
      await tx.em.query(`UPDATE plan_approval_requests SET status = $2 WHERE plan_id = $1 AND status = $3`,
        [plan.id, ApprovalRequestStatus.CANCELLED, ApprovalRequestStatus.PENDING]);
      await tx.em.query(`UPDATE plan_actions SET claimed = false WHERE plan_id = $1`, [plan.id]);
      return applyTransition(tx, plan, PlanTransition.WITHDRAW, { comment: comment?.trim() || null });
    });
  },

  /** Pending approval requests the approver may decide (units they sign for, inside their scope), oldest first. */
  async inbox(ctx: Context, first?: number | null, after?: string | null): Promise<ConnectionShape<ApprovalRequest>> {
    requireApprover(ctx);
    const limit = pageSize(first, ctx.config.maxPageSize);
    const cursor = decodeCursor(after, 1);
    const scope = ctx.scope.sql('u');
    const sign = signsForSql(ctx, 'r.unit_id');
    const base = () => ctx.em.getRepository(ApprovalRequest).createQueryBuilder('r')
      .innerJoin('plans', 'p', 'p.id = r.plan_id AND p.revision = r.revision')
      .innerJoin('units', 'u', 'u.id = r.unit_id')
      .where('r.status = :pending', { pending: ApprovalRequestStatus.PENDING })
      .andWhere('p.status = :submitted', { submitted: PlanStatus.SUBMITTED })
      .andWhere(scope.sql, scope.params)
      .andWhere(sign.sql, sign.params);
    const qb = base();
    if (cursor) qb.andWhere('r.id > :cid', { cid: Number(cursor[0]) });
    const rows = await qb.orderBy('r.id', 'ASC').limit(limit + 1).getMany();
    return toConnection(rows, limit, (r) => [r.id], Boolean(cursor), () => base().getCount());
  },

  /**
   * 已办: decisions already taken by the approver, or for a unit they sign for (their own unit, or one delegated to
   * them), inside their scope, newest first.
   */
  async decided(ctx: Context, first?: number | null, after?: string | null): Promise<ConnectionShape<Approval>> {
    const user = requireRole(ctx, Role.APPROVER);
    const limit = pageSize(first, ctx.config.maxPageSize);
    const cursor = decodeCursor(after, 1);
    const scope = ctx.scope.sql('u');
    const sign = signsForSql(ctx, 'a.unit_id');
    const base = () => ctx.em.getRepository(Approval).createQueryBuilder('a')
      .innerJoin('units', 'u', 'u.id = a.unit_id')
      .where(`(a.approver_id = :me OR ${sign.sql})`, { me: user.id, ...sign.params })
      .andWhere(scope.sql, scope.params);
    const qb = base();
    if (cursor) qb.andWhere('a.id < :cid', { cid: Number(cursor[0]) });
    const rows = await qb.orderBy('a.id', 'DESC').limit(limit + 1).getMany();
    return toConnection(rows, limit, (r) => [r.id], Boolean(cursor), () => base().getCount());
  },

  /** How the current user would sign this request now (null: they may not decide it): the one rule, for the UI too. */
  async signatureForRequest(ctx: Context, request: ApprovalRequest, unit: { id: number; path: string }, plan: Plan): Promise<Signature | null> {
    if (request.status !== ApprovalRequestStatus.PENDING || request.revision !== plan.revision || !PLAN_TRANSITIONS[PlanTransition.APPROVE].from.includes(plan.status)) return null;
    return signatureFor(ctx, unit);
  },
};

/** A plan_approval_requests row joined with its unit (snake_case, as PostgreSQL returns it). */
interface RequestRow {
  id: number; plan_id: number; revision: number; action_id: number; unit_id: number; reason: ApprovalRequest['reason'];
  status: ApprovalRequest['status']; approval_id: number | null; carried_over: boolean; created_at: Date; unit_path: string; unit_name: string;
}
