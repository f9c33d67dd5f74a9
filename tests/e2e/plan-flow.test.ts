import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEMO_PASSWORD, launchBrowser, newPage, screenshot, SCREENSHOTS, startE2eServer, type E2eServer } from './support';

/**
 * The whole consolidation flow in headless Chromium against the real server, auth and database (the small seeded
 * province of support.ts): a planner drafts a plan from findings (the protected 鼓楼发布 is kept and rectified, not
 * shut down), tries closing it by hand (a reason is required, and the county government's only account still cannot
 * go), goes back to keeping it, submits (the impact is then the one frozen with revision 1); the approver of
 * each unit asked (demo users `approver-3501`, `approver-fz-ga`, `approver-gl-gov`) approves its own requests — the
 * province approver sees the plan but signs for none; the planner starts execution and the sponsoring unit's approver
 * confirms the steps (the notice needs its evidence, matched against the account's posts; the notice period blocks
 * the shutdown's deregistration); the auditor finds the merged account's history.
 */
describe('e2e: plan → approval → execution → audit', () => {
  let server: E2eServer;
  let browser: Browser;
  const errors: string[] = [];
  let planner: Page;
  let approver: Page;
  let auditor: Page;
  let planUrl = '';
  let title = '';

  async function login(username: string): Promise<Page> {
    const { page, consoleErrors } = await newPage(browser);
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.url}/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.getByTestId('session-user').waitFor();
    errors.push(...consoleErrors);
    page.on('pageerror', (e) => errors.push(`${username}: ${e.message}`));
    return page;
  }

  const findingRow = (page: Page, ...texts: string[]): Locator => {
    let rows = page.locator('.ant-table-tbody tr.ant-table-row');
    for (const t of texts) rows = rows.filter({ hasText: t });
    return rows;
  };
  const actionRow = (page: Page, name: string) => page.locator('tr[data-action-id]').filter({ hasText: name });

  beforeAll(async () => {
    server = await startE2eServer();
    browser = await launchBrowser();
  }, 180_000);

  // A failed step leaves what each user saw (screenshot and text) next to the screenshots, to see why.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const n = ctx.task.suite?.tasks.indexOf(ctx.task) ?? 0;
    for (const [who, page] of Object.entries({ planner, approver, auditor })) {
      if (!page || page.isClosed()) continue;
      await screenshot(page, `failed-${n}-${who}`).catch(() => undefined);
      fs.writeFileSync(path.join(SCREENSHOTS, `failed-${n}-${who}.txt`), `${page.url()}\n${await page.locator('body').innerText().catch(() => '')}`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the planner sees plan entries in the menu and drafts a plan from selected findings', async () => {
    planner = await login('planner');
    const nav = planner.getByRole('navigation', { name: '主导航' });
    expect(await nav.innerText()).toMatch(/总览[\s\S]*单位与账号[\s\S]*检查发现[\s\S]*整合方案[\s\S]*数据导入/);
    expect(await nav.innerText()).not.toContain('待我审批');
    await planner.goto(`${server.url}/findings?rule=REDUNDANT_SAME_PLATFORM,ZOMBIE&region=3501`);
    await findingRow(planner, '同平台重复开设', '平安福州').waitFor();
    for (const row of [findingRow(planner, '同平台重复开设', '平安福州'), findingRow(planner, '僵尸账号', '福州公安'), findingRow(planner, '僵尸账号', '鼓楼发布')]) {
      expect(await row.count()).toBe(1);
      await row.getByRole('checkbox').check();
    }
    await planner.getByText('已选 3 个问题').waitFor();
    await planner.getByRole('button', { name: '由所选问题生成方案' }).click();
    await planner.waitForURL(/\/plans\/\d+$/);
    planUrl = planner.url();
    [{ title }] = await server.db.ds.query(`SELECT title FROM plans`);
    expect(title).toMatch(/^福州市政务新媒体整合方案/);
    await planner.getByRole('heading', { name: title }).waitFor();
    // Redundancy → 福州交警 merges into the suggested main account 平安福州; the zombie 福州公安 shuts down. 鼓楼发布 is
    // the county government's main account on WeChat: protected, so the draft keeps it with the finding to rectify.
    expect(await actionRow(planner, '福州交警').innerText()).toMatch(/合并[\s\S]*平安福州/);
    expect(await actionRow(planner, '福州公安').innerText()).toContain('关停');
    expect(await actionRow(planner, '福州公安').getByTestId('protected-badge').count()).toBe(0);
    const gulou = actionRow(planner, '鼓楼发布');
    expect(await gulou.innerText()).toMatch(/保留整改/);
    expect(await gulou.getByTestId('protected-badge').innerText()).toBe('受保护');
    expect(await gulou.getByTestId('protection-note').innerText()).toContain('受保护原因：县级及以上政府「鼓楼区人民政府」在该平台的主账号');
    const [{ n }] = await server.db.ds.query(`SELECT count(*)::int AS n FROM plan_actions WHERE type = 'shutdown' AND account_id = $1`, [server.data.accounts.gulou]);
    expect(n).toBe(0);
  });

  it('closing the protected account by hand needs a reason; the county government\'s only account still cannot go', async () => {
    const summary = planner.getByTestId('validation-summary');
    await expect.poll(() => summary.innerText()).toMatch(/校验通过/);
    expect(await planner.getByRole('button', { name: /提交审批/ }).isDisabled()).toBe(false);

    const gulou = actionRow(planner, '鼓楼发布');
    await gulou.getByRole('button', { name: '修改：鼓楼发布' }).click();
    let dialog = planner.getByRole('dialog');
    await dialog.getByLabel('动作').click();
    await planner.locator('.ant-select-item-option').filter({ hasText: '关停' }).click();
    await dialog.getByText('动作类型或账号改变后').waitFor();
    expect(await dialog.getByTestId('protected-alert').innerText()).toContain('「鼓楼发布」是受保护账号');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByText('受保护账号关停或合并必须填写理由').waitFor(); // required, said beside the field; nothing sent
    await dialog.getByLabel('关停或合并受保护账号的理由').fill('区政府改用门户网站发布信息');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.waitFor({ state: 'detached' });
    // The reason answers the protection (a warning the approvers see), but 鼓楼区人民政府 is a county government:
    // shutting its only account is still an error, shown beside the action.
    await expect.poll(() => summary.innerText()).toContain('校验未通过：1 个错误');
    const issues = gulou.getByRole('list', { name: '该动作的校验问题' });
    expect(await issues.innerText()).toMatch(/错误：.*县级及以上政府.*至少须保留一个/);
    expect(await issues.innerText()).toMatch(/警告：.*受保护账号.*编制人说明的关停理由：区政府改用门户网站发布信息/);
    expect(await gulou.getByTestId('protection-note').innerText()).toContain('关停/合并理由：区政府改用门户网站发布信息');
    expect(await actionRow(planner, '福州交警').innerText()).not.toContain('错误：');
    expect(await planner.getByRole('button', { name: /提交审批/ }).isDisabled()).toBe(true);
    await screenshot(planner, '07-plan-editor-error');

    await gulou.getByRole('button', { name: '修改：鼓楼发布' }).click();
    dialog = planner.getByRole('dialog');
    await dialog.getByLabel('动作').click();
    await planner.locator('.ant-select-item-option').filter({ hasText: '保留整改' }).click();
    await dialog.getByText('动作类型或账号改变后').waitFor();
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.getByText('保留动作必须写明整改要求').waitFor(); // required, said beside the field; nothing sent
    await dialog.getByLabel('整改要求').fill('恢复更新：每周至少发布一次，开通留言');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await planner.getByText('校验通过').first().waitFor();
    expect(await actionRow(planner, '鼓楼发布').innerText()).toMatch(/保留整改[\s\S]*恢复更新：每周至少发布一次/);
    const [kept] = await server.db.ds.query(`SELECT type, override_reason FROM plan_actions WHERE account_id = $1 AND removed_at IS NULL`, [server.data.accounts.gulou]);
    expect(kept).toEqual({ type: 'keep', override_reason: null });
    expect(await planner.getByRole('button', { name: /提交审批/ }).isDisabled()).toBe(false);
    await screenshot(planner, '08-plan-editor-valid');
  });

  it('previews the impact: accounts before/after, services kept at 100%', async () => {
    await planner.getByRole('tab', { name: '影响预览' }).click();
    const impact = planner.getByTestId('impact-panel');
    await impact.locator('canvas').first().waitFor();
    expect(await impact.innerText()).toMatch(/服务保留（须 100%）\s*100%/);
    expect(await impact.getByTestId('impact-basis').getAttribute('data-frozen')).toBe('false');
    expect(await impact.getByTestId('impact-basis').innerText()).toContain('实时预览');
    await screenshot(planner, '09-plan-impact');
  });

  it('submits the plan', async () => {
    await planner.getByRole('tab', { name: /动作与校验/ }).click();
    await planner.getByRole('button', { name: /提交审批/ }).click();
    const dialog = planner.getByRole('dialog');
    await dialog.getByLabel('说明').fill('福州市第一批整合');
    const ok = dialog.getByRole('button', { name: /提交审批/ });
    await ok.click();
    // A loaded CI run once left the dialog open, filled, with nothing submitted and no error after 15 s (the click
    // reached the dialog while it was still opening): click again. While a submission is under way the button is
    // loading and ignores the click; an answer, even an error, closes the dialog.
    if (!(await dialog.waitFor({ state: 'hidden', timeout: 8_000 }).then(() => true, () => false))) {
      console.log('plan-flow: the dialog was still open 8 s after the submit click; clicking again');
      await ok.click();
    }
    await planner.locator('[data-status="SUBMITTED"]').first().waitFor();
    const [p] = await server.db.ds.query(`SELECT status, revision FROM plans`);
    expect(p).toEqual({ status: 'submitted', revision: 1 });
    // After submission the impact is the one frozen with revision 1 (what the approvers decide on).
    const [{ frozen }] = await server.db.ds.query(`SELECT impact IS NOT NULL AS frozen FROM plan_revisions WHERE number = 1`);
    expect(frozen).toBe(true);
    await planner.getByRole('tab', { name: '影响预览' }).click();
    const basis = planner.getByTestId('impact-panel').getByTestId('impact-basis');
    await expect.poll(() => basis.getAttribute('data-frozen')).toBe('true');
    expect(await basis.innerText()).toMatch(/第 1 版提交时冻结的数字/);
    await planner.getByRole('tab', { name: /动作与校验/ }).click();
  });

  /** Approves every card of the inbox, one by one. */
  const approveAll = async (page: Page, n: number) => {
    const cards = page.locator('[data-testid^="inbox-action-"]');
    for (let left = n; left > 0; left--) {
      const card = cards.first();
      await card.getByLabel('审批意见').fill('同意，按方案执行');
      await card.getByRole('button', { name: /提交：同意/ }).click();
      await expect.poll(() => cards.count(), { timeout: 15_000 }).toBe(left - 1);
    }
    await page.getByText('目前没有等待您审批的事项').waitFor();
  };

  it('each unit\'s approver sees only the requests it signs for; the province approver signs for none', async () => {
    approver = await login('approver-3501');
    await approver.waitForURL(/\/approvals$/);
    expect(await approver.getByRole('navigation', { name: '主导航' }).innerText()).toMatch(/整合方案[\s\S]*待我审批[\s\S]*执行确认/);
    await approver.getByText('待审批 3 项').waitFor(); // 福州市人民政府 supervises all three actions
    const cards = approver.locator('[data-testid^="inbox-action-"]');
    expect(await cards.count()).toBe(3);
    // The count on top is what is shown: one plan, one unit signed for, three decisions, each naming the unit.
    expect(await approver.getByTestId('inbox-summary').innerText()).toBe('1 个方案，涉及您代表的 1 个单位，共 3 项决定');
    expect(await approver.getByRole('tab', { name: '待办（3）' }).count()).toBe(1);
    expect(await approver.getByRole('heading', { name: /^代表「\u2068?福州市人民政府\u2069?」审批（3 项）$/ }).count()).toBe(1);
    expect(await approver.getByRole('button', { name: /以「福州市人民政府」名义提交：同意/ }).count()).toBe(3);
    const merge = cards.filter({ hasText: '福州交警' });
    expect(await merge.innerText()).toMatch(/内容、服务和关注者并入[\s\S]*平安福州[\s\S]*同平台重复开设/);
    expect(await merge.locator('[data-testid^="inbox-signing-"]').innerText()).toMatch(/您代表的单位：\s*福州市人民政府\s*$/);
    // Approvers see why an account is protected (鼓楼发布 is kept; no override was needed).
    const kept = cards.filter({ hasText: '鼓楼发布' });
    expect(await kept.getByTestId('protected-badge').innerText()).toBe('受保护');
    expect(await kept.locator('[data-testid^="inbox-protection-"]').innerText()).toContain('县级及以上政府「鼓楼区人民政府」在该平台的主账号');
    expect(await merge.locator('[data-testid^="inbox-protection-"]').count()).toBe(0);
    await screenshot(approver, '10-approvals');
    // Sending back needs a comment.
    await merge.getByText('退回修改', { exact: true }).click();
    await merge.getByRole('button', { name: /提交：退回修改/ }).click();
    await merge.getByText('驳回或退回修改时必须填写审批意见').waitFor();
    await merge.getByText('同意', { exact: true }).click();
    await approveAll(approver, 3);
    // 已办: the three decisions, with date, unit, decision and comment.
    await approver.getByRole('tab', { name: '已办' }).click();
    await approver.waitForURL(/tab=done/);
    const done = approver.getByTestId('done-list').locator('tr.ant-table-row');
    await expect.poll(() => done.count()).toBe(3);
    for (const row of await done.all()) expect(await row.innerText()).toMatch(/\d{4}.*福州市人民政府[\s\S]*同意[\s\S]*同意，按方案执行[\s\S]*approver-3501/);
    await screenshot(approver, '10b-approvals-done');

    const province = await login('approver');
    await province.getByText('目前没有等待您审批的事项').waitFor();
    await province.close();
    const ga = await login('approver-fz-ga');
    await ga.getByText('待审批 2 项').waitFor();
    await approveAll(ga, 2);
    await ga.close();
    const gl = await login('approver-gl-gov');
    await gl.getByText('待审批 1 项').waitFor();
    await approveAll(gl, 1);
    await gl.close();

    const [p] = await server.db.ds.query(`SELECT status FROM plans`);
    expect(p.status).toBe('approved');
    const signed = await server.db.ds.query(`SELECT a.approver_name, u.name AS unit, count(*)::int AS n FROM plan_approvals a JOIN units u ON u.id = a.unit_id
      WHERE a.decision = 'approve' GROUP BY 1, 2 ORDER BY 1`);
    expect(signed).toEqual([{ approver_name: 'approver-3501', unit: '福州市人民政府', n: 3 }, { approver_name: 'approver-fz-ga', unit: '福州市公安局', n: 2 },
      { approver_name: 'approver-gl-gov', unit: '鼓楼区人民政府', n: 1 }]);
  });

  it('the planner starts execution', async () => {
    await planner.goto(planUrl);
    await planner.locator('[data-status="APPROVED"]').first().waitFor();
    await planner.getByRole('button', { name: /开始执行/ }).click();
    await planner.locator('[data-status="EXECUTING"]').first().waitFor();
  });

  it('the sponsoring unit\'s approver confirms the steps; the notice period blocks the shutdown\'s deregistration', async () => {
    // 福州交警 and 福州公安 belong to 福州市公安局: its approver confirms their steps (the city's approver does not).
    await approver.close();
    approver = await login('approver-fz-ga');
    await approver.getByRole('link', { name: '执行确认' }).click();
    await approver.getByRole('link', { name: title }).click();
    await approver.waitForURL(/tab=execution/);
    const confirm = async (account: string, step: string, fill?: (dialog: Locator) => Promise<void>) => {
      await approver.getByRole('button', { name: `确认：${account} ${step}` }).click();
      const dialog = approver.getByRole('dialog');
      await dialog.getByLabel('完成日期').waitFor();
      await fill?.(dialog);
      // Under a loaded machine a click can land while the modal is still animating in and be dropped; the dialog
      // stays open without an error in that case, so clicking again is safe (a confirmed step closes the dialog).
      for (let attempt = 1; ; attempt++) {
        await dialog.getByRole('button', { name: /确\s*认/ }).click();
        try {
          await dialog.waitFor({ state: 'detached', timeout: 8_000 });
          break;
        } catch (err) {
          if (attempt >= 3 || (await dialog.getByRole('alert').count()) > 0) throw err;
        }
      }
      await approver.getByRole('button', { name: `确认：${account} ${step}` }).waitFor({ state: 'detached' });
    };
    for (const step of ['内容迁移', '服务迁移', '告知关注者', '平台注销', '更新备案']) await confirm('福州交警', step);
    // The stop-update notice is confirmed with its evidence. 福州公安 has no posts of its own in this fixture (nothing
    // to match the title against, and no portal to take content), so its link and title are recorded as given; the
    // matching against an account's posts is covered by tests/plans/plan-workflow.http.test.ts.
    const noticeUrl = 'https://weibo.com/fzga/notice-20';
    await approver.getByRole('button', { name: '确认：福州公安 发布停更公告' }).click();
    const noticeDialog = approver.getByRole('dialog');
    await noticeDialog.getByLabel('停更公告标题').waitFor();
    await noticeDialog.getByRole('button', { name: /确\s*认/ }).click();
    await noticeDialog.getByText('请填写停更公告的标题或链接').waitFor(); // nothing sent without evidence
    await noticeDialog.getByLabel('停更公告链接').fill('weibo.com/fzga');
    await noticeDialog.getByRole('button', { name: /确\s*认/ }).click();
    await noticeDialog.getByText('链接应以 http:// 或 https:// 开头').waitFor();
    await noticeDialog.getByRole('button', { name: /取\s*消/ }).click();
    await noticeDialog.waitFor({ state: 'detached' });
    const [{ n: unsent }] = await server.db.ds.query(`SELECT count(*)::int AS n FROM plan_steps WHERE status = 'done' AND kind = 'notice_published'`);
    expect(unsent).toBe(0);
    await confirm('福州公安', '发布停更公告', async (d) => {
      await d.getByLabel('停更公告标题').fill('关于「福州公安」微博账号停止更新的公告');
      await d.getByLabel('停更公告链接').fill(noticeUrl);
    });
    for (const step of ['内容迁移', '服务迁移']) await confirm('福州公安', step);
    expect(await approver.getByRole('button', { name: '确认：鼓楼发布 整改完成' }).count()).toBe(0);
    const shutdown = approver.locator('[data-testid^="execution-action-"]').filter({ hasText: '福州公安' });
    const countdown = shutdown.getByTestId('notice-countdown');
    expect(await countdown.getAttribute('data-left')).toBe('15');
    expect(await countdown.innerText()).toContain('公告期还剩 15 个工作日');
    expect(await shutdown.getByRole('button', { name: '确认：福州公安 平台注销' }).isDisabled()).toBe(true);
    expect(await shutdown.getByTestId('step-evidence').innerText()).toContain(`证据：「关于「福州公安」微博账号停止更新的公告」 ${noticeUrl}`);
    expect(await shutdown.getByRole('link', { name: noticeUrl }).getAttribute('href')).toBe(noticeUrl);
    const [ev] = await server.db.ds.query(`SELECT s.evidence FROM plan_steps s JOIN plan_actions a ON a.id = s.action_id WHERE a.account_id = $1 AND s.kind = 'notice_published'`, [server.data.accounts['fzga-wb']]);
    expect(ev.evidence).toEqual({ url: noticeUrl, title: '关于「福州公安」微博账号停止更新的公告', matchedPost: null });
    // During the notice period the account stays active (still inspected), not suspended.
    const [wb] = await server.db.ds.query(`SELECT status FROM accounts WHERE id = $1`, [server.data.accounts['fzga-wb']]);
    expect(wb.status).toBe('active');
    const merged = approver.locator('[data-testid^="execution-action-"]').filter({ hasText: '福州交警' });
    expect(await merged.innerText()).toMatch(/已完成 5\/5[\s\S]*迁移内容 2 条[\s\S]*approver-fz-ga（福州市公安局）/);
    await screenshot(approver, '11-execution');
    // The data really moved: 福州交警 is closed, its two posts now live on 平安福州 with their origin recorded.
    const a = server.data.accounts;
    const [jj] = await server.db.ds.query(`SELECT status FROM accounts WHERE id = $1`, [a['fzga-jj']]);
    expect(jj.status).toBe('closed');
    const moved = await server.db.ds.query(`SELECT account_id FROM posts WHERE origin_account_id = $1`, [a['fzga-jj']]);
    expect(moved.map((m: { account_id: number }) => m.account_id)).toEqual([a.pinganfuzhou, a.pinganfuzhou]);
    const [p] = await server.db.ds.query(`SELECT status FROM plans`);
    expect(p.status).toBe('executing');
  });

  it('the auditor finds the merged account\'s history: the plan, who approved, the steps', async () => {
    auditor = await login('auditor');
    expect(await auditor.getByRole('navigation', { name: '主导航' }).innerText()).toMatch(/总览[\s\S]*单位与账号[\s\S]*审计/);
    await auditor.getByRole('link', { name: '审计' }).click();
    await auditor.getByRole('heading', { name: '审计记录' }).waitFor();
    await auditor.getByLabel('账号', { exact: true }).fill('福州交警');
    await auditor.locator('.ant-select-item-option').filter({ hasText: '福州交警' }).click();
    const timeline = auditor.getByTestId('account-timeline');
    await timeline.getByText('同意动作').first().waitFor();
    const text = await timeline.innerText();
    expect(text).toContain(`涉及的方案：${title}`);
    expect(text).toMatch(/同意动作 · approver-fz-ga（审批人员）[\s\S]*同意，按方案执行/);
    expect(text).toMatch(/同意动作 · approver-3501（审批人员）/);
    expect(text).toMatch(/确认执行步骤 · approver-fz-ga[\s\S]*状态变更：暂停更新 → 已注销/);
    await screenshot(auditor, '12-audit');
    const href = await auditor.getByRole('link', { name: /导出 CSV/ }).getAttribute('href');
    expect(href).toBe(`/api/audit.csv?accountId=${server.data.accounts['fzga-jj']}`);
    const csv = await auditor.request.get(`${server.url}${href}`);
    expect(csv.status()).toBe(200);
    const body = await csv.text();
    expect(body).toContain('ACTION_APPROVED');
    expect(body).toContain('STEP_CONFIRMED');
    expect(errors.filter((e) => !/401|UNAUTHENTICATED|Failed to load resource/.test(e))).toEqual([]);
  });
});
