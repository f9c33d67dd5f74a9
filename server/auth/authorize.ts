import { Role, ROLE_NAMES_ZH } from '../common/enums';
import type { Context, SessionUser } from '../graphql/context';
import { forbidden, notFound, unauthenticated } from '../graphql/errors';

/**
 * Authorization helpers for services. Call them at the top of every service method that reads scoped data or
 * changes anything; resolvers stay thin. Scope = the `units.path` prefix of the user's unit (null: everything).
 */

/** The signed-in user, or UNAUTHENTICATED. */
export function requireUser(ctx: Context): SessionUser {
  if (!ctx.user) throw unauthenticated();
  return ctx.user;
}

export function hasRole(ctx: Context, ...roles: Role[]): boolean {
  return Boolean(ctx.user && roles.includes(ctx.user.role as Role));
}

/** The user, if their role is one of `roles`; otherwise FORBIDDEN naming the roles allowed. */
export function requireRole(ctx: Context, ...roles: Role[]): SessionUser {
  const user = requireUser(ctx);
  if (!roles.includes(user.role as Role)) {
    throw forbidden(`无权执行此操作：需要${roles.map((r) => ROLE_NAMES_ZH[r]).join('或')}角色 (forbidden: requires ${roles.join(' or ')})`);
  }
  return user;
}

/** Auditors read only; every other signed-in role may change data (each within its own rules and scope). */
export function canWrite(ctx: Context): boolean {
  return Boolean(ctx.user && ctx.user.role !== Role.AUDITOR);
}

/** The user if they may change data; FORBIDDEN for auditors. Call first in every mutation's service method. */
export function requireWrite(ctx: Context): SessionUser {
  const user = requireUser(ctx);
  if (!canWrite(ctx)) throw forbidden('审计员只能查看，不能修改数据 (forbidden: auditors are read-only)');
  return user;
}

/** Whether a unit (by its `units.path`) lies in the user's subtree. Anonymous: false. Unscoped user: true. */
export function isUnitInScope(ctx: Context, unitPath: string | null | undefined): boolean {
  if (!ctx.user) return false;
  const scope = ctx.user.unitPath;
  if (!scope) return true;
  return typeof unitPath === 'string' && unitPath.startsWith(scope);
}

/** FORBIDDEN unless the unit (given by its path, or a unit-like object) lies in the user's subtree. */
export function requireUnitInScope(ctx: Context, unit: string | { path: string; name?: string } | null | undefined): void {
  requireUser(ctx);
  const path = typeof unit === 'string' ? unit : unit?.path;
  if (!isUnitInScope(ctx, path)) {
    const name = typeof unit === 'object' && unit?.name ? `「${unit.name}」` : '';
    throw forbidden(`单位${name}不在您的管辖范围内 (forbidden: unit outside your scope)`);
  }
}

/** Loads a unit by id and checks it is in scope: NOT_FOUND if missing, FORBIDDEN if outside the user's subtree. */
export async function requireUnitIdInScope(ctx: Context, unitId: number) {
  requireUser(ctx);
  const unit = await ctx.loaders.unitById.load(unitId);
  if (!unit) throw notFound(`单位 ${unitId}`);
  requireUnitInScope(ctx, unit);
  return unit;
}

/** Whether the user has no unit limit (a national ADMIN, or a test admin). */
export function isUnscoped(ctx: Context): boolean {
  return Boolean(ctx.user && !ctx.user.unitPath);
}
