import { Role, RULE_NAMES_ZH } from '../common/enums';
import type { Context } from '../kernel/context';
import { requireRole, requireWrite } from '../kernel/access';
import { recordAudit } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { addWorkingDays, todayInBeijing, workingDaysBetween } from '../kernel/dates';
import { badInput, conflict, forbidden, notFound, parseId } from '../kernel/errors';
import { pageSize } from '../kernel/pagination';
import { effectiveSettings, loadPolicies } from '../policy/policy.service';
import { getPlanPolicy } from '../plans/plan-policy';
import { Notification, WorkOrder } from './work-order.entity';

export interface SyncCounts {
  created: number;
  closed: number;
  overdue: number;
  escalated: number;
  reminded: number;
}

/**
 * The loop of rectification work orders (整改工单), set-based, run after every detection and by the daily reminders
 * job (`today`: the Beijing date the deadlines are judged against):
 *   1. every OPEN veto finding without a live work order gets one, to its sponsoring unit, due `workOrders.deadlineWorkingDays`
 *      working days later (policy of the finding's province; the plans' working-day calendar);
 *   2. work orders whose finding is no longer open (resolved by detection, or dismissed) are closed;
 *   3. live orders past their deadline become overdue (the unit is notified) and are escalated to the supervising unit
 *      (`units.supervisor_id`, else the parent), which is notified;
 *   4. open orders due within `workOrders.remindWorkingDays` working days get one reminder.
 * Every step writes the notifications a client or a mail/SMS gateway reads.
 */
