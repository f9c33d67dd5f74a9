import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DetectionRule, IssueSeverity, Level, Platform, PlanIssueCode } from '../common/enums';
import { Plan } from './plan.entity';
import { Approval } from './approval.entity';

@ObjectType({ description: '方案校验问题：指明动作和原因' })
export class ValidationIssue {
  @Field(() => PlanIssueCode)
  code: PlanIssueCode;

  @Field(() => IssueSeverity)
  severity: IssueSeverity;

  @Field(() => ID, { nullable: true, description: '涉及的动作（整个方案的问题为空）' })
  actionId: number | null;

  @Field(() => ID, { nullable: true, description: '涉及的账号' })
  accountId: number | null;

  @Field(() => String, { description: '中文说明' })
  message: string;
}

@ObjectType({ description: '方案校验结果' })
export class PlanValidation {
  @Field(() => Boolean, { description: '没有错误（可以提交）' })
  valid: boolean;

  @Field(() => [ValidationIssue])
  errors: ValidationIssue[];

  @Field(() => [ValidationIssue])
  warnings: ValidationIssue[];
}

@ObjectType({ description: '按层级和平台的账号数变化' })
export class ImpactRow {
  @Field(() => Level)
  level: Level;

  @Field(() => Platform)
  platform: Platform;

  @Field(() => Int)
  before: number;

  @Field(() => Int)
  after: number;
}

@ObjectType({ description: '方案解决的问题数（按规则）' })
export class ResolvedByRule {
  @Field(() => DetectionRule)
  rule: DetectionRule;

  @Field(() => Int)
  count: number;
}

@ObjectType({ description: '方案影响预览（范围内未注销的账号）' })
export class PlanImpact {
  @Field(() => Int)
  accountsBefore: number;

  @Field(() => Int)
  accountsAfter: number;

  @Field(() => [ImpactRow])
  byLevelPlatform: ImpactRow[];

  @Field(() => Float, { description: '粉丝数合计（变更前）' })
  followersBefore: number;

  @Field(() => Float, { description: '保留账号的粉丝数合计（不计迁移后的回流）' })
  followersAfter: number;

  @Field(() => Int, { description: '办事服务数（变更前）' })
  servicesBefore: number;

  @Field(() => Int, { description: '变更后仍有去处的办事服务数（须等于变更前）' })
  servicesKept: number;

  @Field(() => Float, { description: '服务保留率（应为 1）' })
  servicesKeptRatio: number;

  @Field(() => Int)
  postsBefore: number;

  @Field(() => Int, { description: '变更后仍有去处的内容条数' })
  postsKept: number;

  @Field(() => Int, { description: '方案解决的问题数（引用的问题，以及被关停或合并账号的待处理问题）' })
  findingsResolved: number;

  @Field(() => [ResolvedByRule])
  findingsResolvedByRule: ResolvedByRule[];

  @Field(() => Float, { nullable: true, description: '检查合格率（变更前，0–1）' })
  passRateBefore: number | null;

  @Field(() => Float, { nullable: true, description: '检查合格率（变更后，0–1）' })
  passRateAfter: number | null;

  @Field(() => String, { description: '合格率的计算方法说明' })
  passRateMethod: string;
}

@ObjectType({ description: '由检查发现生成的方案草稿' })
export class DraftPlanResult {
  @Field(() => Plan)
  plan: Plan;

  @Field(() => Int)
  actionCount: number;

  @Field(() => Int, { description: '使用的检查问题数' })
  findingsUsed: number;

  @Field(() => [String], { description: '未纳入的问题及原因（如账号已在其他未结方案中）' })
  skipped: string[];
}

@ObjectType({ description: '审批结果' })
export class DecideApprovalResult {
  @Field(() => Plan)
  plan: Plan;

  @Field(() => [Approval], { description: '本次写入的审批记录' })
  approvals: Approval[];
}
