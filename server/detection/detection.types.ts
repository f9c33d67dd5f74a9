import { Field, Int, ObjectType } from 'type-graphql';
import { Connection } from '../kernel/pagination';
import { DetectionRun } from './detection-run.entity';
import { Finding } from './finding.entity';

@ObjectType()
export class FindingConnection extends Connection(Finding, 'Finding') {}

@ObjectType({ description: '问题计数' })
export class FindingCount {
  @Field(() => String, { description: '规则代码 / 层级 / 平台' })
  key: string;

  @Field(() => String)
  label: string;

  @Field(() => Int, { description: '待处理' })
  open: number;

  @Field(() => Int, { description: '已忽略' })
  dismissed: number;
}

@ObjectType({ description: '区域问题汇总（当前未解决的问题）' })
export class FindingSummary {
  @Field(() => String)
  regionCode: string;

  @Field(() => Int, { description: '待处理问题总数' })
  open: number;

  @Field(() => Int, { description: '其中否决项' })
  openVetoes: number;

  @Field(() => Int)
  dismissed: number;

  @Field(() => [FindingCount], { description: '按规则（包含计数为 0 的规则）' })
  byRule: FindingCount[];

  @Field(() => [FindingCount], { description: '按主办单位层级' })
  byLevel: FindingCount[];

  @Field(() => [FindingCount], { description: '按平台（跨平台问题计入每个涉及的平台）' })
  byPlatform: FindingCount[];

  @Field(() => DetectionRun, { nullable: true, description: '覆盖该区域的最近一次检查' })
  lastRun: DetectionRun | null;
}
