import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { LocalDateResolver } from 'graphql-scalars';
import { StepKind, StepStatus } from '../common/enums';

/** 执行步骤 of one action; confirmed for the sponsoring unit by its approver or one it delegated to (signing.ts). */
@ObjectType({ description: '执行步骤 (execution step)' })
@Entity('plan_steps')
export class ExecutionStep {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int', { name: 'plan_id' })
  planId: number;

  @Column('int', { name: 'action_id' })
  actionId: number;

  @Field(() => StepKind)
  @Column('text')
  kind: StepKind;

  @Field(() => Int, { description: '在动作内的顺序' })
  @Column('int')
  seq: number;

  @Field(() => StepStatus)
  @Column('text')
  status: StepStatus;

  @Field(() => LocalDateResolver, { nullable: true, description: '完成日期（如公告发布日期、注销日期）' })
  @Column('date', { name: 'done_on', nullable: true })
  doneOn: string | null;

  @Column('int', { name: 'confirmed_by_id', nullable: true })
  confirmedById: number | null;

  @Field(() => String, { nullable: true })
  @Column('text', { name: 'confirmed_by_name', nullable: true })
  confirmedByName: string | null;

  /** The unit the confirmation was signed for (the sponsoring unit of the action's account). */
  @Column('int', { name: 'confirmed_unit_id', nullable: true })
  confirmedUnitId: number | null;

  /** The delegation the confirmer signed under (null: an approver of the unit itself). */
  @Column('int', { name: 'delegation_id', nullable: true })
  delegationId: number | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'confirmed_at', nullable: true })
  confirmedAt: Date | null;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  note: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: '证据：停更公告的链接或标题，及核对到的账号发布内容' })
  @Column('jsonb', { nullable: true })
  evidence: StepEvidence | null;

  @Field(() => String, { nullable: true, description: '在检查仍显示问题未整改时确认「已整改」的理由' })
  @Column('text', { name: 'override_reason', nullable: true })
  overrideReason: string | null;

  @Field(() => Int, { nullable: true, description: '本步骤迁移的内容条数' })
  @Column('int', { name: 'moved_posts', nullable: true })
  movedPosts: number | null;

  @Field(() => Int, { nullable: true, description: '本步骤迁移的服务个数' })
  @Column('int', { name: 'moved_services', nullable: true })
  movedServices: number | null;
}

/** Evidence recorded with a step (the stop-update notice: its URL and/or title, and the post it was matched to). */
export interface StepEvidence {
  url?: string | null;
  title?: string | null;
  /** The account's post the notice was matched to (when the account has posts). */
  matchedPost?: { id: number; title: string; publishedAt: string } | null;
  /** RECTIFIED: the detection run that showed the cited findings resolved. */
  detectionRunId?: number | null;
  [key: string]: unknown;
}
