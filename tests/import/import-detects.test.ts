import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createSystemContext } from '../../server/kernel/context';
import { importDirectory } from '../../server/import/import.service';
import { detectionService, runDetectionProfiled } from '../../server/detection/detection.service';
import { generateDemoCsv } from '../../server/seed/generator';
import { D, D_INSTANT } from '../detection/fixture';

/**
 * The import checks what it wrote (import.service.ts detectImported): once committed, a detection run over the
 * importer's region evaluates the units the import changed, so the findings match the data and the next run finds
 * nothing due. (Its scope for a city planner: tests/import/import-scope.test.ts, import-cli.test.ts.)
 */
describe('the import runs detection over what it wrote', () => {
  let db: TestDb;
  let dir: string;
  const ctx = () => createSystemContext(db.ds);
  const findings = () => db.ds.query(`
    SELECT f.subject_key, f.rule, f.status, f.evidence_hash,
           (SELECT array_agg(fa.account_id || ':' || fa.role ORDER BY fa.account_id) FROM finding_accounts fa WHERE fa.finding_id = f.id) AS links
      FROM findings f ORDER BY f.subject_key`);
  const runCount = async () => (await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs`))[0].n as number;
  const lastRunAudit = async () => (await db.ds.query(`SELECT after FROM audit_events WHERE action = 'DETECTION_RUN' ORDER BY id DESC LIMIT 1`))[0].after;

  beforeAll(async () => {
    db = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-import-detects-'));
    await generateDemoCsv(dir, { province: '35', city: '3501', asOf: D_INSTANT });
  }, 600_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
    await db?.close();
  });

  it('a fresh import: its run finds what a run over every unit finds, and the next run has nothing to evaluate', async () => {
    const log: string[] = [];
    const r = await importDirectory(ctx(), dir, { checkDate: D, log: (m) => log.push(m) });
    expect(r.errors).toEqual([]);
    const run = r.detectionRun!;
    expect(run).toMatchObject({ asOf: D, regionCode: null, resolved: 0 });
    expect(run.found).toBeGreaterThan(100);
    expect(run.created).toBe(run.found);
    expect(log.at(-1)).toMatch(new RegExp(`^检查完成（[\\d.]+ 秒）：共 ${run.found} 个问题，新增 ${run.found}，重新打开 0，已解决 0$`));
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM findings WHERE status = 'open'`);
    expect(n).toBe(run.found);
    const stored = await findings();

    const next = await runDetectionProfiled(ctx(), { asOf: D });
    expect(next.units.evaluated).toBe(0);
    expect(next.run).toMatchObject({ found: run.found, created: 0, reopened: 0, resolved: 0 });
    const full = await runDetectionProfiled(ctx(), { asOf: D, full: true });
    expect(full.units.evaluated).toBe(full.units.total);
    expect(full.run).toMatchObject({ found: run.found, created: 0, reopened: 0, resolved: 0 });
    expect(await findings()).toEqual(stored);
  });

  it('a later import of one account\'s posts evaluates that account\'s unit alone; nothing changed, no run', async () => {
    const [acc] = await db.ds.query(`
      SELECT a.platform, a.handle, a.unit_id FROM accounts a WHERE a.status = 'active' AND a.type = 'publishing' ORDER BY a.id LIMIT 1`);
    const more = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-import-detects-more-'));
    try {
      fs.writeFileSync(path.join(more, 'posts.csv'),
        `platform,handle,published_at,title,original,reads\n${acc.platform},${acc.handle},2024-06-29T10:00:00+08:00,又一条,true,12\n`);
      const r = await importDirectory(ctx(), more, { checkDate: D });
      expect(r.counts[0]).toMatchObject({ file: 'posts.csv', inserted: 1 });
      expect(r.detectionRun).toMatchObject({ asOf: D, created: 0, resolved: 0 });
      expect(await lastRunAudit()).toMatchObject({ unitsEvaluated: 1 });
      const [{ unit }] = await db.ds.query(`SELECT unit_id AS unit FROM detection_unit_state s ORDER BY s.snapshot_id DESC, s.unit_id LIMIT 1`);
      expect(unit).toBe(acc.unit_id);

      const runs = await runCount();
      const again = await importDirectory(ctx(), more, { checkDate: D });
      expect(again.counts[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
      expect(again.detectionRun).toBeNull();
      const dry = await importDirectory(ctx(), dir, { checkDate: D, dryRun: true });
      expect(dry.ok).toBe(true);
      expect(dry.detectionRun).toBeNull();
      expect(await runCount()).toBe(runs);
    } finally {
      fs.rmSync(more, { recursive: true, force: true });
    }
  });

  it('a failed run leaves the import committed, says so plainly, and the next run evaluates those units itself', async () => {
    const [acc] = await db.ds.query(`
      SELECT a.platform, a.handle, a.unit_id FROM accounts a WHERE a.status = 'active' AND a.type = 'publishing' ORDER BY a.id DESC LIMIT 1`);
    const more = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-import-detects-fail-'));
    try {
      fs.writeFileSync(path.join(more, 'posts.csv'),
        `platform,handle,published_at,title,original,reads\n${acc.platform},${acc.handle},2024-06-28T10:00:00+08:00,再一条,true,7\n`);
      const runs = await runCount();
      vi.spyOn(detectionService, 'run').mockRejectedValueOnce(new Error('relation "findings" does not exist'));
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const log: string[] = [];
      const r = await importDirectory(ctx(), more, { checkDate: D, log: (m) => log.push(m) });
      quiet.mockRestore();
      expect(r.ok).toBe(true);
      expect(r.detectionRun).toBeNull();
      expect(log.at(-1)).toBe('导入后的检查未完成，下次检查时补做 (detection left to the next run)');
      expect(log.join('\n')).not.toMatch(/relation|findings/);
      expect(await runCount()).toBe(runs);
      const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM posts WHERE title = '再一条'`);
      expect(n).toBe(1);
      const next = await runDetectionProfiled(ctx(), { asOf: D });
      expect(next.units.evaluated).toBe(1);
      expect(await lastRunAudit()).toMatchObject({ unitsEvaluated: 1 });
    } finally {
      fs.rmSync(more, { recursive: true, force: true });
    }
  });

  it('refuses a check date that is not a date before reading anything', async () => {
    const runs = await runCount();
    await expect(importDirectory(ctx(), dir, { checkDate: '2024-02-30' })).rejects.toThrow(/日期/);
    expect(await runCount()).toBe(runs);
  });
});
