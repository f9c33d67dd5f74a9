import { Role } from '../common/enums';
import type { Context } from '../kernel/context';
import { requireRole } from '../kernel/access';
import { forbidden } from '../kernel/errors';

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
 * The region a scoped user may inspect: their own unit's region or a region below it (default: their own).
 * Unscoped users (national administrators, CLI) may run any region or the whole database.
 */
export async function detectionRegionFor(ctx: Context, regionCode: string | null | undefined): Promise<string | null | undefined> {
  if (!ctx.user?.unitId) return regionCode;
  const unit = await ctx.loaders.unitById.load(ctx.user.unitId);
  if (!unit?.regionCode || !unit.regionPath) return regionCode;
  if (!regionCode || regionCode === '0') return unit.regionCode;
  const region = await ctx.loaders.regionByCode.load(regionCode);
  if (region && !region.path.startsWith(unit.regionPath)) {
    throw forbidden(`只能检查本单位所在区划（${unit.regionCode}）及其下级区划 (region outside your scope)`);
  }
  return regionCode;
}
