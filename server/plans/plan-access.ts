import type { Context, SessionUser } from '../kernel/context';
import { Role } from '../common/enums';
import { forbidden } from '../kernel/errors';
import { requireRole, requireUser, requireWrite } from '../kernel/access';

/**
 * Who may do what with plans (enforced in the services):
 * - read: every signed-in role, for plans that overlap their scope (auditors read, change nothing);
 * - author (create, draft, edit, submit, withdraw, start execution): PLANNER (and ADMIN), within their scope;
 * - decide approvals: APPROVER whose scope contains the unit the approval is asked of;
 * - confirm execution steps: APPROVER whose scope contains the sponsoring unit of the action's account
 *   ("units confirm the execution steps").
 */
export function requireReader(ctx: Context): SessionUser {
  return requireUser(ctx);
}

export function requireAuthor(ctx: Context): SessionUser {
  requireWrite(ctx);
  return requireRole(ctx, Role.PLANNER, Role.ADMIN);
}

export function requireApprover(ctx: Context): SessionUser {
  requireWrite(ctx);
  return requireRole(ctx, Role.APPROVER);
}

export function isApprover(ctx: Context): boolean {
  return ctx.user?.role === Role.APPROVER;
}

export function isPlanner(ctx: Context): boolean {
  return ctx.user?.role === Role.PLANNER;
}

/** FORBIDDEN unless `unitPath` lies in the user's scope. */
export function requireUnitPathInScope(ctx: Context, unitPath: string, unitName: string, what: string): void {
  if (!ctx.scope.contains(unitPath)) {
    throw forbidden(`「${unitName}」不在您的管辖范围内，不能${what} (forbidden: unit outside your scope)`);
  }
}

/** The user's scope prefix ('' = everything), for SQL `LIKE $n || '%'`. */
export function scopePrefix(ctx: Context): string {
  return ctx.user?.unitPath ?? '';
}
