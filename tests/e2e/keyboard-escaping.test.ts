import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEMO_PASSWORD, launchBrowser, newPage, SCREENSHOTS, startE2eServer, type E2eServer } from './support';

/**
 * Two things a mouse-driven test never sees:
 * - the main flow with the keyboard alone: sign in, open the findings from the menu, select findings, draft a plan from
 *   them, add an action in the dialog, submit — Tab / Shift+Tab, Enter, Space and arrows only, no click;
 * - names that are hostile: a unit and an account named with HTML, a <script> and a right-to-left override (U+202E)
 *   render as text on the explorer, the account page, a plan and the audit trail and in the CSV export; nothing runs,
 *   and the override is isolated (inside <bdi> / unicode-bidi: isolate, or FSI…PDI) so it cannot reorder the text
 *   around the name.
 */

/** What has the focus: its role/tag, accessible-ish name and the text of the table row or dialog it is in. */
async function focused(page: Page): Promise<{ tag: string; role: string | null; name: string; row: string; inDialog: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body || el === document.documentElement) return { tag: 'body', role: null, name: '', row: '', inDialog: false };
    const labelled = el.getAttribute('aria-labelledby');
    const byId = labelled ? labelled.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '';
    const label = el.id ? (document.querySelector(`label[for="${el.id}"]`)?.textContent ?? '') : '';
    const name = (el.getAttribute('aria-label') || byId || label || el.textContent || (el as HTMLInputElement).placeholder || '').trim();
    return { tag: el.tagName.toLowerCase(), role: el.getAttribute('role'), name, row: el.closest('tr')?.textContent ?? '', inDialog: Boolean(el.closest('[role="dialog"]')) };
  });
}

/** Presses Tab until the focused element satisfies `want` (at most `max` presses); fails naming what it saw. */
async function tabTo(page: Page, want: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string, max = 80): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (want(f)) return;
    seen.push(`${f.tag}${f.role ? `[${f.role}]` : ''} ${f.name.slice(0, 30)}`);
  }
  throw new Error(`Tab never reached ${what}; focus went through:\n${seen.join('\n')}`);
}

/**
 * Enter on an open list until the choice shows in its field. Under load (a CI run) the list was once still opening and
 * the Enter was lost — the list stayed open, nothing chosen, and Tab never left the field: as a person would, press it
 * again.
 */
async function enterUntilChosen(page: Page, chosen: Locator): Promise<void> {
  for (let i = 0; i < 3 && !(await chosen.count()); i++) {
    await page.keyboard.press('Enter');
    await chosen.waitFor({ timeout: 2_000 }).catch(() => undefined);
  }
  await chosen.waitFor();
}

/**
 * Closes a select list still open after its choice. Under load (a CI run, 2026-12-01) an account was chosen but its list
 * was open again when Tab came, and Tab on an open list picks its active option and keeps the focus (rc-select): fifteen
 * Tabs never left the field. As a person seeing the list would: Esc — only while it is open (Esc on the field alone
 * would close the dialog).
 */
async function closeOpenList(page: Page): Promise<void> {
  const open = page.locator('.ant-select-dropdown').filter({ visible: true });
  const waitClosed = async (tries: number) => { for (let i = 0; i < tries && (await open.count()); i++) await page.waitForTimeout(100); };
  await waitClosed(10);
  if (await open.count()) {
    await page.keyboard.press('Escape');
    await waitClosed(20);
  }
  expect(await open.count()).toBe(0);
}

