import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Config } from '../config';
import { EMBEDDED_PASSWORD, startEmbedded, type EmbeddedHandle } from './embedded';
import { APP_ROLE, appRoleExists, applyAppGrants, connectionRole } from './roles';
import { CountingLogger } from './sql-counter';
import { replicationOptions } from './replication';

export interface Database {
  dataSource: DataSource;
  url: string;
  embedded: EmbeddedHandle | null;
  close(): Promise<void>;
}

function parallelWorkers(): number {
  const n = Number(process.env.PG_PARALLEL_WORKERS ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= 64 ? n : 0;
}

/** Statements slower than this many milliseconds are logged (`[sql slow …]`); `SQL_SLOW_MS`, default 2000. */
function slowQueryMs(): number {
  const n = Number(process.env.SQL_SLOW_MS ?? 2000);
  return Number.isFinite(n) && n > 0 ? n : 2000;
}

/** What TypeORM needs to know of the application: its entities and migrations (listed by server/registry.ts). */
export interface DataModel {
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

/**
 * `replicas`: streaming standbys of `url` (server/db/replication.ts): TypeORM's `replication` option with the primary
 * as the default; one pool of `poolSize` per server. `-c role=…` and the other session settings apply to all of them.
 */
export function createDataSource(model: DataModel, url: string, poolSize = 10, opts: { role?: string; replicas?: readonly string[] } = {}): DataSource {
  // `-c role=…`: every session of the pool starts as that role (the DATABASE_URL-superuser fallback below).
  const role = opts.role ? ` -c role=${opts.role}` : '';
  const replication = replicationOptions(url, opts.replicas ?? []);
  return new DataSource({
    type: 'postgres',
    ...(replication ? { replication } : { url }),
    entities: model.entities,
    migrations: model.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logger: new CountingLogger(process.env.LOG_SQL === '1'),
    maxQueryExecutionTime: slowQueryMs(),
    invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' },
    // No parallel query plans: a request is one small query on one core; parallel workers cost more to start than
    // they save and, under concurrency, take the cores other requests need (issue 6: a province's matrix 9 → 6 ms
    // alone, and throughput at 32 connections up). Set PG_PARALLEL_WORKERS to allow them (e.g. for ad-hoc CLIs).
    // Idle connections stay open (pg-pool closes them after 10 s by default): a burst after a quiet moment would
    // otherwise wait for new sessions — authentication, then cold catalog caches planning every statement afresh
    // (32 callers after a 10 s lull: the first 32 answers 340–590 ms instead of 150). They do not keep a process
    // alive that has nothing else to do (allowExitOnIdle: a CLI ends as before).
    extra: { max: poolSize, idleTimeoutMillis: 0, allowExitOnIdle: true, application_name: 'matrix-planner', options: `-c max_parallel_workers_per_gather=${parallelWorkers()}${role}` },
  });
}

/**
 * Opens the configured database: `DATABASE_URL` if set, otherwise the embedded PostgreSQL under the data directory
 * (started here, or joined if the server or another CLI of this checkout already runs it). Runs pending migrations
 * and re-applies the application role's grants with the configured (owner) connection, then hands back a data
 * source that runs as the least-privileged `matrix_app` (server/db/roles.ts):
 *   - embedded: logs in as `matrix_app` (its password is set here, like the embedded superuser's, a local constant);
 *   - `APP_DATABASE_URL` set: that URL (a login of `matrix_app`, or any role given the same grants — README);
 *   - otherwise, when the `DATABASE_URL` user is a superuser or a member of `matrix_app`: each session starts with
 *     `-c role=matrix_app` (the application's statements run with matrix_app's rights; a warning recommends
 *     APP_DATABASE_URL, since a superuser session could SET ROLE back);
 *   - otherwise the configured user as it is (it is assumed to be already unprivileged).
 * `prepare: false` (the HTTP workers of a cluster, server/main.ts): no migrations, grants or password changes — the
 * process that prepared the database (the cluster's primary) did them once; only the connection is worked out.
 * `DATABASE_REPLICA_URLS` (config.replicaUrls): the application's data source also opens one pool per read replica
 * (server/db/replication.ts); those URLs are used as given, with the same session options (`-c role=…`), so they
 * should log in as `matrix_app` or as a user that may become it (README "Scaling past one machine").
 * `role: 'owner'` keeps the configured connection (operator commands that reset data: `npm run seed -- --reset`).
 */
export async function openDatabase(model: DataModel, config: Config,
  opts: { log?: (m: string) => void; migrate?: boolean; role?: 'app' | 'owner'; prepare?: boolean } = {}): Promise<Database> {
  const log = opts.log ?? (() => undefined);
  let embedded: EmbeddedHandle | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbedded({ dir: path.join(config.dataDir, 'pg'), port: config.embeddedPort, log });
    url = embedded.url;
  }
  let dataSource = createDataSource(model, url, config.dbPoolSize);
  try {
    await dataSource.initialize();
    if (opts.migrate !== false && opts.prepare !== false) await runMigrations(dataSource, log);
    if (opts.role !== 'owner') {
      const app = await appConnection(dataSource, url, !config.databaseUrl, log, opts.prepare !== false);
      if (app) {
        await dataSource.destroy();
        dataSource = createDataSource(model, app.url, config.dbPoolSize, { role: app.role, replicas: config.replicaUrls });
        await dataSource.initialize();
      } else if (config.replicaUrls.length) {
        await dataSource.destroy();
        dataSource = createDataSource(model, url, config.dbPoolSize, { replicas: config.replicaUrls });
        await dataSource.initialize();
      }
    }
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  return {
    dataSource,
    url,
    embedded,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** How the application connects as `matrix_app` (null: as the configured user). See `openDatabase`. */
async function appConnection(owner: DataSource, url: string, embedded: boolean, log: (m: string) => void, prepare: boolean): Promise<{ url: string; role?: string } | null> {
  if (!(prepare ? await applyAppGrants(owner) : await appRoleExists(owner))) {
    log(`警告：数据库角色 ${APP_ROLE} 不存在，应用以配置的用户连接 (warning: role ${APP_ROLE} missing; see README "Database roles")`);
    return null;
  }
  if (embedded) {
    if (prepare) await owner.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${EMBEDDED_PASSWORD.replace(/'/g, "''")}'`);
    const u = new URL(url);
    u.username = APP_ROLE;
    u.password = EMBEDDED_PASSWORD;
    return { url: u.toString() };
  }
  if (process.env.APP_DATABASE_URL) return { url: process.env.APP_DATABASE_URL };
  const who = await connectionRole(owner);
  if (who.superuser || who.canBecomeApp) {
    if (who.superuser) {
      log(`警告：DATABASE_URL 的用户 ${who.user} 是超级用户；应用会话以 ${APP_ROLE} 角色运行，建议设置 APP_DATABASE_URL 为 ${APP_ROLE} 的登录 `
        + `(warning: DATABASE_URL is a superuser; application sessions run as ${APP_ROLE}; set APP_DATABASE_URL to a ${APP_ROLE} login)`);
    }
    return { url, role: APP_ROLE };
  }
  return null;
}

/** Applies pending migrations; an advisory lock keeps concurrent starters (server + CLI) from racing. */
export async function runMigrations(ds: DataSource, log: (m: string) => void = () => undefined): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7310001)');
    const done = await ds.runMigrations({ transaction: 'each' });
    for (const m of done) log(`已执行迁移 ${m.name} (migration applied)`);
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7310001)').catch(() => undefined);
    await runner.release();
  }
}
