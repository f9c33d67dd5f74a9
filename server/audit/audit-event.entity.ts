import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';

/**
 * 审计记录: one append-only event (who, when, what, before/after). Written by `recordAudit` in the same transaction
 * as the change; the database refuses UPDATE, DELETE and TRUNCATE on the table.
 */
@ObjectType({ description: '审计记录 (audit event)' })
@Entity('audit_events')
export class AuditEvent {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Field(() => Date, { description: '发生时间（所在事务的时间）' })
  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Field(() => ID, { nullable: true, description: '操作人编号（系统操作或未知用户时为空）' })
  @Column('int', { name: 'actor_id', nullable: true })
  actorId: number | null;

  @Field(() => String, { description: '操作人登录名（记录时的快照）' })
  @Column('text', { name: 'actor_name' })
  actorName: string;

  @Field(() => String, { nullable: true, description: '操作人当时的角色' })
  @Column('text', { name: 'actor_role', nullable: true })
  actorRole: string | null;

  @Field(() => String, { description: '操作类型，如 LOGIN、USER_CREATED、PLAN_SUBMITTED' })
  @Column('text')
  action: string;

  @Field(() => String, { description: '对象类型，如 user、account、plan' })
  @Column('text', { name: 'entity_type' })
  entityType: string;

  @Field(() => String, { nullable: true, description: '对象编号' })
  @Column('text', { name: 'entity_id', nullable: true })
  entityId: string | null;

  @Field(() => ID, { nullable: true })
  @Column('int', { name: 'account_id', nullable: true })
  accountId: number | null;

  @Field(() => ID, { nullable: true })
  @Column('int', { name: 'unit_id', nullable: true })
  unitId: number | null;

  @Field(() => ID, { nullable: true })
  @Column('int', { name: 'plan_id', nullable: true })
  planId: number | null;

  @Field(() => GraphQLJSON, { nullable: true, description: '变更前' })
  @Column('jsonb', { nullable: true })
  before: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: '变更后' })
  @Column('jsonb', { nullable: true })
  after: unknown;

  @Field(() => String, { nullable: true, description: '说明 / 审批意见' })
  @Column('text', { nullable: true })
  comment: string | null;

  @Field(() => String, { nullable: true, description: '操作人的 IP 地址' })
  @Column('text', { nullable: true })
  ip: string | null;

  @Field(() => String, { nullable: true, description: '操作人的浏览器或程序（User-Agent）' })
  @Column('text', { name: 'user_agent', nullable: true })
  userAgent: string | null;
}
