import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import type { ConnectionShape } from '../kernel/pagination';
import { RULE_NAMES_ZH } from '../common/enums';
import { Account } from '../accounts/account.entity';
import { Unit } from '../units/unit.entity';
import { unitsService } from '../units/units.service';
import { DetectionRun } from './detection-run.entity';
import { Finding } from './finding.entity';
import { FindingsArgs, InspectionReportArgs, RunDetectionArgs } from './detection.inputs';
import { checkDate } from './detection.dates';
import { detectionService, findingSummary } from './detection.service';
import { FindingConnection, FindingSummary } from './detection.types';
import { summarize } from './finding-summary';
import { inspectionService } from './inspection.service';
import { InspectionReport, InspectionVerdict } from './inspection.types';
import { MainAccountSuggestion, mainAccountService } from './main-account';

@Resolver(() => Finding)
export class DetectionResolver {
  @Mutation(() => DetectionRun, { description: '运行一次检查（全国或某区划），返回运行记录', complexity: 5000 })
  runDetection(@Ctx() ctx: Context, @Args(() => RunDetectionArgs) args: RunDetectionArgs): Promise<DetectionRun> {
    return detectionService.run(ctx, args.asOf, args.regionCode);
  }

  @Query(() => [DetectionRun], { description: '检查运行记录，最新在前' })
  detectionRuns(@Ctx() ctx: Context, @Arg('regionCode', () => String, { nullable: true }) regionCode?: string | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null): Promise<DetectionRun[]> {
    return detectionService.runs(ctx, regionCode, first);
  }

  @Query(() => FindingConnection, { description: '检查发现的问题（游标分页；默认按严重程度、最新在前）' })
  findings(@Ctx() ctx: Context, @Args(() => FindingsArgs) args: FindingsArgs): Promise<ConnectionShape<Finding>> {
    return detectionService.list(ctx, args);
  }

  @Query(() => Finding, { description: '按编号取一个问题' })
  finding(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Finding> {
    return detectionService.byId(ctx, id);
  }

  @Query(() => FindingSummary, { description: '区域问题汇总：按规则、层级、平台', complexity: 1000 })
  findingSummary(@Ctx() ctx: Context, @Arg('regionCode', () => String, { defaultValue: '0' }) regionCode: string): Promise<FindingSummary> {
    return findingSummary(ctx, regionCode);
  }

  @Query(() => InspectionReport, { description: '区域检查通报（按检查日计算，不写入数据）', complexity: 2000 })
  inspectionReport(@Ctx() ctx: Context, @Args(() => InspectionReportArgs) args: InspectionReportArgs): Promise<InspectionReport> {
    return inspectionService.report(ctx, args.regionCode, args.asOf, args.failuresLimit ?? 100);
  }

  @Query(() => [MainAccountSuggestion], { description: '某单位在每个平台的建议主账号及理由', complexity: 200 })
  suggestedMainAccounts(@Ctx() ctx: Context, @Arg('unitId', () => ID) unitId: string,
    @Arg('asOf', () => String, { nullable: true }) asOf?: string | null): Promise<MainAccountSuggestion[]> {
    return mainAccountService.forUnit(ctx, unitId, asOf);
  }

  @Mutation(() => Finding, { description: '忽略一个问题（必须填写理由）；证据不变时后续检查保持忽略' })
  dismissFinding(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('reason', () => String) reason: string): Promise<Finding> {
    return detectionService.dismiss(ctx, id, reason);
  }

  @Mutation(() => Finding, { description: '重新打开已忽略的问题' })
  reopenFinding(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Finding> {
    return detectionService.reopen(ctx, id);
  }

  @FieldResolver(() => String, { description: '规则中文名' })
  ruleName(@Root() f: Finding): string {
    return RULE_NAMES_ZH[f.rule];
  }

  @FieldResolver(() => String, { description: '中文说明' })
  summary(@Root() f: Finding): string {
    return summarize(f.rule, f.evidence);
  }

  @FieldResolver(() => [Account], { description: '涉及的全部账号（建议主账号在前）' })
  accounts(@Ctx() ctx: Context, @Root() f: Finding): Promise<Account[]> {
    return ctx.loaders.accountsByFinding.load(f.id);
  }

  @FieldResolver(() => Account, { nullable: true, description: '建议主账号（同平台重复开设时）' })
  suggestedMain(@Ctx() ctx: Context, @Root() f: Finding): Promise<Account | null> | null {
    return f.suggestedMainId ? ctx.loaders.accountById.load(f.suggestedMainId) : null;
  }

  @FieldResolver(() => [String], { description: '建议主账号的理由（中文）' })
  suggestedMainReasons(@Root() f: Finding): string[] {
    const reasons = f.evidence?.suggestedMain?.reasons;
    return typeof reasons === 'string' && reasons ? reasons.split('；') : [];
  }

  @FieldResolver(() => Unit, { description: '主办单位' })
  unit(@Ctx() ctx: Context, @Root() f: Finding): Promise<Unit> {
    return unitsService.byId(ctx, f.unitId);
  }
}

@Resolver(() => Account)
export class AccountDetectionResolver {
  @FieldResolver(() => [Finding], { description: '该账号未解决的问题（待处理和已忽略）' })
  findings(@Ctx() ctx: Context, @Root() account: Account): Promise<Finding[]> {
    return ctx.loaders.findingsByAccount.load(account.id);
  }

  @FieldResolver(() => InspectionVerdict, { description: '按检查日的检查结论（默认今天）' })
  inspection(@Ctx() ctx: Context, @Root() account: Account,
    @Arg('asOf', () => String, { nullable: true, description: 'YYYY-MM-DD' }) asOf?: string | null): Promise<InspectionVerdict> {
    return ctx.loaders.inspectionFor(checkDate(asOf)).load(account);
  }
}
