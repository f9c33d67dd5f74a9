import 'reflect-metadata';
import { createSystemContext } from '../../server/kernel/context';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { ROOT } from '../../server/config';
import { runMigrations } from '../../server/db/database';
import { createDataSource } from '../../server/registry';
import { startEmbedded, type EmbeddedHandle } from '../../server/db/embedded';
import { importDirectory } from '../../server/import/import.service';
import { runDetectionProfiled } from '../../server/detection/detection.service';
import { generateDemoCsv, MANIFEST_FILE, resetDemoData } from '../../server/seed/seed';
import { ensureDemoUsers, DEMO_PASSWORD } from '../../server/auth/demo-users';
import { BENCH_OPERATIONS, PGL_FUNCTIONS_SQL, type BenchParams } from './operations';
import { measureClient, type ClientFigures } from './client-measure';
import { measureContent, runContentOnly, type ContentFigures } from './content-bench';
import { runSoak } from './soak';
import { runFuzz } from './fuzz';

/**
 * `npm run bench [-- --quick] [-- --reuse] [-- --duration 10] [-- --no-postgraphile]`
 *
 *   --quick            demo province (福建, 35) instead of the national dataset; short load runs (about a minute in all)
 *   --reuse            keep the data already imported in the benchmark database (skip generation and import)
 *   --duration <s>     seconds per load run (default 10, quick 2)
 *   --no-postgraphile  skip the PostGraphile side
 *   --no-detection     skip the detection runs
 *   --workers <n>      our API as n processes behind one port (WEB_WORKERS=n, node cluster; default 1)
 *
 * Data: its own embedded PostgreSQL under tests/bench/data/pg (port BENCH_PG_PORT, default 54339), database
 * bench_quick / bench_national — or DATABASE_URL if set (its demo data is reset before the import). The national
 * CSV files are generated once into tests/bench/data/csv-national and reused by later runs.
 * Prints one table and writes tests/bench/results.json.
 */

const BENCH_DIR = path.join(ROOT, 'tests', 'bench');
const DATA_DIR = path.join(BENCH_DIR, 'data');
const PROVINCE = '35';

/** `workers`: our API as that many processes behind one port (WEB_WORKERS, node cluster: server/main.ts). */
interface Args { quick: boolean; reuse: boolean; duration: number; postgraphile: boolean; detection: boolean; workers: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, reuse: false, duration: 0, postgraphile: true, detection: true, workers: 1 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') a.quick = true;
    else if (argv[i] === '--reuse') a.reuse = true;
    else if (argv[i] === '--no-postgraphile') a.postgraphile = false;
    else if (argv[i] === '--no-detection') a.detection = false;
    else if (argv[i] === '--duration') a.duration = Number(argv[++i]);
    else if (argv[i] === '--workers') a.workers = Number(argv[++i]);
    else throw new Error(`未知参数 ${argv[i]} (unknown argument)`);
  }
  if (!a.duration) a.duration = a.quick ? 2 : 10;
  if (!(a.duration > 0)) throw new Error('--duration 应为正数');
  if (!Number.isInteger(a.workers) || a.workers < 1 || a.workers > 64) throw new Error('--workers 应为 1–64 的整数 (--workers N: 1–64)');
  return a;
}

const log = (m: string) => console.log(`[bench] ${m}`);
const sec = (ms: number) => Math.round(ms) / 1000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** The benchmark database: DATABASE_URL, or a database of the bench's own embedded cluster (recreated unless reused). */
async function openBenchDatabase(name: string, reuse: boolean): Promise<{ url: string; embedded: EmbeddedHandle | null; external: boolean }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: null, external: true };
  const port = Number(process.env.BENCH_PG_PORT ?? 54339);
  const embedded = await startEmbedded({ dir: path.join(DATA_DIR, 'pg'), port, database: 'postgres', log });
  const admin = new Client({ connectionString: embedded.url });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount! > 0;
    if (exists && !reuse) await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    if (!exists || !reuse) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return { url: embedded.url.replace(/\/postgres$/, `/${name}`), embedded, external: false };
}

