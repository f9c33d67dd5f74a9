import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, launchBrowser, screenshot, startE2eServer, type E2eServer } from './support';

/**
 * Issue 12's screens in the browser: 历史对比 (two dates side by side, reached from the overview), the import screen's
 * templates (they download), run-now on 定时任务. Screenshots in tests/artifacts/screenshots/.
 */
let server: E2eServer;
let browser: Browser;

beforeAll(async () => {
  server = await startE2eServer();
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.name}: ${e.message}`));
  const res = await page.request.post(`${server.url}/graphql`, {
    headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
    data: { query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { expiresAt } }', variables: { u: username, p: DEMO_PASSWORD } },
  });
  expect(res.ok()).toBe(true);
  return { context, page, errors };
}

describe('issue 12 screens', () => {
  it('历史对比 from the overview: the region matrix on two dates, side by side', async () => {
    const { context, page, errors } = await signedIn('auditor');
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: /历史对比/ }).click();
    await page.waitForURL(/\/history\?region=/);
    await page.getByRole('button', { name: '对比' }).click();
    await page.getByRole('status').filter({ hasText: '未注销' }).waitFor();
    const rows = await page.getByRole('row').count();
    expect(rows).toBeGreaterThan(2);
    await screenshot(page, 'history-compare');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('the import screen offers the templates, and they download', async () => {
    const { context, page, errors } = await signedIn('planner');
    await page.goto(`${server.url}/import`);
    const link = page.getByRole('link', { name: 'Excel' }).first();
    await link.waitFor();
    const res = await page.request.get(`${server.url}${await link.getAttribute('href')}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('spreadsheetml');
    await screenshot(page, 'import-templates');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('an administrator runs a task now on 定时任务 and sees it with its progress', async () => {
    const { context, page, errors } = await signedIn('admin');
    await page.goto(`${server.url}/jobs`);
    await page.getByRole('button', { name: '立即运行' }).click();
    await page.getByRole('status').filter({ hasText: /已运行完毕|已加入任务队列/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('cell', { name: /每周检查/ }).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'jobs-run-now');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
