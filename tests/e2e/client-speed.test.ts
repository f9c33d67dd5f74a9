import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { measureClient } from '../bench/client-measure';
import { DEMO_PASSWORD, launchBrowser, startE2eServer, type E2eServer } from './support';

/**
 * The bench's client measurement alone (initial JavaScript, the planner's overview cold and warm) against the small
 * e2e province, for comparing client builds without the whole bench:
 *   MEASURE_CLIENT=1 npx vitest run tests/e2e/client-speed.test.ts
 * With CLIENT_DIST=<dir> the pages come from another build (e.g. an earlier commit's, built with --outDir), the API
 * from the same server, so two builds are timed on the same data (the initial-JS figure is always client/dist's).
 * Skipped otherwise: timings are not asserted in the suite.
 */
describe.skipIf(!process.env.MEASURE_CLIENT)('client measurement (small province)', () => {
  let server: E2eServer;
  let front: Server | null = null;
  let url = '';
  beforeAll(async () => {
    server = await startE2eServer();
    url = server.url;
    const dist = process.env.CLIENT_DIST;
    if (dist) {
      const app = express();
      app.use(express.raw({ type: '*/*', limit: '5mb' }));
      app.all('/graphql', async (req, res) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
        const r = await fetch(`${server.url}/graphql`, { method: req.method, headers, body: req.method === 'POST' ? req.body : undefined });
        r.headers.forEach((v, k) => { if (k !== 'content-encoding' && k !== 'content-length' && k !== 'set-cookie') res.setHeader(k, v); });
        const cookies = r.headers.getSetCookie();
        if (cookies.length) res.setHeader('set-cookie', cookies);
        res.status(r.status).send(Buffer.from(await r.arrayBuffer()));
      });
      app.use(express.static(dist, { index: false }));
      app.use((_req, res) => res.type('html').send(fs.readFileSync(path.join(dist, 'index.html'))));
      front = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
      url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    }
  }, 180_000);
  afterAll(async () => {
    if (front) await new Promise((r) => front!.close(r));
    await server?.close();
  });

  it('measures', async () => {
    const figures = await measureClient(url, (m) => console.log(`${process.env.CLIENT_DIST ?? 'client/dist'}: ${m}`));
    console.log(JSON.stringify(figures));
    expect('skipped' in figures).toBe(false);
    // Where a cold start spends its time: every request's start and end, and when the matrix appeared.
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await page.request.post(`${url}/graphql`, { data: { query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { expiresAt } }', variables: { u: 'planner', p: DEMO_PASSWORD } } });
      const ops: string[] = [];
      const t0 = Date.now();
      const started = new Map<object, number>();
      page.on('request', (r) => { if (r.url().endsWith('/graphql')) started.set(r, Date.now() - t0); });
      page.on('requestfinished', (r) => {
        if (!started.has(r)) return;
        const op = (() => { try { return (JSON.parse(r.postData() ?? '{}') as { operationName?: string }).operationName ?? '?'; } catch { return '?'; } })();
        ops.push(`graphql ${op}: ${started.get(r)}–${Date.now() - t0} ms (since goto)`);
      });
      await page.goto(`${url}/`);
      await page.locator('.matrix-cell').first().waitFor();
      ops.push(`matrix visible ${Date.now() - t0} ms (since goto)`);
      const timeline = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const rows = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => `${Math.round(r.startTime)}–${Math.round(r.responseEnd)} ms ${r.initiatorType} ${r.name.replace(/^https?:\/\/[^/]+/, '')}`);
        return [`html ${Math.round(nav.responseEnd)} ms, DOMContentLoaded ${Math.round(nav.domContentLoadedEventEnd)} ms, matrix at ${Math.round(performance.now())} ms`, ...rows];
      });
      console.log([...timeline, ...ops].join('\n'));
    } finally {
      await browser.close();
    }
  }, 180_000);
});