interface Load { connections: number; requests: number; rps: number; p50: number; p95: number; p99: number; errors: number; non2xx: number }

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * `duration` seconds of load; a negative `duration` means a fixed number of requests instead (warm-up). Each run's
 * client is a process of its own (load-client.ts: why).
 */
async function load(url: string, headers: Record<string, string>, body: string, connections: number, duration: number): Promise<Load> {
  const out = await new Promise<string>((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(__dirname, 'load-client.js')], {
      env: { ...process.env, LOAD_SPEC: JSON.stringify({ url, headers, body, connections, duration }) }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    proc.stdout.on('data', (d: Buffer) => { text += d.toString(); });
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`负载进程退出 (load client exited) ${code}`))));
  });
  const res = JSON.parse(out) as { times: number[]; duration: number; errors: number; non2xx: number };
  const times = res.times.sort((a, b) => a - b);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    connections, requests: times.length, rps: Math.round((times.length / res.duration) * 10) / 10,
    p50: r2(percentile(times, 50)), p95: r2(percentile(times, 95)), p99: r2(percentile(times, 99)),
    errors: res.errors, non2xx: res.non2xx,
  };
}

/** A child process whose resident memory is sampled (peak RSS from /proc, VmHWM). */
interface Child { proc: ChildProcess; peakRssMb(): number; stop(): Promise<void>; output: string[] }

function startChild(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<Child> {
  const proc = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let peak = 0;
  const hwmMb = (pid: number | string) => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      return hwm ? Number(hwm[1]) / 1024 : 0;
    } catch { return 0; /* exited */ }
  };
  const sample = () => {
    // The process and its children (the workers of `--workers N`): the sum of their peaks.
    let children: string[] = [];
    try { children = fs.readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean); } catch { /* exited */ }
    const total = hwmMb(proc.pid!) + children.reduce((sum, pid) => sum + hwmMb(pid), 0);
    peak = Math.max(peak, total);
  };
  const timer = setInterval(sample, 250);
  const child: Child = {
    proc, output,
    peakRssMb: () => (sample(), Math.round(peak)),
    stop: async () => {
      sample();
      clearInterval(timer);
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      const s = d.toString();
      output.push(s);
      if (ready.test(s)) resolve(child);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`${path.basename(args[0])} exited (${code}) before it was ready:\n${output.join('').slice(-3000)}`));
    });
  });
}

/** A GraphQL response as the benchmark reads it. */
interface GqlJson { data?: { login?: { token?: string } }; errors?: unknown; extensions?: { sqlStatements?: number } }

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: GqlJson; bytes: number }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await res.json()) as GqlJson;
  return { status: res.status, json, bytes: JSON.stringify(json).length };
}

/** tests/bench/results.json: what one run measured (figures it skipped are carried over from the last run). */
interface BenchResults {
  mode: 'quick' | 'national';
  startedAt: string;
  machine: { cpus: number; memGb: number; node: string; workers?: number };
  generateMs?: number;
  asOf?: string;
  import?: { reused?: boolean; rows?: number; ms?: number; rowsPerSecond?: number; files?: Record<string, number>; measuredAt?: string;
    /** The detection run the import made after its commit (included in `ms`): its duration and findings. */
    detectionMs?: number | null; detectionFound?: number | null };
  detection?: { skipped?: boolean; measuredAt?: string; allMs?: number; allRepeatMs?: number; allFullMs?: number; provinceMs?: number;
    provinceFullMs?: number; provinceEditMs?: number; [found: string]: unknown };
  params?: BenchParams;
  dataset?: { units?: number; accounts?: number; posts?: number | string; messages?: number; findings?: number };
  client?: ClientFigures;
  /** Content checks (issue 13): matcher throughput, a national week, the demo province's full scan (content-bench.ts). */
  content?: ContentFigures;
  ours?: { peakRssMb: number; operations: OpResult[] };
  postgraphile?: { peakRssMb: number; operations: OpResult[] };
  /** The physical limit: each read as one hand-written SQL statement through `pg`, over a pool of the server's size. */
  limit?: { poolSize: number; operations: OpResult[] };
  /** Load average (1, 5, 15 min) when the run started and ended: the machine is shared. */
  loadavg?: { start: number[]; end: number[] };
  totalMs?: number;
}

