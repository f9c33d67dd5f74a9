import type { Context } from '../kernel/context';
import { badInput, notFound } from '../kernel/errors';
import { Region } from './region.entity';

export const regionsService = {
  async byCode(ctx: Context, code: string): Promise<Region> {
    if (!/^\d{1,12}$/.test(code)) {
      throw badInput(`行政区划代码 ${code} 无效：应为数字代码，如 35 或 350102`, [{ field: 'regionCode', message: '应为数字代码' }]);
    }
    const region = await ctx.loaders.regionByCode.load(code);
    if (!region) throw notFound(`行政区划 ${code}`);
    return region;
  },

  async roots(ctx: Context): Promise<Region[]> {
    return ctx.loaders.regionsByParent.load('0');
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
      .where('r.name LIKE :t', { t: `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%` })
      .orderBy('length(r.path)').addOrderBy('r.code').limit(limit).getMany();
  },
};
