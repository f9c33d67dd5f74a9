import { createSystemContext } from '../../server/kernel/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { startHttp } from '../support/graphql';
import { authenticate } from '../../server/auth/authenticate';
import { ensureDemoUsers, DEMO_PASSWORD } from '../../server/auth/demo-users';
import { runDetection } from '../../server/detection/detection.service';
import { makePlanWorld, D } from './fixture';

/**
 * The whole path over real HTTP with the demo users: the planner drafts a plan for Fujian from the findings, edits
 * it (fixing a validation error), submits; the approvers of the units concerned (and only they — one approver per unit,
 * or one the unit delegated to) see and decide; a change request produces a revision that keeps the approvals of unchanged actions; execution moves services and
 * posts with nothing lost; the notice period is enforced in working days; the audit trail tells the story.
 */
let db: TestDb;
let http: Awaited<ReturnType<typeof startHttp>>;
let acc: Record<string, number>;
const tokens: Record<string, string> = {};

type Res = { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
async function as(user: string, query: string, variables?: Record<string, unknown>): Promise<Res> {
  const res = await http.post(query, variables, tokens[user] ? { authorization: `Bearer ${tokens[user]}` } : {});
  return res.body as Res;
}
async function ok(user: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await as(user, query, variables);
  if (r.errors) throw new Error(`${user}: ${JSON.stringify(r.errors)}`);
  return r.data;
}
const code = (r: Res) => r.errors?.[0]?.extensions?.code;

async function counts() {
  const [row] = await db.ds.query(`SELECT (SELECT count(*) FROM posts)::int AS posts, (SELECT count(*) FROM services)::int AS services,
    (SELECT count(*) FROM plan_approvals)::int AS approvals, (SELECT count(*) FROM plan_revisions)::int AS revisions,
    (SELECT count(*) FROM plan_approval_requests)::int AS requests, (SELECT count(*) FROM audit_events)::int AS audit`);
  return row as { posts: number; services: number; approvals: number; revisions: number; requests: number; audit: number };
}

const PLAN = `id status revision version
  actions { id type account { id handle } target { handle } serviceTarget { handle } contentTarget { handle } newName rectification findingIds }
  validation { valid errors { code severity actionId accountId message } warnings { code actionId message } }`;

/** The demo approver of each unit of the fixture (ensureDemoUsers: one per unit that receives requests). */
const APPROVER_OF: Record<string, string> = {
  福建省人民政府: 'approver', 福州市人民政府: 'approver-3501', 厦门市人民政府: 'approver-3502', 福州市公安局: 'approver-ga3501',
  福州市司法局: 'approver-sf3501', 鼓楼区人民政府: 'approver-gov350102', 鼓楼区司法局: 'approver-sf350102', 厦门市教育局: 'approver-jy3502',
};
let requests: { id: string; action: { id: string }; unit: { name: string } }[] = [];

let planId: string;
let version: number;
const actionOf: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDb();
  ({ accounts: acc } = await makePlanWorld(db.ds));
  await runDetection(createSystemContext(db.ds), { asOf: D });
  await ensureDemoUsers(createSystemContext(db.ds), { province: '35' });
  http = await startHttp(db.ds, db.config, authenticate);
  for (const u of ['planner', 'auditor', 'admin', ...Object.values(APPROVER_OF)]) {
    const r = await as(u, `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { role } } }`, { u, p: DEMO_PASSWORD });
    expect(r.errors).toBeUndefined();
    tokens[u] = r.data.login.token;
  }
});

afterAll(async () => {
  await http?.close();
  await db?.close();
});

