import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD, explainFailure, launchBrowser, newPage, screenshot, startE2eServer, type E2eServer } from './support';

/**
 * The read-only screens against the real server and database in headless Chromium: log in as the provincial
 * planner, see the matrix, drill down to a city, open a unit and an account. (The planner → approver → execution
 * flow is added with the plan screens.)
 */
describe('e2e: login, overview, explorer', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[];

  beforeAll(async () => {
    server = await startE2eServer();
    browser = await launchBrowser();
    ({ page, consoleErrors } = await newPage(browser));
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await explainFailure(page, consoleErrors, ctx.task.name);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends an anonymous visitor to the login page and shows a wrong password in Chinese', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login/);
    await screenshot(page, '01-login');
    await page.getByLabel('用户名').fill('planner');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.innerText()).trim();
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(text).not.toMatch(/\(.*[a-z].*\)/); // the "(english)" half of the server's message is not shown in Chinese
  });

  it('logs in and shows role and unit scope in the header', async () => {
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    const who = page.getByTestId('session-user');
    await who.waitFor();
    expect(await who.innerText()).toContain('规划人员');
    expect(await who.innerText()).toContain('福建省人民政府');
  });

  it('shows the matrix of the planner\'s province with counts and colours', async () => {
    await page.getByRole('heading', { name: /福建省 · 账号矩阵总览/ }).waitFor();
    const fuzhou = page.getByRole('row').filter({ has: page.getByRole('link', { name: '福州市', exact: true }) });
    // Fuzhou: WeChat 福州发布 + 平安福州 + 福州交警 (suspended) + 鼓楼发布 = 4 live, with 8 open findings on WeChat
    // (公安局: names differ, no interaction, redundant, stopped not deregistered; 市政府 and 鼓楼: no update, zombie)
    // → 2 per live account → bad.
    const wechat = fuzhou.getByLabel(/福州市 · 微信公众号：正常 3，暂停更新 1，已注销 0；待处理问题 8 个（每个在用账号 2\.00 个）/);
    expect(await wechat.innerText()).toBe('4');
    expect(await wechat.getAttribute('data-tone')).toBe('bad');
    // The row counts each finding once: 13, though the cells add up to 14 (公安局's names finding is on WeChat and Weibo).
    const findings = fuzhou.getByRole('link', { name: '查看 13 个待处理问题' });
    expect(await findings.getAttribute('href')).toBe('/findings?region=3501&status=OPEN');
    // Beside the matrix: the bulletin for the latest run's check date; Fuzhou's 5 active accounts are checked.
    const bulletin = page.locator('.inspection-table');
    await bulletin.getByText('福州市').waitFor();
    expect(await bulletin.getByLabel(/^福州市：检查 5 个，不合格 \d+ 个，合格率 /).count()).toBe(1);
    await page.getByText(/最近一次检查运行/).waitFor();
    // Live in Fuzhou: WeChat 4, Douyin 福州发布, Weibo 福州公安 (鼓楼区政府 on Weibo is closed) = 6.
    const total = fuzhou.getByLabel(/福州市 · 合计：/);
    expect(await total.innerText()).toBe('6');
    await page.locator('canvas').first().waitFor();
    await screenshot(page, '02-overview-province');
  });

  it('drills down to a city by clicking its row, with the breadcrumb of regions', async () => {
    await page.getByRole('row').filter({ has: page.getByRole('link', { name: '福州市', exact: true }) }).getByLabel(/福州市 · 合计/).click();
    await page.waitForURL(/\/overview\/3501$/);
    await page.getByRole('heading', { name: /福州市 · 账号矩阵总览/ }).waitFor();
    const crumbs = page.getByRole('navigation', { name: '区划层级' });
    expect(await crumbs.innerText()).toMatch(/福建省[\s\S]*福州市/);
    const gulou = page.getByRole('row').filter({ has: page.getByRole('link', { name: '鼓楼区', exact: true }) });
    expect(await gulou.getByLabel(/鼓楼区 · 合计/).innerText()).toBe('1');
    await screenshot(page, '03-overview-city');
  });

  it('finds a unit by name and shows its accounts across platforms', async () => {
    await page.getByRole('link', { name: '单位与账号' }).click();
    await page.getByLabel('按名称查找单位').fill('公安局');
    await page.getByLabel('按名称查找单位').press('Enter');
    await page.getByRole('button', { name: /福州市公安局/ }).click();
    await page.waitForURL(new RegExp(`/explorer/units/${server.data.units['FZ-GA']}$`));
    await page.getByRole('heading', { name: '福州市公安局' }).waitFor();
    const table = page.locator('.ant-table').last();
    await table.getByRole('link', { name: '平安福州' }).waitFor();
    const rows = await table.locator('tbody tr.ant-table-row').allInnerTexts();
    expect(rows).toHaveLength(3);
    expect(rows.join('\n')).toContain('暂停更新');
    expect(rows.join('\n')).toContain('未备案');
    await screenshot(page, '04-explorer-unit');
  });

  it('opens an account: chain of units, stats, services, posts, weekly activity', async () => {
    await page.getByRole('link', { name: '平安福州' }).click();
    await page.waitForURL(new RegExp(`/explorer/accounts/${server.data.accounts['pinganfuzhou']}$`));
    await page.getByRole('heading', { name: /平安福州/ }).waitFor();
    const chain = page.getByRole('navigation', { name: '单位链' });
    expect(await chain.innerText()).toMatch(/福建省人民政府[\s\S]*福州市人民政府[\s\S]*福州市公安局/);
    await page.getByText('户政业务预约').waitFor();
    expect(await page.getByText('累计发布').locator('..').locator('..').innerText()).toContain('14');
    // Weekly series from the server (Account.activity): all 14 posts are within the last 26 weeks.
    await page.getByText('最近 26 周（周一至周日，北京时间），共发布 14 条，其中原创 14 条。').waitFor();
    await page.locator('canvas').first().waitFor();
    await screenshot(page, '05-account');
  });

  it('lists findings with their evidence, filters by rule and dismisses one with a reason', async () => {
    await page.getByRole('link', { name: '检查发现' }).click();
    await page.waitForURL(/\/findings/);
    await page.getByRole('heading', { name: /检查发现 · 福建省/ }).waitFor();
    await page.goto(`${server.url}/findings?rule=REDUNDANT_SAME_PLATFORM`);
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await rows.first().waitFor();
    // 福州市公安局 runs two live WeChat accounts (平安福州 and the suspended 福州交警): one redundancy finding.
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toMatch(/福州市公安局[\s\S]*平安福州/);
    await screenshot(page, '06-findings');
    await rows.first().getByRole('button', { name: /忽略/ }).click();
    const dialog = page.getByRole('dialog');
    // The dialog has opened when its reason field has the focus (autoFocus): click its button only then.
    await page.waitForFunction(() => document.activeElement?.getAttribute('id') === 'reason');
    await dialog.getByRole('button', { name: /确认忽略/ }).click();
    await dialog.getByText('请填写忽略原因').waitFor(); // no reason: the form says so and nothing is sent
    // Too short: the length is the server's rule alone (2 to 500 characters); its message shows in the dialog.
    await dialog.getByLabel('忽略原因').fill('误');
    await dialog.getByRole('button', { name: /确认忽略/ }).click();
    await dialog.getByText(/至少 2 个字/).waitFor();
    expect((await server.db.ds.query(`SELECT status FROM findings WHERE rule = 'REDUNDANT_SAME_PLATFORM'`))[0].status).toBe('open');
    await dialog.getByLabel('忽略原因').fill('交警账号已列入年内整合计划');
    await dialog.getByRole('button', { name: /确认忽略/ }).click();
    await page.getByText('当前筛选条件下没有发现问题').waitFor();
    const [{ status, dismissed_reason }] = await server.db.ds.query(
      `SELECT status, dismissed_reason FROM findings WHERE rule = 'REDUNDANT_SAME_PLATFORM'`);
    expect([status, dismissed_reason]).toEqual(['dismissed', '交警账号已列入年内整合计划']);
  });

  it('searches findings by text (kept in the URL) and exports what is shown as CSV', async () => {
    await page.goto(`${server.url}/findings`);
    await page.getByLabel('搜索').fill('福州交警');
    await page.getByLabel('搜索').press('Enter');
    await page.waitForURL(/q=%E7%A6%8F%E5%B7%9E%E4%BA%A4%E8%AD%A6/);
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    // The URL changes before React re-renders the list: wait for the filtered rows.
    await page.waitForFunction(() => {
      const trs = [...document.querySelectorAll('.ant-table-tbody tr.ant-table-row')];
      return trs.length > 0 && trs.every((tr) => tr.textContent?.includes('福州交警'));
    });
    const texts = await rows.allInnerTexts();
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) expect(t).toContain('福州交警');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /导出 CSV/ }).first().click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csv[0]).toMatch(/^严重程度,规则,/);
    expect(csv.length).toBe(1 + texts.length);
    expect(csv.slice(1).every((l) => l.includes('福州交警'))).toBe(true);
  });

  it('imports a CSV and says what the check of the imported data found, with a link to the findings', async () => {
    await page.goto(`${server.url}/import`);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: '选择 CSV 或 Excel 文件' }).click();
    // A new Weibo account of Fuzhou, without a filing number: the check after the import finds it unfiled.
    await (await chooser).setFiles({ name: 'accounts.csv', mimeType: 'text/csv',
      buffer: Buffer.from('platform,handle,name,unit_code,type,status\nweibo,fz-new-wb,福州新账号,FZ-GOV,publishing,active\n') });
    await page.getByText('accounts.csv').first().waitFor();
    await page.getByRole('button', { name: /^导\s*入$/ }).click();
    await page.getByText('导入成功。').waitFor({ timeout: 30_000 });
    const said = page.getByRole('status').filter({ hasText: '检查导入的数据' });
    expect(await said.innerText()).toMatch(/^已按基准日 \d{4}年\d{1,2}月\d{1,2}日 检查导入的数据：共 \d+ 个问题，新增 [1-9]\d* 个，已解决 \d+ 个。/);
    await screenshot(page, '09-import-checked');
    await said.getByRole('link', { name: '查看问题' }).click();
    await page.waitForURL(/\/findings\?status=OPEN/);
    await page.getByText('福州新账号').first().waitFor();
  });

  it('switches to English and back', async () => {
    const language = page.getByRole('banner').getByLabel('语言');
    await language.getByText('EN', { exact: true }).click();
    await page.getByText('Findings').first().waitFor();
    await page.getByRole('banner').getByText('中文', { exact: true }).click();
    await page.getByText('检查发现').first().waitFor();
  });

  it('logs out back to the login page', async () => {
    await page.getByRole('button', { name: /退出登录/ }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${server.url}/explorer`);
    await page.waitForURL(/\/login\?next=%2Fexplorer/);
    expect(consoleErrors.filter((e) => !/401|UNAUTHENTICATED|Failed to load resource/.test(e))).toEqual([]);
  });
});
