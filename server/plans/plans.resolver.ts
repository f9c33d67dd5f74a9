import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Connection, PageArgs, type ConnectionShape } from '../kernel/pagination';
import { Region } from '../regions/region.entity';
import { Unit } from '../units/unit.entity';
import { Plan } from './plan.entity';
import { PlanAction } from './plan-action.entity';
import { PlanRevision } from './plan-revision.entity';
import { Approval, ApprovalRequest } from './approval.entity';
import { ExecutionStep } from './execution-step.entity';
import { DecideApprovalResult, DraftPlanResult, PlanImpact, PlanValidation } from './plan.types';
import { AddActionInput, CreatePlanInput, DecideApprovalInput, DraftPlanInput, PlansArgs, UpdateActionInput, UpdatePlanInput, VersionArgs } from './plans.inputs';
import { plansService } from './plans.service';
import { validatePlan } from './validation.service';
import { impactOf } from './impact.service';
import { draftPlanFromFindings } from './draft.service';
import { workflowService } from './workflow.service';
import { executionService } from './execution.service';
import { availableTransitions, PlanTransition } from './plan-states';

@ObjectType()
export class PlanConnection extends Connection(Plan, 'Plan') {}

@ObjectType()
export class ApprovalRequestConnection extends Connection(ApprovalRequest, 'ApprovalRequest') {}

@ObjectType()
export class ApprovalConnection extends Connection(Approval, 'Approval') {}

/** Plans: queries, mutations and the plan's fields. Thin: every rule lives in the services. */
@Resolver(() => Plan)
export class PlansResolver {
  @Query(() => PlanConnection, { description: '整合方案列表（与本人管辖范围相关的），最新在前' })
  plans(@Ctx() ctx: Context, @Args(() => PlansArgs) args: PlansArgs): Promise<ConnectionShape<Plan>> {
    return plansService.list(ctx, args);
  }

