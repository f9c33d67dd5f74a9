import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import { ROOT } from '../../server/config';
import { filterAntdCss } from '../../client/scripts/antd-css';
import { DEMO_PASSWORD, launchBrowser, newPage, startE2eServer, type E2eServer } from './support';

/**
 * The cold start's shape (client/scripts/boot-prefetch.ts, client/src/boot.ts): index.html's inline script asks for
 * the session and the overview matrix while the scripts load, the app renders from those answers and asks neither
 * again. And the zero-runtime stylesheet keeps only the rules of
 * components in use (client/scripts/antd-css.ts).
 */
describe('cold start', () => {
  let server: E2eServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startE2eServer();
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the overview is drawn from the answers index.html asked for: one Me, one OverviewMatrix, no console error', async () => {
    const html = fs.readFileSync(path.join(ROOT, 'client', 'dist', 'index.html'), 'utf8');
    expect(html).toContain('window.__boot=boot');
    // The overview screen's chunks the script preloads exist in the build.
    const preloaded = JSON.parse(/var c=(\[[^\]]*\])/.exec(html)![1]) as string[];
    expect(preloaded.some((f) => /\/assets\/OverviewPage-/.test(f))).toBe(true);
    for (const f of preloaded) expect(fs.existsSync(path.join(ROOT, 'client', 'dist', f))).toBe(true);

    const { page, consoleErrors } = await newPage(browser);
    const login = await page.request.post(`${server.url}/graphql`, {
      data: { query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { expiresAt } }', variables: { u: 'planner', p: DEMO_PASSWORD } },
    });
    expect(login.ok()).toBe(true);
    const ops: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/graphql')) ops.push((r.postDataJSON() as { operationName?: string } | null)?.operationName ?? '?');
    });
    await page.goto(`${server.url}/`);
    await page.locator('.matrix-cell').first().waitFor();
    // The inspection panel and the charts come after the matrix (idle callback): wait for the chart's query.
    await expect.poll(() => ops.includes('OverviewFindingsByRule'), { timeout: 20_000 }).toBe(true);
    expect(ops.filter((o) => o === 'Me')).toHaveLength(1);
    expect(ops.filter((o) => o === 'OverviewMatrix')).toHaveLength(1);
    await expect.poll(() => page.locator('header').getByText('福建省人民政府规划员').count()).toBe(1);

    // A cold visit of a city's path: index.html asks for that city's matrix at once (not the home region's), once.
    await page.goto(`${server.url}/overview/3501`);
    await page.locator('.matrix-cell').first().waitFor();
    expect(ops.filter((o) => o === 'OverviewMatrix')).toHaveLength(2);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('an anonymous visitor lands on the login page; the early Me answer (no session) is not taken for a user', async () => {
    const { page, consoleErrors } = await newPage(browser);
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login/);
    await expect.poll(() => page.getByRole('button', { name: /登\s*录/ }).count()).toBeGreaterThan(0);
    expect(consoleErrors.filter((e) => !/401|UNAUTHENTICATED/.test(e))).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('chunks: gzip copies to browsers that accept gzip, the plain file to others, cached for a year; index.html revalidated', async () => {
    const html = fs.readFileSync(path.join(ROOT, 'client', 'dist', 'index.html'), 'utf8');
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1];
    const get = (p: string, headers: Record<string, string>) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http.get(`${server.url}${p}`, { headers }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        }).on('error', reject);
      });
    const plain = await get(css, {});
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const zipped = await get(css, { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toMatch(/^text\/css/);
    expect(zipped.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(zipped.body.length).toBeLessThan(plain.body.length / 5);
    expect(zlib.gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    expect((await get(js, { 'accept-encoding': 'gzip' })).headers['content-type']).toMatch(/^(text|application)\/javascript/);
    const page = await get('/', {});
    expect(page.headers['cache-control']).toBe('no-cache');
  });

  it('the zero-runtime stylesheet drops the rules of components never rendered, keeps the rest', () => {
    const css = [
      '.ant-btn{color:red}',
      '.ant-tour{z-index:1}',
      '.ant-tour-inner .ant-tour-arrow{top:0}',
      '.ant-tour .ant-btn{margin:0}',
      '@media (max-width:575px){.ant-slider{width:1px}.ant-table{width:2px}}',
      '@media print{.ant-carousel{display:none}}',
      '@keyframes antZoomIn{0%{opacity:0}100%{opacity:1}}',
      '.ant-select-tree{x:1}',
      '.ant-select{y:1}',
      'a{content:"{"}',
    ].join('');
    const out = filterAntdCss(css);
    expect(out).toBe(
      '.ant-btn{color:red}.ant-tour .ant-btn{margin:0}@media (max-width:575px){.ant-table{width:2px}}@keyframes antZoomIn{0%{opacity:0}100%{opacity:1}}.ant-select{y:1}a{content:"{"}',
    );
  });
});
