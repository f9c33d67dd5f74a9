import { Role, ROLE_NAMES_ZH } from '../common/enums';
import type { Context, SessionUser } from './context';
import { catalogued, unauthenticated } from './errors';

/**
 * Who the caller is and what their role allows. Call at the top of every service method that reads scoped data or
 * changes anything; resolvers stay thin. What they may see is `ctx.scope` (kernel/scope.ts).
 */

/** The signed-in user, or UNAUTHENTICATED. */
export function requireUser(ctx: Context): SessionUser {
  if (!ctx.user) throw unauthenticated();
  return ctx.user;
}

/** Whether the signed-in user's role is one of `roles`. */
export function hasRole(ctx: Context, ...roles: Role[]): boolean {
  return Boolean(ctx.user && roles.includes(ctx.user.role as Role));
}

/** The user, if their role is one of `roles`; otherwise FORBIDDEN naming the roles allowed. */
export function requireRole(ctx: Context, ...roles: Role[]): SessionUser {
  const user = requireUser(ctx);
  if (!roles.includes(user.role as Role)) {
    throw catalogued('FORBIDDEN', 'auth.role', { roles: roles.map((r) => ROLE_NAMES_ZH[r]).join('或'), rolesEn: roles.join(' or ') });
  }
  return user;
}

/** The user if they may change data; FORBIDDEN for auditors (read-only everywhere). */
export function requireWrite(ctx: Context): SessionUser {
  const user = requireUser(ctx);
  if (user.role === Role.AUDITOR) throw catalogued('FORBIDDEN', 'auth.readOnly');
  return user;
}
