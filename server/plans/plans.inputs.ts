import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ArrayMaxSize, IsOptional, Length, MaxLength, Min, Matches } from 'class-validator';
import { ApprovalDecision, PlanActionType, PlanStatus } from '../common/enums';
import { ServicesMode } from './plan-action.entity';
import { PageArgs } from '../kernel/pagination';

@InputType({ description: '方案筛选条件' })
export class PlanFilter {
  @Field(() => [PlanStatus], { nullable: true })
  status?: PlanStatus[] | null;

  @Field(() => String, { nullable: true, description: '范围为该行政区划（或其下级）的方案' })
  @IsOptional()
  @MaxLength(12)
  regionCode?: string | null;

  @Field(() => ID, { nullable: true, description: '涉及该单位（及下属单位）账号的方案' })
  @IsOptional()
  unitId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true：仅我编制的方案' })
  mine?: boolean | null;

  @Field(() => String, { nullable: true, description: '标题包含的文字' })
  @IsOptional()
  @MaxLength(100)
  search?: string | null;
}

@ArgsType()
export class PlansArgs extends PageArgs {
  @Field(() => PlanFilter, { nullable: true })
  filter?: PlanFilter | null;
}

@InputType({ description: '新建方案：范围为一个行政区划或一个单位及其下属（二选一）' })
export class CreatePlanInput {
  @Field(() => String)
  @Length(1, 200, { message: '标题长度应为 1–200 个字符' })
  @Matches(/\S/, { message: '标题不能只有空白' })
  title: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000, { message: '说明不超过 5000 个字符' })
  description?: string | null;

  @Field(() => String, { nullable: true, description: '范围：行政区划代码' })
  @IsOptional()
  @MaxLength(12)
  regionCode?: string | null;

  @Field(() => ID, { nullable: true, description: '范围：单位（含下属单位）' })
  @IsOptional()
  unitId?: string | null;
}

@InputType({ description: '修改方案标题或说明' })
export class UpdatePlanInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200, { message: '标题长度应为 1–200 个字符' })
  @Matches(/\S/, { message: '标题不能只有空白' })
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000, { message: '说明不超过 5000 个字符' })
  description?: string | null;
}

@InputType({ description: '由检查发现生成方案草稿' })
export class DraftPlanInput {
  @Field(() => String, { description: '行政区划代码' })
  @Length(1, 12)
  regionCode: string;

  @Field(() => [ID], { nullable: true, description: '仅使用这些问题（默认：该区划所有待处理问题）' })
  @IsOptional()
  @ArrayMaxSize(5000)
  findingIds?: string[] | null;

  @Field(() => String, { nullable: true, description: '标题（默认按区划生成）' })
  @IsOptional()
  @Length(1, 200)
  @Matches(/\S/, { message: '标题不能只有空白' })
  title?: string | null;
}

@InputType({ description: '新增整合动作' })
export class AddActionInput {
  @Field(() => PlanActionType)
  type: PlanActionType;

  @Field(() => ID, { description: '账号（合并 / 关停的源账号；保留 / 更名的账号）' })
  accountId: string;

  @Field(() => ID, { nullable: true, description: 'MERGE：目标主账号' })
  targetAccountId?: string | null;

  @Field(() => ID, { nullable: true, description: 'SHUTDOWN：服务迁往的账号' })
  serviceTargetAccountId?: string | null;

  @Field(() => ID, { nullable: true, description: 'SHUTDOWN：内容迁往的门户网站账号（默认：所在地区政府门户网站）' })
  contentTargetAccountId?: string | null;

  @Field(() => String, { nullable: true, description: 'RENAME：新名称' })
  @IsOptional()
  @Length(1, 100, { message: '新名称长度应为 1–100 个字符' })
  newName?: string | null;

  @Field(() => String, { nullable: true, description: 'KEEP：整改要求' })
  @IsOptional()
  @Length(1, 2000, { message: '整改要求长度应为 1–2000 个字符' })
  rectification?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  note?: string | null;

  @Field(() => String, { nullable: true, description: '关停或合并受保护账号的理由（受保护账号必填；审批人可见）' })
  @IsOptional()
  @MaxLength(2000, { message: '理由不超过 2000 个字符' })
  overrideReason?: string | null;

  @Field(() => ServicesMode, { nullable: true, description: '与目标账号同名的服务：合并（默认）或两者都保留' })
  servicesMode?: ServicesMode | null;

  @Field(() => [ID], { nullable: true, description: '引用的检查问题' })
  @IsOptional()
  @ArrayMaxSize(100)
  findingIds?: string[] | null;
}

@InputType({ description: '修改整合动作（类型不可改；未给出的字段保持不变，给 null 表示清空）' })
export class UpdateActionInput {
  @Field(() => ID, { nullable: true })
  targetAccountId?: string | null;

  @Field(() => ID, { nullable: true })
  serviceTargetAccountId?: string | null;

  @Field(() => ID, { nullable: true })
  contentTargetAccountId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100, { message: '新名称长度应为 1–100 个字符' })
  newName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 2000, { message: '整改要求长度应为 1–2000 个字符' })
  rectification?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  note?: string | null;

  @Field(() => String, { nullable: true, description: '关停或合并受保护账号的理由（受保护账号必填；审批人可见）' })
  @IsOptional()
  @MaxLength(2000, { message: '理由不超过 2000 个字符' })
  overrideReason?: string | null;

  @Field(() => ServicesMode, { nullable: true, description: '与目标账号同名的服务：合并（默认）或两者都保留' })
  servicesMode?: ServicesMode | null;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  findingIds?: string[] | null;
}

@InputType({ description: '审批决定：按审批请求编号，或按动作编号（决定该动作中本人有权审批的全部请求）' })
export class DecideApprovalInput {
  @Field(() => ID, { nullable: true })
  approvalRequestId?: string | null;

  @Field(() => ID, { nullable: true })
  actionId?: string | null;

  @Field(() => ApprovalDecision)
  decision: ApprovalDecision;

  @Field(() => String, { nullable: true, description: '审批意见（驳回、退回修改时必填）' })
  @IsOptional()
  @MaxLength(2000, { message: '审批意见不超过 2000 个字符' })
  comment?: string | null;
}

@ArgsType()
export class VersionArgs {
  @Field(() => Int, { nullable: true, description: '修改所基于的方案版本号；与当前版本不符时返回 CONFLICT' })
  @IsOptional()
  @Min(1)
  expectedVersion?: number | null;
}
