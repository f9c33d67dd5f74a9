import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { createApp } from '../../server/app';
import type { Config } from '../../server/config';
import type { EdgeLimits } from '../../server/graphql/edge';
import { authenticate } from '../../server/auth/authenticate';

/** A real HTTP server (the whole express app) for the edge suites, with optional limit overrides. */
export async function startEdgeServer(ds: DataSource, config: Config, limits?: Partial<EdgeLimits>) {
  const { app, apollo } = await createApp(ds, config, authenticate, { limits });
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
