import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../../server/config';
import { DEMO_PASSWORD } from '../../server/auth/demo-users';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Initial JavaScript of the built client (gzip, from client/scripts/bundle-size.mjs) and the time from navigation to
 * the planner's overview matrix being on screen and clickable, in headless Chromium against the running server:
 * cold (empty cache, new browser context) and warm (same context, second visit). Best of three of each.
 */
/** What the client measurement gives: the figures, or why it was skipped. */
export type ClientFigures = { skipped: string } | { initialJsGzipKb: number; overviewColdMs: number; overviewWarmMs: number };

export async function measureClient(baseUrl: string, log: (m: string) => void): Promise<ClientFigures> {
  if (!fs.existsSync(path.join(ROOT, 'client', 'dist', 'index.html'))) return { skipped: 'client not built' };
  if (!fs.existsSync(CHROMIUM)) return { skipped: 'no /usr/bin/chromium (apt-get install chromium)' };
  const size = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'client', 'scripts', 'bundle-size.mjs'), '--json'], { encoding: 'utf8' }));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const cold: number[] = [];
  const warm: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
      const page = await context.newPage();
      const res = await page.request.post(`${baseUrl}/graphql`, {
        data: { query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', variables: { u: 'planner', p: DEMO_PASSWORD } },
      });
      if (!res.ok()) throw new Error(`client bench: login failed (${res.status()})`);
      for (const list of [cold, warm]) {
        const t0 = performance.now();
        await page.goto(`${baseUrl}/`);
        await page.locator('.matrix-cell').first().waitFor({ state: 'visible', timeout: 30_000 });
        list.push(Math.round(performance.now() - t0));
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const best = (xs: number[]) => Math.min(...xs);
  log(`client: initial JS ${(size.initialJsGzipBytes / 1024).toFixed(1)} KB gzip; overview cold ${cold.join('/')} ms, warm ${warm.join('/')} ms`);
  return { initialJsGzipKb: Math.round(size.initialJsGzipBytes / 102.4) / 10, overviewColdMs: best(cold), overviewWarmMs: best(warm) };
}
