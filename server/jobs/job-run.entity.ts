import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';

/** One attempt of a scheduled job (定时任务): status, progress and the outcome, for the client and for auditors. */
@ObjectType({ description: '立即运行任务的请求结果' })
export class JobRequest {
  @Field(() => String)
  task: string;

  @Field(() => Boolean, { description: 'true：已加入任务队列（稍后在运行记录中可见）；false：本进程没有任务队列，已直接运行完毕' })
  queued: boolean;

  @Field(() => String, { nullable: true, description: '直接运行时的结果说明' })
  message: string | null;
}

@ObjectType({ description: '定时任务运行记录（每次尝试一条）' })
@Entity('job_runs')
export class JobRun {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Field(() => String, { description: '任务代码' })
  @Column('text')
  task: string;

  @Column('text', { name: 'job_id', nullable: true })
  jobId: string | null;

  @Field(() => String, { nullable: true, description: '涉及的行政区划（为空表示全国）' })
  @Column('varchar', { name: 'region_code', length: 12, nullable: true })
  regionCode: string | null;

  @Column('text', { name: 'region_path', nullable: true })
  regionPath: string | null;

  @Field(() => String, { description: '状态：running 运行中 / succeeded 成功 / failed 失败' })
  @Column('text')
  status: string;

  @Field(() => Int, { description: '进度（0–100）' })
  @Column('int')
  progress: number;

  @Field(() => Int, { nullable: true, description: '已完成的项数（如省份数）' })
  @Column('int', { nullable: true })
  done: number | null;

  @Field(() => Int, { nullable: true, description: '总项数' })
  @Column('int', { nullable: true })
  total: number | null;

  @Field(() => String, { nullable: true, description: '当前阶段（如正在处理的省份代码）' })
  @Column('text', { nullable: true })
  phase: string | null;

  @Field(() => String, { nullable: true, description: '手动运行的发起人（为空表示按计划运行）' })
  @Column('text', { name: 'requested_by', nullable: true })
  requestedBy: string | null;

  @Field(() => String, { nullable: true, description: '结果说明' })
  @Column('text', { nullable: true })
  message: string | null;

  @Field(() => String, { nullable: true, description: '失败原因' })
  @Column('text', { nullable: true })
  error: string | null;

  @Field(() => Int, { description: '第几次尝试' })
  @Column('int')
  attempt: number;

  @Field(() => Int, { description: '最多尝试次数（失败后自动重试）' })
  @Column('int', { name: 'max_attempts' })
  maxAttempts: number;

  @Field(() => Date)
  @Column('timestamptz', { name: 'started_at' })
  startedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;
}
