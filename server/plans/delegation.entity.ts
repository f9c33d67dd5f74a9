import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

/**
 * 审批授权: a unit lets another approver sign approvals and execution steps on its behalf. Granted by the unit's own
 * approver or an administrator whose scope contains the unit; revoking keeps the row (the record of who could sign).
 */
@ObjectType({ description: '审批授权：单位授权他人代为审批、确认执行步骤' })
@Entity('approval_delegations')
export class ApprovalDelegation {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int', { name: 'unit_id' })
  unitId: number;

  @Column('int', { name: 'delegate_user_id' })
  delegateUserId: number;

  @Column('int', { name: 'granted_by_id', nullable: true })
  grantedById: number | null;

  @Field(() => String, { description: '授权人登录名' })
  @Column('text', { name: 'granted_by_name' })
  grantedByName: string;

  @Field(() => Date)
  @Column('timestamptz', { name: 'granted_at', default: () => 'now()' })
  grantedAt: Date;

  @Field(() => String, { description: '授权理由' })
  @Column('text')
  reason: string;

  @Field(() => Date, { nullable: true, description: '撤销时间（未撤销为空）' })
  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Field(() => String, { nullable: true, description: '撤销人登录名' })
  @Column('text', { name: 'revoked_by_name', nullable: true })
  revokedByName: string | null;
}
