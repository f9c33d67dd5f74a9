import { Role } from '../common/enums';
import type { Context } from '../kernel/context';
import { requireRole } from '../kernel/access';
import { catalogued } from '../kernel/errors';
import type { Region } from '../regions/region.entity';
import { NATIONAL_REGION, regionsService } from '../regions/regions.service';

/**
 * Who may change policies and run or triage detection. The operator's own work (CLI, start-up, scheduled jobs:
 * `createSystemContext`) may; anonymous callers never do.
 */
export function requirePolicyAdmin(ctx: Context): void {
  if (ctx.system) return;
  requireRole(ctx, Role.ADMIN);
}

/** Running detection and dismissing / reopening findings: planners and administrators. */
export function requireDetectionWriter(ctx: Context): void {
  if (ctx.system) return;
  requireRole(ctx, Role.PLANNER, Role.ADMIN);
}

/**
 * The region a detection run covers: `regionCode` if it lies in the request's region scope (FORBIDDEN outside it);
 * absent or '0', the whole database (null) for an unrestricted request and the user's own region for a scoped one.
 */
export async function detectionRegionFor(ctx: Context, regionCode: string | null | undefined): Promise<Region | null> {
  if (regionCode && regionCode !== NATIONAL_REGION) return regionsService.byCodeInScope(ctx, regionCode, 'forbidden');
  const scope = await regionsService.scope(ctx);
  if (scope.unrestricted) return null;
  if (!scope.region) throw catalogued('FORBIDDEN', 'scope.outside', { what: '全国检查' });
  return scope.region;
}
