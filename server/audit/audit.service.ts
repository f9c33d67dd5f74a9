import type { SelectQueryBuilder } from 'typeorm';
import type { Context } from '../kernel/context';
import { isAuditAction } from '../kernel/audit';
import { likeEscape } from '../kernel/scope';
import { badInput, parseId } from '../kernel/errors';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../kernel/pagination';
import { Role } from '../common/enums';
import { requireRole, requireUser } from '../kernel/access';
import { accountsService } from '../accounts/accounts.service';
import { unitsService } from '../units/units.service';
import { Unit } from '../units/unit.entity';
import { AuditEvent } from './audit-event.entity';

export interface AuditFilterInput {
  actorId?: string | null;
  accountId?: string | null;
  unitId?: string | null;
  /** With `unitId`: include the unit's whole subtree. */
  includeSubunits?: boolean | null;
  planId?: string | null;
  action?: string[] | null;
  entityType?: string | null;
  from?: Date | null;
  to?: Date | null;
}

type Qb = SelectQueryBuilder<AuditEvent>;

/** Any signed-in user may read events in their scope (events whose unit lies in their subtree). */
async function filtered(ctx: Context, f: AuditFilterInput): Promise<() => Qb> {
  requireUser(ctx);
  const conds: ((qb: Qb) => void)[] = [];
  const scoped = !ctx.scope.unrestricted;
  if (scoped) {
    const scope = ctx.scope.sql('u');
    conds.push((qb) => qb.andWhere(scope.sql, scope.params));
  }
  if (f.actorId !== undefined && f.actorId !== null) {
    const id = parseId(f.actorId, 'filter.actorId');
    conds.push((qb) => qb.andWhere('e.actor_id = :actorId', { actorId: id }));
  }
  if (f.accountId !== undefined && f.accountId !== null) {
    const id = parseId(f.accountId, 'filter.accountId');
    conds.push((qb) => qb.andWhere('e.account_id = :accountId', { accountId: id }));
  }
  if (f.unitId !== undefined && f.unitId !== null) {
    const id = parseId(f.unitId, 'filter.unitId');
    if (f.includeSubunits) {
      const unit = await unitsService.byId(ctx, id);
      conds.push((qb) => qb.andWhere('u.path LIKE :unitPath', { unitPath: `${likeEscape(unit.path)}%` }));
    } else {
      conds.push((qb) => qb.andWhere('e.unit_id = :unitId', { unitId: id }));
    }
  }
  if (f.planId !== undefined && f.planId !== null) {
    const id = parseId(f.planId, 'filter.planId');
    conds.push((qb) => qb.andWhere('e.plan_id = :planId', { planId: id }));
  }
  if (f.action?.length) {
    const bad = f.action.find((a) => !isAuditAction(a));
    if (bad !== undefined) throw badInput(`操作类型 ${bad} 无效：应为大写字母和下划线，如 LOGIN`, [{ field: 'filter.action', message: '应为大写字母和下划线' }]);
    const actions = f.action;
    conds.push((qb) => qb.andWhere('e.action = ANY(:actions)', { actions }));
  }
  if (f.entityType) {
    const entityType = f.entityType;
    conds.push((qb) => qb.andWhere('e.entity_type = :entityType', { entityType }));
  }
  for (const key of ['from', 'to'] as const) {
    const d = f[key];
    if (d !== undefined && d !== null && !(d instanceof Date && !Number.isNaN(d.getTime()))) {
      throw badInput(`filter.${key} 不是有效的时间`, [{ field: `filter.${key}`, message: '无效的时间' }]);
    }
  }
  if (f.from && f.to && f.from > f.to) {
    throw badInput('起始时间晚于结束时间 (from is after to)', [{ field: 'filter.from', message: '应早于结束时间' }]);
  }
  if (f.from) {
    const from = f.from;
    conds.push((qb) => qb.andWhere('e.at >= :from', { from }));
  }
  if (f.to) {
    const to = f.to;
    conds.push((qb) => qb.andWhere('e.at <= :to', { to }));
  }
  return () => {
    const qb = ctx.em.getRepository(AuditEvent).createQueryBuilder('e');
    if (scoped || f.includeSubunits) qb.innerJoin(Unit, 'u', 'u.id = e.unit_id');
    for (const c of conds) c(qb);
    return qb;
  };
}