interface OpResult {
  key: string; label: string; sqlStatements: number | null; responseBytes: number; c1: Load; c32: Load;
}

async function measureEngine(name: string, url: string, headers: Record<string, string>, side: 'ours' | 'postgraphile',
  params: BenchParams, duration: number): Promise<OpResult[]> {
  const out: OpResult[] = [];
  for (const op of BENCH_OPERATIONS) {
    const q = op[side];
    const body = JSON.stringify({ query: q.query, variables: q.variables(params) });
    const probe = await post(url, JSON.parse(body), headers);
    if (probe.status !== 200 || probe.json.errors) {
      throw new Error(`${name} ${op.key} 失败 (failed): ${probe.status} ${JSON.stringify(probe.json.errors ?? probe.json).slice(0, 1500)}`);
    }
    // Warm-up, discarded: 200 requests from 32 callers, so that every connection of the engine's pool is open and has
    // planned the read before anything is timed (with 8 callers, 2 of our 10 connections opened cold during the
    // 32-caller run).
    await load(url, headers, body, 32, -200);
    // Statements of a warm request (the first one also reads the regions it names, once per process, and checks the
    // session: a process answers the session from memory once its listener is up — server/auth/session-cache.ts).
    const again = await post(url, JSON.parse(body), headers);
    const sqlStatements = again.json.extensions?.sqlStatements ?? null;
    const c1 = await load(url, headers, body, 1, duration);
    const c32 = await load(url, headers, body, 32, duration);
    for (const l of [c1, c32]) {
      if (l.non2xx || l.errors) throw new Error(`${name} ${op.key}: ${l.non2xx} 个非 200 应答、${l.errors} 个错误 (non-200 answers or errors: the figures would not be the read's)`);
    }
    log(`${name} ${op.key}: sql ${sqlStatements ?? '-'}, c1 p99 ${c1.p99} ms ${c1.rps}/s, c32 p50 ${c32.p50} p99 ${c32.p99} ms ${c32.rps}/s`);
    out.push({ key: op.key, label: op.label, sqlStatements, responseBytes: probe.bytes, c1, c32 });
  }
  return out;
}

/** `duration` seconds of `connections` callers each sending `sql` through `pool` as fast as answers come back. */
async function loadSql(pool: Pool, sql: string, params: unknown[], connections: number, duration: number): Promise<Load> {
  const times: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + duration * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await pool.query(sql, params);
        times.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    connections, requests: times.length, rps: Math.round((times.length / seconds) * 10) / 10,
    p50: r2(percentile(times, 50)), p95: r2(percentile(times, 95)), p99: r2(percentile(times, 99)), errors, non2xx: 0,
  };
}

/** The physical limit of each read: its hand-written statement (operations.ts `limit`), 1 and 32 callers. */
async function measureLimit(url: string, poolSize: number, params: BenchParams, duration: number): Promise<OpResult[]> {
  const pool = new Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 0 });
  const out: OpResult[] = [];
  try {
    for (const op of BENCH_OPERATIONS) {
      const values = op.limit.params(params);
      const probe = await pool.query(op.limit.sql, values);
      if (!probe.rows.length) throw new Error(`limit ${op.key}: 无结果 (no rows)`);
      await loadSql(pool, op.limit.sql, values, 32, 0.5); // warm-up, discarded (every connection of the pool)
      const c1 = await loadSql(pool, op.limit.sql, values, 1, duration);
      const c32 = await loadSql(pool, op.limit.sql, values, 32, duration);
      log(`limit ${op.key}: c1 p50 ${c1.p50} p99 ${c1.p99} ms ${c1.rps}/s, c32 p50 ${c32.p50} p99 ${c32.p99} ms ${c32.rps}/s`);
      out.push({ key: op.key, label: op.label, sqlStatements: 1, responseBytes: JSON.stringify(probe.rows).length, c1, c32 });
    }
  } finally {
    await pool.end();
  }
  return out;
}

