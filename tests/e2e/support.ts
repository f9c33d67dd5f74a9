import 'reflect-metadata';
import { createSystemContext } from '../../server/kernel/context';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../server/app';
import { ROOT } from '../../server/config';
import { authenticate } from '../../server/auth/authenticate';
import { ensureDemoUsers } from '../../server/auth/demo-users';
import { runDetection } from '../../server/detection/detection.service';
import { AccountStatus, AccountType, Level, Platform, UnitKind } from '../../server/common/enums';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makeMessages, makePosts, makeUnits } from '../support/factories';

/**
 * End-to-end support: the real server (built client + createApp + real authenticate) on a fresh test database
 * with a small seeded province, and headless Debian Chromium driven by playwright-core. Screenshots go to
 * tests/artifacts/screenshots/ (git-ignored).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'tests', 'artifacts', 'screenshots');
export const DEMO_PASSWORD = 'Demo@2024';
const CLIENT_DIR = path.join(ROOT, 'client');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (!entry.name.includes('.test.')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the client when client/dist is missing or older than its sources (a no-op on CI after `npm run build`). */
export function ensureClientBuilt(): void {
  const index = path.join(CLIENT_DIR, 'dist', 'index.html');
  const sources = Math.max(newestMtime(path.join(CLIENT_DIR, 'src')), fs.statSync(path.join(CLIENT_DIR, 'index.html')).mtimeMs, fs.statSync(path.join(CLIENT_DIR, 'vite.config.ts')).mtimeMs);
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
  // NODE_ENV=production: under vitest it is 'test', and vite would then bundle React's development build (80 KB gzip
  // more) and antd's dev-only class names, so the e2e and bench figures would not be those of the real client.
  const res = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production', E2E_KEEP_CHUNKS: '1' } });
  if (res.status !== 0) throw new Error(`client build failed:\n${res.stdout}\n${res.stderr}`);
}

export interface SmallProvince {
  units: Record<string, number>;
  accounts: Record<string, number>;
}

/**
 * Fujian (35) in miniature: the provincial government and a department, Fuzhou (3501) with its government, public
 * security bureau (two WeChat accounts: a redundancy) and Gulou district (350102), Xiamen (3502) with its
 * government. Accounts on WeChat, Weibo and Douyin, one suspended and one closed; posts, messages and a service;
 * the demo users (password Demo@2024) and one detection run, so the findings screen has something true to show.
 */
