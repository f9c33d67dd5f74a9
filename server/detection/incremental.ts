import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { likeEscape } from '../kernel/scope';
import { RULE_SQL } from './detection.rules';
import { runContentRules } from '../content/content.rule';
import { runClosedRules } from './rules-closed';
import { evaluate } from './detection.engine';

/**
 * Incremental detection (issue 14; tables and triggers: migrations/1732946800000-IncrementalDetection.ts).
 *
 * Every rule is local to one unit, so a unit whose inputs did not change since its findings were last evaluated for the
 * same check date and the same rules (`rulesKey`) would give the same findings again. A run therefore evaluates only
 * the units of its scope
 *   - with a mark (detection_dirty) of a transaction that the snapshot of their last evaluation did not see — a write
 *     committed after that run began, or still running then — their own or one that stands for every unit (a bulk
 *     load, a policy or lexicon edit), or
 *   - whose last evaluation was for another date or other rules, or that were never evaluated;
 * the rest of the scope's unresolved findings stand and are marked seen by the run. The run's own snapshot is taken
 * before it reads anything: every later statement of the run sees at least what it saw. When most of the scope has to
 * be evaluated, all of it is (the set-based plans over whole tables are faster than an id list). Nothing here locks a
 * mark: writers never wait for a run.
 */

/** Above this share of the scope's units to evaluate, the whole scope is evaluated. */
const FULL_SHARE = 0.3;

let engineHash: string | undefined;

/** What the findings depend on besides the data: the rules' SQL and code. A deployment that changes them re-evaluates everything. */
function engineVersion(): string {
  if (!engineHash) {
    const h = createHash('sha256');
    for (const replay of [false, true]) {
      for (const scoped of [false, true]) {
        for (const r of RULE_SQL) {
          const opts = { replay, maxWindowDays: 0, scoped };
          h.update(r.sql(opts));
          for (const p of r.prepare?.(opts) ?? []) h.update(p);
        }
      }
    }
    h.update(String(evaluate)).update(String(runContentRules)).update(String(runClosedRules));
    engineHash = h.digest('hex').slice(0, 16);
  }
  return engineHash;
}

/** The key a unit's evaluation is stored under, besides its check date and snapshot. */
export function rulesKey(past: boolean): string {
  return `${engineVersion()}:${past ? 'replay' : 'today'}`;
}

export interface IncrementalPlan {
  /** Units to evaluate; null: the whole scope. */
  unitIds: number[] | null;
  /** Units of the scope that stand as they are. */
  clean: number;
  /** Units of the scope. */
  total: number;
  /** The run's snapshot (`pg_current_snapshot()` before any input is read; its row in detection_snapshots), recorded with the units it evaluates. */
  snapshotId: number;
  key: string;
}

/** The scope as a condition on `units u` (and its parameter), as the engine scopes det_acc. */
function unitScope(regionPath: string | null, index: number): { sql: string; params: unknown[] } {
  return regionPath ? { sql: `u.region_path LIKE $${index}`, params: [`${likeEscape(regionPath)}%`] } : { sql: 'true', params: [] };
}

/**
 * Decides what the run evaluates (`full`: all of its scope). Call first in the run's transaction, before anything is
 * read.
 */
export async function planIncremental(em: EntityManager, asOf: string, regionPath: string | null, past: boolean, full: boolean):
  Promise<IncrementalPlan> {
  const key = rulesKey(past);
  const [{ id: snapshotId }] = await em.query(`INSERT INTO detection_snapshots (snapshot) VALUES (pg_current_snapshot()) RETURNING id`);
  const scope = unitScope(regionPath, 3);
  // Driven by the marks (few, except right after bulk writes) and by the runs' snapshots (one per run), never by a
  // comparison per unit: the marks for every unit against each snapshot once, each unit's marks against its snapshot.
  const [row] = await em.query(`
    WITH stale AS (
      SELECT sn.id FROM detection_snapshots sn
       WHERE EXISTS (SELECT 1 FROM detection_dirty d WHERE d.unit_id IS NULL AND NOT pg_visible_in_snapshot(d.xid, sn.snapshot))),
    marked AS (
      SELECT DISTINCT d.unit_id AS id FROM detection_dirty d
        JOIN detection_unit_state s ON s.unit_id = d.unit_id JOIN detection_snapshots sn ON sn.id = s.snapshot_id
       WHERE d.unit_id IS NOT NULL AND NOT pg_visible_in_snapshot(d.xid, sn.snapshot)),
    todo AS (
      SELECT u.id FROM units u LEFT JOIN detection_unit_state s ON s.unit_id = u.id
       WHERE ${scope.sql}
         AND (s.unit_id IS NULL OR s.as_of <> $1::date OR s.rules_key <> $2 OR s.snapshot_id IN (SELECT id FROM stale)
              OR u.id IN (SELECT id FROM marked)))
    SELECT (SELECT count(*)::int FROM units u WHERE ${scope.sql}) AS total, (SELECT count(*)::int FROM todo) AS todo,
           (SELECT array_agg(id ORDER BY id) FROM todo) AS ids`, [asOf, key, ...scope.params]);
  const total: number = row.total;
  const todo: number = row.todo;
  const whole = full || todo > total * FULL_SHARE;
  return { unitIds: whole ? null : (row.ids ?? []), clean: whole ? 0 : total - todo, total, snapshotId, key };
}

