import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { transaction } from '../../server/kernel/transaction';
import { evaluate } from '../../server/detection/detection.engine';
import { elsewhereTuning } from '../../server/detection/rule-elsewhere';
import { runDetectionProfiled } from '../../server/detection/detection.service';
import { createTestDb, type TestDb } from '../support/db';
import { D, seedDemoCity, writePostsByHand } from './fixture';

/**
 * LOW_VALUE evaluated on a second connection while the run's own evaluates the other rules
 * (server/detection/rule-elsewhere.ts): the same rows in det_hits as on the run's own connection, also when the run
 * brought maintained months up to date that the second connection cannot see; the run's own connection when the pool
 * has none free or the caller's transaction wrote before the run; the second connection always back in the pool.
 * Run as the application role, on the demo city (its accounts are fewer than `minAccounts`: lowered here).
 */
const SEED = path.join(__dirname, '../../server/seed/seed.ts');
const DEFAULT_MIN = elsewhereTuning.minAccounts;

describe.skipIf(!fs.existsSync(SEED))('a rule on a second connection', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
    await seedDemoCity(db.ds);
    elsewhereTuning.minAccounts = 0;
  }, 600_000);

  afterEach(() => {
    elsewhereTuning.minAccounts = 0;
  });

  afterAll(async () => {
    elsewhereTuning.minAccounts = DEFAULT_MIN;
    await db?.close();
  });

  /** Every hit of one evaluation (in a transaction rolled back after), and its timings. */
  async function evaluated(ds: DataSource, secondConnection: boolean): Promise<{ hits: unknown[]; timings: Record<string, number> }> {
    const q = ds.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction();
      const { timings } = await evaluate(q.manager, { asOf: D, regionPath: null, secondConnection });
      const hits = await q.query(`
        SELECT rule, subject_key, unit_id, account_id, platforms, account_ids, suggested_main_id, evidence, hash_basis
          FROM det_hits ORDER BY subject_key`);
      return { hits, timings };
    } finally {
      await q.rollbackTransaction();
      await q.release();
    }
  }

  const lowValue = (hits: unknown[]) => (hits as { rule: string }[]).filter((h) => h.rule === 'LOW_VALUE');

  /** Sessions of this database other than idle ones (a second connection left in a transaction would be one). */
  async function busySessions(): Promise<number> {
    const [{ n }] = await db.ds.query(`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`);
    return n;
  }

  it('finds exactly what the run\'s own connection finds', async () => {
    const own = await evaluated(db.appDs, false);
    const far = await evaluated(db.appDs, true);
    expect(own.timings).not.toHaveProperty('LOW_VALUE:handoff');
    expect(far.timings).toHaveProperty('LOW_VALUE:handoff');
    expect(lowValue(own.hits).length).toBeGreaterThan(0);
    expect(far.hits).toEqual(own.hits);
    expect(await busySessions()).toBe(0);
  });

  it('a detection run whose months are stale: the run brings them up to date, the second connection reads the posts', async () => {
    // Posts written by hand and committed, the account's months not brought up to date: stale until a run.
    const acc = { id: await writePostsByHand(db.ds) };
    const ctx = createSystemContext(db.appDs, db.config);
    const first = await runDetectionProfiled(ctx, { asOf: D, full: true });
    expect(first.timings).toHaveProperty('LOW_VALUE:handoff');
    expect(first.timings.rollups).toBeGreaterThanOrEqual(0);
    const [{ found }] = await db.ds.query(`SELECT count(*)::int AS found FROM findings WHERE subject_key = $1 AND status = 'open'`, [`LOW_VALUE:${acc.id}`]);
    expect(found).toBe(1);
    // The same run on the run's own connection changes nothing: the same findings held, with the same evidence.
    const stored = () => db.ds.query(`SELECT subject_key, status, evidence, evidence_hash FROM findings ORDER BY subject_key`);
    const before = await stored();
    elsewhereTuning.minAccounts = Number.MAX_SAFE_INTEGER;
    const again = await runDetectionProfiled(ctx, { asOf: D, full: true });
    expect(await stored()).toEqual(before);
    expect(again.timings).not.toHaveProperty('LOW_VALUE:handoff');
    expect([again.run.found, again.run.created, again.run.reopened, again.run.resolved]).toEqual([first.run.found, 0, 0, 0]);
    expect(again.run.countsByRule).toEqual(first.run.countsByRule);
    expect(await busySessions()).toBe(0);
  });

  it('with no connection free in the pool, the rule runs on the run\'s own connection', async () => {
    const own = await evaluated(db.appDs, false);
    // The application pool holds 5 connections: 4 taken, the fifth is the evaluation's.
    const held = await Promise.all(Array.from({ length: 4 }, async () => {
      const r = db.appDs.createQueryRunner();
      await r.connect();
      await r.query('SELECT 1');
      return r;
    }));
    try {
      const full = await evaluated(db.appDs, true);
      expect(full.timings).not.toHaveProperty('LOW_VALUE:handoff');
      expect(full.hits).toEqual(own.hits);
    } finally {
      for (const r of held) await r.release();
    }
  });

  it('a caller\'s transaction that wrote before the run: evaluated on the run\'s own connection', async () => {
    const ctx = createSystemContext(db.appDs, db.config);
    const timings = await transaction(ctx, async (tx) => {
      await tx.em.query(`UPDATE accounts SET followers = followers WHERE id = (SELECT min(id) FROM accounts)`);
      return (await runDetectionProfiled(tx, { asOf: D, full: true })).timings;
    });
    expect(timings).toHaveProperty('LOW_VALUE');
    expect(timings).not.toHaveProperty('LOW_VALUE:handoff');
  });
});
