import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeUser, sessionFor } from '../support/auth';
import { Role } from '../../server/common/enums';
import { aliased, startEdgeServer } from './edge-support';

/**
 * The event loop under a flood of big documents (issue 10): 8 clients send, for 3 seconds, anonymous 440 KB
 * documents, signed-in 47 KB alias bombs and 5,000 × `me`; meanwhile /healthz is probed every 10 ms. Every flood
 * request is refused (4xx) and /healthz keeps answering. The figures are printed for the README.
 */
let db: TestDb;
let http: Awaited<ReturnType<typeof startEdgeServer>>;
let signedIn: Record<string, string>;

beforeAll(async () => {
  db = await createTestDb();
  const u = await makeUser(db.ds, { username: 'flooder', role: Role.ADMIN, unit: null });
  signedIn = (await sessionFor(db.ds, db.config, u.id)).headers;
  http = await startEdgeServer(db.ds, db.config);
});

afterAll(async () => {
  await http?.close();
  await db?.close();
});

/** `clients` concurrent loops POSTing the bodies in turn for `ms`, in a child process; their times and statuses. */
function flood(url: string, bodies: { body: string; headers: Record<string, string> }[], clients: number, ms: number) {
  const script = `
    const { url, bodies, clients, ms } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const times = []; const statuses = {}; const until = Date.now() + ms;
    Promise.all(Array.from({ length: clients }, async (_, w) => {
      for (let i = w; Date.now() < until; i++) {
        const { body, headers } = bodies[i % bodies.length];
        const t0 = performance.now();
        const r = await fetch(url + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        await r.text();
        times.push(performance.now() - t0);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    })).then(() => process.stdout.write(JSON.stringify({ times, statuses })));`;
  return new Promise<{ times: number[]; statuses: Record<string, number> }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flood client exited ${code}`))));
    child.stdin.end(JSON.stringify({ url, bodies, clients, ms }));
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

describe('flood', () => {
  it('refuses big documents fast while /healthz keeps answering', async () => {
    const bodies = [
      { body: JSON.stringify({ query: `{ ${'__typename '.repeat(40_000)} }` }), headers: {} },
      { body: JSON.stringify({ query: `{ ${aliased(2000, 'unit(id: "1") { id name code }')} }` }), headers: signedIn },
      { body: JSON.stringify({ query: `{ ${'me { id } '.repeat(5000)} }` }), headers: signedIn },
      { body: JSON.stringify({ query: `{ ${aliased(2000, 'unit(id: "1") { id name code }')} }` }), headers: {} },
    ];
    // The flooding clients run in another process, so that /healthz and the event-loop delay measure the server.
    // This machine may be shared (CI, other suites): the server's own CPU time per refusal and the event loop's
    // longest stall are the load-independent measures; HTTP times are printed for the record.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cpu0 = process.cpuUsage();
    const { healthMaxMs, healthCount, result } = await http.whileProbing(() => flood(http.url, bodies, 8, 3000));
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    const { times, statuses } = result;
    const cpuPerRequest = (cpu.user + cpu.system) / 1000 / times.length;
    const loopMaxMs = loop.max / 1e6;
    console.log(`flood: ${times.length} requests in 3 s by 8 clients; statuses ${JSON.stringify(statuses)}; `
      + `server CPU ${cpuPerRequest.toFixed(2)} ms per refusal; event loop stall max ${loopMaxMs.toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms; `
      + `refusal p50 ${pct(times, 0.5).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms; /healthz ${healthCount} probes, slowest ${healthMaxMs.toFixed(1)} ms`);
    expect(Object.keys(statuses).every((s) => Number(s) >= 400 && Number(s) < 500)).toBe(true);
    expect(times.length).toBeGreaterThan(10);
    expect(healthCount).toBeGreaterThan(5);
    // Before issue 10 one such document took 12–16 s of CPU and stalled the loop as long.
    expect(cpuPerRequest).toBeLessThan(30);
    expect(loopMaxMs).toBeLessThan(500);
  }, 60_000);
});
