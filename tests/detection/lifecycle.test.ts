import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makePosts } from '../support/factories';
import { createSystemContext } from '../../server/kernel/context';
import { runDetection, detectionService } from '../../server/detection/detection.service';
import { policyService } from '../../server/policy/policy.service';
import { bj, D, daysBefore, Level, makeAccountsWithPosts, makeTree } from './fixture';

/** Findings across runs: identity, idempotence, dismissal, resolution, policy overrides, scope. */
let db: TestDb;
let ids: Record<string, number>;

const ctx = () => createSystemContext(db.ds, db.config);

async function findingOf(rule: string, handle: string) {
  const [row] = await db.ds.query(
    `SELECT f.* FROM findings f JOIN finding_accounts fa ON fa.finding_id = f.id JOIN accounts a ON a.id = fa.account_id
      WHERE f.rule = $1 AND a.handle = $2`, [rule, handle]);
  return row as { id: number; status: string; dismissed_reason: string | null; evidence: Record<string, any> } | undefined;
}

async function snapshot() {
  const findings = await db.ds.query(`SELECT id, subject_key, status FROM findings ORDER BY id`);
  const [{ links }] = await db.ds.query(`SELECT count(*)::int AS links FROM finding_accounts`);
  return { findings, links };
}

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  ids = await makeAccountsWithPosts(db.ds, [
    // 福州 (3501)
    { unit: 'gov3501', handle: 'fz-wx', name: '福州发布', posts: [bj(daysBefore(20))] },
    { unit: 'gov3501', handle: 'fz-wx2', name: '福州发布2', posts: [bj(daysBefore(1))] },
    { unit: 'dep350102', handle: 'gl-sf', name: '鼓楼司法', posts: [bj(daysBefore(12))] },
    // 厦门 (3502)
    { unit: 'gov3502', handle: 'xm-wx', name: '厦门发布', posts: [bj(daysBefore(30))] },
  ]);
});

afterAll(async () => {
  await db?.close();
});

describe('re-runs', () => {
  it('are idempotent: same finding ids, no duplicate findings or links', async () => {
    const run1 = await runDetection(createSystemContext(db.ds), { asOf: D });
    const first = await snapshot();
    expect(first.findings.length).toBe(run1.found);
    expect(run1.created).toBe(run1.found);
    const run2 = await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(run2.id).toBeGreaterThan(run1.id);
    expect(run2.created).toBe(0);
    expect(run2.resolved).toBe(0);
    expect(run2.found).toBe(run1.found);
    expect(await snapshot()).toEqual(first);
    const f = await findingOf('NO_UPDATE_14D', 'fz-wx');
    expect(f).toBeDefined();
    const [again] = await db.ds.query(`SELECT first_seen_run, last_seen_run FROM findings WHERE id = $1`, [f!.id]);
    expect(again).toEqual({ first_seen_run: run1.id, last_seen_run: run2.id });
    // Unchanged findings are only marked seen (not rewritten): every one of them carries the second run and its time.
    const seen = await db.ds.query(`SELECT f.last_seen_run = $1 AND f.last_seen_at = r.started_at AS ok, count(*)::int AS n
      FROM findings f JOIN detection_runs r ON r.id = $1 GROUP BY 1`, [run2.id]);
    expect(seen).toEqual([{ ok: true, n: run1.found }]);
  });
});

describe('dismissal', () => {
  it('requires a reason and survives re-runs while the evidence is unchanged', async () => {
    const f = (await findingOf('NO_UPDATE_14D', 'xm-wx'))!;
    await expect(detectionService.dismiss(ctx(), String(f.id), ' ')).rejects.toThrow(/理由/);
    const dismissed = await detectionService.dismiss(ctx(), String(f.id), '账号已申请注销，待平台办理');
    expect(dismissed.status).toBe('dismissed');
    await runDetection(createSystemContext(db.ds), { asOf: D });
    const after = (await findingOf('NO_UPDATE_14D', 'xm-wx'))!;
    expect(after.id).toBe(f.id);
    expect(after.status).toBe('dismissed');
    expect(after.dismissed_reason).toBe('账号已申请注销，待平台办理');
    // The day count in the evidence changes with the check date; the hash (last post) does not.
    await runDetection(createSystemContext(db.ds), { asOf: '2024-07-01' });
    expect((await findingOf('NO_UPDATE_14D', 'xm-wx'))!.status).toBe('dismissed');
  });

  it('reopens when the evidence changes (a newer post, still too old)', async () => {
    const f = (await findingOf('NO_UPDATE_14D', 'xm-wx'))!;
    await makePosts(db.ds, ids['xm-wx'], [bj(daysBefore(20))]);
    const run = await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(run.reopened).toBe(1);
    const after = (await findingOf('NO_UPDATE_14D', 'xm-wx'))!;
    expect(after.id).toBe(f.id);
    expect(after.status).toBe('open');
    expect(after.dismissed_reason).toBeNull();
  });

  it('reopenFinding clears a dismissal by hand', async () => {
    const f = (await findingOf('NO_UPDATE_14D', 'fz-wx'))!;
    await detectionService.dismiss(ctx(), String(f.id), '误报');
    const reopened = await detectionService.reopen(ctx(), String(f.id));
    expect(reopened.status).toBe('open');
    expect(reopened.dismissedReason).toBeNull();
    await expect(detectionService.reopen(ctx(), String(f.id))).rejects.toThrow(/已忽略/);
  });
});

