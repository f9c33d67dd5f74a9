import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DetectionRule, InspectionGrade } from '../common/enums';
import { Account } from '../accounts/account.entity';

@ObjectType({ description: '扣分项' })
export class InspectionDeduction {
  @Field(() => String, { description: '规则代码（或 LATE_REPLY：留言回复超时）' })
  code: string;

  @Field(() => String)
  label: string;

  @Field(() => Int)
  points: number;
}

/** 单个账号在某检查日的检查结论. */
@ObjectType({ description: '账号检查结论：有否决项即不合格；否则 100 分减扣分，低于合格线不合格，高于良好线为良好' })
export class InspectionVerdict {
  accountId: number;

  @Field(() => String, { description: '检查日' })
  asOf: string;

  @Field(() => Boolean, { description: '是否参加检查（已注销、暂停更新、检查日尚未开设的账号不参加）' })
  checked: boolean;

  @Field(() => InspectionGrade, { nullable: true })
  grade: InspectionGrade | null;

  @Field(() => Boolean, { nullable: true })
  passed: boolean | null;

  @Field(() => Int, { nullable: true, description: '得分（0–100）；有否决项时仍给出扣分后的分数供参考' })
  score: number | null;

  @Field(() => [DetectionRule], { description: '触发的否决项' })
  vetoes: DetectionRule[];

  @Field(() => [InspectionDeduction])
  deductions: InspectionDeduction[];

  @Field(() => [String], { description: '结论理由（中文）' })
  reasons: string[];

  @Field(() => String, { nullable: true, description: '未参加检查的原因' })
  note: string | null;
}

@ObjectType({ description: '检查结果分组统计（合格率按公报口径：合格数 / 检查数）' })
export class InspectionGroup {
  @Field(() => String, { description: '分组键：区划代码 / 层级 / 平台（self 表示本级）' })
  key: string;

  @Field(() => String)
  label: string;

  @Field(() => Int)
  checked: number;

  @Field(() => Int)
  failed: number;

  @Field(() => Int)
  good: number;

  @Field(() => Float, { nullable: true, description: '合格率（百分数，保留两位小数，如 97.92）；无检查账号时为空' })
  passRate: number | null;
}

@ObjectType({ description: '不合格账号' })
export class InspectionFailure {
  @Field(() => Account)
  account: Account;

  @Field(() => Int)
  score: number;

  @Field(() => [DetectionRule])
  vetoes: DetectionRule[];

  @Field(() => [String])
  reasons: string[];
}

@ObjectType({ description: '区域检查通报：检查数、不合格数、合格率，按下级区划、层级、平台分组，附不合格清单' })
export class InspectionReport {
  @Field(() => String)
  regionCode: string;

  @Field(() => String)
  regionName: string;

  @Field(() => String, { description: '检查日' })
  asOf: string;

  @Field(() => ID, { nullable: true, description: '已保存的检查批次（通报口径，数据冻结）；为空表示按当前数据实时计算' })
  inspectionId: string | null;

  @Field(() => Float, { nullable: true, description: '检查批次的抽样比例（0.1–1）' })
  sampleRatio: number | null;

  @Field(() => Int, { nullable: true, description: '检查批次抽样前的应检账号数' })
  population: number | null;

  @Field(() => Int, { description: '检查的新媒体账号数（不含门户网站）' })
  checked: number;

  @Field(() => Int)
  failed: number;

  @Field(() => Int)
  good: number;

  @Field(() => Float, { nullable: true, description: '新媒体合格率（百分数，两位小数；不含门户网站）' })
  passRate: number | null;

  @Field(() => Int, { description: '检查的门户网站数' })
  websiteChecked: number;

  @Field(() => Int)
  websiteFailed: number;

  @Field(() => Float, { nullable: true, description: '门户网站合格率（单独统计）' })
  websitePassRate: number | null;

  @Field(() => [InspectionGroup], { description: '按下级区划（含本级；新媒体）' })
  byRegion: InspectionGroup[];

  @Field(() => [InspectionGroup], { description: '按主办单位层级（新媒体）' })
  byLevel: InspectionGroup[];

  @Field(() => [InspectionGroup], { description: '按平台' })
  byPlatform: InspectionGroup[];

  @Field(() => Int, { description: '不合格账号总数（清单可能截断）' })
  failuresTotal: number;

  @Field(() => [InspectionFailure], { description: '不合格清单，得分从低到高' })
  failures: InspectionFailure[];
}

