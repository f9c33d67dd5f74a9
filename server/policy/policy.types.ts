import { Field, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

@ObjectType({ description: '检查政策：全国默认值 + 省级覆盖，按版本保存' })
export class PolicyInfo {
  @Field(() => String, { description: '政策所属区划：0（全国）或省级代码' })
  regionCode: string;

  @Field(() => String)
  regionName: string;

  @Field(() => Int, { nullable: true, description: '本区划覆盖设置的版本（为空表示尚未设置，沿用全国政策）' })
  version: number | null;

  @Field(() => GraphQLJSONObject, { description: '本区划的覆盖设置（只含与上级不同的项）' })
  override: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, { description: '生效的完整设置（默认值 ← 全国 ← 本省）' })
  effective: Record<string, unknown>;

  @Field(() => Int, { description: '全国政策版本' })
  nationalVersion: number;

  @Field(() => String, { nullable: true })
  note: string | null;

  @Field(() => Date, { nullable: true })
  createdAt: Date | null;
}

@ObjectType({ description: '政策的一个版本' })
export class PolicyVersion {
  @Field(() => String)
  regionCode: string;

  @Field(() => Int)
  version: number;

  @Field(() => GraphQLJSONObject)
  settings: Record<string, unknown>;

  @Field(() => String, { nullable: true })
  note: string | null;

  @Field(() => Date)
  createdAt: Date;
}
