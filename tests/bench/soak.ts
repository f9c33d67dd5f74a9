import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ROOT } from '../../server/config';
import { createDataSource } from '../../server/registry';
import { runMigrations } from '../../server/db/database';
import { createSystemContext } from '../../server/kernel/context';
import { importDirectory } from '../../server/import/import.service';
import { generateDemoCsv, MANIFEST_FILE } from '../../server/seed/seed';
import { ensureDemoUsers, DEMO_PASSWORD } from '../../server/auth/demo-users';
import { BENCH_OPERATIONS, type BenchParams } from './operations';

/**
 * `npm run bench -- --soak [--soak-minutes 10] [--soak-connections 32]`: the built server (dist/server/main.js,
 * NODE_ENV=production) under mixed reads and writes for a long time — the four benchmark reads (matrix, accounts page,
 * full account, unit subtree) and two writes (a new draft plan, a plan's description changed: audited) in the ratio
 * 4 : 1, at 32 connections, each a signed-in planner. Data: the demo province's city 3501 (福州), generated and
 * imported once into the database `bench_soak` of the bench's cluster. Reports errors (network, HTTP status other
 * than 200, any GraphQL error), requests/s, p50/p99, and the server's resident memory at the start (after a
 * warm-up), the middle and the end. Writes tests/bench/soak-results.json.
 */

export interface SoakHelpers {
  openBenchDatabase(name: string, reuse: boolean): Promise<{ url: string; embedded: { stop(): Promise<void> } | null; external: boolean }>;
  startChild(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ proc: ChildProcess; stop(): Promise<void> }>;
  freePort(): Promise<number>;
}

const log = (m: string) => console.log(`[soak] ${m}`);

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
const r1 = (n: number) => Math.round(n * 10) / 10;

interface Window { requests: number; errors: number; times: number[] }