async function main(): Promise<void> {
  // Modes of their own: --fuzz (fuzz.ts), --soak [--soak-minutes N] (soak.ts), --content-only [--no-db] (content-bench.ts).
  const argv = process.argv.slice(2);
  if (argv.includes('--fuzz')) return runFuzz(argv);
  if (argv.includes('--soak')) return runSoak(argv, { openBenchDatabase, startChild, freePort });
  if (argv.includes('--content-only')) return runContentOnly(argv, { openBenchDatabase });
  const args = parseArgs(process.argv.slice(2));
  const mode = args.quick ? 'quick' : 'national';
  const t0 = performance.now();
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const db = await openBenchDatabase(`bench_${mode}`, args.reuse);
  const ds = createDataSource(db.url, 4);
  const results: BenchResults = { mode, startedAt: new Date().toISOString(), machine: { cpus: os.cpus().length, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, workers: args.workers } };
  const loadStart = os.loadavg().map((n) => Math.round(n * 100) / 100);
  // Figures this run does not measure (--reuse, --no-detection) are carried over from the last run of the same mode.
  const resultsFile = path.join(BENCH_DIR, 'results.json');
  const previous: BenchResults | null = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : null;
  let pgl: Child | null = null;
  let ours: Child | null = null;
  try {
    await ds.initialize();
    await runMigrations(ds, log);

    // Dataset and import.
    const csvDir = path.join(DATA_DIR, `csv-${mode}`);
    let asOf: string;
    const [{ n: existing }] = await ds.query(`SELECT count(*)::int AS n FROM accounts`);
    if (args.reuse && existing > 0 && fs.existsSync(path.join(csvDir, MANIFEST_FILE))) {
      asOf = JSON.parse(fs.readFileSync(path.join(csvDir, MANIFEST_FILE), 'utf8')).asOf;
      log(`沿用已导入的数据 (reusing imported data): ${existing} accounts, as of ${asOf}`);
      results.import = { reused: true };
    } else {
      if (args.quick || !fs.existsSync(path.join(csvDir, MANIFEST_FILE))) {
        fs.rmSync(csvDir, { recursive: true, force: true });
        log(`生成 CSV (generating ${mode} CSV) → ${csvDir}`);
        const gen = await generateDemoCsv(csvDir, args.quick ? { province: PROVINCE, scale: 'province' } : { scale: 'national', log });
        results.generateMs = gen.generateMs;
      }
      asOf = JSON.parse(fs.readFileSync(path.join(csvDir, MANIFEST_FILE), 'utf8')).asOf;
      if (db.external && existing > 0) await resetDemoData(ds, log);
      log('导入 (importing) …');
      const ti = performance.now();
      // As `npm run import` does: detection of what it wrote once committed — for the data's check date (the date the
      // runs below check), which a CSV directory kept from an earlier day does not share with today.
      const r = await importDirectory(createSystemContext(ds), csvDir, { log: (m) => log(`  import: ${m}`), checkDate: asOf });
      const importMs = performance.now() - ti;
      if (!r.ok) throw new Error(`导入失败 (import failed): ${JSON.stringify(r.errors.slice(0, 5))}`);
      const rows = r.counts.reduce((s, c) => s + c.rows, 0);
      results.import = { rows, ms: Math.round(importMs), rowsPerSecond: Math.round(rows / (importMs / 1000)),
        files: Object.fromEntries(r.counts.map((c) => [c.file, c.rows])),
        detectionMs: r.detectionRun?.durationMs ?? null, detectionFound: r.detectionRun?.found ?? null };
      log(`导入完成 (imported) ${rows} rows in ${sec(importMs)} s`);
    }
    results.asOf = asOf;
    await ensureDemoUsers(createSystemContext(ds), { province: PROVINCE });

    // Detection (national = everything in the database; quick mode holds one province).
    if (!args.detection) {
      results.detection = { skipped: true };
    } else {
      const det: Record<string, unknown> = {};
      // Each run's own steps (ms), so a first run's cliff can be told apart from a repeat's.
      const steps: Record<string, Record<string, number>> = {};
      // all: the first run after the import (which ran detection over what it wrote, for the same check date: no unit
      // due); allRepeat: nothing changed since; allFull: every unit evaluated anyway (what the import's own run did, with
      // warm caches); province: nothing due; provinceFull: every unit of the province evaluated; provinceEdit: one
      // account of the province written (the planner's edit, then a re-check).
      const runs = [['all', null, false], ['allRepeat', null, false], ['allFull', null, true], ['province', PROVINCE, false],
        ['provinceFull', PROVINCE, true], ['provinceEdit', PROVINCE, false]] as const;
      for (const [label, regionCode, full] of runs) {
        if (label === 'provinceEdit') {
          await ds.query(`UPDATE accounts SET updated_at = updated_at WHERE id = (SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id
            WHERE u.region_path LIKE (SELECT path || '%' FROM regions WHERE code = $1) ORDER BY a.id LIMIT 1)`, [PROVINCE]);
        }
        const td = performance.now();
        const { run, timings, units } = await runDetectionProfiled(createSystemContext(ds), { asOf, regionCode, full });
        det[`${label}Ms`] = Math.round(performance.now() - td);
        det[`${label}Found`] = run.found;
        det[`${label}Units`] = units.evaluated;
        steps[label] = timings;
        log(`detection ${label}: ${det[`${label}Ms`]} ms, ${det[`${label}Found`]} findings, ${units.evaluated} of ${units.total} units evaluated`);
        log(`  steps: ${Object.entries(timings).filter(([, ms]) => ms >= 50).map(([k, ms]) => `${k} ${ms}`).join(', ')}`);
      }
      det.steps = steps;
      results.detection = det;
      results.content = await measureContent(ds, PROVINCE, asOf, log);
    }

    // Parameters of the reads.
    const [{ path: provincePath }] = await ds.query(`SELECT path FROM regions WHERE code = $1`, [PROVINCE]);
    const [county] = await ds.query(`
      SELECT u.id FROM units u WHERE u.level = 'county' AND u.kind = 'government' AND u.region_path LIKE $1
       ORDER BY (SELECT count(*) FROM units d WHERE d.path LIKE u.path || '%') DESC, u.id LIMIT 1`, [`${provincePath}%`]);
    const [account] = await ds.query(`
      SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id
       WHERE u.region_path LIKE $1 AND EXISTS (SELECT 1 FROM finding_accounts fa WHERE fa.account_id = a.id)
       ORDER BY a.post_count DESC, a.id LIMIT 1`, [`${provincePath}%`]).catch(async () =>
      ds.query(`SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id WHERE u.region_path LIKE $1 ORDER BY a.post_count DESC, a.id LIMIT 1`,
        [`${provincePath}%`]));
    const params: BenchParams = { provinceCode: PROVINCE, provincePath, countyUnitId: county.id, accountId: account.id };
    results.params = params;
    await ds.query(PGL_FUNCTIONS_SQL);
    // Steady state: statistics everywhere, the visibility map of every table (index-only scans) — of what the import
    // loaded as well as of what the detection runs just wrote (the full account reads its findings and their links) —
    // and the dirty pages of those runs written out. Otherwise autovacuum's pass over the imported months, or a
    // checkpoint, falls into whichever engine's load runs are under way: two quick runs of 2026-12-02 had autovacuum
    // over every posts partition (00:38:36–41 UTC) during our accounts page's and full account's 32-connection runs
    // (p99 916–1,143 and 308–367 ms, where PostGraphile and the limit, measured after it, had 99–475 ms).
    await ds.query('VACUUM (ANALYZE)');
    await ds.query('CHECKPOINT').catch(() => log('CHECKPOINT 需要超级用户或 pg_checkpoint 角色，已跳过 (CHECKPOINT skipped: not allowed for this login)'));
    const counts = (await ds.query(`SELECT (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM units)::int AS units,
      (SELECT count(*) FROM posts)::bigint AS posts, (SELECT count(*) FROM messages)::int AS messages,
      (SELECT count(*) FROM findings)::int AS findings`))[0];
    results.dataset = counts;
    await ds.destroy();

    // Our server (Node 20), as a child process.
    const port = await freePort();
    ours = await startChild(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], {
      DATABASE_URL: db.url, PORT: String(port), SEED_ON_EMPTY: 'false', NODE_ENV: 'production',
      SESSION_SECRET: crypto.randomBytes(24).toString('hex'), WEB_WORKERS: String(args.workers),
      // The per-user rate limit of expensive fields (matrix: 30 a minute) would answer most of a load run with 429 in
      // microseconds; the bench measures the reads themselves. Any non-200 answer makes the run fail (measureEngine).
      RATE_LIMIT_PER_USER: '100000000', RATE_LIMIT_PER_IP: '100000000',
    }, /listening/);
    if (args.workers > 1) log(`我们的 API：${args.workers} 个工作进程 (ours: ${args.workers} worker processes behind one port; peak RSS = sum of the processes' peaks)`);
    const ourUrl = `http://127.0.0.1:${port}/graphql`;
    const login = await post(ourUrl, { query: `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, variables: { u: 'admin', p: DEMO_PASSWORD } });
    const token = login.json.data?.login?.token;
    if (!token) throw new Error(`登录失败 (login failed): ${JSON.stringify(login.json)}`);
    const ourHeaders = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const oursOps = await measureEngine('ours', ourUrl, ourHeaders, 'ours', params, args.duration);
    const oursRss = ours.peakRssMb();
    // The web client: initial JavaScript and the planner's overview (the province matrix) in real Chromium.
    results.client = await measureClient(`http://127.0.0.1:${port}`, log);
    await ours.stop();
    ours = null;
    results.ours = { peakRssMb: oursRss, operations: oursOps };

    // The physical limit: the same reads as hand-written SQL over a pool of our server's size (DB_POOL_SIZE).
    const poolSize = Number(process.env.DB_POOL_SIZE ?? 10);
    results.limit = { poolSize, operations: await measureLimit(db.url, poolSize, params, args.duration) };

    // PostGraphile v5 (Node 22), same database.
    if (args.postgraphile) {
      const node22 = path.join(ROOT, 'node_modules', 'node', 'bin', 'node');
      if (!fs.existsSync(node22)) throw new Error('缺少 node_modules/node/bin/node（npm ci 安装 node@22）');
      const pport = await freePort();
      pgl = await startChild(node22, [path.join(BENCH_DIR, 'postgraphile-server.mjs')], { DATABASE_URL: db.url, PORT: String(pport), NODE_ENV: 'production' }, /READY/);
      const pglOps = await measureEngine('postgraphile', `http://127.0.0.1:${pport}/graphql`, { 'content-type': 'application/json' }, 'postgraphile', params, args.duration);
      const pglRss = pgl.peakRssMb();
      await pgl.stop();
      pgl = null;
      results.postgraphile = { peakRssMb: pglRss, operations: pglOps };
    }
    if (previous?.mode === mode) {
      if (results.import?.reused && previous.import && !previous.import.reused) results.import = { ...previous.import, measuredAt: previous.import.measuredAt ?? previous.startedAt };
      if (results.detection?.skipped && previous.detection && !previous.detection.skipped) results.detection = { ...previous.detection, measuredAt: previous.detection.measuredAt ?? previous.startedAt };
    }
    results.loadavg = { start: loadStart, end: os.loadavg().map((n) => Math.round(n * 100) / 100) };
    results.totalMs = Math.round(performance.now() - t0);
    fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\n${renderTable(results)}`);
    log(`总耗时 (total) ${sec(results.totalMs)} s；结果已写入 tests/bench/results.json`);
  } finally {
    await ours?.stop();
    await pgl?.stop();
    if (ds.isInitialized) await ds.destroy();
    await db.embedded?.stop();
  }
}

/**
 * The one table: figures of ours, PostGraphile and the physical limit (one hand-written statement through `pg`), then
 * ours / PostGraphile and ours / limit (latency: ≤ 1 is better; req/s: ≥ 1 is better).
 */
export function renderTable(r: BenchResults): string {
  const rows: string[][] = [['figure', 'ours', 'PostGraphile', 'limit', 'ours/PG', 'ours/limit']];
  const f = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? '-' : String(n));
  const ratio = (a?: number | null, b?: number | null) => (a !== null && a !== undefined && b ? (a / b).toFixed(2) : '-');
  const d = r.dataset ?? {};
  const row = (label: string, ours: string) => rows.push([label, ours, '', '', '', '']);
  row(`dataset (${r.mode}, as of ${r.asOf})`, `${d.units} units, ${d.accounts} accounts, ${d.posts} posts, ${d.messages} messages`);
  if (r.loadavg) row('machine load average (1/5/15 min) at start → end', `${r.loadavg.start.join(' ')} → ${r.loadavg.end.join(' ')}`);
  if (r.import?.reused) row('import', 'reused (not measured)');
  else if (r.import) {
    const when = r.import.measuredAt ? ` (run of ${r.import.measuredAt.slice(0, 16)})` : '';
    row(`import: rows / total time${when}`, `${r.import.rows} rows / ${sec(r.import.ms ?? NaN)} s`);
    row('import: throughput (rows/s)', f(r.import.rowsPerSecond));
    if (r.import.detectionMs != null) row('import: of which its detection run (ms) / findings', `${f(r.import.detectionMs)} / ${f(r.import.detectionFound ?? NaN)}`);
  }
  if (r.detection?.skipped) row('detection', 'skipped (--no-detection)');
  else if (r.detection) {
    if (r.detection.measuredAt) row(`detection (run of ${r.detection.measuredAt.slice(0, 16)})`, '');
    row(`detection ${r.mode === 'quick' ? 'whole DB (1 province)' : 'national'}: first run after the import (ms)`, f(r.detection.allMs));
    const whole = r.mode === 'quick' ? 'whole DB (1 province)' : 'national';
    row(`detection ${whole}: repeat, nothing changed (ms)`, f(r.detection.allRepeatMs));
    row(`detection ${whole}: repeat, every unit evaluated (ms)`, f(r.detection.allFullMs));
    row('detection one province, nothing changed (ms)', f(r.detection.provinceMs));
    row('detection one province, every unit evaluated (ms)', f(r.detection.provinceFullMs));
    row('detection one province, one account written (ms)', f(r.detection.provinceEditMs));
  }
  const pg = new Map<string, OpResult>((r.postgraphile?.operations ?? []).map((o) => [o.key, o]));
  const lim = new Map<string, OpResult>((r.limit?.operations ?? []).map((o) => [o.key, o]));
  for (const o of r.ours?.operations ?? []) {
    const p = pg.get(o.key);
    const l = lim.get(o.key);
    rows.push([`${o.label}: SQL statements`, f(o.sqlStatements), p ? '(1 per request, compiled)' : '-', l ? '1 (hand-written)' : '-', '', '']);
    for (const c of ['c1', 'c32'] as const) {
      const n = c === 'c1' ? 1 : 32;
      for (const m of ['p50', 'p95', 'p99'] as const) {
        rows.push([`  ${n} conn ${m} (ms)`, f(o[c][m]), f(p?.[c][m]), f(l?.[c][m]), ratio(o[c][m], p?.[c][m]), ratio(o[c][m], l?.[c][m])]);
      }
      rows.push([`  ${n} conn req/s`, f(o[c].rps), f(p?.[c].rps), f(l?.[c].rps), ratio(o[c].rps, p?.[c].rps), ratio(o[c].rps, l?.[c].rps)]);
    }
  }
  if (r.client && 'skipped' in r.client) row('client', `skipped (${r.client.skipped})`);
  else if (r.client) {
    row('client: initial JavaScript (KB gzip; budget 400)', f(r.client.initialJsGzipKb));
    row('client: planner overview interactive, cold / warm (ms)', `${f(r.client.overviewColdMs)} / ${f(r.client.overviewWarmMs)}`);
  }
  if (r.ours) {
    rows.push(['server peak RSS (MB)', f(r.ours.peakRssMb), f(r.postgraphile?.peakRssMb), '', ratio(r.ours.peakRssMb, r.postgraphile?.peakRssMb), '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

if (require.main === module) {
  main().catch((err) => {
    console.error('[bench] 失败 (failed):', err instanceof Error ? err.stack ?? err.message : err);
    process.exitCode = 1;
  });
}
