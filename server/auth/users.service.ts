import type { Context } from '../kernel/context';
import { badInput, conflict, forbidden, notFound, parseId } from '../kernel/errors';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../kernel/pagination';
import { Role } from '../common/enums';
import { recordAudit } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { requireRole, requireWrite } from '../kernel/access';
import { likeEscape, Scope } from '../kernel/scope';
import { unitsService } from '../units/units.service';
import { hashPassword } from './password';
import { Unit } from '../units/unit.entity';
import { User } from './user.entity';
import type { CreateUserInput, UpdateUserInput, UserFilter } from './auth.inputs';
import { forgetSessions } from './session-cache';

/** What the audit trail keeps of a user (never the hash). */
function snapshot(u: User) {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, unitId: u.unitId, active: u.active };
}

/** Units the acting admin may assign: in their subtree; "no unit" only for a national (unscoped) admin. */
async function checkUnitAssignment(ctx: Context, role: Role, unitId: number | null): Promise<void> {
  if (unitId === null) {
    if (role !== Role.ADMIN) throw badInput('除管理员外，用户必须指定所属单位 (unitId required)', [{ field: 'unitId', message: '非管理员必须指定所属单位' }]);
    if (!ctx.scope.unrestricted) throw forbidden('只有全国管理员可以创建不限范围的管理员 (only a national admin may grant unlimited scope)');
    return;
  }
  await unitsService.byId(ctx, unitId);
}

/** Users (other than oneself) are managed only within the acting admin's scope. */
async function requireUserInScope(ctx: Context, target: User): Promise<void> {
  if (ctx.scope.unrestricted) return;
  const unit = target.unitId === null ? null : await ctx.loaders.unitById.load(target.unitId);
  ctx.scope.require(unit, '该用户');
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string; driverError?: { code?: string } })?.code === '23505'
    || (err as { driverError?: { code?: string } })?.driverError?.code === '23505';
}

export const usersService = {
  /** Users in the admin's scope (users of units in the subtree; unscoped users only for a national admin). */
  async list(ctx: Context, f: UserFilter, first?: number | null, after?: string | null): Promise<ConnectionShape<User>> {
    requireRole(ctx, Role.ADMIN);
    const limit = pageSize(first, ctx.config.maxPageSize);
    const cursor = decodeCursor(after, 2);
    const subtree = f.unitId !== undefined && f.unitId !== null
      ? Scope.ofPath((await unitsService.byId(ctx, f.unitId, 'filter.unitId')).path).sql('un', 'unit_filter') : null;
    const base = () => {
      const qb = ctx.em.getRepository(User).createQueryBuilder('usr').leftJoin(Unit, 'un', 'un.id = usr.unit_id');
      const scope = ctx.scope.sql('un');
      qb.andWhere(scope.sql, scope.params);
      if (subtree) qb.andWhere(subtree.sql, subtree.params);
      if (f.role?.length) qb.andWhere('usr.role = ANY(:roles)', { roles: f.role });
      if (f.active === true || f.active === false) qb.andWhere('usr.active = :active', { active: f.active });
      if (f.search?.trim()) {
        qb.andWhere(`(usr.username ILIKE :s OR usr.display_name ILIKE :s)`, { s: `%${likeEscape(f.search.trim())}%` });
      }
      return qb;
    };
    const qb = base();
    if (cursor) qb.andWhere('(usr.username, usr.id) > (:cu, :ci)', { cu: String(cursor[0]), ci: Number(cursor[1]) });
    const rows = await qb.orderBy('usr.username').addOrderBy('usr.id').limit(limit + 1).getMany();
    return toConnection(rows, limit, (u) => [u.username, u.id], Boolean(cursor), () => base().getCount());
  },

  async create(ctx: Context, input: CreateUserInput): Promise<User> {
    requireRole(ctx, Role.ADMIN);
    requireWrite(ctx);
    const username = input.username.trim().toLowerCase();
    const unitId = input.unitId === undefined || input.unitId === null ? null : parseId(input.unitId, 'unitId');
    await checkUnitAssignment(ctx, input.role, unitId);
    const hash = await hashPassword(input.password);
    try {
      return await transaction(ctx, async (tx) => {
        if (await tx.em.getRepository(User).existsBy({ username })) {
          throw conflict(`用户名 ${username} 已存在 (username taken)`, { field: 'username' });
        }
        const user = await tx.em.getRepository(User).save(tx.em.getRepository(User).create({
          username, displayName: input.displayName.trim(), passwordHash: hash, role: input.role, unitId, active: true,
        }));
        await recordAudit(tx, { action: 'USER_CREATED', entityType: 'user', entityId: user.id, unitId, after: snapshot(user) });
        return user;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`用户名 ${username} 已存在 (username taken)`, { field: 'username' });
      throw err;
    }
  },

  /** Changes role, unit, name, active flag or password. Deactivation and password reset revoke the user's sessions. */
  async update(ctx: Context, id: string, input: UpdateUserInput): Promise<User> {
    const admin = requireRole(ctx, Role.ADMIN);
    requireWrite(ctx);
    const userId = parseId(id, 'id');
    const hash = input.password ? await hashPassword(input.password) : null;
    const updated = await transaction(ctx, async (tx) => {
      const repo = tx.em.getRepository(User);
      const user = await repo.createQueryBuilder('usr').setLock('pessimistic_write').where('usr.id = :userId', { userId }).getOne();
      if (!user) throw notFound(`用户 ${id}`);
      await requireUserInScope(tx, user);
      const before = snapshot(user);
      const self = user.id === admin.id;
      if (self && input.active === false) throw badInput('不能停用自己的账户', [{ field: 'active', message: '不能停用自己' }]);
      if (self && input.role && input.role !== user.role) throw badInput('不能修改自己的角色', [{ field: 'role', message: '不能修改自己的角色' }]);
      if (input.displayName !== undefined && input.displayName !== null) user.displayName = input.displayName.trim();
      if (input.role) user.role = input.role;
      if (input.unitId !== undefined) user.unitId = input.unitId === null ? null : parseId(input.unitId, 'unitId');
      if (input.active === true || input.active === false) user.active = input.active;
      if (input.role !== undefined || input.unitId !== undefined) await checkUnitAssignment(tx, user.role, user.unitId);
      if (hash) user.passwordHash = hash;
      user.updatedAt = new Date();
      await repo.save(user);
      const revoke = Boolean(hash) || (before.active && !user.active);
      if (revoke) await tx.em.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [user.id]);
      await recordAudit(tx, {
        action: 'USER_UPDATED', entityType: 'user', entityId: user.id, unitId: user.unitId ?? before.unitId,
        before, after: { ...snapshot(user), ...(hash ? { passwordReset: true } : {}) },
        comment: revoke ? '已注销该用户的全部会话 (sessions revoked)' : null,
      });
      return user;
    });
    // Committed: this process stops answering the user's sessions from memory at once (others: the trigger's NOTIFY).
    forgetSessions(ctx.ds, `user:${updated.id}`);
    return updated;
  },
};