describe('resolution', () => {
  it('resolves a finding that no longer holds, and reopens the same finding when it holds again', async () => {
    const f = (await findingOf('NO_UPDATE_14D', 'fz-wx'))!;
    await makePosts(db.ds, ids['fz-wx'], [bj(daysBefore(2))]);
    const run = await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(run.resolved).toBeGreaterThanOrEqual(1);
    const [resolved] = await db.ds.query(`SELECT status, resolved_run FROM findings WHERE id = $1`, [f.id]);
    expect(resolved).toEqual({ status: 'resolved', resolved_run: run.id });
    // Three weeks later, without new posts, it fails again: same finding, open again.
    await runDetection(createSystemContext(db.ds), { asOf: '2024-07-21' });
    const [again] = await db.ds.query(`SELECT status, resolved_at, reopened_at FROM findings WHERE id = $1`, [f.id]);
    expect(again.status).toBe('open');
    expect(again.resolved_at).toBeNull();
    expect(again.reopened_at).not.toBeNull();
    await runDetection(createSystemContext(db.ds), { asOf: D });
  });
});

describe('policy', () => {
  it('a province override changes the result, a new version each edit, recorded on the run', async () => {
    // 鼓楼司法: last post 12 days before D passes the national 14 days but fails Fujian's 10-day rule.
    // (The replay at 2024-07-21 above flagged it; the run at D resolved it again.)
    expect((await findingOf('NO_UPDATE_14D', 'gl-sf'))?.status).toBe('resolved');
    await expect(policyService.update(ctx(), '35', { noUpdate: { days: 0 } })).rejects.toThrow(/settings\.noUpdate\.days/);
    await expect(policyService.update(ctx(), '35', { noUpdate: { dayz: 10 } })).rejects.toThrow(/未知设置项/);
    await expect(policyService.update(ctx(), '3501', { noUpdate: { days: 10 } })).rejects.toThrow(/省级/);
    const v1 = await policyService.update(ctx(), '35', { noUpdate: { days: 10 } }, '福建：10 天更新');
    expect(v1.version).toBe(1);
    expect(v1.effective.noUpdate.days).toBe(10);
    expect(v1.effective.zombie.days).toBe(90);
    const run = await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(run.policyVersions).toEqual({ 0: 1, 35: 1 });
    const f = await findingOf('NO_UPDATE_14D', 'gl-sf');
    expect(f?.status).toBe('open');
    expect(f?.evidence.days).toBe(10);

    // LEVEL_NOT_ALLOWED: off by default, on for Fujian county departments.
    expect(await findingOf('LEVEL_NOT_ALLOWED', 'gl-sf')).toBeUndefined();
    const v2 = await policyService.update(ctx(), '35', {
      noUpdate: { days: 10 }, levelNotAllowed: { enabled: true, rules: [{ level: Level.COUNTY, kinds: ['department'] }] },
    });
    expect(v2.version).toBe(2);
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect((await findingOf('LEVEL_NOT_ALLOWED', 'gl-sf'))?.status).toBe('open');
    expect(await findingOf('LEVEL_NOT_ALLOWED', 'fz-wx')).toBeUndefined();

    // Back to the national policy: the findings it produced resolve.
    await policyService.update(ctx(), '35', {});
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect((await findingOf('LEVEL_NOT_ALLOWED', 'gl-sf'))?.status).toBe('resolved');
    expect((await findingOf('NO_UPDATE_14D', 'gl-sf'))?.status).toBe('resolved');
    expect((await policyService.history(ctx(), '35')).map((p) => p.version)).toEqual([3, 2, 1]);
  });
});

