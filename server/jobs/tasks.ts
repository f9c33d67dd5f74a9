import type { DataSource } from 'typeorm';
import type { JobHelpers, Task } from 'graphile-worker';
import type { Config } from '../config';
import { createSystemContext, type Context } from '../kernel/context';
import { addDays, todayInBeijing } from '../kernel/dates';
import { regionsService } from '../regions/regions.service';
import { runDetection } from '../detection/detection.service';
import { inspectionsService } from '../inspections/inspections.service';
import { quarterOf } from '../inspections/sampling';
import { syncWorkOrders } from '../workorders/workorders.service';

/** The scheduled tasks (定时任务): code → Chinese name, used by the runner, the schedules and the client. */
export const TASK_NAMES_ZH: Record<string, string> = {
  detection: '每周检查（分省）',
  reminders: '整改提醒与逾期升级',
  inspections: '季度抽查',
  recheck: '注销账号复查',
  sessions: '清理过期会话、整理矩阵计数',
  // Not scheduled: an import's progress, recorded while it runs (jobs/tracked.ts).
  import: '数据导入',
};

/**
 * Reports progress on the run's row: `done` of `total` items (the 0–100 percentage follows), the phase being worked on
 * (e.g. the province) and a message. The client polls it.
 */
export type Progress = (step: { done: number; total: number; phase?: string | null; message?: string }) => Promise<void>;
type Work = (ctx: Context, payload: Record<string, unknown>, progress: Progress) => Promise<string>;

/** Provinces that have units: weekly detection and quarterly inspections run per province. */
async function provinces(ctx: Context, payload: Record<string, unknown>): Promise<string[]> {
  if (typeof payload.regionCode === 'string') return [(await regionsService.byCode(ctx, payload.regionCode)).code];
  const rows: { code: string }[] = await ctx.em.query(
    `SELECT DISTINCT split_part(region_path, '/', 3) AS code FROM units WHERE split_part(region_path, '/', 3) <> '' ORDER BY 1`);
  return rows.map((r) => r.code);
}

async function perProvince(ctx: Context, payload: Record<string, unknown>, progress: Progress, each: (code: string) => Promise<string>) {
  const codes = await provinces(ctx, payload);
  const done: string[] = [];
  for (const [i, code] of codes.entries()) {
    await progress({ done: i, total: codes.length, phase: code });
    done.push(await each(code));
    await progress({ done: i + 1, total: codes.length, phase: code, message: done.join('；') });
  }
  return done.join('；') || '没有需要处理的省份';
}

const WORK: Record<string, Work> = {
  detection: (ctx, payload, progress) => perProvince(ctx, payload, progress, async (code) => {
    const run = await runDetection(ctx, { regionCode: code });
    const w = await syncWorkOrders(ctx);
    return `${code}：检查 ${run.accountsChecked} 个账号，问题 ${run.found} 个（新 ${run.created}），工单新建 ${w.created}、办结 ${w.closed}`;
  }),
  // The quarter just ended (the job runs on the first day of a quarter): its last day is the check date.
  inspections: (ctx, payload, progress) => perProvince(ctx, payload, progress, async (code) => {
    const asOf = typeof payload.asOf === 'string' ? payload.asOf : addDays(quarterOf(todayInBeijing()).start, -1);
    const i = await inspectionsService.create(ctx, { regionCode: code, asOf });
    return `${code}：检查批次 ${i.id}，抽查 ${i.sampled}/${i.population}`;
  }),
  sessions: async (ctx, _payload, progress) => {
    await progress({ done: 0, total: 1, phase: 'sessions' });
    const [, n] = await ctx.em.query(
      `DELETE FROM sessions WHERE expires_at < now() - interval '1 day' OR (revoked_at IS NOT NULL AND revoked_at < now() - interval '30 days')`);
    // The matrix's maintained counts: the day's appended rows folded into one per key (migrations/1732946700000-MatrixCounts.ts).
    await progress({ done: 0, total: 1, phase: 'matrix_counts' });
    const [{ rows }] = await ctx.em.query(`SELECT matrix_counts_compact() AS rows`);
    return `清理会话 ${n ?? 0} 条；矩阵计数整理为 ${rows} 行`;
  },
  reminders: async (ctx, _payload, progress) => {
    await progress({ done: 0, total: 1, phase: 'work_orders' });
    const w = await syncWorkOrders(ctx);
    return `整改工单：新建 ${w.created}，办结 ${w.closed}，逾期 ${w.overdue}，升级 ${w.escalated}，提醒 ${w.reminded}`;
  },
  // Re-check of deregistered accounts: detection over every province that has closed accounts (CLOSED_BUT_LIVE).
  recheck: async (ctx, payload, progress) => {
    const rows: { code: string }[] = await ctx.em.query(`
      SELECT DISTINCT split_part(u.region_path, '/', 3) AS code FROM accounts a JOIN units u ON u.id = a.unit_id
       WHERE a.status = 'closed' AND split_part(u.region_path, '/', 3) <> '' ORDER BY 1`);
    const parts: string[] = [];
    for (const [i, { code }] of rows.entries()) {
      await progress({ done: i, total: rows.length, phase: code });
      await runDetection(ctx, { regionCode: code });
      const [{ n }] = await ctx.em.query(`SELECT count(*)::int AS n FROM findings WHERE rule = 'CLOSED_BUT_LIVE' AND status = 'open' AND region_path LIKE $1`, [`/0/${code}/%`]);
      parts.push(`${code}：注销后仍在运营 ${n} 个`);
      await progress({ done: i + 1, total: rows.length, phase: code, message: parts.join('；') });
    }
    return parts.join('；') || '没有已注销账号';
  },
};

