import { EntityManager, type DataSource, type QueryRunner, type ReplicationMode } from 'typeorm';
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

/**
 * Errors after which a replica's read is re-run on the primary: the replica is down or restarting (connection
 * refused/reset, 57P01–57P03, 08xxx) or cancelled the statement because of a conflict with recovery (40001 on a
 * standby: it had to apply WAL that removes rows the query still needed).
 */
function primaryWillDo(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  return /^(08|57P0[123]|40001$)/.test(code) || /^E(CONNREFUSED|CONNRESET|HOSTUNREACH|TIMEDOUT|PIPE)$/.test(code)
    || /Connection terminated|timeout exceeded when trying to connect/i.test(String((err as Error)?.message));
}

let warned = 0;

/** A replica query runner whose statements fall back to the primary when the replica cannot answer (above). */
function withFallback(ds: DataSource, runner: QueryRunner): QueryRunner {
  const query = runner.query.bind(runner);
  runner.query = (async (sql: string, parameters?: unknown[], useStructuredResult?: boolean) => {
    try {
      return await query(sql, parameters, useStructuredResult as true);
    } catch (err) {
      if (runner.isTransactionActive || !primaryWillDo(err)) throw err;
      if (Date.now() - warned > 60_000) {
        warned = Date.now();
        console.warn(`[matrix-planner] 只读副本无法应答，改由主库执行 (replica failed: ${(err as Error).message}; reading from the primary)`);
      }
      const primary = ds.createQueryRunner('master');
      try {
        return await primary.query(sql, parameters, useStructuredResult as true);
      } finally {
        await primary.release();
      }
    }
  }) as QueryRunner['query'];
  return runner;
}

const managers = new WeakMap<DataSource, EntityManager>();

/**
 * The manager of read-only requests (rule 2), one per data source; null when the data source has no replicas.
 * Its data source is a view of `ds` whose SELECT query builders default to a replica (`defaultReplicationModeForReads`)
 * and whose replica statements are re-run on the primary when the replica is down or cancels them (`primaryWillDo`);
 * everything else of the view is `ds` itself (same pools, metadata, driver).
 */
export function replicaReads(ds: DataSource): EntityManager | null {
  if (!isReplicated(ds)) return null;
  let em = managers.get(ds);
  if (!em) {
    const view = Object.create(ds, {
      defaultReplicationModeForReads: { value: (): ReplicationMode => 'slave' },
      createQueryRunner: {
        value(this: DataSource, mode: ReplicationMode = 'master'): QueryRunner {
          const runner = ds.createQueryRunner.call(this, mode);
          return mode === 'slave' ? withFallback(ds, runner) : runner;
        },
      },
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

/** The manager a request reads with: the replica's for a read-only request (rules 2 and 3), else the primary's. */
export function requestManager(ds: DataSource, operation: string | undefined, primaryCookieValue: unknown): EntityManager {
  const replica = replicaReads(ds);
  return replica && readsFromReplica(operation, primaryCookieValue) ? replica : ds.manager;
}

/** One cookie's value from a raw `Cookie` header (routes without cookie-parser). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** The sticky cookie a mutation sets (rule 3): its value is the moment until which reads stay on the primary. */
export function primaryCookie(stickyMs: number, now = Date.now()): { value: string; maxAge: number } {
  return { value: String(now + stickyMs), maxAge: stickyMs };
}