export async function syncWorkOrders(ctx: Context, opts: { today?: string } = {}): Promise<SyncCounts> {
  const today = opts.today ?? todayInBeijing();
  const policies = await loadPolicies(ctx.em);
  const cal = getPlanPolicy();
  const provinces = ['0', ...policies.provinces.keys()];
  const deadlines: Record<string, string> = {};
  const remindBy: Record<string, string> = {};
  for (const p of provinces) {
    const s = effectiveSettings(policies, p).workOrders;
    deadlines[p] = addWorkingDays(today, s.deadlineWorkingDays, cal);
    remindBy[p] = addWorkingDays(today, s.remindWorkingDays, cal);
  }
  const prov = (col: string) => `COALESCE($DL::jsonb ->> NULLIF(split_part(${col}, '/', 3), ''), $DL::jsonb ->> '0')`;
  return transaction(ctx, async (tx) => {
    const q = async (sql: string, params: unknown[]) => Number((await tx.em.query(sql, params))[0]?.n ?? 0);
    const created = await q(`
      WITH new AS (
        INSERT INTO work_orders (finding_id, unit_id, account_id, rule, title, status, deadline)
        SELECT f.id, f.unit_id, f.account_id, f.rule, ($2::jsonb ->> f.rule) || '：' || COALESCE(a.name, u.name), 'open',
               ${prov('f.region_path').replace(/\$DL/g, '$1')}::date
          FROM findings f JOIN units u ON u.id = f.unit_id LEFT JOIN accounts a ON a.id = f.account_id
         WHERE f.status = 'open' AND f.severity = 'veto'
           AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.finding_id = f.id AND w.status <> 'closed')
        RETURNING id, unit_id, title, deadline),
      n AS (INSERT INTO notifications (unit_id, work_order_id, kind, title, body)
            SELECT unit_id, id, 'work_order', '新整改工单', title || '。请于 ' || deadline || ' 前完成整改并反馈。' FROM new RETURNING 1)
      SELECT count(*)::int AS n FROM n`, [JSON.stringify(deadlines), JSON.stringify(RULE_NAMES_ZH)]);
    const created2 = await openKeepOrders(tx, deadlines);
    const closedKeep = await q(`
      WITH c AS (
        UPDATE work_orders w SET status = 'closed', closed_at = now(),
               close_reason = CASE WHEN s.status = 'done' THEN '方案执行已确认整改' ELSE '方案已不再执行' END
          FROM plan_steps s JOIN plans p ON p.id = s.plan_id
         WHERE s.id = w.plan_step_id AND w.status <> 'closed' AND (s.status = 'done' OR p.status <> 'executing')
        RETURNING w.id)
      SELECT count(*)::int AS n FROM c`, []);
    const closed = closedKeep + await q(`
      WITH c AS (
        UPDATE work_orders w SET status = 'closed', closed_at = now(),
               close_reason = CASE f.status WHEN 'resolved' THEN '复查已整改（问题不再成立）' ELSE '问题已忽略' END
          FROM findings f WHERE f.id = w.finding_id AND w.status <> 'closed' AND f.status <> 'open'
        RETURNING w.id)
      SELECT count(*)::int AS n FROM c`, []);
    const overdue = await q(`
      WITH o AS (
        UPDATE work_orders SET status = 'overdue' WHERE status IN ('open', 'answered') AND deadline < $1::date
        RETURNING id, unit_id, title, deadline),
      n AS (INSERT INTO notifications (unit_id, work_order_id, kind, title, body)
            SELECT unit_id, id, 'overdue', '整改工单已逾期', title || '。整改期限 ' || deadline || ' 已过，已报上级主管单位。' FROM o RETURNING 1)
      SELECT count(*)::int AS n FROM n`, [today]);
    const escalated = await q(`
      WITH e AS (
        UPDATE work_orders w SET status = 'escalated', escalated_at = now(), escalated_to_unit_id = COALESCE(u.supervisor_id, u.parent_id)
          FROM units u WHERE u.id = w.unit_id AND w.status = 'overdue' AND COALESCE(u.supervisor_id, u.parent_id) IS NOT NULL
        RETURNING w.id, w.escalated_to_unit_id, w.title, u.name AS unit_name),
      n AS (INSERT INTO notifications (unit_id, work_order_id, kind, title, body)
            SELECT escalated_to_unit_id, id, 'escalated', '下级单位整改逾期', unit_name || '：' || title || '，整改已逾期，请督促。' FROM e RETURNING 1)
      SELECT count(*)::int AS n FROM n`, []);
    const reminded = await q(`
      WITH r AS (
        UPDATE work_orders w SET reminded_on = $2::date
          FROM units u WHERE u.id = w.unit_id AND w.status = 'open' AND w.reminded_on IS NULL
           AND w.deadline <= ${prov('u.region_path').replace(/\$DL/g, '$1')}::date
        RETURNING w.id, w.unit_id, w.title, w.deadline),
      n AS (INSERT INTO notifications (unit_id, work_order_id, kind, title, body)
            SELECT unit_id, id, 'reminder', '整改即将到期', title || '。整改期限 ' || deadline || '，请尽快反馈。' FROM r RETURNING 1)
      SELECT count(*)::int AS n FROM n`, [JSON.stringify(remindBy), today]);
    const counts = { created: created + created2, closed, overdue, escalated, reminded };
    if (counts.created || closed || overdue || escalated) {
      await recordAudit(tx, { action: 'WORK_ORDERS_SYNCED', entityType: 'work_order', after: { ...counts, today },
        comment: `整改工单：新建 ${counts.created}，办结 ${closed}，逾期 ${overdue}，升级 ${escalated}` });
    }
    return counts;
  });
}

/** Deadlines per province ('0' national) for work orders opened today: `workOrders.deadlineWorkingDays` working days on. */
async function deadlinesFrom(ctx: Context, today: string): Promise<Record<string, string>> {
  const policies = await loadPolicies(ctx.em);
  const cal = getPlanPolicy();
  const out: Record<string, string> = {};
  for (const p of ['0', ...policies.provinces.keys()]) out[p] = addWorkingDays(today, effectiveSettings(policies, p).workOrders.deadlineWorkingDays, cal);
  return out;
}

/**
 * A plan's KEEP actions (keep but rectify: 保留整改) become work orders to the account's sponsoring unit, one per
 * pending RECTIFIED step of an executing plan, due the policy's working days later, with a notification; set-based.
 * `planId` limits it to one plan (execution start); the sync does every plan. Closed when the step is confirmed.
 */
