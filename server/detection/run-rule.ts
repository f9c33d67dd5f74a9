import { withoutNestedLoops } from '../db/plan-settings';
import type { RuleOptions, RuleSql } from './detection.rules';

/** Something that runs SQL: the run's EntityManager, or the query runner of a second connection (rule-elsewhere.ts). */
interface Querier {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Runs `fn` and adds its duration to `timings[label]`. */
export async function timed<T>(timings: Record<string, number>, label: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  try {
    return await fn();
  } finally {
    timings[label] = Math.round((timings[label] ?? 0) + performance.now() - t);
  }
}

/**
 * One rule's statements on `q`: its preparation (timed as `RULE:prepare`), then its insert into det_hits (timed as
 * `RULE`), with the check date as $1 where a statement uses it.
 */
export async function runRule(q: Querier, rule: RuleSql, o: RuleOptions, asOf: string, timings: Record<string, number>): Promise<void> {
  const params = (sql: string) => (sql.includes('$1') ? [asOf] : []);
  for (const pre of rule.prepare?.(o) ?? []) await timed(timings, `${rule.rule}:prepare`, () => q.query(pre, params(pre)));
  const sql = rule.sql(o);
  await timed(timings, rule.rule, () => withoutNestedLoops(q, () => q.query(sql, params(sql)), rule.noNestLoop ?? false));
}
