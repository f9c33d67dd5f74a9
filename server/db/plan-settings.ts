/** Something that runs SQL in the caller's transaction: TypeORM's EntityManager or a raw connection. */
interface Querier {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Runs `fn` with nested-loop joins disabled for the statements it issues when `when` holds (else as it is), then back to the default:
 * for joins the planner cannot estimate (CTE scans, tables written in the same transaction and not yet analysed), where
 * a nested loop it picks can be quadratic in the rows and a hash join stays linear. Inside a transaction (SET LOCAL).
 */
export async function withoutNestedLoops<T>(q: Querier, fn: () => Promise<T>, when: boolean): Promise<T> {
  if (!when) return fn();
  await q.query(`SET LOCAL enable_nestloop = off`);
  const result = await fn();
  await q.query(`SET LOCAL enable_nestloop = DEFAULT`);
  return result;
}
