import { Field, ID, Int, ObjectType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { Platform } from '../common/enums';
import { Region } from '../regions/region.entity';
import { Unit } from '../units/unit.entity';
import { MatrixCell, MatrixLevelRow, MatrixRow } from '../matrix/matrix.types';

@ObjectType({ description: '某日的账号矩阵（历史回溯）：按当日的账号状态（状态变更记录、开设与注销日期）计数' })
export class MatrixAsOf {
  @Field(() => Region)
  region: Region;

  @Field(() => LocalDateResolver, { description: '回溯日期（北京时间当日结束时）' })
  date: string;

  @Field(() => [Platform], { description: '列：平台' })
  platforms: Platform[];

  @Field(() => [MatrixRow], { description: '行：下级区划（或末级区划的单位）；待处理问题为当日仍未处理的问题' })
  rows: MatrixRow[];

  @Field(() => [MatrixCell], { description: '各平台合计' })
  totals: MatrixCell[];

  @Field(() => [MatrixLevelRow], { description: '按主办单位层级' })
  byLevel: MatrixLevelRow[];

  @Field(() => Int, { description: '当日未注销账号总数（正常 + 暂停更新）' })
  live: number;

  @Field(() => Int, { description: '当日存在的账号总数（含已注销）' })
  total: number;

  @Field(() => Int, { description: '当日仍待处理的问题数（每个问题只计一次）' })
  openFindings: number;
}

@ObjectType({ description: '某日某单位在某平台的账号数（按状态）' })
export class AccountCountAsOf {
  @Field(() => Unit)
  unit: Unit;

  @Field(() => Platform)
  platform: Platform;

  @Field(() => Int)
  active: number;

  @Field(() => Int)
  suspended: number;

  @Field(() => Int)
  closed: number;

  @Field(() => Int)
  total: number;

  unitId: number;
}

@ObjectType({ description: '某日的账号数：按单位 × 平台 × 状态' })
export class AccountCountsAsOf {
  @Field(() => LocalDateResolver)
  date: string;

  @Field(() => [AccountCountAsOf], { description: '按单位路径、平台排序；最多 first 行' })
  rows: AccountCountAsOf[];

  @Field(() => Int, { description: '行总数（不受 first 限制）' })
  totalRows: number;

  @Field(() => MatrixCell, { description: '全部合计' })
  totals: MatrixCell;
}

@ObjectType({ description: '方案某一时点的账号数' })
export class PlanImpactPoint {
  @Field(() => String, { description: 'before 提交前一日 / started 执行开始日 / completed 完成日 / today 今天' })
  label: string;

  @Field(() => LocalDateResolver)
  date: string;

  @Field(() => MatrixCell, { description: '方案范围内的账号数（按状态）' })
  counts: MatrixCell;

  @Field(() => Int, { description: '方案涉及的账号中当日未注销的个数' })
  planAccountsLive: number;
}

@ObjectType({ description: '方案前后的账号数：方案范围内，提交日、执行开始日、完成日（或今天）的计数' })
export class PlanImpactCounts {
  @Field(() => ID)
  planId: string;

  @Field(() => String, { description: '计数所用区划（方案范围所在的区划）' })
  regionCode: string;

  @Field(() => [PlanImpactPoint])
  points: PlanImpactPoint[];
}
