import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { badInput } from '../kernel/errors';
import { Region } from './region.entity';
import { regionsService } from './regions.service';

@Resolver(() => Region)
export class RegionsResolver {
  @Query(() => Region, { description: '一个行政区划' })
  region(@Ctx() ctx: Context, @Arg('code', () => String) code: string): Promise<Region> {
    return regionsService.byCode(ctx, code);
  }

  @Query(() => [Region], { description: '某区划的下级区划；不传 parentCode 时为各省级区划' })
  async regions(@Ctx() ctx: Context, @Arg('parentCode', () => String, { nullable: true }) parentCode?: string | null): Promise<Region[]> {
    if (!parentCode) return regionsService.roots(ctx);
    return regionsService.children(ctx, await regionsService.byCode(ctx, parentCode));
  }

  @Query(() => [Region], { description: '按名称查找行政区划（上级在前）' })
  searchRegions(@Ctx() ctx: Context, @Arg('text', () => String) text: string,
    @Arg('limit', () => Int, { defaultValue: 20 }) limit: number): Promise<Region[]> {
    if (!text.trim()) throw badInput('请输入要查找的名称', [{ field: 'text', message: '不能为空' }]);
    if (limit < 1 || limit > 100) throw badInput('limit 应在 1 到 100 之间', [{ field: 'limit', message: '1–100' }]);
    return regionsService.search(ctx, text.trim(), limit);
  }

  @FieldResolver(() => Region, { nullable: true })
  parent(@Ctx() ctx: Context, @Root() region: Region): Promise<Region | null> {
    return regionsService.parent(ctx, region);
  }

  @FieldResolver(() => [Region], { description: '从全国到上一级的区划链' })
  ancestors(@Ctx() ctx: Context, @Root() region: Region): Promise<Region[]> {
    return regionsService.ancestors(ctx, region);
  }

  @FieldResolver(() => [Region])
  children(@Ctx() ctx: Context, @Root() region: Region): Promise<Region[]> {
    return regionsService.children(ctx, region);
  }
}
