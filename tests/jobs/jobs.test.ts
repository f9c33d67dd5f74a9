import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { scheduledItems, startJobs, type JobsHandle } from '../../server/jobs/runner';
import { bj, D, daysBefore, makeAccountsWithPosts, makeTree, Platform } from '../detection/fixture';

/** The job queue (graphile-worker on the test's PostgreSQL): tasks run, record their runs, fail, are retried and reported. */
let db: TestDb;
let jobs: JobsHandle;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;

async function waitFor<T>(fn: () => Promise<T | null | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  await makeAccountsWithPosts(db.ds, [
    { unit: 'gov3501', handle: 'fz-ok', name: '福州发布', platform: Platform.WECHAT, posts: [bj(daysBefore(2, D))] },
  ]);
  gql = await createGraphqlHarness(db.ds, db.config);
  jobs = (await startJobs(db.ds, db.url, db.config, { pollInterval: 200, schedules: false }))!;
}, 60_000);

afterAll(async () => {
  await jobs?.stop();
  await gql?.stop();
  await db?.close();
});

describe('job queue', () => {
  it('creates its own schema and runs a detection job per province, recording progress', async () => {
    await jobs.runner.addJob('detection', {}, { maxAttempts: 1 });
    const run = await waitFor(async () => (await db.ds.query(`SELECT * FROM job_runs WHERE task = 'detection' AND status <> 'running'`))[0]);
    expect(run).toMatchObject({ status: 'succeeded', progress: 100, attempt: 1 });
    expect(run.message).toMatch(/^35：检查 1 个账号/);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs WHERE region_code = '35'`);
    expect(n).toBe(1);
    const [{ schema }] = await db.ds.query(`SELECT count(*)::int AS schema FROM information_schema.schemata WHERE schema_name = 'graphile_worker'`);
    expect(schema).toBe(1);
  });

  it('cleans up expired sessions', async () => {
    await db.ds.query(`INSERT INTO users (id, username, display_name, password_hash, role) VALUES (77, 'jobuser', '任务', '!', 'ADMIN') ON CONFLICT DO NOTHING`);
    const cols: { column_name: string }[] = await db.ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'sessions'`);
    expect(cols.map((c) => c.column_name)).toEqual(expect.arrayContaining(['expires_at', 'revoked_at']));
    await db.ds.query(`INSERT INTO sessions (id, user_id, expires_at) VALUES (gen_random_uuid(), 77, now() - interval '3 days'), (gen_random_uuid(), 77, now() + interval '3 days')`);
    await jobs.runner.addJob('sessions', {}, { maxAttempts: 1 });
    const run = await waitFor(async () => (await db.ds.query(`SELECT * FROM job_runs WHERE task = 'sessions' AND status <> 'running'`))[0]);
    expect(run).toMatchObject({ status: 'succeeded', message: expect.stringMatching(/^清理会话 1 条；矩阵计数整理为 \d+ 行$/) });
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = 77`);
    expect(n).toBe(1);
  });

  it('re-checks deregistered accounts: one that posts again is found', async () => {
    const [a] = await db.ds.query(`SELECT id FROM accounts WHERE handle = 'fz-ok'`);
    await db.ds.query(`UPDATE accounts SET status = 'closed', closed_on = (now() AT TIME ZONE 'Asia/Shanghai')::date - 10 WHERE id = $1`, [a.id]);
    await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, now() - interval '2 days', '又发布了', true, 10)`, [a.id]);
    await jobs.runner.addJob('recheck', {}, { maxAttempts: 1 });
    const run = await waitFor(async () => (await db.ds.query(`SELECT * FROM job_runs WHERE task = 'recheck' AND status <> 'running'`))[0]);
    expect(run).toMatchObject({ status: 'succeeded', message: '35：注销后仍在运营 1 个' });
  });

  it('reports a failed job and leaves it to be retried', async () => {
    await jobs.runner.addJob('detection', { regionCode: '99' }, { maxAttempts: 3 });
    const run = await waitFor(async () => (await db.ds.query(`SELECT * FROM job_runs WHERE task = 'detection' AND status = 'failed'`))[0]);
    expect(run).toMatchObject({ attempt: 1, max_attempts: 3 });
    expect(run.error).toMatch(/行政区划 99/);
    // Still queued for its next attempt, with the error recorded by the queue.
    const [job] = await db.ds.query(`SELECT attempts, max_attempts, last_error FROM graphile_worker.jobs WHERE task_identifier = 'detection'`);
    expect(job).toMatchObject({ attempts: 1, max_attempts: 3 });
    expect(job.last_error).toMatch(/行政区划 99/);
    const res = await gql.exec(`{ jobRuns(status: "failed") { task taskName status error attempt maxAttempts } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.jobRuns).toEqual([{ task: 'detection', taskName: '每周检查（分省）', status: 'failed', error: run.error, attempt: 1, maxAttempts: 3 }]);
  });

  it('runJobNow queues a task on the running queue; its run records who asked and its progress', async () => {
    const res = await gql.exec(`mutation { runJobNow(task: "detection", regionCode: "35") { task queued message } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.runJobNow).toEqual({ task: 'detection', queued: true, message: null });
    const run = await waitFor(async () => (await db.ds.query(`SELECT * FROM job_runs WHERE requested_by = 'test-admin' AND status <> 'running'`))[0]);
    expect(run).toMatchObject({ task: 'detection', status: 'succeeded', region_code: '35', done: 1, total: 1, phase: '35', progress: 100 });
    const list = await gql.exec(`{ jobRuns(task: "detection", first: 1) { requestedBy done total phase progress } }`);
    expect(list.data!.jobRuns[0]).toEqual({ requestedBy: 'test-admin', done: 1, total: 1, phase: '35', progress: 100 });
  });

  it('takes its schedules from the policy', async () => {
    expect((await scheduledItems(db.ds)).map((i) => [i.task, i.match])).toEqual([
      ['detection', '0 2 * * 1'], ['reminders', '0 8 * * *'], ['inspections', '0 3 1 1,4,7,10 *'], ['recheck', '0 4 * * *'], ['sessions', '30 3 * * *']]);
    await db.ds.query(`INSERT INTO policies (region_code, version, settings) VALUES ('0', 99, '{"jobs": {"recheck": "off", "detection": "0 1 * * 0"}}')`);
    const items = await scheduledItems(db.ds);
    expect(items.map((i) => i.task)).not.toContain('recheck');
    expect(items.find((i) => i.task === 'detection')!.match).toBe('0 1 * * 0');
  });
});
