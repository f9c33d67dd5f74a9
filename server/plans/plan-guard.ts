import { createHash } from 'node:crypto';
import type { Context } from '../kernel/context';
import { conflict, forbidden, notFound } from '../kernel/errors';
import { Plan } from './plan.entity';
import type { PlanAction } from './plan-action.entity';

/**
 * Visibility, scope, locking and versioning of plans: a plan is visible to a user when its scope overlaps the
 * user's scope (or it touches an account there, or they wrote it); it may be authored by a PLANNER whose scope
 * contains the whole plan scope. Every change locks the plan row and bumps `version` (optimistic locking for clients).
 * Status changes are in plan-states.ts.
 */

/**
 * Paths of the units on the way down to the user's unit (the user's own unit and its ancestors): a plan scoped to one
 * of them overlaps the user's subtree (`Scope.touches` in SQL). Empty when the scope has no limit.
 */
function pathsAbove(ctx: Context): string[] {
  const prefix = ctx.scope.prefix;
  if (prefix === null) return [];
  const parts = prefix.split('/').filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`);
}

/** SQL condition (alias `p`) for "plan visible to this user"; named params :vscope (the scope's), :vabove, :vuid. */
export function visibleCondition(ctx: Context): { sql: string; params: Record<string, unknown> } {
  if (!ctx.scope.any) return { sql: 'FALSE', params: {} };
  if (ctx.scope.unrestricted) return { sql: 'TRUE', params: {} };
  const su = ctx.scope.sql('su', 'vscope');
  const u = ctx.scope.sql('u', 'vscope');
  return {
    sql: `(p.author_id = :vuid
      OR EXISTS (SELECT 1 FROM units su WHERE su.id = p.scope_unit_id AND (${su.sql} OR su.path = ANY(:vabove)))
      OR EXISTS (SELECT 1 FROM regions r JOIN units u ON u.region_path LIKE r.path || '%' WHERE r.code = p.scope_region_code AND ${u.sql})
      OR EXISTS (SELECT 1 FROM plan_actions pa JOIN accounts a ON a.id IN (pa.account_id, pa.target_account_id, pa.service_target_account_id)
                   JOIN units u ON u.id = a.unit_id WHERE pa.plan_id = p.id AND ${u.sql}))`,
    params: { ...su.params, vabove: pathsAbove(ctx), vuid: ctx.user?.id ?? -1 },
  };
}

export async function isPlanVisible(ctx: Context, planId: number): Promise<boolean> {
  const v = visibleCondition(ctx);
  const n = await ctx.em.getRepository(Plan).createQueryBuilder('p').where('p.id = :id', { id: planId })
    .andWhere(v.sql, v.params).getCount();
  return n > 0;
}

/** Whether the plan's whole scope lies in the user's scope (required to author it). */
export async function scopeWithinUser(ctx: Context, scope: { scopeUnitId: number | null; scopeRegionCode: string | null }): Promise<boolean> {
  if (ctx.scope.unrestricted) return true;
  if (!ctx.scope.any) return false;
  if (scope.scopeUnitId !== null) {
    const unit = await ctx.loaders.unitById.load(scope.scopeUnitId);
    return Boolean(unit && ctx.scope.contains(unit.path));
  }
  const s = ctx.scope.raw('u', 2);
  const [row] = await ctx.em.query(
    `SELECT EXISTS (SELECT 1 FROM regions r JOIN units u ON u.region_path LIKE r.path || '%' WHERE r.code = $1 AND ${s.sql}) AS inside,
            EXISTS (SELECT 1 FROM regions r JOIN units u ON u.region_path LIKE r.path || '%' WHERE r.code = $1 AND NOT (${s.sql})) AS outside`,
    s.value === null ? [scope.scopeRegionCode] : [scope.scopeRegionCode, s.value],
  );
  return Boolean(row?.inside) && !row?.outside;
}

/**
 * The unit plan-level audit events are filed under (so scoped readers see them): the scope unit, or the
 * government of the scope region (the shallowest one), or the author's unit.
 */
export async function anchorUnitId(ctx: Context, plan: Plan): Promise<number | null> {
  if (plan.scopeUnitId !== null) return plan.scopeUnitId;
  const [row] = await ctx.em.query(
    `SELECT COALESCE(
       (SELECT id FROM units WHERE region_code = $1 AND kind = 'government' ORDER BY depth, id LIMIT 1),
       (SELECT unit_id FROM users WHERE id = $2)) AS id`, [plan.scopeRegionCode, plan.authorId ?? -1]);
  return row?.id ?? null;
}

/** Plan row locked FOR UPDATE in the caller's transaction; NOT_FOUND when missing or invisible. */
export async function lockPlan(tx: Context, id: number): Promise<Plan> {
  const plan = await tx.em.getRepository(Plan).createQueryBuilder('p').setLock('pessimistic_write')
    .where('p.id = :id', { id }).getOne();
  if (!plan || !(await isPlanVisible(tx, id))) throw notFound(`方案 ${id}`);
  return plan;
}

export function checkVersion(plan: Plan, expectedVersion: number | null | undefined): void {
  if (expectedVersion !== null && expectedVersion !== undefined && expectedVersion !== plan.version) {
    throw conflict(`方案已被他人修改（当前版本 ${plan.version}，您基于版本 ${expectedVersion}），请刷新后重试 (stale plan version)`,
      { currentVersion: plan.version, expectedVersion });
  }
}

/** FORBIDDEN: the plan is visible (it overlaps the user's subtree) but its scope reaches beyond it. */
export function forbiddenScope() {
  return forbidden('方案范围超出您的管辖范围，不能编制或修改该方案 (forbidden: plan scope outside your scope)');
}

export async function bumpVersion(tx: Context, plan: Plan): Promise<Plan> {
  // TypeORM returns [rows, affected] for UPDATE.
  const [[row]] = await tx.em.query(`UPDATE plans SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version, updated_at`, [plan.id]);
  plan.version = row.version;
  plan.updatedAt = row.updated_at;
  return plan;
}

/** Content fingerprint of an action: what an approver approved (citations and notes excluded). */
export function fingerprint(a: Pick<PlanAction, 'type' | 'accountId' | 'targetAccountId' | 'serviceTargetAccountId' | 'contentTargetAccountId' | 'newName' | 'rectification' | 'overrideReason' | 'servicesMode'>): string {
  // An override reason and the services choice are part of what was approved; absent ones keep older fingerprints.
  const extra = [a.overrideReason ?? null, a.servicesMode ?? 'merge'];
  const base: unknown[] = [a.type, a.accountId, a.targetAccountId, a.serviceTargetAccountId, a.contentTargetAccountId, a.newName, a.rectification];
  return createHash('sha256').update(JSON.stringify(extra[0] === null && extra[1] === 'merge' ? base : [...base, ...extra])).digest('hex').slice(0, 32);
}
