import type { Context } from '../kernel/context';
import { requireUser, requireWrite } from '../kernel/access';
import { badInput, conflict, forbidden, notFound, parseId } from '../kernel/errors';
import { recordAudit } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { Role } from '../common/enums';
import { Unit } from '../units/unit.entity';
import { ApprovalDelegation } from './delegation.entity';

/**
 * Delegations of a unit's signature (approvals, execution steps) to another approver. Granted or revoked by the
 * unit's own approver, or by an administrator whose scope contains the unit; the delegate must be an active APPROVER
 * who can see the unit (the unit lies in their scope). Every grant and revocation is audited under the unit.
 */

/** The unit (in scope), if the caller may manage its delegations; FORBIDDEN/NOT_FOUND otherwise. */
async function unitToManage(tx: Context, unitId: number): Promise<Unit> {
  const user = requireWrite(tx);
  const unit = tx.scope.require(await tx.em.getRepository(Unit).findOneBy({ id: unitId }), `单位 ${unitId}`);
  const own = user.role === Role.APPROVER && user.unitId === unit.id;
  if (!own && user.role !== Role.ADMIN) {
    throw forbidden(`只有「${unit.name}」的审批人或管理员可以授权或撤销授权 (forbidden: only the unit's approver or an administrator)`);
  }
  return unit;
}

export const delegationService = {
  async grant(ctx: Context, unitIdRaw: string, delegateUsername: string, reasonRaw: string): Promise<ApprovalDelegation> {
    const unitId = parseId(unitIdRaw, 'unitId');
    const reason = reasonRaw?.trim();
    if (!reason) throw badInput('请填写授权理由 (reason required)', [{ field: 'reason', message: '必填' }]);
    return transaction(ctx, async (tx) => {
      const unit = await unitToManage(tx, unitId);
      const [delegate]: { id: number; username: string; role: string; active: boolean; unit_id: number | null; unit_path: string | null }[] = await tx.em.query(
        `SELECT us.id, us.username, us.role, us.active, us.unit_id, u.path AS unit_path FROM users us LEFT JOIN units u ON u.id = us.unit_id
          WHERE us.username = $1`, [delegateUsername.trim().toLowerCase()]);
      if (!delegate || !delegate.active) throw notFound(`用户 ${delegateUsername}`);
      if (delegate.role !== Role.APPROVER) {
        throw badInput(`「${delegate.username}」不是审批人，不能受托审批 (delegate must be an approver)`, [{ field: 'delegateUsername', message: '须为审批人' }]);
      }
      if (delegate.unit_id === unit.id) {
        throw badInput(`「${delegate.username}」本就是「${unit.name}」的审批人，无需授权 (already the unit's approver)`, [{ field: 'delegateUsername', message: '已是本单位审批人' }]);
      }
      if (delegate.unit_path === null || !unit.path.startsWith(delegate.unit_path)) {
        throw badInput(`「${delegate.username}」的管辖范围不包含「${unit.name}」，看不到该单位的审批 (delegate cannot see the unit)`,
          [{ field: 'delegateUsername', message: '管辖范围须包含该单位' }]);
      }
      const user = requireUser(tx);
      const [row]: { id: number }[] = await tx.em.query(
        `INSERT INTO approval_delegations (unit_id, delegate_user_id, granted_by_id, granted_by_name, reason)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id, delegate_user_id) WHERE revoked_at IS NULL DO NOTHING RETURNING id`,
        [unit.id, delegate.id, user.id, user.username, reason]);
      if (!row) throw conflict(`「${unit.name}」已授权「${delegate.username}」，不能重复授权 (already delegated)`);
      await recordAudit(tx, { action: 'APPROVAL_DELEGATED', entityType: 'approval_delegation', entityId: row.id, unitId: unit.id,
        after: { unitId: unit.id, delegate: delegate.username, delegateUserId: delegate.id }, comment: reason });
      return (await tx.em.getRepository(ApprovalDelegation).findOneBy({ id: row.id }))!;
    });
  },

  async revoke(ctx: Context, idRaw: string, reason?: string | null): Promise<ApprovalDelegation> {
    const id = parseId(idRaw, 'id');
    return transaction(ctx, async (tx) => {
      const [head] = await tx.em.query(`SELECT unit_id FROM approval_delegations WHERE id = $1 FOR UPDATE`, [id]);
      if (!head) throw notFound(`授权 ${id}`);
      const unit = await unitToManage(tx, head.unit_id);
      const d = (await tx.em.getRepository(ApprovalDelegation).findOneBy({ id }))!;
      if (d.revokedAt) throw conflict('该授权已撤销 (already revoked)');
      const user = requireUser(tx);
      await tx.em.query(`UPDATE approval_delegations SET revoked_at = now(), revoked_by_name = $2 WHERE id = $1`, [id, user.username]);
      await recordAudit(tx, { action: 'APPROVAL_DELEGATION_REVOKED', entityType: 'approval_delegation', entityId: id, unitId: unit.id,
        before: { unitId: unit.id, delegateUserId: d.delegateUserId }, comment: reason?.trim() || null });
      return (await tx.em.getRepository(ApprovalDelegation).findOneBy({ id }))!;
    });
  },

  /** Delegations of units in the caller's scope (live ones unless `all`), newest first. */
  async list(ctx: Context, unitIdRaw?: string | null, all?: boolean | null): Promise<ApprovalDelegation[]> {
    requireUser(ctx);
    const scope = ctx.scope.sql('u');
    const qb = ctx.em.getRepository(ApprovalDelegation).createQueryBuilder('d').innerJoin('units', 'u', 'u.id = d.unit_id')
      .where(scope.sql, scope.params);
    if (unitIdRaw !== undefined && unitIdRaw !== null) qb.andWhere('d.unit_id = :unitId', { unitId: parseId(unitIdRaw, 'unitId') });
    if (!all) qb.andWhere('d.revoked_at IS NULL');
    return qb.orderBy('d.id', 'DESC').limit(500).getMany();
  },
};