/**
 * graphile-worker tasks: each attempt is recorded in `job_runs` (running → succeeded / failed with the error and the
 * attempt number); a failure is rethrown so the queue retries it (up to the job's max attempts).
 */
export function taskList(ds: DataSource, config: Config): Record<string, Task> {
  const list: Record<string, Task> = {};
  for (const code of Object.keys(WORK)) {
    list[code] = async (raw: unknown, helpers: JobHelpers) => {
      await runTask(ds, config, code, raw, { jobId: String(helpers.job.id), attempt: helpers.job.attempts, maxAttempts: helpers.job.max_attempts },
        (m) => helpers.logger.error(m));
    };
  }
  return list;
}

/** Whether `code` names a scheduled task. */
export const isTask = (code: string): boolean => Object.prototype.hasOwnProperty.call(WORK, code);

/** The scheduled tasks' codes (what runJobNow accepts). */
export const taskCodes = (): string[] => Object.keys(WORK);

/**
 * One attempt of a task, recorded in `job_runs` (running → succeeded / failed with the error and the attempt number,
 * progress as it goes); a failure is rethrown so the queue retries it. Also used to run a task at once in a process
 * without a queue (`runJobNow` with JOBS=off): `requestedBy` names who asked.
 */
export async function runTask(ds: DataSource, config: Config, code: string, raw: unknown,
  attempt: { jobId: string | null; attempt: number; maxAttempts: number }, logError: (m: string) => void = () => undefined): Promise<string> {
  const work = WORK[code];
  const payload = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const regionCode = typeof payload.regionCode === 'string' ? payload.regionCode.slice(0, 12) : null;
  const requestedBy = typeof payload.requestedBy === 'string' ? payload.requestedBy.slice(0, 100) : null;
  const [run]: { id: string }[] = await ds.query(
    `INSERT INTO job_runs (task, job_id, region_code, region_path, payload, status, attempt, max_attempts, requested_by)
     VALUES ($1, $2, $3::varchar, (SELECT path FROM regions WHERE code = $3::varchar), $4, 'running', $5, $6, $7) RETURNING id`,
    [code, attempt.jobId, regionCode, JSON.stringify(payload), attempt.attempt, attempt.maxAttempts, requestedBy]);
  const progress: Progress = async ({ done, total, phase, message }) => {
    const percent = total > 0 ? Math.min(100, Math.max(0, Math.round((done / total) * 100))) : 0;
    await ds.query(`UPDATE job_runs SET progress = $2, done = $3, total = $4, phase = COALESCE($5, phase), message = COALESCE($6, message) WHERE id = $1`,
      [run.id, percent, done, total, phase ?? null, message ?? null]);
  };
  try {
    const message = await work(createSystemContext(ds, config), payload, progress);
    await ds.query(`UPDATE job_runs SET status = 'succeeded', progress = 100, done = COALESCE(total, done), message = $2, finished_at = now() WHERE id = $1`,
      [run.id, message]);
    return message;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await ds.query(`UPDATE job_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [run.id, error.slice(0, 2000)]);
    logError(`任务 ${code} 第 ${attempt.attempt}/${attempt.maxAttempts} 次失败：${error}`);
    throw err;
  }
}
