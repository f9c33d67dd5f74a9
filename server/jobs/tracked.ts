import type { Context } from '../kernel/context';

/** Progress of a long request (an import) as a `job_runs` row, so that the client can poll it while it waits. */
export interface Tracker {
  /** One more step done; `phase` says what is being worked on (a message people read). */
  step(phase: string): void;
  finish(message: string): Promise<void>;
  fail(error: unknown): Promise<void>;
}

/**
 * Records work done on behalf of the signed-in user (not a scheduled task) in `job_runs`: `total` expected steps,
 * each `step()` moves `done` and the phase. Written outside the work's own transaction (on the pool), so the progress
 * is visible while it runs; failures to record progress never fail the work. The run is filed under the user's
 * region, so the people who see that region's runs see it.
 */
export async function trackRun(ctx: Context, task: string, total: number): Promise<Tracker> {
  const unit = ctx.user?.unitId !== null && ctx.user?.unitId !== undefined ? await ctx.loaders.unitById.load(ctx.user.unitId) : null;
  const [run]: { id: string }[] = await ctx.ds.query(
    `INSERT INTO job_runs (task, region_code, region_path, status, attempt, max_attempts, requested_by, done, total)
     VALUES ($1, $2::varchar, (SELECT path FROM regions WHERE code = $2::varchar), 'running', 1, 1, $3, 0, $4) RETURNING id`,
    [task, unit?.regionCode ?? null, ctx.user?.username ?? 'system', Math.max(1, total)]);
  let done = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const write = (sql: string, params: unknown[]) => {
    pending = pending.then(() => ctx.ds.query(sql, [run.id, ...params])).catch(() => undefined);
    return pending;
  };
  return {
    step(phase) {
      done = Math.min(done + 1, total);
      void write(`UPDATE job_runs SET done = $2::int, phase = $3::text, progress = LEAST(99, round(100.0 * $2::int / GREATEST(total, 1))::int) WHERE id = $1`,
        [done, phase.slice(0, 200)]);
    },
    async finish(message) {
      await write(`UPDATE job_runs SET status = 'succeeded', done = total, progress = 100, message = $2, finished_at = now() WHERE id = $1`, [message.slice(0, 2000)]);
    },
    async fail(error) {
      const text = error instanceof Error ? error.message : String(error);
      await write(`UPDATE job_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [text.slice(0, 2000)]);
    },
  };
}
