import { UnitKind } from '../common/enums';
import { commonUnitId } from '../kernel/audit';
import type { Context } from '../kernel/context';
import { badInput, catalogued, notFound } from '../kernel/errors';
import { likeEscape } from '../kernel/scope';
import { Region } from './region.entity';

/** Code of the national root region. */
export const NATIONAL_REGION = '0';

/**
 * The region side of the one scope rule (kernel/scope.ts decides which units a request sees; this says which
 * regions it may act on): the region of the user's unit and every region below it. An unrestricted request (national
 * administrator, the operator's CLI) covers every region, the nation ('0') included; anonymous requests, and users
 * whose unit has no region, cover none.
 */
export class RegionScope {
  private constructor(
    /** The user's region (null: no limit). */
    readonly region: Region | null,
    readonly any: boolean,
  ) {}

  static readonly ALL = new RegionScope(null, true);
  static readonly NONE = new RegionScope(null, false);

  static of(region: Region): RegionScope {
    return new RegionScope(region, true);
  }

  get unrestricted(): boolean {
    return this.any && this.region === null;
  }

  /** Whether the region (by its `path`, e.g. `/0/35/3501/`) lies in the scope. */
  contains(region: { path: string | null } | null | undefined): boolean {
    if (!this.any || !region) return false;
    if (this.region === null) return true;
    return typeof region.path === 'string' && region.path.startsWith(this.region.path);
  }

  /**
   * WHERE fragment for a query builder: "the region path in `column` lies in the scope" (a NULL path — the whole
   * nation — only for an unrestricted request).
   */
  sql(column: string, name = 'scope_region'): { sql: string; params: Record<string, unknown> } {
    if (!this.any) return { sql: 'FALSE', params: {} };
    if (this.region === null) return { sql: 'TRUE', params: {} };
    return { sql: `${column} LIKE :${name}`, params: { [name]: `${likeEscape(this.region.path)}%` } };
  }
}

export const regionsService = {
  /** THE way to resolve a region code: BAD_USER_INPUT for a malformed code, NOT_FOUND for an unknown one. */
  async byCode(ctx: Context, code: string): Promise<Region> {
    if (typeof code !== 'string' || !/^\d{1,12}$/.test(code)) {
      throw badInput(`行政区划代码 ${String(code).slice(0, 20)} 无效：应为数字代码，如 35 或 350102 (invalid region code)`,
        [{ field: 'regionCode', message: '应为数字代码' }]);
    }
    const region = await ctx.loaders.regionByCode.load(code);
    if (!region) throw notFound(`行政区划 ${code}`);
    return region;
  },

  /** The regions the request may act on (see `RegionScope`). */
  async scope(ctx: Context): Promise<RegionScope> {
    if (ctx.scope.unrestricted) return RegionScope.ALL;
    const unitId = ctx.user?.unitId;
    if (!ctx.scope.any || unitId === null || unitId === undefined) return RegionScope.NONE;
    const unit = await ctx.loaders.unitById.load(unitId);
    if (!unit || !ctx.scope.contains(unit.path) || !unit.regionCode) return RegionScope.NONE;
    const region = await ctx.loaders.regionByCode.load(unit.regionCode);
    return region ? RegionScope.of(region) : RegionScope.NONE;
  },

  /**
   * A region the request may act on: as `byCode`, then outside the scope NOT_FOUND (reads: the same answer as an
   * unknown code) or, for `denial: 'forbidden'`, FORBIDDEN saying so (writes, where the user named a real region).
   */
  async byCodeInScope(ctx: Context, code: string, denial: 'notFound' | 'forbidden' = 'notFound'): Promise<Region> {
    const region = await this.byCode(ctx, code);
    if (!(await this.scope(ctx)).contains(region)) {
      if (denial === 'notFound') throw notFound(`行政区划 ${code}`);
      throw catalogued('FORBIDDEN', 'scope.outside', { what: `行政区划${region.name}（${region.code}）` });
    }
    return region;
  },

  async roots(ctx: Context): Promise<Region[]> {
    return ctx.loaders.regionsByParent.load(NATIONAL_REGION);
  },

  async parent(ctx: Context, region: Region): Promise<Region | null> {
    return region.parentCode ? ctx.loaders.regionByCode.load(region.parentCode) : null;
  },

  children(ctx: Context, region: Region): Promise<Region[]> {
    return ctx.loaders.regionsByParent.load(region.code);
  },

  /** Ancestors from the national root down to the parent, from the path (one batched load). */
  async ancestors(ctx: Context, region: Region): Promise<Region[]> {
    const codes = region.path.split('/').filter(Boolean).slice(0, -1);
    const rows = await ctx.loaders.regionByCode.loadMany(codes);
    return rows.filter((r): r is Region => r instanceof Region);
  },

  async search(ctx: Context, text: string, limit: number): Promise<Region[]> {
    return ctx.em.getRepository(Region).createQueryBuilder('r')
      .where('r.name LIKE :t', { t: `%${likeEscape(text)}%` })
      .orderBy('length(r.path)').addOrderBy('r.code').limit(limit).getMany();
  },

  /**
   * The unit an event about a region is filed under, so every auditor whose scope covers the region sees it: the
   * region's government (its shallowest government unit); else the lowest common ancestor of the region's units;
   * else, for a region without units, the government of the nearest region above it. Null for the nation (only
   * unrestricted auditors see nationwide events) or when nothing matches.
   */
  async unitOf(ctx: Context, region: Region): Promise<number | null> {
    if (region.code === NATIONAL_REGION) return null;
    const government = (codes: string[]) => ctx.em.query(
      `SELECT id FROM units WHERE region_code = ANY($1::varchar[]) AND kind = $2
        ORDER BY length(region_path) DESC, depth, id LIMIT 1`, [codes, UnitKind.GOVERNMENT]) as Promise<{ id: number }[]>;
    const [own] = await government([region.code]);
    if (own) return own.id;
    const units: { id: number }[] = await ctx.em.query(`SELECT id FROM units WHERE region_path LIKE $1`, [`${likeEscape(region.path)}%`]);
    if (units.length) return commonUnitId(ctx, units.map((u) => u.id));
    const above = region.path.split('/').filter((c) => c && c !== NATIONAL_REGION && c !== region.code);
    const [up] = above.length ? await government(above) : [];
    return up?.id ?? null;
  },
};
