import type { Context } from '../kernel/context';
import { badInput, parseId } from '../kernel/errors';
import { likeEscape } from '../kernel/scope';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../kernel/pagination';
import { regionsService } from '../regions/regions.service';
import type { Level, UnitKind } from '../common/enums';
import { Unit } from './unit.entity';

export interface UnitSearch {
  search?: string | null;
  regionCode?: string | null;
  level?: Level[] | null;
  kind?: UnitKind[] | null;
  /** Only direct children of this unit (null: roots). */
  parentId?: string | null;
}

export const unitsService = {
  /** One unit in the request's scope; NOT_FOUND otherwise. */
  async byId(ctx: Context, id: string | number, field = 'unitId'): Promise<Unit> {
    return ctx.scope.require(await ctx.loaders.unitById.load(parseId(id, field)), '该单位');
  },

  async byCode(ctx: Context, code: string): Promise<Unit> {
    const unit = ctx.scope.require(await ctx.em.getRepository(Unit).findOneBy({ code }), `单位 ${code}`);
    ctx.loaders.unitById.prime(unit.id, unit);
    return unit;
  },

  /** Units the user may start browsing from: the top of the tree, or the user's own unit. */
  async roots(ctx: Context): Promise<Unit[]> {
    if (ctx.user?.unitId) return [await this.byId(ctx, ctx.user.unitId)];
    if (!ctx.scope.unrestricted) return [];
    return ctx.em.getRepository(Unit).createQueryBuilder('u').where('u.parent_id IS NULL').orderBy('u.code').getMany();
  },

  async parent(ctx: Context, unit: Unit): Promise<Unit | null> {
    if (unit.parentId === null) return null;
    const parent = await ctx.loaders.unitById.load(unit.parentId);
    return parent && ctx.scope.contains(parent.path) ? parent : null;
  },

  async supervisor(ctx: Context, unit: Unit): Promise<Unit | null> {
    if (unit.supervisorId === null) return null;
    // The supervising office is named on every unit it supervises, even when it lies above the reader's subtree.
    return ctx.loaders.unitById.load(unit.supervisorId);
  },

  children(ctx: Context, unit: Unit): Promise<Unit[]> {
    return ctx.loaders.unitsByParent.load(unit.id);
  },

  /** The chain of units from the top down to the parent (one batched load from the materialised path). */
  async ancestors(ctx: Context, unit: Unit): Promise<Unit[]> {
    const ids = unit.path.split('/').filter(Boolean).map(Number).slice(0, -1);
    const rows = await ctx.loaders.unitById.loadMany(ids);
    return rows.filter((u): u is Unit => u instanceof Unit && ctx.scope.contains(u.path));
  },

  /** Every unit below `unit` (not itself), optionally at most `maxDepth` levels down, ordered by depth then code. */
  async descendants(ctx: Context, unit: Unit, first?: number | null, after?: string | null, maxDepth?: number | null): Promise<ConnectionShape<Unit>> {
    const limit = pageSize(first, ctx.config.maxPageSize);
    if (maxDepth !== null && maxDepth !== undefined && (maxDepth < 1 || maxDepth > 10)) {
      throw badInput('maxDepth 应在 1 到 10 之间', [{ field: 'maxDepth', message: '1–10' }]);
    }
    const cursor = decodeCursor(after, 3);
    const base = () => {
      const qb = ctx.em.getRepository(Unit).createQueryBuilder('u')
        .where('u.path LIKE :p', { p: `${unit.path}%` }).andWhere('u.id <> :id', { id: unit.id });
      if (maxDepth) qb.andWhere('u.depth <= :d', { d: unit.depth + maxDepth });
      return qb;
    };
    const qb = base();
    if (cursor) qb.andWhere('(u.depth, u.code, u.id) > (:cd, :cc, :ci)', { cd: cursor[0], cc: cursor[1], ci: cursor[2] });
    const rows = await qb.orderBy('u.depth').addOrderBy('u.code').addOrderBy('u.id').limit(limit + 1).getMany();
    for (const u of rows) ctx.loaders.unitById.prime(u.id, u);
    return toConnection(rows, limit, (u) => [u.depth, u.code, u.id], Boolean(cursor), () => base().getCount());
  },

  async search(ctx: Context, f: UnitSearch, first?: number | null, after?: string | null): Promise<ConnectionShape<Unit>> {
    const limit = pageSize(first, ctx.config.maxPageSize);
    const cursor = decodeCursor(after, 3);
    const base = async () => {
      const qb = ctx.em.getRepository(Unit).createQueryBuilder('u');
      const scope = ctx.scope.sql('u');
      qb.andWhere(scope.sql, scope.params);
      if (f.search) qb.andWhere(`u.name LIKE :t`, { t: `%${likeEscape(f.search.trim())}%` });
      if (f.regionCode) {
        const region = await regionsService.byCode(ctx, f.regionCode);
        qb.andWhere('u.region_path LIKE :rp', { rp: `${region.path}%` });
      }
      if (f.level?.length) qb.andWhere('u.level = ANY(:levels)', { levels: f.level });
      if (f.kind?.length) qb.andWhere('u.kind = ANY(:kinds)', { kinds: f.kind });
      if (f.parentId !== undefined && f.parentId !== null) qb.andWhere('u.parent_id = :pid', { pid: parseId(f.parentId, 'parentId') });
      return qb;
    };
    const qb = await base();
    if (cursor) qb.andWhere('(u.depth, u.code, u.id) > (:cd, :cc, :ci)', { cd: cursor[0], cc: cursor[1], ci: cursor[2] });
    const rows = await qb.orderBy('u.depth').addOrderBy('u.code').addOrderBy('u.id').limit(limit + 1).getMany();
    for (const u of rows) ctx.loaders.unitById.prime(u.id, u);
    return toConnection(rows, limit, (u) => [u.depth, u.code, u.id], Boolean(cursor), async () => (await base()).getCount());
  },
};
