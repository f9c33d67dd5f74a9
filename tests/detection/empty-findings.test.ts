import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDataSource, createTestDb, type TestDb } from '../support/db';
import { createSystemContext } from '../../server/kernel/context';
import { persistTuning, runDetectionProfiled } from '../../server/detection/detection.service';

/**
 * The first run into an empty findings table (detection.service.ts, `persistTuning.bulkFindings`) drops the table's
 * secondary indexes for its insert and builds them again after it. It must leave exactly what the ordinary insert
 * leaves — findings, links, unit states, matrix counts, the indexes themselves — and never touch a table with rows.
 * Run as the application role, as the server runs it.
 */
const SEED = path.join(__dirname, '../../server/seed/seed.ts');
const AS_OF = '2024-06-30';

describe.skipIf(!fs.existsSync(SEED))('a first detection run into an empty findings table', () => {
  let db: TestDb;
  const ctx = () => createSystemContext(appDataSource(db.ds));

  beforeAll(async () => {
    db = await createTestDb();
    const { seedDemo } = await import('../../server/seed/seed');
    // (detect: false — the first run after the import is the one under test.)
    await seedDemo(db.ds, { province: '35', asOf: new Date('2024-06-29T16:00:00Z'), detect: false });
  }, 600_000);

  afterAll(async () => {
    persistTuning.bulkFindings = 10_000;
    await db?.close();
  });

  /** Everything a run leaves, without the ids and times it was given. */
  const state = async () => ({
    findings: await db.ds.query(`
      SELECT f.subject_key, f.rule, f.status, f.severity, f.unit_id, f.account_id, f.platforms, f.level, f.region_path, f.evidence,
             f.evidence_hash, f.suggested_main_id,
             (SELECT array_agg(fa.account_id || ':' || fa.role ORDER BY fa.account_id) FROM finding_accounts fa WHERE fa.finding_id = f.id) AS links
        FROM findings f ORDER BY f.subject_key`),
    units: await db.ds.query(`SELECT unit_id, as_of, rules_key, checked FROM detection_unit_state ORDER BY unit_id`),
    matrix: await db.ds.query(`SELECT region_path, finding_path, platform, sum(n)::int AS n FROM matrix_finding_counts
                                GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3`),
    indexes: await db.ds.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'findings' ORDER BY 1`),
  });

  /** Back to no finding at all, as after a fresh import (as the owner). */
  const empty = () => db.ds.query(`TRUNCATE findings, finding_accounts, detection_unit_state, matrix_finding_counts, work_orders CASCADE`);

  it('leaves what the ordinary insert leaves, and only ever drops the indexes of an empty table', async () => {
    persistTuning.bulkFindings = Number.MAX_SAFE_INTEGER;
    const plain = await runDetectionProfiled(ctx(), { asOf: AS_OF, full: true });
    expect(plain.run.created).toBeGreaterThan(50);
    expect(plain.timings['persist:indexes']).toBeUndefined();
    const expected = await state();
    expect(expected.indexes.length).toBe(11);

    await empty();
    persistTuning.bulkFindings = 1;
    const bulk = await runDetectionProfiled(ctx(), { asOf: AS_OF, full: true });
    expect(bulk.timings['persist:indexes']).toBeGreaterThanOrEqual(0);
    expect(bulk.run.created).toBe(plain.run.created);
    expect(await state()).toEqual(expected);
    // Nothing of the dropped definitions is left for a later call to act on.
    const [{ left }] = await db.ds.query(`SELECT to_regclass('pg_temp._import_dropped_indexes') IS NULL AS left`);
    expect(left).toBe(true);

    // A table with findings is never emptied of its indexes, even for many new findings (a later date: new subjects).
    const later = await runDetectionProfiled(ctx(), { asOf: '2024-07-31', full: true });
    expect(later.run.created).toBeGreaterThan(0);
    expect(later.timings['persist:indexes']).toBeUndefined();
    expect((await state()).indexes).toEqual(expected.indexes);
  }, 600_000);
});
