import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createSystemContext } from '../../server/kernel/context';
import { detectionService, runDetectionProfiled } from '../../server/detection/detection.service';
import { policyService } from '../../server/policy/policy.service';

/**
 * Incremental detection (server/detection/incremental.ts) on the seeded demo province: after each kind of write to
 * what the rules read, a run that evaluates only the units marked since (or due for another reason) leaves the
 * findings exactly as a run that evaluates everything: the full run that follows changes nothing. Also: how many units
 * each write makes due, and a writer still running when a run begins.
 */
const SEED = path.join(__dirname, '../../server/seed/seed.ts');
const AS_OF = '2024-06-30';

describe.skipIf(!fs.existsSync(SEED))('incremental detection', () => {
  let db: TestDb;
  let totalUnits: number;
  const ctx = () => createSystemContext(db.ds);

  beforeAll(async () => {
    db = await createTestDb();
    const { seedDemo } = await import('../../server/seed/seed');
    // (detect: false — the first run after the import is the one under test.)
    await seedDemo(db.ds, { province: '35', asOf: new Date('2024-06-29T16:00:00Z'), detect: false });
    const first = await runDetectionProfiled(ctx(), { asOf: AS_OF });
    totalUnits = first.units.total;
    expect(first.units.evaluated).toBe(totalUnits);
  }, 600_000);

  afterAll(async () => {
    await db?.close();
  });

  /** Everything a run decides about a finding (not when it was seen). */
  const findings = () => db.ds.query(`
    SELECT f.subject_key, f.rule, f.status, f.severity, f.unit_id, f.account_id, f.platforms, f.level, f.region_path, f.evidence,
           f.evidence_hash, f.suggested_main_id, f.dismissed_reason,
           (SELECT array_agg(fa.account_id || ':' || fa.role ORDER BY fa.account_id) FROM finding_accounts fa WHERE fa.finding_id = f.id) AS links
      FROM findings f ORDER BY f.subject_key`);

  /**
   * An incremental run, then a full one: the full run must find nothing to create, reopen, resolve or rewrite, and report
   * the same figures. Returns how many units the incremental run evaluated.
   */
  async function incrementalEqualsFull(label: string, asOf = AS_OF, regionCode?: string): Promise<number> {
    const inc = await runDetectionProfiled(ctx(), { asOf, regionCode });
    const after = await findings();
    // Every finding that holds was seen by the incremental run, evaluated or not.
    const [{ unseen }] = await db.ds.query(
      `SELECT count(*)::int AS unseen FROM findings f WHERE f.status <> 'resolved' AND f.last_seen_run <> $1
          ${regionCode ? `AND f.region_path LIKE (SELECT path || '%' FROM regions WHERE code = $2)` : ''}`,
      regionCode ? [inc.run.id, regionCode] : [inc.run.id]);
    expect({ label, unseen }).toEqual({ label, unseen: 0 });
    const full = await runDetectionProfiled(ctx(), { asOf, regionCode, full: true });
    expect(full.units.evaluated).toBe(full.units.total);
    expect({ label, created: full.run.created, reopened: full.run.reopened, resolved: full.run.resolved })
      .toEqual({ label, created: 0, reopened: 0, resolved: 0 });
    const again = await findings();
    expect(again.length).toBe(after.length);
    expect(again).toEqual(after);
    expect({ label, found: inc.run.found, counts: inc.run.countsByRule, checked: inc.run.accountsChecked, versions: inc.run.policyVersions })
      .toEqual({ label, found: full.run.found, counts: full.run.countsByRule, checked: full.run.accountsChecked, versions: full.run.policyVersions });
    return inc.units.evaluated;
  }

  /** An account of the province with an open finding of `rule`, and its unit. */
  async function accountWith(rule: string, skip = 0): Promise<{ id: number; unit_id: number; finding: number }> {
    const [row] = await db.ds.query(`
      SELECT a.id, a.unit_id, f.id AS finding FROM findings f JOIN accounts a ON a.id = f.account_id
       WHERE f.rule = $1 AND f.status = 'open' ORDER BY a.id OFFSET $2 LIMIT 1`, [rule, skip]);
    expect(row, rule).toBeDefined();
    return row;
  }

  const statusOf = async (finding: number) => (await db.ds.query(`SELECT status FROM findings WHERE id = $1`, [finding]))[0].status;

  it('nothing changed: nothing is evaluated, every finding stands and is seen', async () => {
    const before = await findings();
    expect(before.length).toBeGreaterThan(1000);
    expect(await incrementalEqualsFull('nothing')).toBe(0);
  }, 120_000);

  it('an account closed: its unit only, and its findings resolve', async () => {
    const a = await accountWith('NO_UPDATE_14D');
    await db.ds.query(`UPDATE accounts SET status = 'closed', closed_on = '2024-06-01' WHERE id = $1`, [a.id]);
    expect(await incrementalEqualsFull('accounts: closed')).toBe(1);
    expect(await statusOf(a.finding)).toBe('resolved');
  }, 120_000);

  it('an account moved to another unit: both units', async () => {
    const a = await accountWith('ZOMBIE');
    const [other] = await db.ds.query(`
      SELECT b.unit_id FROM accounts b JOIN accounts a ON a.id = $1 AND b.platform = a.platform AND b.unit_id <> a.unit_id
       WHERE b.status <> 'closed' ORDER BY b.id LIMIT 1`, [a.id]);
    await db.ds.query(`UPDATE accounts SET unit_id = $2 WHERE id = $1`, [a.id, other.unit_id]);
    expect(await incrementalEqualsFull('accounts: moved')).toBe(2);
  }, 120_000);

  it('a unit changed (level), a status change in the history, services removed', async () => {
    const a = await accountWith('UNFILED');
    await db.ds.query(`UPDATE units SET level = 'township' WHERE id = $1`, [a.unit_id]);
    expect(await incrementalEqualsFull('units: level')).toBe(1);

    const b = await accountWith('NO_UPDATE_14D', 3);
    await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source, reason)
      VALUES ($1, 'active', 'suspended', '2024-05-01T10:00:00+08:00', 'manual', 'test')`, [b.id]);
    expect(await incrementalEqualsFull('history: suspended')).toBe(1);
    expect((await db.ds.query(`SELECT count(*)::int AS n FROM findings WHERE account_id = $1 AND rule = 'STOPPED_NOT_DEREGISTERED' AND status = 'open'`,
      [b.id]))[0].n).toBe(1);

    const [svc] = await db.ds.query(`
      SELECT s.account_id FROM services s JOIN accounts a ON a.id = s.account_id WHERE a.status <> 'closed' AND s.merged_into_id IS NULL
       ORDER BY s.account_id LIMIT 1`);
    await db.ds.query(`DELETE FROM services WHERE account_id = $1 AND merged_into_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM services m WHERE m.merged_into_id = services.id)`, [svc.account_id]);
    expect(await incrementalEqualsFull('services: deleted')).toBe(1);
  }, 120_000);

  it('posts and messages changed or deleted: their accounts’ units', async () => {
    const lv = await accountWith('NO_INTERACTION');
    await db.ds.query(`UPDATE messages SET replied_at = received_at + interval '1 hour' WHERE account_id = $1`, [lv.id]);
    expect(await incrementalEqualsFull('messages: replied')).toBe(1);
    expect(await statusOf(lv.finding)).toBe('resolved');

    const [active] = await db.ds.query(`
      SELECT p.account_id FROM posts p JOIN accounts a ON a.id = p.account_id
       WHERE a.status = 'active' AND p.published_at >= '2024-06-20T00:00:00+08:00' AND p.published_at < '2024-06-30T00:00:00+08:00'
       ORDER BY p.account_id LIMIT 1`);
    await db.ds.query(`UPDATE posts SET reads = 0 WHERE account_id = $1`, [active.account_id]);
    expect(await incrementalEqualsFull('posts: reads')).toBe(1);
    await db.ds.query(`DELETE FROM posts WHERE account_id = $1 AND published_at >= '2024-05-01T00:00:00+08:00'`, [active.account_id]);
    await db.ds.query(`DELETE FROM messages WHERE account_id = (SELECT id FROM accounts WHERE id <> $1 AND status = 'active'
      AND EXISTS (SELECT 1 FROM messages m WHERE m.account_id = accounts.id) ORDER BY id LIMIT 1)`, [active.account_id]);
    expect(await incrementalEqualsFull('posts and messages: deleted')).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('a dismissal changes no input: nothing is evaluated and it stays dismissed', async () => {
    const a = await accountWith('ZOMBIE', 2);
    await detectionService.dismiss(ctx(), String(a.finding), '单位已说明情况');
    expect(await incrementalEqualsFull('dismissed')).toBe(0);
    expect(await statusOf(a.finding)).toBe('dismissed');
  }, 120_000);

  it('a finding deleted (the demo reset, an account deleted with its findings): its unit, and it is found again', async () => {
    const a = await accountWith('UNFILED', 4);
    const [{ key }] = await db.ds.query(`SELECT subject_key AS key FROM findings WHERE id = $1`, [a.finding]);
    await db.ds.query(`DELETE FROM finding_accounts WHERE finding_id = $1`, [a.finding]);
    await db.ds.query(`DELETE FROM findings WHERE id = $1`, [a.finding]);
    expect(await incrementalEqualsFull('findings: deleted')).toBe(1);
    const [again] = await db.ds.query(`SELECT id, status FROM findings WHERE subject_key = $1`, [key]);
    expect(again.status).toBe('open');
    expect(again.id).not.toBe(a.finding);
  }, 120_000);

  it('new posts and messages: their accounts’ units', async () => {
    const a = await accountWith('NO_UPDATE_14D', 5);
    await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, '2024-06-28T09:00:00+08:00', '新的一条', true, 100)`, [a.id]);
    await db.ds.query(`UPDATE accounts SET last_post_at = '2024-06-28T09:00:00+08:00', post_count = post_count + 1 WHERE id = $1`, [a.id]);
    expect(await incrementalEqualsFull('posts: inserted')).toBe(1);
    expect(await statusOf(a.finding)).toBe('resolved');
    // Two accounts of two units in one statement: both units.
    const [b, c] = await db.ds.query(`SELECT DISTINCT ON (a.unit_id) a.id, a.unit_id FROM accounts a WHERE a.unit_id <> $1 ORDER BY a.unit_id, a.id LIMIT 2`, [a.unit_id]);
    await db.ds.query(`INSERT INTO messages (account_id, received_at) VALUES ($1, '2024-06-27T10:00:07+08:00'), ($2, '2024-06-27T11:00:07+08:00')`, [b.id, c.id]);
    expect(await incrementalEqualsFull('messages: inserted')).toBe(2);
  }, 120_000);

  it('a policy edit, another check date, a region run: all units of the scope', async () => {

    await policyService.update(ctx(), '35', { noUpdate: { days: 10 } }, '福建：10 天更新');
    expect(await incrementalEqualsFull('policy')).toBe(totalUnits);
    expect(await incrementalEqualsFull('policy, again')).toBe(0);

    expect(await incrementalEqualsFull('another date', '2024-07-15')).toBe(totalUnits);
    // Back to the first date: every unit is due again (its findings are the other date's now).
    expect(await incrementalEqualsFull('back', AS_OF)).toBe(totalUnits);

    // A city: only its own units are considered; one account changed there makes one unit due.
    const [fz] = await db.ds.query(`
      SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id WHERE u.region_path LIKE '/0/35/3501/%' AND a.status = 'active'
       ORDER BY a.id LIMIT 1`);
    await db.ds.query(`UPDATE accounts SET followers = followers + 1 WHERE id = $1`, [fz.id]);
    expect(await incrementalEqualsFull('city', AS_OF, '3501')).toBe(1);
  }, 240_000);

  it('a transaction that marked every unit adds no mark per unit (an import with posts)', async () => {
    const runner = db.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`UPDATE accounts SET followers = followers + 1 WHERE id IN (SELECT id FROM accounts ORDER BY id LIMIT 50)`);
      const perUnit = async () => (await runner.query(
        `SELECT count(*)::int AS n FROM detection_dirty WHERE unit_id IS NOT NULL AND xid = pg_current_xact_id()`))[0].n;
      const before = await perUnit();
      expect(before).toBeGreaterThan(0);
      await runner.query(`SELECT detection_mark_all_units()`);
      await runner.query(`SELECT detection_mark_all_units()`);
      await runner.query(`UPDATE accounts SET followers = followers + 1 WHERE id IN (SELECT id FROM accounts ORDER BY id DESC LIMIT 50)`);
      expect(await perUnit()).toBe(before);
      expect((await runner.query(`SELECT count(*)::int AS n FROM detection_dirty WHERE unit_id IS NULL AND xid = pg_current_xact_id()`))[0].n).toBe(1);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await incrementalEqualsFull('every unit marked')).toBe(totalUnits);
  }, 120_000);

  it('a writer still running when a run begins: its unit is evaluated by the next run', async () => {
    const a = await accountWith('NO_UPDATE_14D', 7);
    const writer = db.ds.createQueryRunner();
    await writer.connect();
    try {
      await writer.startTransaction();
      await writer.query(`UPDATE accounts SET status = 'closed', closed_on = '2024-06-01' WHERE id = $1`, [a.id]);
      // The run neither waits for the writer nor sees its change.
      const during = await runDetectionProfiled(ctx(), { asOf: AS_OF });
      expect(during.units.evaluated).toBe(0);
      expect(await statusOf(a.finding)).toBe('open');
      await writer.commitTransaction();
    } finally {
      await writer.release();
    }
    expect(await incrementalEqualsFull('after the writer')).toBe(1);
    expect(await statusOf(a.finding)).toBe('resolved');
  }, 120_000);
});
