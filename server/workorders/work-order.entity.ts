import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';

/** 整改工单: a finding to fix, sent to the sponsoring unit with a deadline (see workorders.service.ts). */
@ObjectType({ description: '整改工单' })
@Entity('work_orders')
export class WorkOrder {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Field(() => ID, { nullable: true, description: '来源问题' })
  @Column('int', { name: 'finding_id', nullable: true })
  findingId: number | null;

  @Field(() => ID, { nullable: true, description: '来源方案步骤（方案的保留整改动作）' })
  @Column('int', { name: 'plan_step_id', nullable: true })
  planStepId: number | null;

  @Column('int', { name: 'unit_id' })
  unitId: number;

  @Column('int', { name: 'account_id', nullable: true })
  accountId: number | null;

  @Field(() => String)
  @Column('text')
  rule: string;

  @Field(() => String)
  @Column('text')
  title: string;

  @Field(() => String, { description: '状态：open 待整改 / answered 已反馈 / overdue 逾期 / escalated 已升级 / closed 已办结' })
  @Column('text')
  status: string;

  @Field(() => LocalDateResolver, { description: '整改期限（按工作日计算）' })
  @Column('date')
  deadline: string;

  @Field(() => Date)
  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Field(() => String, { nullable: true, description: '单位反馈' })
  @Column('text', { name: 'answer_note', nullable: true })
  answerNote: string | null;

  @Field(() => String, { nullable: true, description: '整改证据（链接或说明）' })
  @Column('text', { name: 'answer_evidence', nullable: true })
  answerEvidence: string | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'answered_at', nullable: true })
  answeredAt: Date | null;

  @Column('int', { name: 'escalated_to_unit_id', nullable: true })
  escalatedToUnitId: number | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'escalated_at', nullable: true })
  escalatedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'closed_at', nullable: true })
  closedAt: Date | null;

  @Field(() => String, { nullable: true, description: '办结原因' })
  @Column('text', { name: 'close_reason', nullable: true })
  closeReason: string | null;
}

/** 通知: what the client shows and a mail/SMS gateway reads (`sent_at`). */
@ObjectType({ description: '通知（整改提醒、逾期、升级）' })
@Entity('notifications')
export class Notification {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('int', { name: 'unit_id' })
  unitId: number;

  @Field(() => ID, { nullable: true })
  @Column('int', { name: 'work_order_id', nullable: true })
  workOrderId: number | null;

  @Field(() => String, { description: '类型：work_order 新工单 / reminder 到期提醒 / overdue 逾期 / escalated 升级' })
  @Column('text')
  kind: string;

  @Field(() => String)
  @Column('text')
  title: string;

  @Field(() => String)
  @Column('text')
  body: string;

  @Field(() => Date)
  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'read_at', nullable: true })
  readAt: Date | null;
}
