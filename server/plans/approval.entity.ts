import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { PlanImpact } from './impact.types';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ApprovalDecision, ApprovalRequestStatus } from '../common/enums';

/**
 * 审批请求: the approval one unit must give for one action in one revision. Decided by an approver of that unit or
 * one it delegated to (signing.ts). Carried over (with the earlier approval) when a resubmitted revision leaves the action unchanged.
 */
@ObjectType({ description: '审批请求：某单位对某动作的审批' })
@Entity('plan_approval_requests')
export class ApprovalRequest {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int', { name: 'plan_id' })
  planId: number;

  @Field(() => Int, { description: '所属修订号' })
  @Column('int')
  revision: number;

  @Column('int', { name: 'action_id' })
  actionId: number;

  @Column('int', { name: 'unit_id' })
  unitId: number;

  @Field(() => String, { description: '为何需要该单位审批（主办单位 / 主管单位，涉及哪个账号）' })
  @Column('text')
  reason: string;

  @Field(() => ApprovalRequestStatus)
  @Column('text')
  status: ApprovalRequestStatus;

  @Column('int', { name: 'approval_id', nullable: true })
  approvalId: number | null;

  @Field(() => Boolean, { description: '动作未修改，沿用上一修订的审批' })
  @Column('boolean', { name: 'carried_over', default: false })
  carriedOver: boolean;

  @Field(() => Date)
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

/**
 * 审批记录: an immutable decision with its comment (the database refuses UPDATE and DELETE): `unitId` is the unit the
 * approver signed for, `delegationId` the delegation used, if any.
 */
@ObjectType({ description: '审批记录（不可修改）' })
@Entity('plan_approvals')
export class Approval {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int', { name: 'request_id' })
  requestId: number;

  @Column('int', { name: 'plan_id' })
  planId: number;

  @Column('int', { name: 'action_id' })
  actionId: number;

  @Column('int', { name: 'unit_id' })
  unitId: number;

  @Field(() => Int)
  @Column('int')
  revision: number;

  @Field(() => ApprovalDecision)
  @Column('text')
  decision: ApprovalDecision;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  comment: string | null;

  @Column('int', { name: 'approver_id', nullable: true })
  approverId: number | null;

  @Field(() => String, { description: '审批人登录名' })
  @Column('text', { name: 'approver_name' })
  approverName: string;

  /** The delegation the approver signed under (null: an approver of the unit itself). */
  @Column('int', { name: 'delegation_id', nullable: true })
  delegationId: number | null;

  @Field(() => Date)
  @Column('timestamptz', { name: 'decided_at', default: () => 'now()' })
  decidedAt: Date;

  @Field(() => PlanImpact, { nullable: true, description: '审批时冻结的影响数字（审批人看到并据以决定的）' })
  @Column('jsonb', { nullable: true })
  impact: PlanImpact | null;
}
