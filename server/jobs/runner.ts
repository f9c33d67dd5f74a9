import type { DataSource } from 'typeorm';
import { Logger, parseCronItems, run, type CronItem, type Runner } from 'graphile-worker';
import { Pool } from 'pg';
import type { Config } from '../config';
import { NATIONAL_REGION } from '../regions/regions.service';
import { effectiveSettings, loadPolicies } from '../policy/policy.service';
import { taskList } from './tasks';

/** Attempts per scheduled job: a failed run is retried (graphile-worker backs off exponentially) and then reported. */
export const MAX_ATTEMPTS = 3;

/** The cron items of the national policy's `jobs` schedules ('off' leaves a task out). */
export async function scheduledItems(ds: DataSource): Promise<CronItem[]> {
  const schedules = effectiveSettings(await loadPolicies(ds.manager), NATIONAL_REGION).jobs;
  return Object.entries(schedules).filter(([, match]) => match !== 'off').map(([task, match]) => ({
    task, match, identifier: `schedule:${task}`, options: { backfillPeriod: 0, maxAttempts: MAX_ATTEMPTS, queueName: 'schedules' },
  }));
}

export interface JobsHandle {
  runner: Runner;
  stop(): Promise<void>;
}

/** This process's queue, while it runs (runJobNow adds to it; without it a task runs in-process at once). */
let current: JobsHandle | null = null;
export const currentJobs = (): JobsHandle | null => current;

/**
 * Starts the job queue (graphile-worker on PostgreSQL: its own `graphile_worker` schema, created on first start)
 * with the policy's schedules. `ownerUrl` must be allowed to create that schema (the database owner). `JOBS=off`
 * disables it (tests, a second API process); one worker per deployment is enough — graphile-worker locks each job,
 * so several are also safe.
 */
export async function startJobs(ds: DataSource, ownerUrl: string, config: Config, opts: { log?: (m: string) => void; pollInterval?: number; schedules?: boolean } = {}):
  Promise<JobsHandle | null> {
  if ((process.env.JOBS ?? '').toLowerCase() === 'off') return null;
  const log = opts.log ?? (() => undefined);
  const logger = new Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') log(`[jobs] ${message}`);
  });
  const items = opts.schedules === false ? [] : await scheduledItems(ds);
  // Our own pool, ended (and awaited) after the runner stops: graphile-worker ends a pool it made itself without
  // waiting, after removing its error handlers, so a server that drops the connections a moment later (a restart, a
  // dropped database) would raise an unhandled 'error'. These handlers stay for the pool's whole life.
  const pgPool = new Pool({ connectionString: ownerUrl, max: 5, application_name: 'matrix-planner-jobs' });
  let stopping = false;
  // While stopping (the server shutting down, the embedded cluster stopping with it) a lost connection is expected.
  const quiet = (e: Error) => { if (!stopping) log(`[jobs] 数据库连接中断 (database connection lost): ${e.message}`); };
  pgPool.on('error', quiet);
  pgPool.on('connect', (client) => { client.on('error', quiet); });
  const runner = await run({
    pgPool, concurrency: 1, noHandleSignals: true, pollInterval: opts.pollInterval ?? 2000, logger,
    taskList: taskList(ds, config), parsedCronItems: parseCronItems(items),
  }).catch(async (e: unknown) => { await pgPool.end(); throw e; });
  log(`定时任务已启动 (job queue started): ${items.map((i) => `${i.task} ${i.match}`).join('; ') || '无计划任务'}`);
  const handle: JobsHandle = { runner, stop: async () => {
    if (current === handle) current = null;
    stopping = true;
    try { await runner.stop(); } finally { await pgPool.end(); }
  } };
  current = handle;
  return handle;
}
