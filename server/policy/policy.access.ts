import { Role } from '../common/enums';
import type { Context } from '../graphql/context';
import { requireRole } from '../auth/authorize';

/**
 * Who may change policies and run or triage detection. One place, so the rules follow the auth feature.
 *
 * NOTE (temporary): a request without a user (`ctx.user === null`) is allowed. CLI, tests and the pre-auth API
 * call the services without a user; once every HTTP entry point authenticates, make anonymous requests fail here
 * (replace the early returns with `requireRole(...)` unconditionally).
 */
export function requirePolicyAdmin(ctx: Context): void {
  if (!ctx.user) return;
  requireRole(ctx, Role.ADMIN);
}

/** Running detection and dismissing / reopening findings: planners and administrators. */
export function requireDetectionWriter(ctx: Context): void {
  if (!ctx.user) return;
  requireRole(ctx, Role.PLANNER, Role.ADMIN);
}
