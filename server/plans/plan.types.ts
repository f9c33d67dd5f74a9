import { Field, ID, Int, ObjectType } from 'type-graphql';
import { IssueSeverity, PlanIssueCode } from '../common/enums';
import { Plan } from './plan.entity';
export { ImpactRow, PlanImpact, ResolvedByRule } from './impact.types';
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
