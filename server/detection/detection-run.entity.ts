import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject, LocalDateResolver } from 'graphql-scalars';

/** 一次检查: check date, scope, the policy versions used, timing and counts. Written by `runDetection`. */
@ObjectType({ description: '一次检查运行 (detection run)' })
@Entity('detection_runs')
export class DetectionRun {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Field(() => LocalDateResolver, { description: '检查日（按北京时间计）' })
  @Column('date', { name: 'as_of' })
  asOf: string;

  @Field(() => String, { nullable: true, description: '检查范围的行政区划代码；为空表示全国' })
  @Column('varchar', { name: 'region_code', length: 12, nullable: true })
  regionCode: string | null;

  @Column('text', { name: 'region_path', nullable: true })
  regionPath: string | null;

  @Field(() => GraphQLJSONObject, { description: '使用的政策版本：{"0": 全国版本, "35": 福建省版本, …}' })
  @Column('jsonb', { name: 'policy_versions' })
  policyVersions: Record<string, number>;

  @Field(() => Date)
  @Column('timestamptz', { name: 'started_at' })
  startedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @Field(() => Int, { nullable: true, description: '耗时（毫秒）' })
  @Column('int', { name: 'duration_ms', nullable: true })
  durationMs: number | null;

  @Field(() => GraphQLJSONObject, { description: '本次发现的问题数（按规则）' })
  @Column('jsonb', { name: 'counts_by_rule' })
  countsByRule: Record<string, number>;

  @Field(() => Int, { description: '本次成立的问题总数' })
  @Column('int', { default: 0 })
  found: number;

  @Field(() => Int, { description: '新发现的问题数' })
  @Column('int', { default: 0 })
  created: number;

  @Field(() => Int, { description: '重新打开的问题数（已解决后再次出现，或已忽略但证据变化）' })
  @Column('int', { default: 0 })
  reopened: number;

  @Field(() => Int, { description: '自动解决的问题数（不再成立）' })
  @Column('int', { default: 0 })
  resolved: number;

  @Field(() => Int, { description: '检查的账号数（范围内未注销的账号）' })
  @Column('int', { name: 'accounts_checked', default: 0 })
  accountsChecked: number;

  @Column('int', { name: 'triggered_by', nullable: true })
  triggeredBy: number | null;
}
