import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Unit } from '../units/unit.entity';
import { AccountCountAsOf, AccountCountsAsOf, MatrixAsOf, PlanImpactCounts } from './history.types';
import { historyService } from './history.service';

/** Time travel (历史回溯): the matrix and account counts as they were on a date. */
@Resolver()
export class HistoryResolver {
  @Query(() => MatrixAsOf, { description: '某日的账号矩阵（按当日状态；可用于两个日期的对比）', complexity: 1000 })
  matrixAsOf(@Ctx() ctx: Context, @Arg('regionCode', () => String) regionCode: string,
    @Arg('date', () => String, { description: 'YYYY-MM-DD（北京时间），不晚于今天' }) date: string): Promise<MatrixAsOf> {
    return historyService.matrixAsOf(ctx, regionCode, date);
  }

  @Query(() => AccountCountsAsOf, { description: '某日的账号数：按单位 × 平台 × 状态', complexity: 1000 })
  accountCountsAsOf(@Ctx() ctx: Context, @Arg('regionCode', () => String) regionCode: string, @Arg('date', () => String) date: string,
    @Arg('first', () => Int, { nullable: true, description: '最多返回的行数（默认 20，至多 1000）' }) first?: number | null): Promise<AccountCountsAsOf> {
    return historyService.countsAsOf(ctx, regionCode, date, first);
  }

  @Query(() => PlanImpactCounts, { description: '方案前后方案范围内的账号数（提交前一日、执行开始日、完成日或今天）', complexity: 1000 })
  planImpactCounts(@Ctx() ctx: Context, @Arg('planId', () => ID) planId: string): Promise<PlanImpactCounts> {
    return historyService.planImpactCounts(ctx, planId);
  }
}

@Resolver(() => AccountCountAsOf)
export class AccountCountAsOfResolver {
  @FieldResolver(() => Unit)
  async unit(@Ctx() ctx: Context, @Root() row: AccountCountAsOf): Promise<Unit> {
    return (await ctx.loaders.unitById.load(row.unitId))!;
  }
}