  @Query(() => Plan, { description: '按编号取一个方案' })
  plan(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Plan> {
    return plansService.byId(ctx, id);
  }

  @Query(() => ApprovalRequestConnection, { description: '待我审批：本人所在单位（及授权给本人的单位）的待审批请求（审批人）' })
  approvalInbox(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs): Promise<ConnectionShape<ApprovalRequest>> {
    return workflowService.inbox(ctx, page.first, page.after);
  }

  @Query(() => ApprovalConnection, { description: '已办：本人作出的、或为本人所签单位（本单位及授权给本人的单位）作出的审批，最新在前（审批人）' })
  myDecisions(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs): Promise<ConnectionShape<Approval>> {
    return workflowService.decided(ctx, page.first, page.after);
  }

  @Mutation(() => Plan, { description: '新建空白方案（规划员）' })
  createPlan(@Ctx() ctx: Context, @Arg('input', () => CreatePlanInput) input: CreatePlanInput): Promise<Plan> {
    return plansService.create(ctx, input);
  }

  @Mutation(() => Plan, { description: '修改方案标题或说明' })
  updatePlan(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('input', () => UpdatePlanInput) input: UpdatePlanInput,
    @Args(() => VersionArgs) v: VersionArgs): Promise<Plan> {
    return plansService.update(ctx, id, input, v.expectedVersion);
  }

  @Mutation(() => DraftPlanResult, { description: '由某地区的待处理检查问题一键生成方案草稿' })
  draftPlanFromFindings(@Ctx() ctx: Context, @Arg('input', () => DraftPlanInput) input: DraftPlanInput): Promise<DraftPlanResult> {
    return draftPlanFromFindings(ctx, input);
  }

  @Mutation(() => PlanAction, { description: '新增整合动作' })
  addAction(@Ctx() ctx: Context, @Arg('planId', () => ID) planId: string, @Arg('input', () => AddActionInput) input: AddActionInput,
    @Args(() => VersionArgs) v: VersionArgs): Promise<PlanAction> {
    return plansService.addAction(ctx, planId, input, v.expectedVersion);
  }

  @Mutation(() => PlanAction, { description: '修改整合动作' })
  updateAction(@Ctx() ctx: Context, @Arg('actionId', () => ID) actionId: string, @Arg('input', () => UpdateActionInput) input: UpdateActionInput,
    @Args(() => VersionArgs) v: VersionArgs): Promise<PlanAction> {
    return plansService.updateAction(ctx, actionId, input, v.expectedVersion);
  }

  @Mutation(() => Plan, { description: '删除整合动作' })
  removeAction(@Ctx() ctx: Context, @Arg('actionId', () => ID) actionId: string, @Args(() => VersionArgs) v: VersionArgs): Promise<Plan> {
    return plansService.removeAction(ctx, actionId, v.expectedVersion);
  }

  @Mutation(() => PlanValidation, { description: '校验方案（不修改数据）' })
  async validatePlan(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<PlanValidation> {
    return validatePlan(ctx, await plansService.byId(ctx, id));
  }

  @Mutation(() => Plan, { description: '提交审批（须校验通过）；退回修改后再次提交即产生新修订' })
  submitPlan(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Args(() => VersionArgs) v: VersionArgs,
    @Arg('comment', () => String, { nullable: true }) comment?: string | null): Promise<Plan> {
    return workflowService.submit(ctx, id, v.expectedVersion, comment);
  }

  @Mutation(() => DecideApprovalResult, { description: '审批：同意 / 驳回 / 退回修改（须审批单位的审批人，或其授权的人）' })
  decideApproval(@Ctx() ctx: Context, @Arg('input', () => DecideApprovalInput) input: DecideApprovalInput): Promise<DecideApprovalResult> {
    return workflowService.decide(ctx, input);
  }

  @Mutation(() => Plan, { description: '撤回方案' })
  withdrawPlan(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Args(() => VersionArgs) v: VersionArgs,
    @Arg('comment', () => String, { nullable: true }) comment?: string | null): Promise<Plan> {
    return workflowService.withdraw(ctx, id, v.expectedVersion, comment);
  }

  @Mutation(() => Plan, { description: '开始执行已批准的方案（生成执行步骤）' })
  startExecution(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Args(() => VersionArgs) v: VersionArgs): Promise<Plan> {
    return executionService.start(ctx, id, v.expectedVersion);
  }

  @Mutation(() => ExecutionStep, { description: '确认执行步骤（主办单位的审批人，或其授权的人）；迁移、注销等数据变更在同一事务中完成' })
  confirmStep(@Ctx() ctx: Context, @Arg('stepId', () => ID) stepId: string,
    @Arg('date', () => String, { nullable: true, description: '完成日期 YYYY-MM-DD（北京时间），默认今天，不能晚于今天' }) date?: string | null,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
    @Arg('evidenceUrl', () => String, { nullable: true, description: '停更公告：链接' }) evidenceUrl?: string | null,
    @Arg('evidenceTitle', () => String, { nullable: true, description: '停更公告：标题（账号有发布记录时必填，与其发布内容核对）' }) evidenceTitle?: string | null,
    @Arg('overrideReason', () => String, { nullable: true, description: '已整改：检查仍显示问题未整改时确认的理由' }) overrideReason?: string | null,
  ): Promise<ExecutionStep> {
    return executionService.confirm(ctx, stepId, date, note, { evidenceUrl, evidenceTitle, overrideReason });
  }

  @FieldResolver(() => Region, { nullable: true, description: '范围：行政区划' })
  scopeRegion(@Ctx() ctx: Context, @Root() plan: Plan): Promise<Region | null> | null {
    return plan.scopeRegionCode ? ctx.loaders.regionByCode.load(plan.scopeRegionCode) : null;
  }

  @FieldResolver(() => Unit, { nullable: true, description: '范围：单位及其下属' })
  scopeUnit(@Ctx() ctx: Context, @Root() plan: Plan): Promise<Unit | null> | null {
    return plan.scopeUnitId ? ctx.loaders.unitById.load(plan.scopeUnitId) : null;
  }

  @FieldResolver(() => String, { description: '范围名称（行政区划或单位）' })
  async scopeName(@Ctx() ctx: Context, @Root() plan: Plan): Promise<string> {
    if (plan.scopeUnitId) return (await ctx.loaders.unitById.load(plan.scopeUnitId))?.name ?? '';
    return (await ctx.loaders.regionByCode.load(plan.scopeRegionCode!))?.name ?? '';
  }

  @FieldResolver(() => Boolean, { description: '当前用户能否编辑（规划员、范围在其管辖内、草稿或退回修改状态）' })
  viewerCanEdit(@Ctx() ctx: Context, @Root() plan: Plan): Promise<boolean> {
    return plansService.canEdit(ctx, plan);
  }

  @FieldResolver(() => [PlanTransition], { description: '当前用户现在可以对方案执行的状态变更（由方案状态表决定；自动变更不在其中）' })
  availableTransitions(@Ctx() ctx: Context, @Root() plan: Plan): Promise<PlanTransition[]> {
    return availableTransitions(ctx, plan);
  }

  @FieldResolver(() => [PlanAction], { description: '整合动作' })
  actions(@Ctx() ctx: Context, @Root() plan: Plan): Promise<PlanAction[]> {
    return ctx.loaders.actionsByPlan.load(plan.id);
  }

  @FieldResolver(() => [PlanRevision], { description: '修订（每次提交一版）' })
  revisions(@Ctx() ctx: Context, @Root() plan: Plan): Promise<PlanRevision[]> {
    return ctx.loaders.revisionsByPlan.load(plan.id);
  }

  @FieldResolver(() => PlanValidation, { description: '当前校验结果' })
  validation(@Ctx() ctx: Context, @Root() plan: Plan): Promise<PlanValidation> {
    return validatePlan(ctx, plan);
  }

  @FieldResolver(() => PlanImpact, { description: '影响：编辑中的方案为实时预览；提交后为当前修订最近一次冻结的数字（提交或审批时），revision / frozenAt 指明所属' })
  impact(@Ctx() ctx: Context, @Root() plan: Plan,
    @Arg('asOf', () => String, { nullable: true, description: '实时预览：合格率的检查日 YYYY-MM-DD，默认今天' }) asOf?: string | null,
    @Arg('live', () => Boolean, { nullable: true, description: 'true：不论状态，给出实时计算的数字' }) live?: boolean | null): Promise<PlanImpact> {
    return impactOf(ctx, plan, asOf, live ?? false);
  }

  @FieldResolver(() => [ApprovalRequest], { description: '审批请求（默认当前修订）' })
  async approvalRequests(@Ctx() ctx: Context, @Root() plan: Plan,
    @Arg('revision', () => Int, { nullable: true, description: '某一修订；不填为当前修订' }) revision?: number | null,
    @Arg('all', () => Boolean, { nullable: true, description: 'true：所有修订' }) all?: boolean | null): Promise<ApprovalRequest[]> {
    const rows = await ctx.loaders.requestsByPlan.load(plan.id);
    return all ? rows : rows.filter((r) => r.revision === (revision ?? plan.revision));
  }

  @FieldResolver(() => [Approval], { description: '全部审批记录（不可修改），按时间顺序' })
  approvals(@Ctx() ctx: Context, @Root() plan: Plan): Promise<Approval[]> {
    return ctx.loaders.approvalsByPlan.load(plan.id);
  }

  @FieldResolver(() => [ExecutionStep], { description: '执行步骤' })
  steps(@Ctx() ctx: Context, @Root() plan: Plan): Promise<ExecutionStep[]> {
    return ctx.loaders.stepsByPlan.load(plan.id);
  }
}
