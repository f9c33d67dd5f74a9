import type { Context } from '../kernel/context';
import { conflict, forbidden, notFound, parseId } from '../kernel/errors';
import { parseDate, addWorkingDays } from '../kernel/dates';
import { AccountStatus, PlanActionType, StepKind, StepStatus, STEP_NAMES_ZH } from '../common/enums';
import { recordAuditMany, type AuditInput } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { Plan } from './plan.entity';
import { PlanAction } from './plan-action.entity';
import { ExecutionStep } from './execution-step.entity';
import { requireApprover } from './plan-access';
import { getPlanPolicy } from './plan-policy';
import { bumpVersion, checkVersion, lockPlan } from './plan-guard';
import { applyIfDue, applyTransition, assertTransition, PLAN_TRANSITIONS, PlanTransition, requireFrom } from './plan-states';
import { signatureFor, type Signature } from './signing';
import { validatePlan } from './validation.service';
import { movePosts, moveServices, type SourceRow } from './moves';
import { checkStep, type StepInput } from './step-guards';
import { openKeepWorkOrders } from '../workorders/workorders.service';

/**
 * Execution: each action gets its steps by type; confirming a step (for the sponsoring unit of the action's account: its
 * approver, or one it delegated to — see `stepSignature`) changes the data in one transaction — posts and services really move to their
 * destination (set-based, keeping `origin_account_id`), account status and history change, rollups are refreshed,
 * audit events are written. The plan completes when every step is done.
 */
export const STEP_TEMPLATES: Record<PlanActionType, StepKind[]> = {
  [PlanActionType.SHUTDOWN]: [StepKind.NOTICE_PUBLISHED, StepKind.CONTENT_MIGRATED, StepKind.SERVICES_MIGRATED, StepKind.DEREGISTERED, StepKind.FILING_UPDATED],
  [PlanActionType.MERGE]: [StepKind.CONTENT_MIGRATED, StepKind.SERVICES_MIGRATED, StepKind.FOLLOWERS_NOTIFIED, StepKind.DEREGISTERED, StepKind.FILING_UPDATED],
  [PlanActionType.KEEP]: [StepKind.RECTIFIED],
  [PlanActionType.RENAME]: [StepKind.RENAMED],
};