export async function seedSmallProvince(db: TestDb): Promise<SmallProvince> {
  const { ds } = db;
  const units = await makeUnits(ds, [
    { code: 'FJ-GOV', name: '福建省人民政府', kind: UnitKind.GOVERNMENT, level: Level.PROVINCE, region: '35' },
    { code: 'FJ-GA', name: '福建省公安厅', kind: UnitKind.DEPARTMENT, level: Level.PROVINCE, parent: 'FJ-GOV', region: '35', supervisor: 'FJ-GOV' },
    { code: 'FZ-GOV', name: '福州市人民政府', kind: UnitKind.GOVERNMENT, level: Level.CITY, parent: 'FJ-GOV', region: '3501', supervisor: 'FJ-GOV' },
    { code: 'FZ-GA', name: '福州市公安局', kind: UnitKind.DEPARTMENT, level: Level.CITY, parent: 'FZ-GOV', region: '3501', supervisor: 'FZ-GOV' },
    { code: 'GL-GOV', name: '鼓楼区人民政府', kind: UnitKind.GOVERNMENT, level: Level.COUNTY, parent: 'FZ-GOV', region: '350102', supervisor: 'FZ-GOV' },
    { code: 'XM-GOV', name: '厦门市人民政府', kind: UnitKind.GOVERNMENT, level: Level.CITY, parent: 'FJ-GOV', region: '3502', supervisor: 'FJ-GOV' },
  ]);
  const accounts = await makeAccounts(ds, [
    { unit: 'FJ-GOV', platform: Platform.WECHAT, handle: 'fujianfabu', name: '福建发布', followers: 1_230_000, isMain: true },
    { unit: 'FJ-GOV', platform: Platform.WEIBO, handle: 'fjfb', name: '福建发布', followers: 845_000, isMain: true },
    { unit: 'FJ-GA', platform: Platform.WECHAT, handle: 'fjga', name: '福建公安', followers: 320_000, isMain: true },
    { unit: 'FZ-GOV', platform: Platform.WECHAT, handle: 'fuzhoufabu', name: '福州发布', followers: 560_000, isMain: true },
    { unit: 'FZ-GOV', platform: Platform.DOUYIN, handle: 'fzfb-dy', name: '福州发布', followers: 98_000 },
    { unit: 'FZ-GA', platform: Platform.WECHAT, handle: 'pinganfuzhou', name: '平安福州', followers: 210_000, isMain: true },
    { unit: 'FZ-GA', platform: Platform.WECHAT, handle: 'fzga-jj', name: '福州交警', followers: 12_000, status: AccountStatus.SUSPENDED },
    { unit: 'FZ-GA', platform: Platform.WEIBO, handle: 'fzga-wb', name: '福州公安', followers: 40_000, filingNo: null },
    { unit: 'GL-GOV', platform: Platform.WECHAT, handle: 'gulou', name: '鼓楼发布', followers: 35_000, isMain: true },
    { unit: 'GL-GOV', platform: Platform.WEIBO, handle: 'gulou-old', name: '鼓楼区政府', followers: 800, status: AccountStatus.CLOSED },
    { unit: 'XM-GOV', platform: Platform.WECHAT, handle: 'xiamenfabu', name: '厦门发布', followers: 900_000, isMain: true, type: AccountType.BOTH },
  ]);
  const now = Date.now();
  const days = (n: number) => new Date(now - n * 86_400_000).toISOString();
  await makePosts(ds, accounts['pinganfuzhou'], [1, 2, 4, 8, 9, 15, 16, 22, 30, 37, 44, 60, 75, 90].map(days), { reads: 2400 });
  await makePosts(ds, accounts['fujianfabu'], [0.5, 1, 2, 3, 5, 7, 10].map(days), { reads: 52_000 });
  await makePosts(ds, accounts['fzga-jj'], [200, 220].map(days), { reads: 300, original: false });
  await makeMessages(ds, accounts['pinganfuzhou'], [{ received: days(3), replied: days(2.5) }, { received: days(10), replied: null }]);
  await ds.query(`INSERT INTO services (account_id, name, category) VALUES ($1, '户政业务预约', '预约'), ($1, '交通违法查询', '查询')`, [accounts['pinganfuzhou']]);
  await ds.query(
    `INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source, reason) VALUES ($1, 'active', 'suspended', now() - interval '40 days', 'import', '发布停更公告')`,
    [accounts['fzga-jj']],
  );
  await ensureDemoUsers(createSystemContext(ds), { province: '35' });
  await runDetection(createSystemContext(ds), { regionCode: '35' });
  return { units, accounts };
}

export interface E2eServer {
  url: string;
  db: TestDb;
  data: SmallProvince;
  close(): Promise<void>;
}

/** Built client + real server (createApp with the real authenticate) on a fresh database with the small province. */
export async function startE2eServer(): Promise<E2eServer> {
  ensureClientBuilt();
  const db = await createTestDb();
  const data = await seedSmallProvince(db);
  // The application runs as the least-privileged `matrix_app`, as the server does; the seeding above as the owner.
  const { app, apollo } = await createApp(db.appDs, db.config, authenticate);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    db,
    data,
    async close() {
      await new Promise((r) => server.close(r));
      await apollo.stop();
      await db.close();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`找不到 Chromium：${CHROMIUM}；请运行 apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A page at the common office screen size (1366×768), in Chinese, with console errors collected. */
export async function newPage(browser: Browser): Promise<{ page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  // console.error(object) arrives as "Object": serialise the arguments in the page so the failure says what it was.
  await page.addInitScript(() => {
    const original = console.error.bind(console);
    console.error = (...args: unknown[]) => {
      original(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'object' ? (() => { try { return JSON.stringify(a); } catch { return String(a); } })() : String(a))).join(' '));
    };
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.name}: ${e.message} at ${page.url()}`));
  return { page, consoleErrors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * What the page showed when a test failed (its URL, the text of any open dialog or of the page, the console's errors),
 * printed with a full-page screenshot: a timeout alone ("waiting for … to be visible") does not say why.
 */
export async function explainFailure(page: Page, consoleErrors: readonly string[], name: string): Promise<void> {
  try {
    const dialogs = page.getByRole('dialog');
    const shown = (await dialogs.count()) > 0 ? await dialogs.allInnerTexts() : [await page.locator('body').innerText()];
    const file = await screenshot(page, `failed-${name.replace(/[^\w\u4e00-\u9fff-]+/g, '_').slice(0, 80)}`);
    console.error(`[e2e] failed at ${page.url()}\n${shown.map((t) => t.slice(0, 2000)).join('\n---\n')}\n`
      + `console errors: ${JSON.stringify(consoleErrors.slice(-10))}\nscreenshot: ${file}`);
  } catch (e) {
    console.error(`[e2e] could not describe the page: ${(e as Error).message}`);
  }
}
