import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeUser, sessionFor } from '../support/auth';
import { Role } from '../../server/common/enums';
import { aliased, loadClient, pct, stallMonitor, STALL_BOUND_MS, startEdgeServer, threadCpuMs } from './edge-support';

/**
 * The event loop under a flood of big documents (issue 10): 8 clients send, for 3 seconds, anonymous 440 KB
 * documents, signed-in 47 KB alias bombs, 5,000 × `me`, 400 repeats of one field, a document at every limit, a
 * body of variables just under the 512 KB body limit and one of 890 KB over it; meanwhile /healthz is probed every 10 ms. Every flood request is answered without a
 * server error, and no stall of the server's own making reaches 100 ms (measured in the server's process, corrected
 * for a loaded machine: see stallMonitor). The figures are printed for the README.
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

/** A child process with `clients` concurrent loops POSTing the bodies in turn for `ms` once started; their times and statuses. */
function flood(url: string, bodies: { body: string; headers: Record<string, string> }[], clients: number, ms: number) {
  const script = `
    async function main({ url, bodies, clients, ms }) {
      const times = []; const statuses = {}; const until = Date.now() + ms;
      await Promise.all(Array.from({ length: clients }, async (_, w) => {
        for (let i = w; Date.now() < until || (ms === 0 && i < bodies.length); i++) {
          const { body, headers } = bodies[i % bodies.length];
          const t0 = performance.now();
          const r = await fetch(url + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
          await r.text();
          times.push(performance.now() - t0);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        }
      }));
      return { times, statuses };
    }`;
  return loadClient<unknown, { times: number[]; statuses: Record<string, number> }>('flood client', script, { url, bodies, clients, ms });
}

describe('flood', () => {
  it('refuses big documents fast while the event loop never stalls for more than 100 ms', async () => {
    const withinLimits = `{ ${'me { id username displayName role unit { id name code region { code name } } } '.repeat(12)} ${aliased(30, 'me { id }')} }`;
    const atLimit = JSON.stringify({ query: 'query($u: String) { me { id } }', variables: { u: 'x', pad: Array.from({ length: 34_000 }, (_, i) => ({ k: `v${i}` })) } });
    expect(Buffer.byteLength(atLimit)).toBeGreaterThan(480 * 1024);
    expect(Buffer.byteLength(atLimit)).toBeLessThan(512 * 1024);
    const bodies = [
      { body: JSON.stringify({ query: `{ ${'__typename '.repeat(40_000)} }` }), headers: {} },
      { body: JSON.stringify({ query: `{ ${aliased(2000, 'unit(id: "1") { id name code }')} }` }), headers: signedIn },
      { body: JSON.stringify({ query: `{ ${'me { id } '.repeat(5000)} }` }), headers: signedIn },
      { body: JSON.stringify({ query: `{ ${aliased(2000, 'unit(id: "1") { id name code }')} }` }), headers: {} },
      // Within the size, token, field and alias limits, but 400 selections of one key: graphql-js compared every
      // pair (240 ms of validation on the only thread) until the duplicate limit refused it at the edge.
      { body: JSON.stringify({ query: `{ ${'me { id username } '.repeat(400)} }` }), headers: signedIn },
      // At every limit and accepted: validated and executed (HTTP 200).
      { body: JSON.stringify({ query: withinLimits }), headers: signedIn },
      // A body just under the 512 KB limit: 34,000 small objects in the variables (JSON parsing, depth check), anonymous.
      { body: atLimit, headers: {} },
      // 890 KB of the same: over the limit, refused (413) before anything is parsed.
      { body: JSON.stringify({ query: 'query($u: String) { me { id } }', variables: { u: 'x', pad: Array.from({ length: 60_000 }, (_, i) => ({ k: `v${i}` })) } }), headers: {} },
      // Wrong passwords: argon2 (60–150 ms of CPU each) runs in worker threads, not on the event loop.
      { body: JSON.stringify({ query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'nobody', p: 'wrong-password-1' } }), headers: {} },
    ];
    // The flooding clients run in another process, so that /healthz and the event loop measure the server; it is
    // started and given its bodies before the measurement starts.
    // Each body once first, one at a time: V8 compiles the server's code paths on their first use and the pool opens
    // its connections (40–60 ms turns in the first 200 ms of the flood otherwise) — start-up, not a request's stall.
    await (await flood(http.url, bodies, 1, 0)).go();
    const client = await flood(http.url, bodies, 8, 3000);
    const monitor = stallMonitor();
    const cpu0 = threadCpuMs().ms;
    const { healthTimes, result } = await http.whileProbing(() => client.go());
    const cpuMs = threadCpuMs().ms - cpu0;
    const { late, stall } = monitor.stop();
    const { times, statuses } = result;
    const cpuPerRequest = cpuMs / times.length;
    const stallMax = Math.max(...stall);
    console.log(`flood: ${times.length} requests in 3 s by 8 clients; statuses ${JSON.stringify(statuses)}; `
      + `event-loop CPU ${cpuPerRequest.toFixed(2)} ms per request; event loop (${late.length} ticks): own stall max ${stallMax.toFixed(1)} ms, `
      + `p99 ${pct(stall, 0.99).toFixed(1)} ms; wall-clock delay max ${Math.max(...late).toFixed(1)} ms, p99 ${pct(late, 0.99).toFixed(1)} ms; `
      + `requests p50 ${pct(times, 0.5).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms; `
      + `/healthz ${healthTimes.length} probes, p50 ${pct(healthTimes, 0.5).toFixed(1)} ms, p99 ${pct(healthTimes, 0.99).toFixed(1)} ms, max ${Math.max(...healthTimes).toFixed(1)} ms`);
    // Every flood request is answered without a server error: refused (4xx), or the one within the limits (200).
    expect(Object.keys(statuses).every((s) => s === '200' || (Number(s) >= 400 && Number(s) < 500))).toBe(true);
    expect(Object.keys(statuses).some((s) => Number(s) >= 400)).toBe(true);
    expect(statuses['413']).toBeGreaterThan(0);
    expect(times.length).toBeGreaterThan(10);
    expect(healthTimes.length).toBeGreaterThan(5);
    expect(late.length).toBeGreaterThan(50);
    // Before issue 10 one such document took 12–16 s of CPU and stalled the loop as long.
    expect(cpuPerRequest).toBeLessThan(30);
    // The guarantee: no stall of the server's own making reaches the documented bound.
    expect(stallMax).toBeLessThan(STALL_BOUND_MS);
  }, 60_000);

  it('refuses a document repeating one field past the limit, naming the limit', async () => {
    const r = await http.post(`{ ${'me { id } '.repeat(13)} }`, undefined, signedIn);
    expect(r.status).toBe(400);
    expect(r.json.errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', messageKey: 'limit.duplicateFields', params: { max: 12 } });
    const ok = await http.post(`{ ${'me { id } '.repeat(12)} }`, undefined, signedIn);
    expect(ok.status).toBe(200);
    expect(ok.json.errors).toBeUndefined();
  });
});
