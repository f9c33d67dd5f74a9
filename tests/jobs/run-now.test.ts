import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import type { SessionUser } from '../../server/kernel/context';
import { bj, D, daysBefore, makeAccountsWithPosts, makeTree, Platform } from '../detection/fixture';

/**
 * runJobNow without a job queue in the process (JOBS=off, tests): the task runs here and now, recorded in job_runs with
 * its progress and who asked; administrators only, regional tasks inside their scope, national tasks national only.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
const as: Record<string, SessionUser> = {};

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  await makeAccountsWithPosts(db.ds, [
    { unit: 'gov3501', handle: 'fz-ok', name: '福州发布', platform: Platform.WECHAT, posts: [bj(daysBefore(2, D))] },
    { unit: 'gov3502', handle: 'xm-ok', name: '厦门发布', platform: Platform.WECHAT, posts: [bj(daysBefore(2, D))] },
  ]);
  const units: { code: string; id: number; path: string }[] = await db.ds.query(`SELECT code, id, path FROM units`);
  const unit = (code: string) => units.find((u) => u.code === code)!;
  as.cityAdmin = { id: 0, username: 'admin-3501', role: 'ADMIN', unitId: unit('gov3501').id, unitPath: unit('gov3501').path };
  as.cityPlanner = { id: 0, username: 'planner-3501', role: 'PLANNER', unitId: unit('gov3501').id, unitPath: unit('gov3501').path };
  gql = await createGraphqlHarness(db.ds, db.config);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const RUN = `mutation($t: String!, $r: String) { runJobNow(task: $t, regionCode: $r) { task queued message } }`;
const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

describe('runJobNow', () => {
  it('a city administrator runs detection for their own region (the default): run here, recorded with progress, audited', async () => {
    const res = await gql.exec(RUN, { t: 'detection' }, as.cityAdmin);
    expect(res.errors).toBeUndefined();
    expect(res.data!.runJobNow).toMatchObject({ task: 'detection', queued: false });
    expect(res.data!.runJobNow.message).toMatch(/^3501：检查 1 个账号/);
    const [run] = await db.ds.query(`SELECT task, status, region_code, requested_by, done, total, phase, progress, job_id FROM job_runs`);
    expect(run).toEqual({ task: 'detection', status: 'succeeded', region_code: '3501', requested_by: 'admin-3501', done: 1, total: 1, phase: '3501',
      progress: 100, job_id: null });
    const [audit] = await db.ds.query(`SELECT action, actor_name, comment FROM audit_events WHERE action = 'JOB_RUN_REQUESTED'`);
    expect(audit).toEqual({ action: 'JOB_RUN_REQUESTED', actor_name: 'admin-3501', comment: '立即运行「每周检查（分省）」（3501）' });
  });

  it('refuses: other roles, regions outside the scope, national tasks for a scoped administrator, unknown tasks', async () => {
    expect(code(await gql.exec(RUN, { t: 'detection' }, as.cityPlanner))).toBe('FORBIDDEN');
    expect(code(await gql.exec(RUN, { t: 'detection', r: '3502' }, as.cityAdmin))).toBe('NOT_FOUND');
    expect(code(await gql.exec(RUN, { t: 'sessions' }, as.cityAdmin))).toBe('FORBIDDEN');
    expect(code(await gql.exec(RUN, { t: 'rm -rf' }))).toBe('BAD_USER_INPUT');
    expect(code(await gql.exec(RUN, { t: 'sessions', r: '35' }))).toBe('BAD_USER_INPUT');
    expect(code(await gql.exec(RUN, { t: 'detection' }, null))).toBe('UNAUTHENTICATED');
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM job_runs`);
    expect(n).toBe(1);
  });

  it('a national administrator runs a national task; a failing task is reported as failed', async () => {
    const ok = await gql.exec(RUN, { t: 'reminders' });
    expect(ok.data!.runJobNow.message).toMatch(/^整改工单：新建/);
    const bad = await gql.exec(RUN, { t: 'detection', r: '99' });
    expect(code(bad)).toBe('NOT_FOUND');
    const runs = await gql.exec(`{ jobRuns { task status requestedBy done total } }`);
    expect(runs.data!.jobRuns[0]).toEqual({ task: 'reminders', status: 'succeeded', requestedBy: 'test-admin', done: 1, total: 1 });
  });
});
