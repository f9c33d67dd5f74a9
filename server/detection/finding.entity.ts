import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DetectionRule, FindingAccountRole, FindingStatus, Level, Platform, Severity } from '../common/enums';

/**
 * A finding's evidence: JSON built by the rule's SQL (detection.rules.ts), its keys depending on the rule; read by
 * finding-summary.ts and the client. The one place its looseness is declared.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON from SQL, shape per rule (see above)
export type Evidence = Record<string, any>;

/**
 * 检查发现的问题. Identity across runs is `subjectKey` (rule + account id, rule + unit + platform for a redundant
 * group, rule + unit for names): a re-run updates the same row. `evidenceHash` covers the stable part of the
 * evidence only (e.g. the date of the last post, not the day count), so a dismissal survives re-runs until the
 * facts change.
 */
@ObjectType({ description: '检查发现的问题 (finding)' })
@Entity('findings')
export class Finding {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Field(() => DetectionRule)
  @Column('text')
  rule: DetectionRule;

  @Field(() => Severity)
  @Column('text')
  severity: Severity;

  @Column({ type: 'smallint', name: 'severity_rank', insert: false, update: false })
  severityRank: number;

  @Field(() => FindingStatus)
  @Column('text')
  status: FindingStatus;

  @Field(() => String, { description: '问题主体标识：同一主体在多次检查中是同一个问题' })
  @Column('text', { name: 'subject_key' })
  subjectKey: string;

  @Column('int', { name: 'unit_id' })
  unitId: number;

  /** The account of a single-account rule; null for groups (redundant, names). */
  @Column('int', { name: 'account_id', nullable: true })
  accountId: number | null;

  @Field(() => [Platform], { description: '涉及的平台' })
  @Column('text', { array: true })
  platforms: Platform[];

  @Field(() => Level, { description: '主办单位层级' })
  @Column('text')
  level: Level;

  @Column('text', { name: 'region_path', nullable: true })
  regionPath: string | null;

  @Field(() => GraphQLJSONObject, { description: '证据（随规则不同而不同，见 summary 的中文说明）' })
  @Column('jsonb')
  evidence: Evidence;

  @Column('text', { name: 'evidence_hash' })
  evidenceHash: string;

  @Column('int', { name: 'suggested_main_id', nullable: true })
  suggestedMainId: number | null;

  @Column('int', { name: 'first_seen_run' })
  firstSeenRun: number;

  @Column('int', { name: 'last_seen_run' })
  lastSeenRun: number;

  @Field(() => Date)
  @Column('timestamptz', { name: 'first_seen_at' })
  firstSeenAt: Date;

  @Field(() => Date)
  @Column('timestamptz', { name: 'last_seen_at' })
  lastSeenAt: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt: Date | null;

  @Column('int', { name: 'resolved_run', nullable: true })
  resolvedRun: number | null;

  @Field(() => Date, { nullable: true, description: '最近一次重新打开的时间' })
  @Column('timestamptz', { name: 'reopened_at', nullable: true })
  reopenedAt: Date | null;

  @Field(() => String, { nullable: true, description: '忽略理由' })
  @Column('text', { name: 'dismissed_reason', nullable: true })
  dismissedReason: string | null;

  @Column('int', { name: 'dismissed_by', nullable: true })
  dismissedBy: number | null;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'dismissed_at', nullable: true })
  dismissedAt: Date | null;

  @Column('text', { name: 'dismissed_hash', nullable: true })
  dismissedHash: string | null;
}

/** Finding ↔ account. */
@Entity('finding_accounts')
export class FindingAccount {
  @Column('int', { name: 'finding_id', primary: true })
  findingId: number;

  @Column('int', { name: 'account_id', primary: true })
  accountId: number;

  @Column('text')
  role: FindingAccountRole;
}
