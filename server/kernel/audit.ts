import type { Context, SessionUser } from './context';

/**
 * The audit writer: appends events to the append-only `audit_events` table in the caller's transaction. Actor,
 * role, IP and user agent come from the context — whoever calls it — so no event can be written without them or
 * outside a transaction. Set-based: imports and detection record thousands of events in one statement.
 */

/** Who did it: a signed-in user, or a named system actor. */
export interface AuditActor {
  id: number | null;
  username: string;
  role?: string | null;
}

export interface AuditInput {
  /** Defaults to the context's user, or the system actor (CLI, scheduled jobs). */
  actor?: AuditActor | SessionUser | null;
  /** UPPER_SNAKE_CASE verb, e.g. LOGIN, USER_CREATED, PLAN_SUBMITTED, ACTION_APPROVED, STEP_CONFIRMED. */
  action: string;
  /** What was changed: 'user', 'session', 'account', 'plan', 'plan_action', 'finding', 'import', … */
  entityType: string;
  entityId?: string | number | null;
  /** The account concerned; the unit is derived from it when `unitId` is not given. */
  accountId?: number | null;
  /** The unit the event is filed under: decides who (by scope) sees it. */
  unitId?: number | null;
  planId?: number | null;
  before?: unknown;
  after?: unknown;
  comment?: string | null;
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

export function isAuditAction(action: string): boolean {
  return ACTION_RE.test(action);
}

/** Appends events in ONE statement inside the context's transaction. Returns their ids in order. */
export async function recordAuditMany(tx: Context, events: AuditInput[]): Promise<string[]> {
  if (!tx.inTransaction) throw new Error('recordAudit: call it inside transaction(ctx, …) with the transaction context');
  if (!events.length) return [];
  const ip = tx.http?.ip ?? null;
  const userAgent = tx.http?.userAgent ? tx.http.userAgent.slice(0, 400) : null;
  const rows = events.map((e, ord) => {
    if (!ACTION_RE.test(e.action)) throw new Error(`recordAudit: action "${e.action}" must be UPPER_SNAKE_CASE`);
    if (!e.entityType) throw new Error('recordAudit: entityType is required');
    const actor = e.actor === undefined ? (tx.user ?? SYSTEM_ACTOR) : (e.actor ?? SYSTEM_ACTOR);
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
      ip,
      user_agent: userAgent,
    };
    if (e.before !== undefined && e.before !== null) row.before = redact(e.before);
    if (e.after !== undefined && e.after !== null) row.after = redact(e.after);
    return row;
  });
  const inserted: { id: string }[] = await tx.em.query(
    `INSERT INTO audit_events (actor_id, actor_name, actor_role, action, entity_type, entity_id, account_id, unit_id, plan_id,
                               before, after, comment, ip, user_agent)
     SELECT x.actor_id, x.actor_name, x.actor_role, x.action, x.entity_type, x.entity_id, x.account_id,
            COALESCE(x.unit_id, a.unit_id), x.plan_id, x.before, x.after, x.comment, x.ip, x.user_agent
       FROM jsonb_to_recordset($1::jsonb) AS x(ord int, actor_id int, actor_name text, actor_role text, action text,
              entity_type text, entity_id text, account_id int, unit_id int, plan_id int, before jsonb, after jsonb,
              comment text, ip text, user_agent text)
       LEFT JOIN accounts a ON a.id = x.account_id
      ORDER BY x.ord
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  return inserted.map((r) => String(r.id));
}

/** Appends one audit event in the caller's transaction (see `recordAuditMany`). Returns its id. */
export async function recordAudit(tx: Context, event: AuditInput): Promise<string> {
  const [id] = await recordAuditMany(tx, [event]);
  return id;
}

/**
 * The unit an event about many units is filed under, so every auditor whose scope covers the work sees it: the
 * deepest unit whose subtree contains all of `unitIds` (their lowest common ancestor). Null for none.
 */
export async function commonUnitId(tx: Context, unitIds: readonly number[]): Promise<number | null> {
  if (!unitIds.length) return null;
  const [row] = await tx.em.query(
    `WITH p AS (SELECT path FROM units WHERE id = ANY($1::int[]))
     SELECT u.id FROM units u
      WHERE NOT EXISTS (SELECT 1 FROM p WHERE p.path NOT LIKE u.path || '%')
        AND u.path = ANY (SELECT left((SELECT min(path) FROM p), n) FROM generate_series(1, length((SELECT min(path) FROM p))) n)
      ORDER BY u.depth DESC LIMIT 1`,
    [[...new Set(unitIds)]],
  );
  return row?.id ?? null;
}
