import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { countStatement } from './sql-counter';

/**
 * Named prepared statements for the hot planned reads (server/reads/planner.ts). A planned statement that reads
 * `posts` (an account's statistics) spans every month partition; planned from scratch each time, PostgreSQL spent
 * more time planning it (≈10 ms for 37 partitions) than running it (≈2.7 ms). Prepared once per connection, later
 * executions reuse the plan (after five custom plans PostgreSQL keeps a generic one, pruning months at run time).
 *
 * Only texts this process has seen at least twice are prepared (a document sent once costs nothing more), at most
 * `MAX_PREPARED` different texts per process (each connection keeps the ones it ran: bounded memory in PostgreSQL);
 * the rest run as before. Replica-reading managers keep their own path (server/db/replication.ts).
 * Not for statements filtered by a `LIKE $n || '%'` prefix over many rows (the matrix, the accounts list by region):
 * their generic plan cannot see the prefix, guesses a few rows and picks a nested loop (the matrix of 福建: 4 ms
 * custom, 7.5 ms generic) — those keep being planned for their parameters.
 */
const MAX_PREPARED = 100;
const MAX_TRACKED = 2_000;
const seen = new Map<string, number>();
const names = new Map<string, string>();

function nameFor(sql: string): string | null {
  const known = names.get(sql);
  if (known) return known;
  const n = (seen.get(sql) ?? 0) + 1;
  if (n < 2 || names.size >= MAX_PREPARED) {
    if (seen.has(sql) || seen.size < MAX_TRACKED) seen.set(sql, n);
    return null;
  }
  seen.delete(sql);
  const name = `mp_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
  names.set(sql, name);
  return name;
}

function replicated(em: EntityManager): boolean {
  return Boolean((em.connection.options as { replication?: unknown }).replication);
}

/** `em.query(sql, params)`, as a named prepared statement when the text is hot (above). */
export async function preparedQuery<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  if (replicated(em)) return em.query(sql, params);
  const name = nameFor(sql);
  if (!name) return em.query(sql, params);
  const own = !em.queryRunner;
  const runner = em.queryRunner ?? em.connection.createQueryRunner('master');
  try {
    const client = (await runner.connect()) as { query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }> };
    countStatement(sql);
    return (await client.query({ name, text: sql, values: params })).rows;
  } finally {
    if (own) await runner.release();
  }
}