describe('e2e: keyboard only, and hostile names', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    server = await startE2eServer();
    browser = await launchBrowser();
    ({ page, consoleErrors } = await newPage(browser));
    page.setDefaultTimeout(15_000);
    // No mouse at all: a click anywhere fails the test.
    await page.addInitScript(() => {
      window.addEventListener('mousedown', (e) => { if (e.isTrusted) (window as unknown as { __mouse: number }).__mouse = ((window as unknown as { __mouse?: number }).__mouse ?? 0) + 1; }, true);
    });
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail' || !page || page.isClosed()) return;
    await page.screenshot({ path: path.join(SCREENSHOTS, `failed-keyboard-escaping.png`), fullPage: true }).catch(() => undefined);
    fs.writeFileSync(path.join(SCREENSHOTS, 'failed-keyboard-escaping.txt'), `${page.url()}\n${consoleErrors.join('\n')}\n${await page.locator('body').innerText().catch(() => '')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, drafts a plan from findings, adds an action and submits it with the keyboard alone', async () => {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('用户名').waitFor(); // the form is on screen (looking, not touching)
    await tabTo(page, (f) => f.tag === 'input' && f.name.includes('用户名'), 'the user name field');
    await page.keyboard.type('planner');
    await tabTo(page, (f) => f.tag === 'input' && f.name.includes('密码'), 'the password field', 5);
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 });
    await page.getByTestId('session-user').waitFor();

    // The menu: Tab to 检查发现 and open it.
    await tabTo(page, (f) => f.name === '检查发现', 'the 检查发现 menu entry');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/findings/);
    await page.locator('.ant-table-tbody tr.ant-table-row').first().waitFor();

    // Select the three findings (Space on each row's checkbox), reached with Tab.
    for (const [rule, account] of [['同平台重复开设', '平安福州'], ['僵尸账号', '福州公安'], ['僵尸账号', '鼓楼发布']]) {
      await page.locator('#main').focus().catch(() => undefined);
      await page.keyboard.press('Shift+Tab'); // from the top of the main area again
      await tabTo(page, (f) => f.tag === 'input' && f.name.startsWith('选择') && f.row.includes(rule) && f.row.includes(account), `the checkbox of ${rule} ${account}`, 200);
      await page.keyboard.press('Space');
    }
    await page.getByText('已选 3 个问题').waitFor();
    await tabTo(page, (f) => f.name === '由所选问题生成方案', 'the draft button', 200);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/plans\/\d+$/);
    await page.getByTestId('validation-summary').getByText(/校验通过/).waitFor();

    // Add an action in the dialog: type (arrows), account (type to search, Enter), rectification, save with Enter.
    await tabTo(page, (f) => f.name === '新增动作', 'the 新增动作 button', 120);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await tabTo(page, (f) => f.inDialog && f.name.includes('动作'), 'the action type field', 10);
    await page.keyboard.press('ArrowDown'); // opens the list
    await page.locator('.ant-select-item-option').filter({ hasText: '保留整改' }).waitFor();
    for (let i = 0; i < 6 && !(await page.locator('.ant-select-item-option-active').filter({ hasText: '保留整改' }).count()); i++) await page.keyboard.press('ArrowDown');
    await enterUntilChosen(page, dialog.locator('.ant-select-content[title="保留整改"]'));
    await tabTo(page, (f) => f.inDialog && f.name.includes('账号'), 'the account field', 10);
    await page.keyboard.type('福州发布');
    await page.locator('.ant-select-item-option').filter({ hasText: '福州发布' }).first().waitFor();
    await enterUntilChosen(page, dialog.locator('.ant-select-content[title*="福州发布"]'));
    await closeOpenList(page);
    expect(await dialog.isVisible()).toBe(true);
    await tabTo(page, (f) => f.inDialog && f.name.includes('整改要求'), 'the rectification field', 15);
    await page.keyboard.type('每周至少更新一次，留言五个工作日内答复');
    await tabTo(page, (f) => f.inDialog && /保\s*存/.test(f.name), 'the save button', 15);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.locator('tr[data-action-id]').filter({ hasText: '福州发布' }).waitFor();
    await page.getByTestId('validation-summary').getByText(/校验通过/).waitFor();

    // Submit: the button, then the dialog's comment and its submit button.
    await tabTo(page, (f) => f.name === '提交审批', 'the submit button', 120);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    await tabTo(page, (f) => f.inDialog && f.tag === 'textarea', 'the comment field', 10);
    await page.keyboard.type('键盘提交');
    await tabTo(page, (f) => f.inDialog && f.name === '提交审批', 'the dialog\'s submit button', 10);
    await page.keyboard.press('Enter');
    await page.locator('[data-status="SUBMITTED"]').first().waitFor();
    const [plan] = await server.db.ds.query(`SELECT status, (SELECT count(*)::int FROM plan_actions a WHERE a.plan_id = p.id AND a.removed_at IS NULL) AS actions FROM plans p`);
    expect(plan).toEqual({ status: 'submitted', actions: 4 });
    expect(await page.evaluate(() => (window as unknown as { __mouse?: number }).__mouse ?? 0)).toBe(0);
    expect(consoleErrors).toEqual([]);
  }, 180_000);

  const EVIL_UNIT = '<img src=x onerror="window.__pwned=1">福州<script>window.__pwned=2</script>公安局';
  const EVIL_ACCOUNT = '\u202E平安福州<b onclick="window.__pwned=3">粗</b>';
  const EVIL_TITLE = '<i>方案</i>\u202E标题';

  it('names with HTML, <script> and U+202E render as isolated text on every screen and in the CSV', async () => {
    const { ds } = server.db;
    await ds.query(`UPDATE units SET name = $1 WHERE id = $2`, [EVIL_UNIT, server.data.units['FZ-GA']]);
    await ds.query(`UPDATE accounts SET name = $1 WHERE id = $2`, [EVIL_ACCOUNT, server.data.accounts['pinganfuzhou']]);
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });

    /** Every text node holding the override lies inside an isolating element that holds only the name, or inside FSI…PDI. */
    const leaks = () => page.evaluate((names) => {
      const bad: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        if (!text.includes('\u202E')) continue;
        if (/\u2068[^\u2069]*\u202E[^\u2069]*\u2069/.test(text)) continue;
        let el = n.parentElement;
        let ok = false;
        while (el && el !== document.body) {
          const cs = getComputedStyle(el);
          const isolates = el.tagName === 'BDI' || ['isolate', 'isolate-override', 'plaintext'].includes(cs.unicodeBidi);
          const block = !cs.display.startsWith('inline') && cs.display !== 'contents';
          if (isolates || block) {
            // The isolating element (or the paragraph) holds the name and nothing after it.
            // The override's text node ends with a hostile name, and nothing follows it inside the isolating element.
            const strip = (x: string) => x.replace(/[\u2068\u2069\s]/g, '');
            ok = names.some((name) => strip(text).endsWith(strip(name))) && strip(el.textContent ?? '').endsWith(strip(text));
            break;
          }
          el = el.parentElement;
        }
        if (!ok) bad.push(`${(n.parentElement?.outerHTML ?? '').slice(0, 160)} in ${(el?.outerHTML ?? 'body').slice(0, 200)}`);
      }
      return bad;
    }, [EVIL_ACCOUNT, EVIL_TITLE]);
    const pwned = () => page.evaluate(() => ({ pwned: (window as unknown as { __pwned?: number }).__pwned ?? null, img: document.querySelectorAll('img[src="x"]').length, b: document.querySelectorAll('#main b[onclick]').length }));

    // A draft keeping the account: its ACTION_ADDED event names the account in the audit trail and its CSV.
    const gql = async (query: string, variables: Record<string, unknown>) => {
      const res = await page.request.post(`${server.url}/graphql`, { headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' }, data: { query, variables } });
      const body = await res.json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const draft = await gql('mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }', { input: { title: EVIL_TITLE, regionCode: '3501' } });
    await gql('mutation($planId: ID!, $input: AddActionInput!) { addAction(planId: $planId, input: $input) { id } }',
      { planId: draft.createPlan.id, input: { type: 'KEEP', accountId: String(server.data.accounts['pinganfuzhou']), rectification: '<u>整改</u>' } });

    const screens: Record<string, unknown> = {};
    const visit = async (name: string, url: string, ready: () => Promise<unknown>) => {
      await page.goto(`${server.url}${url}`);
      await ready();
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(SCREENSHOTS, `escaping-${name}.png`), fullPage: true });
      const main = await page.locator('#main').innerText();
      const found = { literal: main.includes('<script>') || main.includes('<b onclick'), ...(await pwned()), leaks: await leaks() };
      if (!found.literal || found.pwned !== null || found.img || found.b || found.leaks.length) screens[name] = found;
    };
    const unitId = server.data.units['FZ-GA'];
    const accountId = server.data.accounts['pinganfuzhou'];
    await visit('explorer', `/explorer/units/${unitId}`, () => page.getByText('<script>', { exact: false }).first().waitFor());
    await visit('account', `/explorer/accounts/${accountId}`, () => page.getByText('<b onclick', { exact: false }).first().waitFor());
    await visit('findings', `/findings?region=3501`, () => page.getByText('<b onclick', { exact: false }).first().waitFor());
    // The plan submitted by the keyboard test holds 平安福州 (the merge target); the draft keeps it.
    const [{ id: planId }] = await server.db.ds.query(`SELECT id FROM plans ORDER BY id LIMIT 1`);
    await visit('plan', `/plans/${planId}`, () => page.getByText('<b onclick', { exact: false }).first().waitFor());
    await visit('plan-draft', `/plans/${draft.createPlan.id}`, () => page.getByText('<b onclick', { exact: false }).first().waitFor());
    await visit('plans', `/plans`, () => page.locator('.ant-table-tbody tr.ant-table-row').first().waitFor());
    delete screens.plans; // the list names plans, not accounts: only nothing may run
    expect(await pwned()).toEqual({ pwned: null, img: 0, b: 0 });

    // The auditor: the account's timeline and the audit list.
    const { page: audit } = await newPage(browser);
    audit.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await audit.goto(`${server.url}/login`);
    await audit.getByLabel('用户名').fill('auditor');
    await audit.getByLabel('密码').fill(DEMO_PASSWORD);
    await audit.getByLabel('密码').press('Enter');
    await audit.waitForURL((u) => !u.pathname.startsWith('/login'));
    const mainPage = page;
    page = audit;
    await visit('audit', `/audit?accountId=${accountId}`, () => page.getByText('<b onclick', { exact: false }).first().waitFor());
    // The CSV: the names as text (a spreadsheet shows them; formula-like cells are the server's concern).
    const csv = await audit.request.get(`${server.url}/api/audit.csv?accountId=${accountId}`);
    expect(csv.ok()).toBe(true);
    const body = await csv.text();
    fs.writeFileSync(path.join(SCREENSHOTS, 'escaping-audit.csv'), body);
    if (!body.includes('平安福州<b onclick=')) screens.csv = body.slice(0, 400);
    page = mainPage;

    expect(screens).toEqual({});
    expect(dialogs).toEqual([]);
  }, 180_000);
});
