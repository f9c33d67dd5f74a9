import { ArgsType, Field, Float } from 'type-graphql';
import { MaxLength } from 'class-validator';

@ArgsType()
export class CreateInspectionArgs {
  @Field(() => String, { description: '行政区划代码（0 为全国）' })
  @MaxLength(12)
  regionCode: string;

  @Field(() => String, { nullable: true, description: '检查日 YYYY-MM-DD（北京时间），默认今天；检查期为其所在季度' })
  asOf?: string | null;

  @Field(() => Float, { nullable: true, description: '抽样比例 0.1–1，默认取政策 inspection.sampleRatio' })
  sampleRatio?: number | null;

  @Field(() => String, { nullable: true, description: '抽样种子（记录在案；同一种子可复现抽样），默认随机' })
  @MaxLength(64)
  seed?: string | null;
}