describe('scope', () => {
  it('a run over one city only creates and resolves findings of that city', async () => {
    // Xiamen's account posts (its finding would resolve) — but we only run Fuzhou.
    await makePosts(db.ds, ids['xm-wx'], [bj(daysBefore(1))]);
    await makePosts(db.ds, ids['gl-sf'], []);
    await db.ds.query(`UPDATE accounts SET filing_no = NULL WHERE handle = 'gl-sf'`);
    const run = await runDetection(createSystemContext(db.ds), { asOf: D, regionCode: '3501' });
    expect(run.regionCode).toBe('3501');
    expect((await findingOf('NO_UPDATE_14D', 'xm-wx'))?.status).toBe('open');
    expect((await findingOf('UNFILED', 'gl-sf'))?.status).toBe('open');
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM findings WHERE last_seen_run = $1 AND region_path NOT LIKE '/0/35/3501/%'`, [run.id]);
    expect(n).toBe(0);
    const run2 = await runDetection(createSystemContext(db.ds), { asOf: D, regionCode: '3502' });
    expect(run2.resolved).toBe(1);
    expect((await findingOf('NO_UPDATE_14D', 'xm-wx'))?.status).toBe('resolved');
  });

  it('rejects a bad check date or an unknown region, writing nothing', async () => {
    const [{ n: before }] = await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs`);
    await expect(runDetection(createSystemContext(db.ds), { asOf: '2024-02-30' }))
      .rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', details: [{ field: 'asOf' }] } });
    await expect(runDetection(createSystemContext(db.ds), { regionCode: '99' }))
      .rejects.toMatchObject({ message: /未找到行政区划 99/, extensions: { code: 'NOT_FOUND' } });
    await expect(runDetection(createSystemContext(db.ds), { regionCode: '3501;' }))
      .rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const [{ n: after }] = await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs`);
    expect(after).toBe(before);
  });
});

describe('the run a finding was last seen by (checked per statement, not a foreign key)', () => {
  it('refuses a run that does not exist, a run deleted while findings point at it, and a changed run id', async () => {
    const [{ id: lastRun }] = await db.ds.query(`SELECT max(last_seen_run) AS id FROM findings`);
    const before = await db.ds.query(`SELECT id, last_seen_run FROM findings ORDER BY id`);
    expect(before.length).toBeGreaterThan(0);
    await expect(db.ds.query(`UPDATE findings SET last_seen_run = $1 WHERE id = $2`, [lastRun + 1000, before[0].id]))
      .rejects.toMatchObject({ code: '23503', constraint: 'findings_last_seen_run_fkey' });
    await expect(db.ds.query(`UPDATE detection_runs SET id = id + 1000 WHERE id = $1`, [lastRun]))
      .rejects.toMatchObject({ code: '23503' });
    expect(await db.ds.query(`SELECT id, last_seen_run FROM findings ORDER BY id`)).toEqual(before);
    // A run that only last saw a finding (no first_seen_run / resolved_run foreign key holds it).
    const [{ id: seen }] = await db.ds.query(
      `INSERT INTO detection_runs (as_of, policy_versions, started_at) VALUES ($1, '{}', now()) RETURNING id`, [D]);
    await db.ds.query(`UPDATE findings SET last_seen_run = $1 WHERE id = $2`, [seen, before[0].id]);
    await expect(db.ds.query(`DELETE FROM detection_runs WHERE id = $1`, [seen]))
      .rejects.toMatchObject({ code: '23503', constraint: 'findings_last_seen_run_fkey' });
    await db.ds.query(`UPDATE findings SET last_seen_run = $1 WHERE id = $2`, [before[0].last_seen_run, before[0].id]);
    await db.ds.query(`DELETE FROM detection_runs WHERE id = $1`, [seen]);
    expect(await db.ds.query(`SELECT id, last_seen_run FROM findings ORDER BY id`)).toEqual(before);
  });

  it('a delete of a run waits for a transaction that points findings at it, then refuses', async () => {
    const [{ id: run }] = await db.ds.query(
      `INSERT INTO detection_runs (as_of, policy_versions, started_at) VALUES ($1, '{}', now()) RETURNING id`, [D]);
    const [f] = await db.ds.query(`SELECT id, last_seen_run FROM findings ORDER BY id LIMIT 1`);
    const writer = db.ds.createQueryRunner();
    const deleter = db.ds.createQueryRunner();
    try {
      await writer.startTransaction();
      await writer.query(`UPDATE findings SET last_seen_run = $1 WHERE id = $2`, [run, f.id]);
      await deleter.startTransaction();
      let settled = false;
      const deleting = deleter.query(`DELETE FROM detection_runs WHERE id = $1`, [run]).finally(() => { settled = true; });
      deleting.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false); // blocked on the writer's lock
      await writer.commitTransaction();
      await expect(deleting).rejects.toMatchObject({ code: '23503', constraint: 'findings_last_seen_run_fkey' });
      await deleter.rollbackTransaction();
      const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs WHERE id = $1`, [run]);
      expect(n).toBe(1);
    } finally {
      await db.ds.query(`UPDATE findings SET last_seen_run = $1 WHERE id = $2`, [f.last_seen_run, f.id]);
      await writer.release();
      await deleter.release();
    }
  });
});
