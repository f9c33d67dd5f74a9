import { EntityManager, type DataSource, type ReplicationMode } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';

/**
 * Read replicas (issue 14), through TypeORM's `replication` option. The routing rule:
 *
 *   1. The data source's default is the PRIMARY (`defaultMode: 'master'`): every write, every `transaction(ctx, …)`
 *      (it takes its own connection with `ds.createQueryRunner()`, mode master), every CLI and scheduled job, and
 *      the whole of a GraphQL **mutation** request — its reads before and after the write included — run there.
 *      A request therefore always reads its own writes.
 *   2. A GraphQL **query** request reads from a replica through `replicaReads(ds)`: SELECT query builders (find,
 *      repositories, loaders) and raw statements that only read (`isPlainRead`). Anything else on that manager
 *      (a write, `FOR UPDATE`, an advisory lock, `nextval`) still goes to the primary.
 *   3. Read-your-writes across requests: a mutation sets the `mp_primary` cookie (valid `REPLICA_STICKY_MS`,
 *      10 s by default); while it is valid, that browser's query requests read from the primary too. Other users'
 *      reads may lag behind the primary by the replication delay (normally milliseconds) — that is accepted.
 * Without `DATABASE_REPLICA_URLS` there is no replication and `replicaReads` returns null: everything as before.
 */
export const PRIMARY_COOKIE = 'mp_primary';

/** TypeORM's `replication` option for a primary and its standbys (undefined: no replicas). */
export function replicationOptions(primaryUrl: string, replicaUrls: readonly string[]): PostgresDataSourceOptions['replication'] {
  if (!replicaUrls.length) return undefined;
  return { master: { url: primaryUrl }, slaves: replicaUrls.map((url) => ({ url })), defaultMode: 'master' };
}

function isReplicated(ds: DataSource): boolean {
  return Boolean((ds.options as { replication?: unknown }).replication);
}

const WRITES = /\b(insert|update|delete|merge|truncate|copy|call|do|lock|vacuum|analyze|refresh|into|nextval|setval|set_config|pg_advisory\w*|pg_notify|pg_try_advisory\w*|txid_current|pg_current_xact_id)\b|\bfor\s+(no\s+key\s+update|key\s+share|update|share)\b/i;

/** A statement that only reads: SELECT/WITH/VALUES/TABLE and nothing that writes, locks or advances a sequence. */
export function isPlainRead(sql: string): boolean {
  const body = sql.replace(/^(\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '');
  return /^(select|with|values|table)\b/i.test(body) && !WRITES.test(body);
}

/** A manager that reads from a replica: raw plain reads and SELECT query builders; the rest goes to the primary. */
class ReplicaReadManager extends EntityManager {
  async query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T> {
    const runner = this.dataSource.createQueryRunner(isPlainRead(sql) ? 'slave' : 'master');
    try {
      return await runner.query(sql, parameters);
    } finally {
      await runner.release();
    }
  }
}

const managers = new WeakMap<DataSource, EntityManager>();

/**
 * The manager of read-only requests (rule 2), one per data source; null when the data source has no replicas.
 * Its data source is a view of `ds` whose SELECT query builders default to a replica (`defaultReplicationModeForReads`);
 * everything else of the view is `ds` itself (same pools, metadata, driver).
 */
export function replicaReads(ds: DataSource): EntityManager | null {
  if (!isReplicated(ds)) return null;
  let em = managers.get(ds);
  if (!em) {
    const view = Object.create(ds, {
      defaultReplicationModeForReads: { value: (): ReplicationMode => 'slave' },
    }) as DataSource;
    em = new ReplicaReadManager(view);
    managers.set(ds, em);
  }
  return em;
}

/** Does this request read from a replica? Only a query (not a mutation) and not while the sticky cookie is valid. */
export function readsFromReplica(operation: string | undefined, primaryCookie: unknown, now = Date.now()): boolean {
  if (operation !== 'query') return false;
  const until = Number(primaryCookie);
  return !(Number.isFinite(until) && until > now);
}

/** The sticky cookie a mutation sets (rule 3): its value is the moment until which reads stay on the primary. */
export function primaryCookie(stickyMs: number, now = Date.now()): { value: string; maxAge: number } {
  return { value: String(now + stickyMs), maxAge: stickyMs };
}
