import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import type { Context } from '../kernel/context';
import { StepKind } from '../common/enums';
import { Account } from '../accounts/account.entity';
import { Unit } from '../units/unit.entity';
import { Finding } from '../detection/finding.entity';
import { Plan } from './plan.entity';
import { PlanAction } from './plan-action.entity';
import { Approval, ApprovalRequest } from './approval.entity';
import { ExecutionStep } from './execution-step.entity';
import { plansService } from './plans.service';
import { workflowService } from './workflow.service';
import { executionService } from './execution.service';

const account = (ctx: Context, id: number | null) => (id === null ? null : ctx.loaders.accountById.load(id));

async function planOf(ctx: Context, id: number): Promise<Plan> {
  return (await ctx.loaders.planById.load(id))!;
}

@Resolver(() => PlanAction)
export class PlanActionResolver {
  @FieldResolver(() => Plan)
  plan(@Ctx() ctx: Context, @Root() a: PlanAction): Promise<Plan> {
    return planOf(ctx, a.planId);
  }

  @FieldResolver(() => Account, { description: '账号（合并 / 关停的源账号）' })
  async account(@Ctx() ctx: Context, @Root() a: PlanAction): Promise<Account> {
    return (await account(ctx, a.accountId))!;
  }

  @FieldResolver(() => Account, { nullable: true, description: 'MERGE：目标主账号' })
  target(@Ctx() ctx: Context, @Root() a: PlanAction) {
    return account(ctx, a.targetAccountId);
  }

  @FieldResolver(() => Account, { nullable: true, description: 'SHUTDOWN：服务迁入账号' })
  serviceTarget(@Ctx() ctx: Context, @Root() a: PlanAction) {
    return account(ctx, a.serviceTargetAccountId);
  }

  @FieldResolver(() => Account, { nullable: true, description: 'SHUTDOWN：内容迁入的门户网站' })
  contentTarget(@Ctx() ctx: Context, @Root() a: PlanAction) {
    return account(ctx, a.contentTargetAccountId);
  }

  @FieldResolver(() => [String], { description: '账号受保护的原因（县级及以上政府主账号、服务类账号、关注者超过阈值）；为空则不受保护' })
  async protectedReasons(@Ctx() ctx: Context, @Root() a: PlanAction): Promise<string[]> {
    return (await ctx.loaders.protectionsByAccount.load(a.accountId)).map((p) => p.reason);
  }

  @FieldResolver(() => [ID], { description: '引用的检查问题编号' })
  findingIds(@Ctx() ctx: Context, @Root() a: PlanAction): Promise<number[]> {
    return ctx.loaders.findingIdsByAction.load(a.id);
  }

  @FieldResolver(() => [Finding], { description: '引用的检查问题' })
  findings(@Ctx() ctx: Context, @Root() a: PlanAction): Promise<Finding[]> {
    return ctx.loaders.findingsByAction.load(a.id);
  }

  @FieldResolver(() => [ApprovalRequest], { description: '当前修订中本动作的审批请求' })
  async approvalRequests(@Ctx() ctx: Context, @Root() a: PlanAction): Promise<ApprovalRequest[]> {
    const plan = await planOf(ctx, a.planId);
    return (await ctx.loaders.requestsByPlan.load(a.planId)).filter((r) => r.actionId === a.id && r.revision === plan.revision);
  }

  @FieldResolver(() => [ExecutionStep], { description: '执行步骤' })
  async steps(@Ctx() ctx: Context, @Root() a: PlanAction): Promise<ExecutionStep[]> {
    return (await ctx.loaders.stepsByPlan.load(a.planId)).filter((s) => s.actionId === a.id);
  }
}

@Resolver(() => ApprovalRequest)
export class ApprovalRequestResolver {
  @FieldResolver(() => Plan)
  plan(@Ctx() ctx: Context, @Root() r: ApprovalRequest): Promise<Plan> {
    return planOf(ctx, r.planId);
  }

  @FieldResolver(() => PlanAction)
  async action(@Ctx() ctx: Context, @Root() r: ApprovalRequest): Promise<PlanAction> {
    return (await ctx.loaders.actionById.load(r.actionId))!;
  }

  @FieldResolver(() => Unit, { description: '须审批的单位' })
  async unit(@Ctx() ctx: Context, @Root() r: ApprovalRequest): Promise<Unit> {
    return (await ctx.loaders.unitById.load(r.unitId))!;
  }

