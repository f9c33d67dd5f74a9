import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { PlanActionType } from '../common/enums';

/** What happens to a source service equal to one the target already has (same normalised name). */
export enum ServicesMode {
  /** Folded into the target's service (the source row stays as the record of its origin). */
  MERGE = 'merge',
  /** Kept as a second service, named after its origin. */
  KEEP_BOTH = 'keep_both',
}
registerEnumType(ServicesMode, { name: 'ServicesMode', description: '同名服务的处理：合并（默认，保留来源记录）/ 两者都保留' });

/**
 * 整合动作. MERGE: `accountId` → `targetAccountId` (content and services move there). SHUTDOWN: content →
 * `contentTargetAccountId` (the region's portal website), services → `serviceTargetAccountId`. KEEP: `rectification`.
 * RENAME: `newName`. Removed actions are kept (soft delete) because approvals may refer to them.
 */
@ObjectType({ description: '整合动作 (plan action)' })
@Entity('plan_actions')
export class PlanAction {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int', { name: 'plan_id' })
  planId: number;

  @Field(() => PlanActionType)
  @Column('text')
  type: PlanActionType;

  @Column('int', { name: 'account_id' })
  accountId: number;

  @Column('int', { name: 'target_account_id', nullable: true })
  targetAccountId: number | null;

  @Column('int', { name: 'service_target_account_id', nullable: true })
  serviceTargetAccountId: number | null;

  @Column('int', { name: 'content_target_account_id', nullable: true })
  contentTargetAccountId: number | null;

  @Field(() => String, { nullable: true, description: '更名后的名称（RENAME）' })
  @Column('text', { name: 'new_name', nullable: true })
  newName: string | null;

  @Field(() => String, { nullable: true, description: '整改要求（KEEP）' })
  @Column('text', { nullable: true })
  rectification: string | null;

  @Field(() => String, { nullable: true, description: '备注' })
  @Column('text', { nullable: true })
  note: string | null;

  @Field(() => String, { nullable: true, description: '关停或合并受保护账号的理由（审批人可见，审计留存）' })
  @Column('text', { name: 'override_reason', nullable: true })
  overrideReason: string | null;

  @Field(() => ServicesMode, { description: '与目标账号同名的服务：合并或两者都保留' })
  @Column('text', { name: 'services_mode', default: ServicesMode.MERGE })
  servicesMode: ServicesMode;

  @Column('boolean', { default: false })
  claimed: boolean;

  @Column('timestamptz', { name: 'removed_at', nullable: true })
  removedAt: Date | null;

  @Field(() => Date)
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Field(() => Date)
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