/**
 * SQL condition: `column` is one of the scope's units this run did NOT evaluate (parameters from `index`). A region's
 * units by their ids first, then the column's index (a semi-join plans a walk over every row of the table).
 */
function cleanUnitsOf(plan: IncrementalPlan, regionPath: string | null, column: string, index: number): { sql: string; params: unknown[] } {
  if (!regionPath) return { sql: `NOT (${column} = ANY ($${index}::int[]))`, params: [plan.unitIds ?? []] };
  const scope = unitScope(regionPath, index + 1);
  return {
    sql: `${column} = ANY (ARRAY(SELECT u.id FROM units u WHERE ${scope.sql} AND u.id <> ALL ($${index}::int[])))`,
    params: [plan.unitIds ?? [], ...scope.params],
  };
}

/**
 * The unresolved findings of the units not evaluated are seen by run `runId` (they still hold). Returns their number
 * by rule, the accounts those units had checked and the provinces of those accounts ('0' for units without a province).
 */
export async function carryOver(em: EntityManager, plan: IncrementalPlan, regionPath: string | null, runId: number):
  Promise<{ byRule: Record<string, number>; accounts: number; provinces: string[] }> {
  if (plan.unitIds === null || plan.clean === 0) return { byRule: {}, accounts: 0, provinces: [] };
  const clean = cleanUnitsOf(plan, regionPath, 'f.unit_id', 2);
  const rows: { rule: string; n: number }[] = await em.query(`
    WITH seen AS (
      UPDATE findings f SET last_seen_run = $1, last_seen_at = now()
       WHERE f.status <> 'resolved' AND ${clean.sql} RETURNING f.rule)
    SELECT rule, count(*)::int AS n FROM seen GROUP BY rule`, [runId, ...clean.params]);
  const accounts = cleanUnitsOf(plan, regionPath, 's.unit_id', 1);
  const [{ n, provinces }] = await em.query(`
    SELECT COALESCE(sum(s.checked), 0)::int AS n,
           COALESCE(array_agg(DISTINCT COALESCE(NULLIF(split_part(u.region_path, '/', 3), ''), '0')) FILTER (WHERE s.checked > 0), '{}') AS provinces
      FROM detection_unit_state s JOIN units u ON u.id = s.unit_id
     WHERE ${accounts.sql}`, accounts.params);
  return { byRule: Object.fromEntries(rows.map((r) => [r.rule, r.n])), accounts: n, provinces };
}

/**
 * Records what the evaluated units' findings were evaluated for (and how many of their accounts det_acc checked), and
 * deletes their marks that the run's snapshot saw (they are evaluated now).
 */
export async function recordEvaluated(em: EntityManager, plan: IncrementalPlan, asOf: string, regionPath: string | null): Promise<void> {
  const which = plan.unitIds === null ? unitScope(regionPath, 4) : { sql: 'u.id = ANY ($4::int[])', params: [plan.unitIds] };
  // No state yet (the first run after a fresh import): a plain insert — the upsert's speculative insertion per unit
  // took 1.2 s for the nation's 167,198 units on a 2-core machine. Only detection runs write this table, under their lock.
  const [{ none }] = await em.query(`SELECT NOT EXISTS (SELECT 1 FROM detection_unit_state) AS none`);
  await em.query(`
    INSERT INTO detection_unit_state AS s (unit_id, as_of, rules_key, snapshot_id, checked)
    SELECT u.id, $1::date, $2, $3, COALESCE(c.n, 0)
      FROM units u LEFT JOIN (SELECT unit_id, count(*)::int AS n FROM det_acc GROUP BY unit_id) c ON c.unit_id = u.id
     WHERE ${which.sql}
    ${none ? '' : `ON CONFLICT (unit_id) DO UPDATE SET as_of = EXCLUDED.as_of, rules_key = EXCLUDED.rules_key, snapshot_id = EXCLUDED.snapshot_id,
      checked = EXCLUDED.checked`}`,
  [asOf, plan.key, plan.snapshotId, ...which.params]);
  // Marks the snapshot saw: of the units evaluated, and — after a nationwide run over every unit — those for every unit
  // (every unit's state has this snapshot now, and no other snapshot is referenced any more).
  const national = plan.unitIds === null && !regionPath;
  const marks = plan.unitIds !== null ? { sql: 'd.unit_id = ANY ($2::int[])', params: [plan.unitIds] }
    : regionPath ? { sql: `d.unit_id IN (SELECT u.id FROM units u WHERE ${unitScope(regionPath, 2).sql})`, params: unitScope(regionPath, 2).params }
    : { sql: 'true', params: [] };
  await em.query(`
    DELETE FROM detection_dirty d WHERE pg_visible_in_snapshot(d.xid, (SELECT snapshot FROM detection_snapshots WHERE id = $1)) AND ${marks.sql}`,
  [plan.snapshotId, ...marks.params]);
  if (national) {
    await em.query(`DELETE FROM detection_snapshots WHERE id <> $1`, [plan.snapshotId]);
    await em.query(`DELETE FROM detection_unit_state s WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.id = s.unit_id)`);
  }
}

/** Resolution in an incremental run applies only to the evaluated units' findings. */
export function evaluatedOnly(plan: IncrementalPlan, index: number): { sql: string; params: unknown[] } {
  return plan.unitIds === null ? { sql: '', params: [] } : { sql: `AND f.unit_id = ANY ($${index}::int[])`, params: [plan.unitIds] };
}
