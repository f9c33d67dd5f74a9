import type { Context } from '../kernel/context';
import { Role } from '../common/enums';

/**
 * THE rule of who signs for a unit (approval requests, execution steps): an APPROVER of that unit
 * (`users.unit_id` = the unit), or an APPROVER the unit delegated to (a live row of `approval_delegations`) who can
 * see the unit. The scope is what a user may see; the unit is what they sign for.
 */
export interface Signature {
  /** The unit signed for. */
  unitId: number;
  /** The delegation used, or null when the approver signs for their own unit. */
  delegationId: number | null;
}

/** Units (other than their own) the user signs for by delegation: unit id → delegation id. Cached per request. */
async function delegatedUnits(ctx: Context): Promise<Map<number, number>> {
  if (!ctx.user || ctx.user.role !== Role.APPROVER) return new Map();
  return ctx.loaders.delegationsOfUser.load(ctx.user.id);
}

/** How the current user signs for `unit`, or null when they may not. */
export async function signatureFor(ctx: Context, unit: { id: number; path: string }): Promise<Signature | null> {
  const user = ctx.user;
  if (!user || user.role !== Role.APPROVER || !ctx.scope.contains(unit.path)) return null;
  if (user.unitId === unit.id) return { unitId: unit.id, delegationId: null };
  const delegationId = (await delegatedUnits(ctx)).get(unit.id);
  return delegationId === undefined ? null : { unitId: unit.id, delegationId };
}

/**
 * SQL fragment (query builder) for "the current user signs for the unit in column `unitColumn`" — always combine it
 * with the scope (`ctx.scope.sql`) on the same unit. Named parameters `:sign_unit`, `:sign_user`.
 */
export function signsForSql(ctx: Context, unitColumn: string): { sql: string; params: Record<string, unknown> } {
  const user = ctx.user;
  if (!user || user.role !== Role.APPROVER) return { sql: 'FALSE', params: {} };
  return {
    sql: `(${unitColumn} = :sign_unit OR EXISTS (SELECT 1 FROM approval_delegations sd WHERE sd.unit_id = ${unitColumn}
            AND sd.delegate_user_id = :sign_user AND sd.revoked_at IS NULL))`,
    params: { sign_unit: user.unitId ?? -1, sign_user: user.id },
  };
}