  @FieldResolver(() => Approval, { nullable: true, description: '审批记录（沿用的审批为上一修订的记录）' })
  approval(@Ctx() ctx: Context, @Root() r: ApprovalRequest) {
    return r.approvalId === null ? null : ctx.loaders.approvalById.load(r.approvalId);
  }

  @FieldResolver(() => Boolean, { description: '当前用户能否审批（须审批单位的审批人，或其授权的人）' })
  async canDecide(@Ctx() ctx: Context, @Root() r: ApprovalRequest): Promise<boolean> {
    const unit = await ctx.loaders.unitById.load(r.unitId);
    return Boolean(unit && (await workflowService.signatureForRequest(ctx, r, unit, await planOf(ctx, r.planId))));
  }

  @FieldResolver(() => Boolean, { description: '当前用户是受该单位授权代为审批（而非该单位自己的审批人）' })
  async viewerSignsByDelegation(@Ctx() ctx: Context, @Root() r: ApprovalRequest): Promise<boolean> {
    const unit = await ctx.loaders.unitById.load(r.unitId);
    const sig = unit && (await workflowService.signatureForRequest(ctx, r, unit, await planOf(ctx, r.planId)));
    return Boolean(sig && sig.delegationId !== null);
  }
}

@Resolver(() => Approval)
export class ApprovalResolver {
  @FieldResolver(() => Unit, { description: '代表哪个单位审批' })
  async unit(@Ctx() ctx: Context, @Root() a: Approval): Promise<Unit> {
    return (await ctx.loaders.unitById.load(a.unitId))!;
  }

  @FieldResolver(() => Boolean, { description: '受该单位授权代为审批' })
  byDelegation(@Root() a: Approval): boolean {
    return a.delegationId !== null;
  }

  @FieldResolver(() => PlanAction)
  async action(@Ctx() ctx: Context, @Root() a: Approval): Promise<PlanAction> {
    return (await ctx.loaders.actionById.load(a.actionId))!;
  }
  @FieldResolver(() => Plan, { description: '所属方案' })
  plan(@Ctx() ctx: Context, @Root() a: Approval): Promise<Plan> {
    return planOf(ctx, a.planId);
  }
}

@Resolver(() => ExecutionStep)
export class ExecutionStepResolver {
  @FieldResolver(() => PlanAction)
  async action(@Ctx() ctx: Context, @Root() s: ExecutionStep): Promise<PlanAction> {
    return (await ctx.loaders.actionById.load(s.actionId))!;
  }

  @FieldResolver(() => LocalDateResolver, { nullable: true, description: '平台注销步骤：公告期满、最早可注销的日期' })
  async earliestOn(@Ctx() ctx: Context, @Root() s: ExecutionStep): Promise<string | null> {
    if (s.kind !== StepKind.DEREGISTERED) return null;
    const action = (await ctx.loaders.actionById.load(s.actionId))!;
    return executionService.earliestDeregistration(await planOf(ctx, s.planId), action, await ctx.loaders.stepsByPlan.load(s.planId));
  }

  @FieldResolver(() => Boolean, { description: '当前用户能否确认（主办单位的审批人，或其授权的人）' })
  async canConfirm(@Ctx() ctx: Context, @Root() s: ExecutionStep): Promise<boolean> {
    return Boolean(await executionService.stepSignature(ctx, await planOf(ctx, s.planId), s));
  }

  @FieldResolver(() => Unit, { nullable: true, description: '代表哪个单位确认' })
  confirmedUnit(@Ctx() ctx: Context, @Root() s: ExecutionStep) {
    return s.confirmedUnitId === null ? null : ctx.loaders.unitById.load(s.confirmedUnitId);
  }

  @FieldResolver(() => Boolean, { description: '受该单位授权代为确认' })
  byDelegation(@Root() s: ExecutionStep): boolean {
    return s.delegationId !== null;
  }
}

@Resolver(() => Account)
export class AccountPlansResolver {
  @FieldResolver(() => [Plan], { description: '涉及该账号的整合方案（作为源账号或迁入账号）' })
  plans(@Ctx() ctx: Context, @Root() a: Account): Promise<Plan[]> {
    return plansService.ofAccount(ctx, a.id);
  }
}

@Resolver(() => Finding)
export class FindingPlansResolver {
  @FieldResolver(() => [Plan], { description: '引用该问题的整合方案' })
  plans(@Ctx() ctx: Context, @Root() f: Finding): Promise<Plan[]> {
    return plansService.ofFinding(ctx, f.id);
  }
}
