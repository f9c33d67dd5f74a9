import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { Context, SessionUser } from '../graphql/context';
import { badInput, parseId } from '../graphql/errors';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../graphql/pagination';
import { Role } from '../common/enums';
import { requireRole, requireUser } from '../auth/authorize';
import { accountsService } from '../accounts/accounts.service';
import { unitsService } from '../units/units.service';
import { Unit } from '../units/unit.entity';
import { AuditEvent } from './audit-event.entity';

/** Who did it: a signed-in user, or a named system actor (`{ id: null, username: 'system' }`). */
export interface AuditActor {
  id: number | null;
  username: string;
  role?: string | null;
}

export interface AuditInput {
  /** Defaults to `ctx.user` when a context is passed; null/absent with an EntityManager → the system actor. */
  actor?: AuditActor | SessionUser | null;
  /** UPPER_SNAKE_CASE verb, e.g. LOGIN, USER_CREATED, PLAN_SUBMITTED, ACTION_APPROVED, STEP_CONFIRMED. */
  action: string;
  /** What was changed: 'user', 'session', 'account', 'plan', 'plan_action', 'finding', 'import', … */
  entityType: string;
  entityId?: string | number | null;
  /** The account concerned; the unit is derived from it when `unitId` is not given. */
  accountId?: number | null;
  /** The unit concerned: decides who (by scope) sees the event. */
  unitId?: number | null;
  planId?: number | null;
  before?: unknown;
  after?: unknown;
  comment?: string | null;
  ip?: string | null;
}

export const SYSTEM_ACTOR: AuditActor = { id: null, username: 'system', role: null };

const ACTION_RE = /^[A-Z][A-Z0-9_]*$/;
const SECRET_KEY_RE = /^(password|password_?hash|token|secret|session_?secret)$/i;

/** Drops secrets (password hashes, tokens) from before/after snapshots, at any depth. */
function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined || depth > 20) return value ?? null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEY_RE.test(k)) continue;
      out[k] = redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

function isContext(target: Context | EntityManager): target is Context {
  return typeof (target as Context).loaders === 'object' && (target as Context).em !== undefined && (target as Context).config !== undefined;
}

/**
 * Appends audit events in ONE statement, through the given manager — pass the transaction's manager (or a context
 * whose `em` is the transaction's) so the events commit or roll back with the change they describe.
 * Set-based: importers and detection can record thousands of events at once.
 */
export async function recordAuditMany(target: Context | EntityManager, events: AuditInput[]): Promise<string[]> {
  if (!events.length) return [];
  const ctx = isContext(target) ? target : null;
  const em = ctx ? ctx.em : (target as EntityManager);
  const rows = events.map((e, ord) => {
    if (!ACTION_RE.test(e.action)) throw new Error(`recordAudit: action "${e.action}" must be UPPER_SNAKE_CASE`);
    if (!e.entityType) throw new Error('recordAudit: entityType is required');
    const actor = e.actor === undefined ? (ctx?.user ?? SYSTEM_ACTOR) : (e.actor ?? SYSTEM_ACTOR);
    const row: Record<string, unknown> = {
      ord,
      actor_id: actor.id,
      actor_name: actor.username,
      actor_role: actor.role ?? null,
      action: e.action,
      entity_type: e.entityType,
      entity_id: e.entityId === null || e.entityId === undefined ? null : String(e.entityId),
      account_id: e.accountId ?? null,
      unit_id: e.unitId ?? null,
      plan_id: e.planId ?? null,
      comment: e.comment ?? null,
      ip: e.ip ?? ctx?.http?.ip ?? null,
    };
    if (e.before !== undefined && e.before !== null) row.before = redact(e.before);
    if (e.after !== undefined && e.after !== null) row.after = redact(e.after);
    return row;
  });
  const inserted: { id: string }[] = await em.query(
    `INSERT INTO audit_events (actor_id, actor_name, actor_role, action, entity_type, entity_id, account_id, unit_id, plan_id,
                               before, after, comment, ip)
     SELECT x.actor_id, x.actor_name, x.actor_role, x.action, x.entity_type, x.entity_id, x.account_id,
            COALESCE(x.unit_id, a.unit_id), x.plan_id, x.before, x.after, x.comment, x.ip
       FROM jsonb_to_recordset($1::jsonb) AS x(ord int, actor_id int, actor_name text, actor_role text, action text,
              entity_type text, entity_id text, account_id int, unit_id int, plan_id int, before jsonb, after jsonb,
              comment text, ip text)
       LEFT JOIN accounts a ON a.id = x.account_id
      ORDER BY x.ord
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  return inserted.map((r) => String(r.id));
}

/** Appends one audit event in the caller's transaction (see `recordAuditMany`). Returns its id. */
export async function recordAudit(target: Context | EntityManager, event: AuditInput): Promise<string> {
  const [id] = await recordAuditMany(target, [event]);
  return id;
}

/**
 * Runs `fn` in a transaction with a context whose `em` is the transaction's manager (fresh loaders are not needed
 * for writes). Everything `fn` writes — the change and its `recordAudit` — commits or rolls back together.
 */
export function withTransaction<T>(ctx: Context, fn: (tx: Context) => Promise<T>): Promise<T> {
  return ctx.em.transaction((em) => fn({ ...ctx, em }));
}

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
  const user = requireUser(ctx);
  const conds: ((qb: Qb) => void)[] = [];
  const scope = user.unitPath;
  if (scope) conds.push((qb) => qb.andWhere('u.path LIKE :scope', { scope: `${scope}%` }));
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
      conds.push((qb) => qb.andWhere('u.path LIKE :unitPath', { unitPath: `${unit.path}%` }));
    } else {
      conds.push((qb) => qb.andWhere('e.unit_id = :unitId', { unitId: id }));
    }
  }
  if (f.planId !== undefined && f.planId !== null) {
    const id = parseId(f.planId, 'filter.planId');
    conds.push((qb) => qb.andWhere('e.plan_id = :planId', { planId: id }));
  }
  if (f.action?.length) {
    const bad = f.action.find((a) => !ACTION_RE.test(a));
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
    if (scope || f.includeSubunits) qb.innerJoin(Unit, 'u', 'u.id = e.unit_id');
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
