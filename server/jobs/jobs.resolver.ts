import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Role } from '../common/enums';
import type { Context } from '../kernel/context';
import { requireRole } from '../kernel/access';
import { pageSize } from '../kernel/pagination';
import { regionsService } from '../regions/regions.service';
import { JobRequest, JobRun } from './job-run.entity';
import { jobsService } from './jobs.service';
import { TASK_NAMES_ZH } from './tasks';

@Resolver(() => JobRun)
export class JobsResolver {
  @Query(() => [JobRun], { description: '定时任务运行记录（状态、进度、失败与重试），最新在前；按区划范围可见，全国任务仅全国用户可见' })
  async jobRuns(@Ctx() ctx: Context, @Arg('task', () => String, { nullable: true }) task?: string | null,
    @Arg('status', () => String, { nullable: true }) status?: string | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null): Promise<JobRun[]> {
    requireRole(ctx, Role.ADMIN, Role.AUDITOR, Role.PLANNER);
    const qb = ctx.em.getRepository(JobRun).createQueryBuilder('r')
      .orderBy('r.started_at', 'DESC').addOrderBy('r.id', 'DESC').limit(pageSize(first, ctx.config.maxPageSize));
    const visible = (await regionsService.scope(ctx)).sql('r.region_path');
    qb.where(visible.sql, visible.params);
    if (task) qb.andWhere('r.task = :task', { task });
    if (status) qb.andWhere('r.status = :status', { status });
    return qb.getMany();
  }

  @Mutation(() => JobRequest, { description: '立即运行一个定时任务（管理员；区域任务限管辖范围，全国任务限全国管理员）；记入审计，限流', complexity: 5000 })
  runJobNow(@Ctx() ctx: Context, @Arg('task', () => String) task: string,
    @Arg('regionCode', () => String, { nullable: true }) regionCode?: string | null): Promise<JobRequest> {
    return jobsService.runNow(ctx, task, regionCode);
  }

  @FieldResolver(() => String, { description: '任务名称' })
  taskName(@Root() r: JobRun): string {
    return TASK_NAMES_ZH[r.task] ?? r.task;
  }
}
