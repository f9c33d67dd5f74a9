import { Role } from '../common/enums';
import type { Context } from '../kernel/context';
import { requireRole, requireWrite } from '../kernel/access';
import { recordAudit } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { badInput, catalogued } from '../kernel/errors';
import { NATIONAL_REGION, regionsService } from '../regions/regions.service';
import type { JobRequest } from './job-run.entity';
import { currentJobs, MAX_ATTEMPTS } from './runner';
import { isTask, runTask, taskCodes, TASK_NAMES_ZH } from './tasks';

/** Tasks that run for one region (a scoped administrator may run them for a region in scope); the others are national. */
const REGIONAL = new Set(['detection', 'inspections']);

export const jobsService = {
  /**
   * Runs a scheduled task now (administrators): regional tasks for a region in the administrator's scope (default: the
   * administrator's own region, or every province for a national administrator), national tasks (reminders, re-checks,
   * session clean-up) by national administrators only. Audited; queued on this process's job queue, or — with no queue
   * in this process (JOBS=off) — run here and now. Rate-limited like other expensive operations (see the resolver).
   */
  async runNow(ctx: Context, task: string, regionCode?: string | null): Promise<JobRequest> {
    requireRole(ctx, Role.ADMIN);
    const user = requireWrite(ctx);
    if (typeof task !== 'string' || !isTask(task)) {
      throw badInput(`没有名为「${String(task).slice(0, 40)}」的任务 (unknown task)`, [{ field: 'task', message: taskCodes().join(' / ') }]);
    }
    let region: string | null = null;
    if (REGIONAL.has(task)) {
      if (regionCode) region = (await regionsService.byCodeInScope(ctx, regionCode)).code;
      else if (!ctx.scope.unrestricted) {
        const own = user.unitId !== null ? await ctx.loaders.unitById.load(user.unitId) : null;
        if (!own?.regionCode) throw catalogued('FORBIDDEN', 'scope.outside', { what: '全国' });
        region = own.regionCode;
      }
      if (region === NATIONAL_REGION) region = null;
    } else if (!ctx.scope.unrestricted || (regionCode && regionCode !== NATIONAL_REGION)) {
      if (!ctx.scope.unrestricted) throw catalogued('FORBIDDEN', 'scope.outside', { what: `全国任务「${TASK_NAMES_ZH[task]}」` });
      throw badInput('该任务面向全国，不能指定区划 (national task: no region)', [{ field: 'regionCode', message: '不能指定' }]);
    }
    const payload: Record<string, unknown> = { requestedBy: user.username };
    if (region) payload.regionCode = region;
    await transaction(ctx, (tx) => recordAudit(tx, { action: 'JOB_RUN_REQUESTED', entityType: 'job_run',
      after: { task, regionCode: region }, comment: `立即运行「${TASK_NAMES_ZH[task]}」${region ? `（${region}）` : ''}` }));
    const jobs = currentJobs();
    if (jobs) {
      await jobs.runner.addJob(task, payload, { maxAttempts: MAX_ATTEMPTS, queueName: 'manual' });
      return { task, queued: true, message: null };
    }
    const message = await runTask(ctx.ds, ctx.config, task, payload, { jobId: null, attempt: 1, maxAttempts: 1 });
    return { task, queued: false, message };
  },
};
