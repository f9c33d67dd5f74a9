import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { PlanImpact } from './impact.types';

/** 方案修订: the plan as it was submitted (actions snapshot), one per submission. */
@ObjectType({ description: '方案修订（每次提交的快照）' })
@Entity('plan_revisions')
export class PlanRevision {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int', { name: 'plan_id' })
  planId: number;

  @Field(() => Int)
  @Column('int')
  number: number;

  @Field(() => Date)
  @Column('timestamptz', { name: 'submitted_at', default: () => 'now()' })
  submittedAt: Date;

  @Column('int', { name: 'submitted_by_id', nullable: true })
  submittedById: number | null;

  @Field(() => String)
  @Column('text', { name: 'submitted_by_name' })
  submittedByName: string;

  @Field(() => String, { nullable: true, description: '提交说明' })
  @Column('text', { nullable: true })
  comment: string | null;

  @Field(() => GraphQLJSON, { description: '提交时的动作快照' })
  @Column('jsonb')
  snapshot: RevisionSnapshot;

  @Field(() => PlanImpact, { nullable: true, description: '提交时冻结的影响数字' })
  @Column('jsonb', { nullable: true })
  impact: PlanImpact | null;
}

export interface SnapshotAction {
  id: number;
  type: string;
  accountId: number;
  targetAccountId: number | null;
  serviceTargetAccountId: number | null;
  contentTargetAccountId: number | null;
  newName: string | null;
  rectification: string | null;
  overrideReason?: string | null;
  servicesMode?: string;
  findingIds: number[];
  /** Content fingerprint: equal fingerprints across revisions = the action did not change. */
  fingerprint: string;
}

export interface RevisionSnapshot {
  title: string;
  actions: SnapshotAction[];
}
