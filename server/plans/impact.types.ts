import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DetectionRule, Level, Platform } from '../common/enums';

/**
 * The impact figures of a plan (impact.service.ts computes them). Frozen copies are stored with each revision at
 * submission (plan_revisions.impact) and with each approval decision (plan_approvals.impact): what approvers approved
 * is kept; the live preview is only for plans still being edited.
 */
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

  @Field(() => Int, { nullable: true, description: '冻结的数字所属的修订（为空：草稿的实时预览）' })
  revision?: number | null;

  @Field(() => String, { nullable: true, description: '冻结时间（ISO 8601）：提交或审批时（为空：实时预览）' })
  frozenAt?: string | null;

  @Field(() => String, { nullable: true, description: '冻结时机：submitted（提交时）或 approved/rejected/changes_requested（某次审批时）' })
  frozenOn?: string | null;
}