async function openKeepOrders(tx: Context, deadlines: Record<string, string>, planId?: number): Promise<number> {
  const [row] = await tx.em.query(`
    WITH new AS (
      INSERT INTO work_orders (plan_step_id, unit_id, account_id, rule, title, status, deadline)
      SELECT s.id, a.unit_id, a.id, 'KEEP_RECTIFY', '方案 #' || p.id || '「' || p.title || '」保留整改：' || a.name
               || COALESCE('（' || NULLIF(btrim(pa.rectification), '') || '）', ''), 'open',
             COALESCE($1::jsonb ->> NULLIF(split_part(u.region_path, '/', 3), ''), $1::jsonb ->> '0')::date
        FROM plan_steps s JOIN plans p ON p.id = s.plan_id JOIN plan_actions pa ON pa.id = s.action_id
        JOIN accounts a ON a.id = pa.account_id JOIN units u ON u.id = a.unit_id
       WHERE s.kind = 'rectified' AND s.status = 'pending' AND p.status = 'executing' AND pa.removed_at IS NULL
         AND ($2::int IS NULL OR p.id = $2::int)
         AND NOT EXISTS (SELECT 1 FROM work_orders w WHERE w.plan_step_id = s.id AND w.status <> 'closed')
      RETURNING id, unit_id, title, deadline),
    n AS (INSERT INTO notifications (unit_id, work_order_id, kind, title, body)
          SELECT unit_id, id, 'work_order', '新整改工单', title || '。请于 ' || deadline || ' 前完成整改并反馈。' FROM new RETURNING 1)
    SELECT count(*)::int AS n FROM n`, [JSON.stringify(deadlines), planId ?? null]);
  return Number(row?.n ?? 0);
}

/**
 * Execution started (APPROVED → EXECUTING, inside its transaction): the plan's KEEP actions become work orders now,
 * not at the next sync. Audited with the plan.
 */
export async function openKeepWorkOrders(tx: Context, planId: number): Promise<number> {
  const n = await openKeepOrders(tx, await deadlinesFrom(tx, todayInBeijing()), planId);
  if (n) {
    await recordAudit(tx, { action: 'WORK_ORDERS_SYNCED', entityType: 'work_order', planId,
      after: { created: n, source: 'keep' }, comment: `方案 #${planId} 保留整改：新建整改工单 ${n} 个` });
  }
  return n;
}

