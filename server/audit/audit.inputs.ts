import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { IsOptional, MaxLength } from 'class-validator';
import { PageArgs } from '../kernel/pagination';

@InputType({ description: '审计记录筛选条件（均可选，组合为“且”）' })
export class AuditFilter {
  @Field(() => ID, { nullable: true, description: '操作人' })
  actorId?: string | null;

  @Field(() => ID, { nullable: true, description: '涉及的账号' })
  accountId?: string | null;

  @Field(() => ID, { nullable: true, description: '涉及的单位' })
  unitId?: string | null;

  @Field(() => Boolean, { nullable: true, description: '与 unitId 同用：包含其全部下级单位' })
  includeSubunits?: boolean | null;

  @Field(() => ID, { nullable: true, description: '涉及的整合方案' })
  planId?: string | null;

  @Field(() => [String], { nullable: true, description: '操作类型，如 LOGIN、USER_CREATED、PLAN_SUBMITTED' })
  action?: string[] | null;

  @Field(() => String, { nullable: true, description: '对象类型，如 user、account、plan' })
  @IsOptional()
  @MaxLength(50)
  entityType?: string | null;

  @Field(() => Date, { nullable: true, description: '起始时间（含）' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: '结束时间（含）' })
  to?: Date | null;
}

@ArgsType()
export class AuditEventsArgs extends PageArgs {
  @Field(() => AuditFilter, { nullable: true })
  filter?: AuditFilter | null;
}
