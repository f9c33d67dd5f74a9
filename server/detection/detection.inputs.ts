import { ArgsType, Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { IsOptional, MaxLength } from 'class-validator';
import { DetectionRule, FindingStatus, Level, Platform, Severity } from '../common/enums';
import { PageArgs } from '../kernel/pagination';

export enum FindingSort {
  SEVERITY = 'severity',
  NEWEST = 'newest',
}
registerEnumType(FindingSort, { name: 'FindingSort', description: '排序：严重程度（否决在前，同级最新在前）/ 最新发现在前' });

@InputType({ description: '问题筛选条件；各条件之间为“且”，同一条件的多个值为“或”' })
export class FindingFilter {
  @Field(() => [DetectionRule], { nullable: true })
  rule?: DetectionRule[] | null;

  @Field(() => [Severity], { nullable: true })
  severity?: Severity[] | null;

  @Field(() => [FindingStatus], { nullable: true, description: '默认全部状态' })
  status?: FindingStatus[] | null;

  @Field(() => String, { nullable: true, description: '行政区划代码：该区划及其下级单位的问题' })
  @IsOptional()
  @MaxLength(12)
  regionCode?: string | null;

  @Field(() => ID, { nullable: true, description: '单位：该单位及其下属单位的问题' })
  @IsOptional()
  unitId?: string | null;

  @Field(() => ID, { nullable: true, description: '涉及该账号的问题' })
  @IsOptional()
  accountId?: string | null;

  @Field(() => [Platform], { nullable: true, description: '涉及这些平台之一' })
  platform?: Platform[] | null;

  @Field(() => [Level], { nullable: true, description: '主办单位层级' })
  level?: Level[] | null;
}

@ArgsType()
export class FindingsArgs extends PageArgs {
  @Field(() => FindingFilter, { nullable: true })
  filter?: FindingFilter | null;

  @Field(() => FindingSort, { nullable: true, defaultValue: FindingSort.SEVERITY })
  sort?: FindingSort;
}

@ArgsType()
export class RunDetectionArgs {
  @Field(() => String, { nullable: true, description: '检查日 YYYY-MM-DD（北京时间），默认今天' })
  asOf?: string | null;

  @Field(() => String, { nullable: true, description: '检查范围：行政区划代码，默认全国' })
  @IsOptional()
  @MaxLength(12)
  regionCode?: string | null;
}

@ArgsType()
export class InspectionReportArgs {
  @Field(() => String, { description: '行政区划代码（0 为全国）' })
  @MaxLength(12)
  regionCode: string;

  @Field(() => String, { nullable: true, description: '检查日 YYYY-MM-DD（北京时间），默认今天' })
  asOf?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 100, description: '不合格清单最多列出的账号数（1–1000）' })
  failuresLimit?: number;
}