export const workOrdersService = {
  /** Work orders of the units in scope (as the sponsoring unit, or as the supervising unit they were escalated to). */
  async list(ctx: Context, status?: string | null, first?: number | null): Promise<WorkOrder[]> {
    if (!ctx.user && !ctx.system) return [];
    const scope = ctx.scope.sql('u');
    const escalated = ctx.scope.sql('eu', 'scope_prefix2');
    const qb = ctx.em.getRepository(WorkOrder).createQueryBuilder('w')
      .innerJoin('units', 'u', 'u.id = w.unit_id').leftJoin('units', 'eu', 'eu.id = w.escalated_to_unit_id')
      .where(`(${scope.sql} OR (eu.id IS NOT NULL AND ${escalated.sql}))`, { ...scope.params, ...escalated.params })
      .orderBy('w.deadline', 'ASC').addOrderBy('w.id', 'ASC').limit(pageSize(first, ctx.config.maxPageSize));
    if (status) qb.andWhere('w.status = :status', { status });
    return qb.getMany();
  },

  /** The sponsoring unit answers (整改反馈) with a note and evidence: its approvers (or an administrator over it). */
  async answer(ctx: Context, id: string, note: string, evidence?: string | null): Promise<WorkOrder> {
    const user = requireWrite(ctx);
    requireRole(ctx, Role.APPROVER, Role.ADMIN);
    const text = note?.trim() ?? '';
    if (!text || text.length > 2000) throw badInput('请填写整改情况（不超过 2000 字） (a note of 1–2000 characters is required)', [{ field: 'note', message: '1–2000' }]);
    if (evidence && evidence.length > 2000) throw badInput('整改证据不超过 2000 字 (evidence too long)', [{ field: 'evidence', message: '≤ 2000' }]);
    return transaction(ctx, async (tx) => {
      const order = await tx.em.getRepository(WorkOrder).findOne({ where: { id: parseId(id, 'id') }, lock: { mode: 'pessimistic_write' } });
      const unit = order ? await tx.loaders.unitById.load(order.unitId) : null;
      if (!order || !unit || !tx.scope.contains(unit.path)) throw notFound('整改工单');
      if (user.role === Role.APPROVER && user.unitId !== order.unitId) throw forbidden('只有主办单位的审批人可以反馈整改情况 (only approvers of the sponsoring unit may answer)');
      if (order.status === 'closed') throw conflict('该工单已办结 (the work order is closed)');
      const before = { status: order.status };
      await tx.em.query(`UPDATE work_orders SET status = CASE WHEN status = 'open' THEN 'answered' ELSE status END, answer_note = $2, answer_evidence = $3,
                           answered_at = now(), answered_by = $4 WHERE id = $1`, [order.id, text, evidence?.trim() || null, user.id]);
      await recordAudit(tx, { action: 'WORK_ORDER_ANSWERED', entityType: 'work_order', entityId: order.id, unitId: order.unitId, accountId: order.accountId,
        before, after: { note: text, evidence: evidence ?? null }, comment: order.title });
      return tx.em.getRepository(WorkOrder).findOneByOrFail({ id: order.id });
    });
  },

  /** Notifications of the units in scope, newest first. */
  async notifications(ctx: Context, unreadOnly: boolean, first?: number | null): Promise<Notification[]> {
    if (!ctx.user && !ctx.system) return [];
    const scope = ctx.scope.sql('u');
    const qb = ctx.em.getRepository(Notification).createQueryBuilder('n').innerJoin('units', 'u', 'u.id = n.unit_id')
      .where(scope.sql, scope.params).orderBy('n.created_at', 'DESC').addOrderBy('n.id', 'DESC').limit(pageSize(first, ctx.config.maxPageSize));
    if (unreadOnly) qb.andWhere('n.read_at IS NULL');
    return qb.getMany();
  },

  /** Marks one notification of a unit in scope as read (NOT_FOUND outside the scope); auditors only read. */
  async markRead(ctx: Context, id: string): Promise<Notification> {
    requireWrite(ctx);
    return transaction(ctx, async (tx) => {
      const n = await tx.em.getRepository(Notification).findOneBy({ id: String(parseId(id, 'id')) });
      const unit = n ? await tx.loaders.unitById.load(n.unitId) : null;
      if (!n || !unit || !tx.scope.contains(unit.path)) throw notFound('通知');
      if (n.readAt) return n;
      await tx.em.query(`UPDATE notifications SET read_at = now() WHERE id = $1`, [n.id]);
      await recordAudit(tx, { action: 'NOTIFICATION_READ', entityType: 'notification', entityId: n.id, unitId: n.unitId, comment: n.title });
      return tx.em.getRepository(Notification).findOneByOrFail({ id: n.id });
    });
  },

  /** Marks every unread notification of the units in scope as read; returns how many. */
  async markAllRead(ctx: Context): Promise<number> {
    requireWrite(ctx);
    return transaction(ctx, async (tx) => {
      const scope = tx.scope.raw('u', 1);
      const [{ n }]: { n: number }[] = await tx.em.query(`
        WITH x AS (UPDATE notifications n SET read_at = now() FROM units u
                    WHERE u.id = n.unit_id AND n.read_at IS NULL AND ${scope.sql} RETURNING n.id)
        SELECT count(*)::int AS n FROM x`, scope.value === null ? [] : [scope.value]);
      if (n) await recordAudit(tx, { action: 'NOTIFICATION_READ', entityType: 'notification', after: { count: n }, comment: `全部标为已读（${n} 条）` });
      return n;
    });
  },

  /** Working days left until the deadline (negative: overdue). */
  daysLeft(order: WorkOrder, today = todayInBeijing()): number {
    const cal = getPlanPolicy();
    return order.deadline >= today ? workingDaysBetween(today, order.deadline, cal) : -workingDaysBetween(order.deadline, today, cal);
  },
};
