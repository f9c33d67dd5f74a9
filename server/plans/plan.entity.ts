import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PlanStatus } from '../common/enums';

/** 整合方案: a consolidation plan over a region or a unit subtree. `version` guards edits (optimistic locking). */
@ObjectType({ description: '整合方案 (consolidation plan)' })
@Entity('plans')
export class Plan {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Field(() => String)
  @Column('text')
  title: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  description: string | null;

  @Field(() => PlanStatus)
  @Column('text')
  status: PlanStatus;

  @Column('varchar', { name: 'scope_region_code', length: 12, nullable: true })
  scopeRegionCode: string | null;

  @Column('int', { name: 'scope_unit_id', nullable: true })
  scopeUnitId: number | null;

  @Field(() => ID, { nullable: true, description: '编制人编号' })
  @Column('int', { name: 'author_id', nullable: true })
  authorId: number | null;

  @Field(() => String, { description: '编制人登录名' })
  @Column('text', { name: 'author_name' })
  authorName: string;

  @Field(() => Int, { description: '当前修订号（每次退回后重新提交加 1）' })
  @Column('int')
  revision: number;

  @Field(() => Int, { description: '版本号：每次修改加 1，修改时传入以防覆盖他人的修改' })
  @Column('int')
  version: number;

  @Field(() => Int, { description: '停更公告期（工作日），提交时的政策设置' })
  @Column('int', { name: 'notice_working_days' })
  noticeWorkingDays: number;

  @Field(() => Date)
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Field(() => Date)
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'submitted_at', nullable: true })
  submittedAt: Date | null;

  @Field(() => Date, { nullable: true, description: '审批完成（批准、驳回或退回）的时间' })
  @Column('timestamptz', { name: 'decided_at', nullable: true })
  decidedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'execution_started_at', nullable: true })
  executionStartedAt: Date | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt: Date | null;
}
