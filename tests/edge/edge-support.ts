import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { createApp } from '../../server/app';
import type { Config } from '../../server/config';
import type { EdgeLimits } from '../../server/graphql/edge';
import { authenticate } from '../../server/auth/authenticate';
import { appDataSource } from '../support/db';

/** A real HTTP server (the whole express app) for the edge suites, with optional limit overrides. */
export async function startEdgeServer(ds: DataSource, config: Config, limits?: Partial<EdgeLimits>) {
  // As the server: the application on the least-privileged `matrix_app` (tests/support/db.ts), fixtures as the owner.
  const { app, apollo } = await createApp(appDataSource(ds), config, authenticate, { limits });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** POSTs a raw body; returns status, JSON (or text) and the time the answer took. */
    async raw(body: string, headers: Record<string, string> = {}, path = '/graphql') {
      const t0 = performance.now();
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const text = await res.text();
      const ms = performance.now() - t0;
      let json: any;
      try { json = JSON.parse(text); } catch { json = undefined; }
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json, ms, headers: res.headers };
    },
    async post(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}, path = '/graphql') {
      return this.raw(JSON.stringify({ query, variables }), headers, path);
    },
    /**
     * Runs `work` while probing /healthz every 10 ms; returns the work's result and the slowest /healthz answer.
     * A blocked event loop shows as a slow /healthz.
     */
    async whileProbing<T>(work: () => Promise<T>): Promise<{ result: T; healthMaxMs: number; healthCount: number; healthTimes: number[] }> {
      let done = false;
      let healthMaxMs = 0;
      let healthCount = 0;
      const healthTimes: number[] = [];
      const prober = (async () => {
        while (!done) {
          const t0 = performance.now();
          const r = await fetch(`${url}/healthz`);
          await r.text();
          healthTimes.push(performance.now() - t0);
          healthMaxMs = Math.max(healthMaxMs, performance.now() - t0);
          healthCount++;
          await new Promise((r2) => setTimeout(r2, 10));
        }
      })();
      try {
        const result = await work();
        return { result, healthMaxMs, healthCount, healthTimes };
      } finally {
        done = true;
        await prober;
      }
    },
    async close() {
      await new Promise((r) => server.close(r));
      await apollo.stop();
    },
  };
}

/** `n` aliased copies of a field selection. */
export function aliased(n: number, field: string): string {
  return Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');
}

export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/**
 * CPU time of the calling thread in ms (Linux: /proc/thread-self/stat, in clock ticks of 10 ms) — the event loop's
 * own thread, excluding argon2's worker threads, the GC's helpers and other processes. Elsewhere: the process's.
 */
export function threadCpuMs(): { ms: number; resolution: number } {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ms: (Number(f[11]) + Number(f[12])) * 10, resolution: 10 };
  } catch {
    const u = process.cpuUsage();
    return { ms: (u.user + u.system) / 1000, resolution: 0 };
  }
}

/**
 * The event loop's stalls, measured inside the server's process and corrected for a loaded machine: a 5 ms timer
 * notes how late it fires (wall clock: what a /healthz probe would wait) and how much CPU the event loop's thread
 * used meanwhile. A stall the server causes costs that thread CPU; a stall because the OS ran someone else (2 shared
 * cores, other suites, the flooding clients) does not. `stall` = min(lateness, thread CPU in the interval) is the
 * server's own blocking, independent of the load — the figure the 100 ms bound is asserted on.
 */
export function stallMonitor(intervalMs = 5) {
  const late: number[] = [];
  const stall: number[] = [];
  let lastWall = performance.now();
  let lastCpu = threadCpuMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = threadCpuMs();
    const lateMs = Math.max(0, now - lastWall - intervalMs);
    late.push(lateMs);
    stall.push(Math.min(lateMs, cpu.ms - lastCpu.ms + cpu.resolution));
    lastWall = now;
    lastCpu = cpu;
  }, intervalMs);
  return { stop: () => { clearInterval(timer); return { late, stall }; } };
}

/** The documented bound (README, issue 10): no request may stall the others for more than this. */
export const STALL_BOUND_MS = 100;

/**
 * A load client in a child process, started and fed before anything is measured: spawning a process and writing its
 * input (2.5 MB of bodies for the flood) cost the test's thread — the server's — 50–110 ms, the first tick of the
 * stall monitor, which measured the harness rather than the server. `script` defines `async function main(input)`;
 * `go()` starts it (SIGUSR2) and resolves with what it returned (JSON).
 */
export async function loadClient<I, O>(name: string, script: string, input: I): Promise<{ go: () => Promise<O> }> {
  const wrapper = `${script}
    const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const idle = setInterval(() => {}, 1 << 30);
    process.once('SIGUSR2', () => {
      clearInterval(idle);
      main(input).then((out) => process.stdout.write(JSON.stringify(out)));
    });
    process.stdout.write('ready\\n');`;
  const child = spawn(process.execPath, ['-e', wrapper], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`${name} exited ${code} before it was ready`)));
  });
  const done = new Promise<O>((resolve, reject) => {
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length))) : reject(new Error(`${name} exited ${code}`))));
  });
  done.catch(() => {});
  child.stdin.end(JSON.stringify(input));
  await ready;
  return { go: () => { child.kill('SIGUSR2'); return done; } };
}