describe('plan workflow over HTTP', () => {
  it('requires a session, and only planners draft', async () => {
    expect(code(await as('nobody', `{ plans { totalCount } }`))).toBe('UNAUTHENTICATED');
    for (const u of ['auditor', 'approver']) {
      const before = await counts();
      expect(code(await as(u, `mutation { draftPlanFromFindings(input: { regionCode: "35" }) { actionCount } }`))).toBe('FORBIDDEN');
      expect(await counts()).toEqual(before);
    }
    // A city approver's region is not the planner's to draft for, and vice versa nothing is written.
    expect(code(await as('planner', `mutation { draftPlanFromFindings(input: { regionCode: "44" }) { actionCount } }`))).toBe('FORBIDDEN');
  });

  it('the planner drafts a plan for the province from the open findings', async () => {
    const d = await ok('planner', `mutation { draftPlanFromFindings(input: { regionCode: "35", title: "福建省政务新媒体整合（第一批）" }) {
      actionCount findingsUsed skipped plan { ${PLAN} } } }`);
    const r = d.draftPlanFromFindings;
    expect(r.findingsUsed).toBe(10);
    expect(r.skipped).toEqual([]);
    const drafted = Object.fromEntries(r.plan.actions.map((a: any) => [a.account.handle, a]));
    expect(Object.keys(drafted).sort()).toEqual(['ga_bm', 'ga_old', 'gl_fabu', 'gls_old', 'jy_2', 'sf_wb']);
    // Protected accounts (issue 11) are kept and rectified by the draft: the accounts carrying services (ga_bm, jy_2,
    // gls_old) and the county government's main account (gl_fabu).
    for (const h of ['ga_bm', 'jy_2', 'gls_old', 'gl_fabu']) expect(drafted[h].type, h).toBe('KEEP');
    // The planner decides to close them anyway, by hand: with a written reason for the service accounts, and (a
    // mistake fixed below) none for the county government's account.
    const byHand: Record<string, string> = {
      ga_bm: `type: MERGE, targetAccountId: "${acc.ga_main}", overrideReason: "便民服务统一由主账号提供"`,
      jy_2: `type: MERGE, targetAccountId: "${acc.jy_main}", overrideReason: "学位申请并入主账号办理"`,
      gls_old: `type: SHUTDOWN, serviceTargetAccountId: "${acc.gls_main}", overrideReason: "法律援助预约迁入区司法局主账号"`,
      gl_fabu: 'type: SHUTDOWN',
    };
    for (const [h, fields] of Object.entries(byHand)) {
      await ok('planner', `mutation($a: ID!) { removeAction(actionId: $a) { id } }`, { a: drafted[h].id });
      await ok('planner', `mutation($p: ID!, $acc: ID!, $f: [ID!]) { addAction(planId: $p, input: { ${fields}, accountId: $acc, findingIds: $f }) { id } }`,
        { p: r.plan.id, acc: String(acc[h]), f: drafted[h].findingIds });
    }
    r.plan = (await ok('planner', `query($id: ID!) { plan(id: $id) { ${PLAN} } }`, { id: r.plan.id })).plan;
    const byHandle = Object.fromEntries(r.plan.actions.map((a: any) => [a.account.handle, a]));
    for (const a of r.plan.actions) actionOf[a.account.handle] = a.id;
    // Redundant group → merge into the suggested main; the zombie member merges too (merge wins over shutdown).
    expect(byHandle.ga_bm).toMatchObject({ type: 'MERGE', target: { handle: 'ga_main' } });
    expect(byHandle.ga_old).toMatchObject({ type: 'MERGE', target: { handle: 'ga_main' } });
    expect(byHandle.ga_old.findingIds).toHaveLength(3);
    expect(byHandle.jy_2).toMatchObject({ type: 'MERGE', target: { handle: 'jy_main' } });
    // Zombies shut down: services to the unit's main account, content to the county portal.
    expect(byHandle.gls_old).toMatchObject({ type: 'SHUTDOWN', serviceTarget: { handle: 'gls_main' }, contentTarget: { handle: 'gl_web' } });
    expect(byHandle.gl_fabu).toMatchObject({ type: 'SHUTDOWN', serviceTarget: null, contentTarget: { handle: 'gl_web' } });
    // Inconsistent name → renamed to the unit's main name.
    expect(byHandle.sf_wb).toMatchObject({ type: 'RENAME', newName: '福州市司法局' });
    // Validation: closing the county government's only account is an error, and so is closing a protected account
    // without a reason; a service name clash is a warning.
    expect(r.plan.validation.valid).toBe(false);
    expect(r.plan.validation.errors.map((e: any) => [e.code, e.actionId])).toEqual([['LAST_ACCOUNT', actionOf.gl_fabu], ['PROTECTED_ACCOUNT', actionOf.gl_fabu]]);
    expect(r.plan.validation.errors[0].message).toContain('鼓楼区人民政府');
    expect(r.plan.validation.warnings.map((w: any) => [w.code, w.actionId])).toContainEqual(['SERVICE_NAME_CLASH', actionOf.ga_bm]);
    planId = r.plan.id;
    version = r.plan.version;
  });

  it('shows the impact: accounts by level and platform, services kept 100%, findings resolved, pass rates', async () => {
    const d = await ok('planner', `query($id: ID!) { plan(id: $id) { impact(asOf: "${D}") { accountsBefore accountsAfter servicesBefore servicesKept
      servicesKeptRatio postsBefore postsKept findingsResolved passRateBefore passRateAfter passRateMethod byLevelPlatform { level platform before after } } } }`, { id: planId });
    const i = d.plan.impact;
    expect(i.accountsBefore).toBe(17);
    expect(i.accountsAfter).toBe(12);
    expect(i.servicesBefore).toBe(6);
    expect(i.servicesKept).toBe(6);
    expect(i.servicesKeptRatio).toBe(1);
    expect(i.postsKept).toBe(i.postsBefore);
    expect(i.findingsResolved).toBe(10);
    expect(i.byLevelPlatform).toContainEqual({ level: 'CITY', platform: 'WECHAT', before: 8, after: 5 });
    expect(i.passRateAfter).toBeGreaterThan(i.passRateBefore);
  });

  it('submitting an invalid plan is refused and writes nothing', async () => {
    const before = await counts();
    const r = await as('planner', `mutation($id: ID!) { submitPlan(id: $id) { status } }`, { id: planId });
    expect(code(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].extensions!.details.errors[0].code).toBe('LAST_ACCOUNT');
    expect(await counts()).toEqual(before);
    const [p] = await db.ds.query(`SELECT status, version FROM plans WHERE id = $1`, [planId]);
    expect(p).toEqual({ status: 'draft', version });
  });

  it('the planner fixes the error: a stale edit is refused, then the shutdown becomes keep-and-rectify', async () => {
    const v0 = version;
    const t = await ok('planner', `mutation($id: ID!, $v: Int) { updatePlan(id: $id, expectedVersion: $v, input: { description: "含鼓楼区整改" }) { version } }`,
      { id: planId, v: v0 });
    version = t.updatePlan.version;
    expect(version).toBe(v0 + 1);
    const stale = await as('planner', `mutation($a: ID!, $v: Int) { removeAction(actionId: $a, expectedVersion: $v) { id } }`,
      { a: actionOf.gl_fabu, v: v0 });
    expect(code(stale)).toBe('CONFLICT');
    const rm = await ok('planner', `mutation($a: ID!, $v: Int) { removeAction(actionId: $a, expectedVersion: $v) { version } }`,
      { a: actionOf.gl_fabu, v: version });
    version = rm.removeAction.version;
    // Bad input (a KEEP without rectification) changes nothing.
    const bad = await as('planner', `mutation($p: ID!, $acc: ID!) { addAction(planId: $p, input: { type: KEEP, accountId: $acc }) { id } }`,
      { p: planId, acc: String(acc.gl_fabu) });
    expect(code(bad)).toBe('BAD_USER_INPUT');
    const add = await ok('planner', `mutation($p: ID!, $acc: ID!, $v: Int) { addAction(planId: $p, expectedVersion: $v,
      input: { type: KEEP, accountId: $acc, rectification: "恢复更新", findingIds: ["9", "10"] }) { id plan { version validation { valid errors { code } } } } }`,
    { p: planId, acc: String(acc.gl_fabu), v: version });
    actionOf.gl_fabu = add.addAction.id;
    version = add.addAction.plan.version;
    expect(add.addAction.plan.validation).toEqual({ valid: true, errors: [] });
    const v = await ok('planner', `mutation($id: ID!) { validatePlan(id: $id) { valid warnings { code } } }`, { id: planId });
    expect(v.validatePlan.valid).toBe(true);
  });

  it('submits: every action is routed to the sponsoring and supervising units of the accounts it touches', async () => {
    const d = await ok('planner', `mutation($id: ID!, $v: Int) { submitPlan(id: $id, expectedVersion: $v, comment: "第一批") {
      status revision version approvalRequests { id status action { id } unit { name } reason } } }`, { id: planId, v: version });
    const p = d.submitPlan;
    expect(p.status).toBe('SUBMITTED');
    expect(p.revision).toBe(1);
    version = p.version;
    const units = (handle: string) => p.approvalRequests.filter((r: any) => r.action.id === actionOf[handle]).map((r: any) => r.unit.name).sort();
    expect(units('ga_bm')).toEqual(['福州市人民政府', '福州市公安局']);
    expect(units('jy_2')).toEqual(['厦门市人民政府', '厦门市教育局']);
    // Shutdown: source unit + its supervisor, the service destination's unit, the portal's unit + its supervisor.
    expect(units('gls_old')).toEqual(['福州市人民政府', '鼓楼区人民政府', '鼓楼区司法局']);
    expect(p.approvalRequests).toHaveLength(13);
    expect(p.approvalRequests.every((r: any) => r.status === 'PENDING')).toBe(true);
    requests = p.approvalRequests;
  });

  it('the right approvers, and only they, see the requests in their inbox', async () => {
    const inbox = async (u: string) => (await ok(u, `{ approvalInbox(first: 50) { totalCount edges { node { unit { name } action { account { handle } } canDecide } } } }`))
      .approvalInbox;
    const xm = await inbox('approver-3502');
    expect(xm.totalCount).toBe(1);
    expect(xm.edges.map((e: any) => [e.node.unit.name, e.node.action.account.handle, e.node.canDecide])).toEqual([['厦门市人民政府', 'jy_2', true]]);
    // Each unit's approver has exactly their unit's requests; together they cover all 13, each once.
    let total = 0;
    for (const [unit, user] of Object.entries(APPROVER_OF)) {
      const box = await inbox(user);
      expect(box.totalCount, user).toBe(requests.filter((r) => r.unit.name === unit).length);
      expect(box.edges.every((e: any) => e.node.unit.name === unit && e.node.canDecide), user).toBe(true);
      total += box.totalCount;
    }
    expect(total).toBe(13);
    // The provincial approver sees every request of the plan, decides none (no request is addressed to the province).
    expect((await inbox('approver')).totalCount).toBe(0);
    const seen = await ok('approver', `query($id: ID!) { plan(id: $id) { approvalRequests { canDecide } } }`, { id: planId });
    expect(seen.plan.approvalRequests.map((r: any) => r.canDecide)).toEqual(Array(13).fill(false));
    expect(code(await as('auditor', `{ approvalInbox { totalCount } }`))).toBe('FORBIDDEN');
    expect(code(await as('planner', `{ approvalInbox { totalCount } }`))).toBe('FORBIDDEN');
  });

  it('approvers outside the unit, planners and auditors cannot decide; nothing changes', async () => {
    const before = await counts();
    const q = `mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: APPROVE }) { plan { status } } }`;
    expect(code(await as('approver-3502', q, { a: actionOf.ga_bm }))).toBe('FORBIDDEN');
    expect(code(await as('approver', q, { a: actionOf.ga_bm }))).toBe('FORBIDDEN');
    expect(code(await as('planner', q, { a: actionOf.ga_bm }))).toBe('FORBIDDEN');
    expect(code(await as('auditor', q, { a: actionOf.ga_bm }))).toBe('FORBIDDEN');
    const noComment = await as('approver-3501', `mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: REJECT }) { plan { status } } }`, { a: actionOf.ga_bm });
    expect(code(noComment)).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });

  it('approvals come in; a change request sends the plan back with the comment', async () => {
    const approve = (u: string, a: string) => ok(u, `mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: APPROVE, comment: "同意" }) {
      plan { status } approvals { id decision unit { name } } } }`, { a });
    const xm = await approve('approver-3502', actionOf.jy_2);
    expect(xm.decideApproval.approvals.map((a: any) => a.unit.name)).toEqual(['厦门市人民政府']);
    expect((await approve('approver-jy3502', actionOf.jy_2)).decideApproval.approvals.map((a: any) => a.unit.name)).toEqual(['厦门市教育局']);
    // Every unit asked approves through its own approver.
    for (const h of ['ga_bm', 'ga_old', 'gls_old', 'sf_wb']) {
      for (const r of requests.filter((x) => x.action.id === actionOf[h])) await approve(APPROVER_OF[r.unit.name], actionOf[h]);
    }
    const cr = await ok('approver-3501', `mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: REQUEST_CHANGES,
      comment: "整改要求须写明：每周至少更新一次，并开通留言" }) { plan { status } approvals { decision comment } } }`, { a: actionOf.gl_fabu });
    expect(cr.decideApproval.plan.status).toBe('CHANGES_REQUESTED');
    expect(cr.decideApproval.approvals[0]).toEqual({ decision: 'REQUEST_CHANGES', comment: '整改要求须写明：每周至少更新一次，并开通留言' });
    // Approvals are immutable in the database.
    await expect(db.ds.query(`UPDATE plan_approvals SET comment = 'x'`)).rejects.toThrow(/不可修改/);
    await expect(db.ds.query(`DELETE FROM plan_approvals`)).rejects.toThrow(/不可修改/);
    // Deciding again on a plan that is back with the planner is a conflict.
    expect(code(await as('approver-sf3501', `mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: APPROVE }) { plan { status } } }`,
      { a: actionOf.sf_wb }))).toBe('CONFLICT');
  });

  it('the planner revises and resubmits: a new revision keeps the approvals of unchanged actions', async () => {
    const p0 = await ok('planner', `query($id: ID!) { plan(id: $id) { version } }`, { id: planId });
    const up = await ok('planner', `mutation($a: ID!, $v: Int) { updateAction(actionId: $a, expectedVersion: $v,
      input: { rectification: "恢复更新：每周至少更新一次；开通留言并在 5 个工作日内答复" }) { rectification plan { version } } }`,
    { a: actionOf.gl_fabu, v: p0.plan.version });
    const d = await ok('planner', `mutation($id: ID!, $v: Int) { submitPlan(id: $id, expectedVersion: $v) { status revision
      approvalRequests { status carriedOver action { account { handle } } } revisions { number } } }`, { id: planId, v: up.updateAction.plan.version });
    const p = d.submitPlan;
    expect(p.status).toBe('SUBMITTED');
    expect(p.revision).toBe(2);
    expect(p.revisions.map((r: any) => r.number)).toEqual([1, 2]);
    const by = (h: string) => p.approvalRequests.filter((r: any) => r.action.account.handle === h);
    // Approved and unchanged → carried over; the changed action and the never-decided ones → pending again.
    for (const h of ['ga_bm', 'ga_old', 'gls_old', 'sf_wb', 'jy_2']) {
      expect(by(h).every((r: any) => r.status === 'APPROVED' && r.carriedOver)).toBe(true);
    }
    expect(by('gl_fabu').map((r: any) => r.status)).toEqual(['PENDING', 'PENDING']);
    const xm = await ok('approver-3502', `{ approvalInbox { totalCount } }`);
    expect(xm.approvalInbox.totalCount).toBe(0);
  });

  it('a unit delegates; its approver and the delegate deciding the same request at once leave one decision', async () => {
    const reqs = await ok('approver', `query($id: ID!) { plan(id: $id) { approvalRequests { id status unit { id name } } } }`, { id: planId });
    const pending = reqs.plan.approvalRequests.filter((r: any) => r.status === 'PENDING');
    expect(pending.map((r: any) => r.unit.name).sort()).toEqual(['福州市人民政府', '鼓楼区人民政府']);
    const county = pending.find((r: any) => r.unit.name === '鼓楼区人民政府');
    const city = pending.find((r: any) => r.unit.name === '福州市人民政府');
    await ok('approver-gov350102', `mutation($u: ID!) { delegateApprovals(unitId: $u, delegateUsername: "approver-3501", reason: "区长外出期间由市里代签") { id } }`,
      { u: county.unit.id });
    const q = `mutation($r: ID!) { decideApproval(input: { approvalRequestId: $r, decision: APPROVE, comment: "同意" }) { plan { status } approvals { byDelegation } } }`;
    const [a, b] = await Promise.all([as('approver-gov350102', q, { r: county.id }), as('approver-3501', q, { r: county.id })]);
    expect([a, b].filter((x) => !x.errors)).toHaveLength(1);
    expect([a, b].map(code).filter(Boolean)).toEqual(['CONFLICT']);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM plan_approvals WHERE request_id = $1`, [county.id]);
    expect(n).toBe(1);
    const last = await ok('approver-3501', q, { r: city.id });
    expect(last.decideApproval).toEqual({ plan: { status: 'APPROVED' }, approvals: [{ byDelegation: false }] });
  });

  let beforeExec: Awaited<ReturnType<typeof counts>>;
  let extraPosts = 0;
  let steps: any[];
  it('starts execution: steps per action type', async () => {
    beforeExec = await counts();
    expect(code(await as('approver', `mutation($id: ID!) { startExecution(id: $id) { status } }`, { id: planId }))).toBe('FORBIDDEN');
    const d = await ok('planner', `mutation($id: ID!) { startExecution(id: $id) { status steps { id kind status action { account { handle } } } } }`, { id: planId });
    expect(d.startExecution.status).toBe('EXECUTING');
    steps = d.startExecution.steps;
    // The fixture's world lives in mid-2024 (check date 2024-06-30): execution started on 2024-07-01, so that the
    // steps' dates below lie within the execution (an earlier date is refused).
    await db.ds.query(`UPDATE plans SET execution_started_at = '2024-07-01T09:00:00+08:00' WHERE id = $1`, [planId]);
    // The stop-update notice, as the account published it.
    await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, '2024-07-01T10:00:00+08:00', '关于「鼓楼普法」停止更新的公告', true, 80)`, [acc.gls_old]);
    const kinds = (h: string) => steps.filter((s) => s.action.account.handle === h).map((s) => s.kind);
    expect(kinds('gls_old')).toEqual(['NOTICE_PUBLISHED', 'CONTENT_MIGRATED', 'SERVICES_MIGRATED', 'DEREGISTERED', 'FILING_UPDATED']);
    expect(kinds('ga_bm')).toEqual(['CONTENT_MIGRATED', 'SERVICES_MIGRATED', 'FOLLOWERS_NOTIFIED', 'DEREGISTERED', 'FILING_UPDATED']);
    expect(kinds('gl_fabu')).toEqual(['RECTIFIED']);
    expect(kinds('sf_wb')).toEqual(['RENAMED']);
    expect(steps).toHaveLength(5 * 4 + 2);
  });

  const step = (h: string, kind: string) => steps.find((s) => s.action.account.handle === h && s.kind === kind).id;
  const confirm = (u: string, id: string, date: string, title?: string) =>
    as(u, `mutation($s: ID!, $d: String, $t: String) { confirmStep(stepId: $s, date: $d, evidenceTitle: $t) { status doneOn movedPosts movedServices } }`, { s: id, d: date, t: title });

  it('a shutdown: notice, migration, deregistration only after 15 working days', async () => {
    expect(code(await confirm('approver-3502', step('gls_old', 'NOTICE_PUBLISHED'), '2024-07-01'))).toBe('FORBIDDEN');
    expect(code(await confirm('planner', step('gls_old', 'NOTICE_PUBLISHED'), '2024-07-01'))).toBe('FORBIDDEN');
    // The city sees the county bureau's account but does not sign for it.
    expect(code(await confirm('approver-3501', step('gls_old', 'NOTICE_PUBLISHED'), '2024-07-01'))).toBe('FORBIDDEN');
    // The notice is confirmed with its evidence, matched against the account's posts.
    expect(code(await confirm('approver-sf350102', step('gls_old', 'NOTICE_PUBLISHED'), '2024-07-01'))).toBe('BAD_USER_INPUT');
    expect((await confirm('approver-sf350102', step('gls_old', 'NOTICE_PUBLISHED'), '2024-07-01', '停止更新的公告')).data.confirmStep.status).toBe('DONE');
    // During the notice period the account stays active: still inspected, still posting.
    const [s1] = await db.ds.query(`SELECT status FROM accounts WHERE id = $1`, [acc.gls_old]);
    expect(s1.status).toBe('active');
    // Deregistration before the content and services have moved is refused.
    expect(code(await confirm('approver-sf350102', step('gls_old', 'DEREGISTERED'), '2024-07-25'))).toBe('CONFLICT');
    const [srcBefore] = await db.ds.query(`SELECT (SELECT count(*) FROM posts WHERE account_id = $1)::int AS p, (SELECT count(*) FROM services WHERE account_id = $1)::int AS s`, [acc.gls_old]);
    expect(srcBefore).toEqual({ p: 4, s: 1 });
    const c = await confirm('approver-sf350102', step('gls_old', 'CONTENT_MIGRATED'), '2024-07-02');
    expect(c.data.confirmStep.movedPosts).toBe(4);
    // The account keeps posting during the notice period: deregistration moves that post too.
    await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, '2024-07-10T10:00:00+08:00', '本账号将于近期注销', true, 80)`, [acc.gls_old]);
    extraPosts = 2;
    const s = await confirm('approver-sf350102', step('gls_old', 'SERVICES_MIGRATED'), '2024-07-02');
    expect(s.data.confirmStep.movedServices).toBe(1);
    // 2024-07-19 is the 14th working day after Monday 2024-07-01: too early; 2024-07-22 is the 15th.
    const early = await as('approver-sf350102', `mutation($s: ID!) { confirmStep(stepId: $s, date: "2024-07-19") { status } }`, { s: step('gls_old', 'DEREGISTERED') });
    expect(code(early)).toBe('CONFLICT');
    expect(early.errors![0].extensions!.details).toMatchObject({ earliest: '2024-07-22', workingDaysPassed: 14, required: 15 });
    const pl = await ok('approver-sf350102', `query($id: ID!) { plan(id: $id) { steps { id earliestOn } } }`, { id: planId });
    expect(pl.plan.steps.find((x: any) => x.id === step('gls_old', 'DEREGISTERED')).earliestOn).toBe('2024-07-22');
    const dereg = await confirm('approver-sf350102', step('gls_old', 'DEREGISTERED'), '2024-07-22');
    expect(dereg.data.confirmStep).toMatchObject({ status: 'DONE', doneOn: '2024-07-22', movedPosts: 1, movedServices: 0 });
    expect((await confirm('approver-sf350102', step('gls_old', 'FILING_UPDATED'), '2024-07-23')).data.confirmStep.status).toBe('DONE');
    const [a] = await db.ds.query(`SELECT status, post_count, last_post_at FROM accounts WHERE id = $1`, [acc.gls_old]);
    expect(a).toEqual({ status: 'closed', post_count: 0, last_post_at: null });
    const hist = await db.ds.query(`SELECT from_status, to_status, source FROM account_status_history WHERE account_id = $1 ORDER BY id`, [acc.gls_old]);
    expect(hist).toEqual([{ from_status: 'active', to_status: 'closed', source: 'plan' }]);
    const moved = await db.ds.query(`SELECT account_id, origin_account_id FROM posts WHERE origin_account_id = $1`, [acc.gls_old]);
    expect(moved).toHaveLength(5);
    expect(moved.every((m: any) => m.account_id === acc.gl_web)).toBe(true);
    const [svc] = await db.ds.query(`SELECT account_id, origin_account_id, name FROM services WHERE origin_account_id = $1`, [acc.gls_old]);
    expect(svc).toEqual({ account_id: acc.gls_main, origin_account_id: acc.gls_old, name: '法律援助预约' });
  });

  it('merges, rename and rectification: services and posts move, nothing is lost; the plan completes', async () => {
    const [mainBefore] = await db.ds.query(`SELECT post_count FROM accounts WHERE id = $1`, [acc.ga_main]);
    for (const [u, h] of [['approver-ga3501', 'ga_bm'], ['approver-ga3501', 'ga_old'], ['approver-jy3502', 'jy_2']]) {
      for (const [k, date] of [['CONTENT_MIGRATED', '2024-07-02'], ['SERVICES_MIGRATED', '2024-07-02'], ['FOLLOWERS_NOTIFIED', '2024-07-03'],
        ['DEREGISTERED', '2024-07-04'], ['FILING_UPDATED', '2024-07-05']]) {
        const r = await confirm(u, step(h, k), date);
        expect(r.errors, `${h} ${k}`).toBeUndefined();
      }
    }
    expect((await confirm('approver-sf3501', step('sf_wb', 'RENAMED'), '2024-07-03')).errors).toBeUndefined();
    const [renamed] = await db.ds.query(`SELECT name FROM accounts WHERE id = $1`, [acc.sf_wb]);
    expect(renamed.name).toBe('福州市司法局');
    // The county government's step, confirmed by the city approver it delegated to.
    expect(code(await as('approver', `mutation($s: ID!) { confirmStep(stepId: $s, date: "2024-07-10") { status } }`, { s: step('gl_fabu', 'RECTIFIED') }))).toBe('FORBIDDEN');
    // No detection run since execution started shows the cited findings resolved: refused without a recorded reason.
    expect(code(await as('approver-3501', `mutation($s: ID!) { confirmStep(stepId: $s, date: "2024-07-10") { status } }`, { s: step('gl_fabu', 'RECTIFIED') }))).toBe('CONFLICT');
    const last = await ok('approver-3501', `mutation($s: ID!) { confirmStep(stepId: $s, date: "2024-07-10", note: "已整改",
      overrideReason: "已恢复每周更新，下次检查核实") { status byDelegation confirmedUnit { name } } }`,
      { s: step('gl_fabu', 'RECTIFIED') });
    expect(last.confirmStep).toEqual({ status: 'DONE', byDelegation: true, confirmedUnit: { name: '鼓楼区人民政府' } });

    const after = await counts();
    // Nothing lost: the only extra post is the one published during the notice period.
    expect(after.posts).toBe(beforeExec.posts + extraPosts);
    expect(after.services).toBe(beforeExec.services);
    // ga_main received ga_bm's 4 posts and ga_old's 3 as an archive: its own post count is unchanged. The service
    // equal to one of its own was merged into it (the row records the origin, and is not listed twice).
    const [main] = await db.ds.query(`SELECT post_count, (SELECT count(*)::int FROM posts WHERE account_id = $1) AS archive FROM accounts WHERE id = $1`, [acc.ga_main]);
    expect(main.post_count).toBe(mainBefore.post_count);
    expect(main.archive).toBe(mainBefore.post_count + 7);
    const svcs = await db.ds.query(`SELECT name, origin_account_id, merged_into_id IS NOT NULL AS merged FROM services WHERE account_id = $1 ORDER BY id`, [acc.ga_main]);
    expect(svcs.map((s: any) => s.name)).toEqual(['户籍查询', '出入境预约', '交通违法查询', '户籍查询（原福州公安便民）']);
    expect(svcs.map((s: any) => s.merged)).toEqual([false, false, false, true]);
    const left = await db.ds.query(`SELECT count(*)::int AS n FROM posts WHERE account_id = ANY($1::int[])`, [[acc.ga_bm, acc.ga_old, acc.jy_2, acc.gls_old]]);
    expect(left[0].n).toBe(0);
    const closed = await db.ds.query(`SELECT count(*)::int AS n FROM accounts WHERE status = 'closed' AND id = ANY($1::int[])`, [[acc.ga_bm, acc.ga_old, acc.jy_2, acc.gls_old]]);
    expect(closed[0].n).toBe(4);
    const p = await ok('planner', `query($id: ID!) { plan(id: $id) { status completedAt viewerCanEdit scopeName } }`, { id: planId });
    expect(p.plan).toMatchObject({ status: 'COMPLETED', viewerCanEdit: false, scopeName: '福建省' });
    // Closed accounts are released: another plan may now be drafted without them being "in another open plan".
    const [{ claimed }] = await db.ds.query(`SELECT count(*)::int AS claimed FROM plan_actions WHERE claimed`);
    expect(claimed).toBe(0);
  });

  it('the audit trail tells the whole story, readable by the auditor', async () => {
    const events: any[] = [];
    for (let after: string | null = null; ;) {
      const d = await ok('auditor', `query($id: ID!, $after: String) { auditEvents(first: 100, after: $after, filter: { planId: $id }) {
        pageInfo { hasNextPage endCursor } edges { node { action actorName comment } } } }`, { id: planId, after });
      events.push(...d.auditEvents.edges.map((e: any) => e.node));
      if (!d.auditEvents.pageInfo.hasNextPage) break;
      after = d.auditEvents.pageInfo.endCursor;
    }
    const actions = events.map((e) => e.action).reverse();
    const order = ['PLAN_DRAFTED_FROM_FINDINGS', 'PLAN_ACTION_REMOVED', 'PLAN_ACTION_ADDED', 'PLAN_SUBMITTED', 'APPROVAL_REQUESTED',
      'ACTION_APPROVED', 'ACTION_CHANGES_REQUESTED', 'PLAN_CHANGES_REQUESTED', 'PLAN_ACTION_UPDATED', 'PLAN_RESUBMITTED', 'PLAN_APPROVED',
      'PLAN_EXECUTION_STARTED', 'STEP_CONFIRMED', 'ACCOUNT_STATUS_CHANGED', 'POSTS_MIGRATED', 'SERVICES_MIGRATED', 'ACCOUNT_RENAMED', 'PLAN_COMPLETED'];
    let at = -1;
    for (const a of order) {
      const i = actions.indexOf(a, at + 1);
      expect(i, `${a} after index ${at}`).toBeGreaterThan(at);
      at = i;
    }
    expect(events.find((e: any) => e.action === 'ACTION_CHANGES_REQUESTED')).toMatchObject({ actorName: 'approver-3501', comment: '整改要求须写明：每周至少更新一次，并开通留言' });
    // The account's own history: which plan closed it, who approved, who confirmed.
    const h = await ok('auditor', `query($a: ID!) { account(id: $a) { status plans { id status } } accountTimeline(accountId: $a) { kind auditEvent { action actorName } } }`,
      { a: String(acc.gls_old) });
    expect(h.account.plans).toEqual([{ id: planId, status: 'COMPLETED' }]);
    const tl = h.accountTimeline.filter((t: any) => t.auditEvent).map((t: any) => `${t.auditEvent.action}:${t.auditEvent.actorName}`);
    expect(tl).toContain('ACTION_APPROVED:approver-3501');
    expect(tl).toContain('STEP_CONFIRMED:approver-sf350102');
    // The auditor changes nothing.
    expect(code(await as('auditor', `mutation { createPlan(input: { title: "x", regionCode: "35" }) { id } }`))).toBe('FORBIDDEN');
  });
});
