import type { Context, SessionUser } from '../kernel/context';
import { Role } from '../common/enums';
import { requireRole, requireUser, requireWrite } from '../kernel/access';

/**
 * Roles of the plans feature (enforced in the services; the lifecycle and its guards are in plan-states.ts):
 * - read: every signed-in role, for plans that overlap their scope (auditors read, change nothing);
 * - author (create, draft, edit, submit, withdraw, start execution): PLANNER and ADMIN, within their scope;
 * - decide approvals and confirm execution steps: APPROVER signing for the unit concerned (signing.ts).
 */
export const AUTHOR_ROLES: readonly Role[] = [Role.PLANNER, Role.ADMIN];

export function requireReader(ctx: Context): SessionUser {
  return requireUser(ctx);
}

export function requireAuthor(ctx: Context): SessionUser {
  requireWrite(ctx);
  return requireRole(ctx, ...AUTHOR_ROLES);
}

export function requireApprover(ctx: Context): SessionUser {
  requireWrite(ctx);
  return requireRole(ctx, Role.APPROVER);
}