export async function runSoak(argv: string[], h: SoakHelpers): Promise<void> {
  const at = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const minutes = Number(at('--soak-minutes') ?? 10);
  const connections = Number(at('--soak-connections') ?? 32);
  if (!(minutes > 0)) throw new Error('--soak-minutes 应为正数 (a positive number)');
  if (!Number.isInteger(connections) || connections < 1) throw new Error('--soak-connections 应为正整数');

  const db = await h.openBenchDatabase('bench_soak', true);
  const ds = createDataSource(db.url, 4);
  let server: Awaited<ReturnType<SoakHelpers['startChild']>> | null = null;
  try {
    await ds.initialize();
    await runMigrations(ds, log);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM accounts`);
    if (n === 0) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-csv-'));
      log('生成并导入福州市演示数据 (generating and importing city 3501) …');
      await generateDemoCsv(dir, { province: '35', city: '3501', scale: 'province' });
      const r = await importDirectory(createSystemContext(ds), dir, {});
      if (!r.ok) throw new Error(`导入失败 (import failed): ${JSON.stringify(r.errors.slice(0, 5))}`);
      log(`导入完成 (imported), as of ${JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')).asOf}`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await ensureDemoUsers(createSystemContext(ds), { province: '35' });
    const [{ path: provincePath }] = await ds.query(`SELECT path FROM regions WHERE code = '35'`);
    const [county] = await ds.query(`SELECT u.id FROM units u WHERE u.level = 'county' AND u.kind = 'government' ORDER BY u.id LIMIT 1`);
    const [account] = await ds.query(`SELECT a.id FROM accounts a ORDER BY a.post_count DESC, a.id LIMIT 1`);
    const params: BenchParams = { provinceCode: '35', provincePath, countyUnitId: county.id, accountId: account.id };
    await ds.destroy();

    const port = await h.freePort();
    server = await h.startChild(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], {
      DATABASE_URL: db.url, PORT: String(port), SEED_ON_EMPTY: 'false', NODE_ENV: 'production',
      SESSION_SECRET: crypto.randomBytes(24).toString('hex'),
      // The soak measures the server under steady load, not the per-user limit of expensive operations.
      RATE_LIMIT_PER_USER: '1000000', RATE_LIMIT_PER_IP: '1000000',
    }, /listening/);
    const pid = server.proc.pid!;
    const url = `http://127.0.0.1:${port}/graphql`;
    const call = async (query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
      const json = (await res.json()) as { data?: Record<string, Record<string, unknown> | null>; errors?: { message: string; extensions?: { code?: string } }[] };
      return { status: res.status, json };
    };
    const login = await call(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: 'planner', p: DEMO_PASSWORD });
    const token = login.json.data?.login?.token as string | undefined;
    if (!token) throw new Error(`登录失败 (login failed): ${JSON.stringify(login.json)}`);
    const auth = { authorization: `Bearer ${token}` };
    const created = await call(`mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }`, { i: { title: '压测方案 soak', regionCode: '3501' } }, auth);
    const planId = created.json.data?.createPlan?.id as string | undefined;
    if (!planId) throw new Error(`建方案失败 (createPlan failed): ${JSON.stringify(created.json)}`);

    // The mix: 4 reads, 1 write (createPlan and updatePlan alternate).
    let seq = 0;
    const ops: (() => { query: string; variables: Record<string, unknown> })[] = [
      ...BENCH_OPERATIONS.map((op) => () => ({ query: op.ours.query, variables: op.ours.variables(params) })),
      () => (++seq % 2
        ? { query: `mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }`, variables: { i: { title: `压测方案 ${seq}`, regionCode: '3501' } } }
        : { query: `mutation($id: ID!, $i: UpdatePlanInput!) { updatePlan(id: $id, input: $i) { id version } }`, variables: { id: planId, i: { description: `第 ${seq} 次修改` } } }),
    ];
    const errorsSeen = new Map<string, number>();
    let win: Window = { requests: 0, errors: 0, times: [] };
    const all: number[] = [];
    let total = 0;
    let errors = 0;
    const one = async (k: number) => {
      const { query, variables } = ops[k % ops.length]();
      const t = performance.now();
      let problem: string | null = null;
      try {
        const r = await call(query, variables, auth);
        if (r.status !== 200) problem = `HTTP ${r.status}`;
        else if (r.json.errors?.length) problem = r.json.errors[0].extensions?.code ?? r.json.errors[0].message;
      } catch (err) {
        problem = (err as Error).message;
      }
      const ms = performance.now() - t;
      win.requests++;
      win.times.push(ms);
      total++;
      if (problem) {
        win.errors++;
        errors++;
        errorsSeen.set(problem, (errorsSeen.get(problem) ?? 0) + 1);
      }
    };
    let counter = 0;
    const run = async (ms: number, record: boolean) => {
      const end = performance.now() + ms;
      await Promise.all(Array.from({ length: connections }, async () => {
        while (performance.now() < end) await one(counter++);
      }));
      if (!record) { win = { requests: 0, errors: 0, times: [] }; total = 0; errors = 0; errorsSeen.clear(); }
    };

    log(`预热 (warm-up) 20 s at ${connections} connections …`);
    await run(20_000, false);
    const samples: { atMinute: number; rssMb: number; rps: number; p50: number; p99: number; errors: number }[] = [];
    const t0 = performance.now();
    const durationMs = minutes * 60_000;
    const rssStart = rssMb(pid);
    log(`开始 (start): ${minutes} min, RSS ${rssStart} MB`);
    const step = Math.min(60_000, durationMs);
    while (performance.now() - t0 < durationMs - 500) {
      const windowMs = Math.min(step, durationMs - (performance.now() - t0));
      const w0 = performance.now();
      await run(windowMs, true);
      const times = win.times.sort((a, b) => a - b);
      for (const t of times) all.push(t);
      const s = { atMinute: r1((performance.now() - t0) / 60_000), rssMb: rssMb(pid), rps: r1(win.requests / ((performance.now() - w0) / 1000)),
        p50: r1(pct(times, 50)), p99: r1(pct(times, 99)), errors: win.errors };
      samples.push(s);
      log(`${s.atMinute} min: ${s.rps} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms, errors ${s.errors}, RSS ${s.rssMb} MB`);
      win = { requests: 0, errors: 0, times: [] };
    }
    const seconds = (performance.now() - t0) / 1000;
    all.sort((a, b) => a - b);
    const middle = samples[Math.floor((samples.length - 1) / 2)];
    const result = {
      startedAt: new Date(Date.now() - seconds * 1000).toISOString(), minutes, connections, machine: { cpus: os.cpus().length, node: process.version },
      loadavgEnd: os.loadavg().map(r1), mix: 'matrix, accountsPage, accountFull, unitSubtree, createPlan/updatePlan (4 : 1)',
      requests: total, errors, errorKinds: Object.fromEntries(errorsSeen), rps: r1(total / seconds), p50: r1(pct(all, 50)), p99: r1(pct(all, 99)),
      rssMb: { start: rssStart, middle: middle?.rssMb, end: rssMb(pid) }, samples,
    };
    fs.writeFileSync(path.join(ROOT, 'tests', 'bench', 'soak-results.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(`结果 (result): ${total} requests in ${r1(seconds)} s at ${connections} connections: ${result.rps} req/s, p50 ${result.p50} ms, `
      + `p99 ${result.p99} ms, errors ${errors}${errors ? ` ${JSON.stringify(result.errorKinds)}` : ''}; RSS start ${rssStart} MB, middle ${result.rssMb.middle} MB, end ${result.rssMb.end} MB`);
    if (errors) process.exitCode = 1;
  } finally {
    await server?.stop();
    if (ds.isInitialized) await ds.destroy();
    await db.embedded?.stop();
  }
}
