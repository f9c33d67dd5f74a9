import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject, LocalDateResolver } from 'graphql-scalars';

/**
 * 检查批次: an inspection of a region for a period, stored once. The sample (ratio, seed, population) and the policy
 * versions used are recorded; the verdicts live in `inspection_items` (frozen, see the migration).
 */
@ObjectType({ description: '检查批次（已保存的季度检查，数据冻结）' })
@Entity('inspections')
export class Inspection {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Field(() => String)
  @Column('varchar', { name: 'region_code', length: 12 })
  regionCode: string;

  @Field(() => String)
  @Column('text', { name: 'region_name' })
  regionName: string;

  @Column('text', { name: 'region_path' })
  regionPath: string;

  @Field(() => LocalDateResolver, { description: '检查期起始日' })
  @Column('date', { name: 'period_start' })
  periodStart: string;

  @Field(() => LocalDateResolver, { description: '检查期截止日' })
  @Column('date', { name: 'period_end' })
  periodEnd: string;

  @Field(() => LocalDateResolver, { description: '检查日' })
  @Column('date', { name: 'as_of' })
  asOf: string;

  @Field(() => Float, { description: '抽样比例（0.1–1，按层级和平台分层抽取）' })
  @Column('numeric', { name: 'sample_ratio', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sampleRatio: number;

  @Field(() => String, { description: '抽样种子：同一种子和同一账号总体抽出同一批账号' })
  @Column('text')
  seed: string;

  @Field(() => GraphQLJSONObject, { description: '使用的政策版本' })
  @Column('jsonb', { name: 'policy_versions' })
  policyVersions: Record<string, number>;

  @Field(() => Int, { description: '应检账号数（抽样前）' })
  @Column('int')
  population: number;

  @Field(() => Int, { description: '抽中的账号数' })
  @Column('int')
  sampled: number;

  @Field(() => Date)
  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('int', { name: 'created_by', nullable: true })
  createdBy: number | null;

  @Field(() => String, { description: '创建人' })
  @Column('text', { name: 'created_by_name' })
  createdByName: string;
}

/** 通报: generated once from an inspection; the files are stored with it and never regenerated. */
@ObjectType({ description: '检查通报（生成后不再改变）' })
@Entity('bulletins')
export class Bulletin {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int', { name: 'inspection_id' })
  inspectionId: number;

  @Column('int', { name: 'previous_inspection_id', nullable: true })
  previousInspectionId: number | null;

  @Field(() => String)
  @Column('text')
  title: string;

  @Field(() => GraphQLJSONObject, { description: '通报内容（数字与清单）' })
  @Column('jsonb')
  content: Record<string, unknown>;

  @Column('bytea', { select: false })
  xlsx: Buffer;

  @Column('bytea', { select: false })
  docx: Buffer;

  @Field(() => Date)
  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('int', { name: 'created_by', nullable: true })
  createdBy: number | null;

  @Field(() => String)
  @Column('text', { name: 'created_by_name' })
  createdByName: string;
}