export const auditService = {
  /** Events newest first, keyset-paginated on (at, id), scoped by the unit of each event. */
  async events(ctx: Context, f: AuditFilterInput, first?: number | null, after?: string | null): Promise<ConnectionShape<AuditEvent>> {
    const limit = pageSize(first, ctx.config.maxPageSize);
    const cursor = decodeCursor(after, 2);
    const base = await filtered(ctx, f);
    const qb = base();
    if (cursor) {
      const at = new Date(String(cursor[0]));
      if (Number.isNaN(at.getTime())) throw badInput('游标 after 无效，请从第一页重新查询 (invalid cursor)', [{ field: 'after', message: '无效的游标' }]);
      qb.andWhere('(e.at, e.id) < (:cAt::timestamptz, :cId::bigint)', { cAt: at.toISOString(), cId: String(cursor[1]) });
    }
    const rows = await qb.orderBy('e.at', 'DESC').addOrderBy('e.id', 'DESC').limit(limit + 1).getMany();
    return toConnection(rows, limit, (e) => [new Date(e.at).toISOString(), String(e.id)], Boolean(cursor), () => base().getCount());
  },

  /** Up to `max` events for export (AUDITOR, ADMIN), newest first; `truncated` when more matched. */
  async exportRows(ctx: Context, f: AuditFilterInput, max = 50_000): Promise<{ rows: AuditEvent[]; truncated: boolean }> {
    requireRole(ctx, Role.AUDITOR, Role.ADMIN);
    const base = await filtered(ctx, f);
    const rows = await base().orderBy('e.at', 'DESC').addOrderBy('e.id', 'DESC').limit(max + 1).getMany();
    return { rows: rows.slice(0, max), truncated: rows.length > max };
  },

  /**
   * Names for the accounts, units, plans and actors the events refer to (the events are already in the caller's
   * scope; a name is what the event was about, as it is called now).
   */
  async names(ctx: Context, rows: readonly AuditEvent[]): Promise<{ accounts: Map<string, string>; units: Map<string, string>; plans: Map<string, string>; users: Map<string, string> }> {
    const ids = (get: (e: AuditEvent) => number | string | null) => [...new Set(rows.map(get).filter((v): v is number | string => v !== null && v !== undefined).map(Number))];
    const lookup = async (sql: string, list: number[]) => {
      if (!list.length) return new Map<string, string>();
      const found: { id: number; name: string }[] = await ctx.em.query(sql, [list]);
      return new Map(found.map((r) => [String(r.id), r.name]));
    };
    const [accounts, units, plans, users] = await Promise.all([
      lookup(`SELECT id, name FROM accounts WHERE id = ANY($1::int[])`, ids((e) => e.accountId)),
      lookup(`SELECT id, name FROM units WHERE id = ANY($1::int[])`, ids((e) => e.unitId)),
      lookup(`SELECT id, title AS name FROM plans WHERE id = ANY($1::int[])`, ids((e) => e.planId)),
      lookup(`SELECT id, display_name AS name FROM users WHERE id = ANY($1::int[])`, ids((e) => e.actorId)),
    ]);
    return { accounts, units, plans, users };
  },

  /**
   * An account's whole story, oldest first: its audit events, the plan-level events of every plan that touched it
   * (submitted, approved, …), and its status history. NOT_FOUND when the account is outside the user's scope.
   */
  async accountTimeline(ctx: Context, accountId: string | number) {
    requireUser(ctx);
    const account = await accountsService.byId(ctx, accountId);
    const events = await ctx.em.getRepository(AuditEvent).createQueryBuilder('e')
      .where('e.account_id = :id', { id: account.id })
      .orWhere(`(e.entity_type = 'account' AND e.entity_id = :sid)`, { sid: String(account.id) })
      .orWhere(`(e.account_id IS NULL AND e.plan_id IN (SELECT p.plan_id FROM audit_events p WHERE p.account_id = :id AND p.plan_id IS NOT NULL))`)
      .orderBy('e.at', 'ASC').addOrderBy('e.id', 'ASC').limit(5000).getMany();
    const history = await ctx.loaders.statusHistoryByAccount.load(account.id);
    const entries: TimelineItem[] = [
      ...events.map((e) => ({ at: new Date(e.at), kind: 'AUDIT' as const, auditEvent: e, statusChange: null })),
      ...history.map((h) => ({ at: new Date(h.changedAt), kind: 'STATUS' as const, auditEvent: null, statusChange: h })),
    ];
    // Stable: by time; at equal times a status change follows the audit event of the step that caused it.
    return entries
      .map((e, i) => ({ e, i }))
      .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || (a.e.kind === b.e.kind ? a.i - b.i : a.e.kind === 'AUDIT' ? -1 : 1))
      .map((x) => x.e);
  },
};

export interface TimelineItem {
  at: Date;
  kind: 'AUDIT' | 'STATUS';
  auditEvent: AuditEvent | null;
  statusChange: import('../accounts/status-change.entity').AccountStatusChange | null;
}