async function changeStatus(tx: Context, src: SourceRow, to: AccountStatus, reason: string, extra = ''): Promise<AuditInput | null> {
  if (src.status === to) return null;
  await tx.em.query(`UPDATE accounts SET status = $2, updated_at = now() ${extra} WHERE id = $1`, [src.id, to]);
  await tx.em.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source, reason)
                     VALUES ($1, $2, $3, now(), 'plan', $4)`, [src.id, src.status, to, reason]);
  const ev: AuditInput = { action: 'ACCOUNT_STATUS_CHANGED', entityType: 'account', entityId: src.id, accountId: src.id,
    before: { status: src.status }, after: { status: to }, comment: reason };
  src.status = to;
  return ev;
}

export const executionService = {
  /** APPROVED → EXECUTING: re-validates (the world may have changed since approval) and creates the steps. */
  async start(ctx: Context, planIdRaw: string, expectedVersion?: number | null): Promise<Plan> {
    const planId = parseId(planIdRaw, 'planId');
    return transaction(ctx, async (tx) => {
      const plan = await lockPlan(tx, planId);
      await assertTransition(tx, plan, PlanTransition.START_EXECUTION);
      checkVersion(plan, expectedVersion);
      const v = await validatePlan(tx, plan);
      if (!v.valid) {
        throw conflict(`批准后情况已变化，方案校验未通过，不能执行：${v.errors.slice(0, 3).map((e) => e.message).join('；')} (plan no longer valid)`,
          { errors: v.errors });
      }
      const templates = Object.entries(STEP_TEMPLATES).flatMap(([type, kinds]) => kinds.map((kind, i) => ({ type, kind, seq: i + 1 })));
      const steps: { id: number }[] = await tx.em.query(
        `INSERT INTO plan_steps (plan_id, action_id, kind, seq, status)
         SELECT pa.plan_id, pa.id, t.kind, t.seq, $3 FROM plan_actions pa
           JOIN jsonb_to_recordset($2::jsonb) AS t(type text, kind text, seq int) ON t.type = pa.type
          WHERE pa.plan_id = $1 AND pa.removed_at IS NULL
          ORDER BY pa.id, t.seq RETURNING id`, [plan.id, JSON.stringify(templates), StepStatus.PENDING]);
      const started = await applyTransition(tx, plan, PlanTransition.START_EXECUTION, { after: { steps: steps.length } });
      // KEEP actions (keep but rectify) become rectification work orders to the sponsoring unit (workorders).
      await openKeepWorkOrders(tx, plan.id);
      return started;
    });
  },

  /**
   * Confirms one step, applying its effect on the data in the same transaction. The procedure's guards (dates within
   * the execution, order, notice evidence, rectification shown by detection) are in step-guards.ts.
   */
  async confirm(ctx: Context, stepIdRaw: string, dateRaw?: string | null, note?: string | null,
    extra: Omit<StepInput, 'date'> = {}): Promise<ExecutionStep> {
    const user = requireApprover(ctx);
    const stepId = parseId(stepIdRaw, 'stepId');
    const date = parseDate(dateRaw, 'date', { notFuture: true });
    return transaction(ctx, async (tx) => {
      const head = await tx.em.getRepository(ExecutionStep).findOneBy({ id: stepId });
      if (!head) throw notFound(`执行步骤 ${stepId}`);
      const plan = await lockPlan(tx, head.planId);
      const step = (await tx.em.getRepository(ExecutionStep).findOneBy({ id: stepId }))!;
      const action = (await tx.em.getRepository(PlanAction).findOneBy({ id: step.actionId }))!;
      const [src]: SourceRow[] = await tx.em.query(
        `SELECT a.id, a.name, a.status, a.unit_id, u.path AS unit_path, u.name AS unit_name
           FROM accounts a JOIN units u ON u.id = a.unit_id WHERE a.id = $1 FOR UPDATE OF a`, [action.accountId]);
      const sig = await signatureFor(tx, { id: src.unit_id, path: src.unit_path });
      if (!sig) {
        throw forbidden(`执行步骤须由主办单位「${src.unit_name}」的审批人（或其授权的人）确认 (forbidden: you do not sign for the sponsoring unit)`);
      }
      requireFrom(plan, PlanTransition.COMPLETE, '确认执行步骤');
      if (step.status === StepStatus.DONE) throw conflict(`步骤「${STEP_NAMES_ZH[step.kind]}」已于 ${step.doneOn} 确认 (step already confirmed)`);

      const siblings = await tx.em.getRepository(ExecutionStep).findBy({ actionId: action.id });
      const { evidence, overrideReason } = await checkStep(tx, plan, action, step, siblings, src, { ...extra, date });

      const events: AuditInput[] = [];
      const reason = `方案 #${plan.id}「${plan.title}」：${STEP_NAMES_ZH[step.kind]}`;
      const contentDest = action.targetAccountId ?? action.contentTargetAccountId;
      const serviceDest = action.targetAccountId ?? action.serviceTargetAccountId;
      let movedPosts: number | null = null;
      let movedServices: number | null = null;
      const moveAll = async (what: 'posts' | 'services') => {
        const dest = what === 'posts' ? contentDest : serviceDest;
        const [{ n }] = await tx.em.query(`SELECT count(*)::int AS n FROM ${what} WHERE account_id = $1`, [src.id]);
        if (n === 0) return 0;
        if (dest === null) {
          throw conflict(`${what === 'posts' ? '内容' : '办事服务'}没有迁入账号（${n} ${what === 'posts' ? '条' : '项'}），不能继续 (no destination)`);
        }
        const [d] = await tx.em.query(`SELECT status, name FROM accounts WHERE id = $1 FOR UPDATE`, [dest]);
        if (d.status !== AccountStatus.ACTIVE) throw conflict(`迁入账号「${d.name}」不是正常状态，不能迁入 (destination not active)`);
        const moved = what === 'posts' ? await movePosts(tx, src, dest) : (await moveServices(tx, src, dest, action.servicesMode)).moved;
        const ev = what === 'posts' ? 'POSTS_MIGRATED' : 'SERVICES_MIGRATED';
        events.push({ action: ev, entityType: 'account', entityId: src.id, accountId: src.id, planId: plan.id,
          before: { accountId: src.id, count: moved }, after: { accountId: dest, count: moved }, comment: reason });
        events.push({ action: ev, entityType: 'account', entityId: dest, accountId: dest, planId: plan.id,
          before: { accountId: src.id, count: moved }, after: { accountId: dest, count: moved }, comment: `迁自「${src.name}」：${reason}` });
        return moved;
      };

      switch (step.kind) {
        // NOTICE_PUBLISHED: the account stays active (under inspection, posting until it is gone): no status change.
        case StepKind.CONTENT_MIGRATED:
          movedPosts = await moveAll('posts');
          break;
        case StepKind.SERVICES_MIGRATED:
          movedServices = await moveAll('services');
          break;
        case StepKind.DEREGISTERED: {
          // Anything published or added since the migration steps moves too: nothing is left behind.
          movedPosts = await moveAll('posts');
          movedServices = await moveAll('services');
          const ev = await changeStatus(tx, src, AccountStatus.CLOSED, `${reason}（${date}）`, ', is_main = false');
          if (ev) events.push({ ...ev, planId: plan.id });
          // The deregistration date closes the loop: posts after it are CLOSED_BUT_LIVE findings.
          await tx.em.query(`UPDATE accounts SET closed_on = $2::date WHERE id = $1`, [src.id, date]);
          break;
        }
        case StepKind.RENAMED: {
          const [cur] = await tx.em.query(`SELECT name FROM accounts WHERE id = $1`, [src.id]);
          await tx.em.query(`UPDATE accounts SET name = $2, updated_at = now() WHERE id = $1`, [src.id, action.newName]);
          events.push({ action: 'ACCOUNT_RENAMED', entityType: 'account', entityId: src.id, accountId: src.id, planId: plan.id,
            before: { name: cur.name }, after: { name: action.newName }, comment: reason });
          break;
        }
        default:
          break;
      }

      await tx.em.query(
        `UPDATE plan_steps SET status = $2, done_on = $3, confirmed_by_id = $4, confirmed_by_name = $5, confirmed_at = now(), note = $6,
                moved_posts = $7, moved_services = $8, confirmed_unit_id = $9, delegation_id = $10, evidence = $11, override_reason = $12 WHERE id = $1`,
        [step.id, StepStatus.DONE, date, user.id, user.username, note?.trim() || null, movedPosts, movedServices, sig.unitId, sig.delegationId,
          evidence ? JSON.stringify(evidence) : null, overrideReason]);
      events.unshift({ action: 'STEP_CONFIRMED', entityType: 'plan_step', entityId: step.id, accountId: src.id, planId: plan.id,
        unitId: sig.unitId, before: { status: StepStatus.PENDING },
        after: { kind: step.kind, status: StepStatus.DONE, date, movedPosts, movedServices, unitId: sig.unitId, delegationId: sig.delegationId,
          evidence, overrideReason },
        comment: note?.trim() || reason });

      await recordAuditMany(tx, events);
      if (await applyIfDue(tx, plan, PlanTransition.COMPLETE)) {
        await tx.em.query(`UPDATE plan_actions SET claimed = false WHERE plan_id = $1`, [plan.id]);
      } else {
        await bumpVersion(tx, plan);
      }
      return (await tx.em.getRepository(ExecutionStep).findOneBy({ id: step.id }))!;
    });
  },

  /** How the current user would confirm the step now (null: they may not) — the one rule, for the UI too. */
  async stepSignature(ctx: Context, plan: Plan, step: ExecutionStep): Promise<Signature | null> {
    if (step.status !== StepStatus.PENDING || !PLAN_TRANSITIONS[PlanTransition.COMPLETE].from.includes(plan.status)) return null;
    const action = await ctx.loaders.actionById.load(step.actionId);
    const account = action && (await ctx.loaders.accountById.load(action.accountId));
    const unit = account && (await ctx.loaders.unitById.load(account.unitId));
    return unit ? signatureFor(ctx, unit) : null;
  },

  /** For a shutdown's deregistration step: the first date the notice period allows (null until the notice is out). */
  earliestDeregistration(plan: Plan, action: PlanAction, steps: ExecutionStep[]): string | null {
    if (action.type !== PlanActionType.SHUTDOWN) return null;
    const notice = steps.find((s) => s.actionId === action.id && s.kind === StepKind.NOTICE_PUBLISHED);
    if (!notice?.doneOn) return null;
    return addWorkingDays(notice.doneOn, plan.noticeWorkingDays ?? getPlanPolicy().noticeWorkingDays, getPlanPolicy());
  },
};
