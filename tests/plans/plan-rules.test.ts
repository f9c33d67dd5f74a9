import { createSystemContext } from '../../server/kernel/context';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeUser, type TestUser } from '../support/auth';
import { makeAccounts } from '../support/factories';
import { AccountStatus, Platform, Role } from '../../server/common/enums';
import { runDetection } from '../../server/detection/detection.service';
import { getPlanPolicy, setPlanPolicy } from '../../server/plans/plan-policy';
import { addWorkingDays, workingDaysBetween } from '../../server/kernel/dates';
import { makePlanWorld, D } from './fixture';

/**
 * Validation errors and warnings one by one, role and scope boundaries, and "bad input changes nothing",
 * through the resolver harness (the full path over HTTP is in plan-workflow.http.test.ts).
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let acc: Record<string, number>;
const u: Record<string, TestUser> = {};

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  ({ accounts: acc } = await makePlanWorld(db.ds));
  Object.assign(acc, await makeAccounts(db.ds, [
    { unit: 'ga3501', handle: 'ga_closed', name: '福州公安已注销', status: AccountStatus.CLOSED, followers: 10 },
    { unit: 'ga3501', handle: 'ga_wb', name: '福州公安', platform: Platform.WEIBO, isMain: true, followers: 50_000 },
  ]));
  await runDetection(createSystemContext(db.ds), { asOf: D });
  u.planner = await makeUser(db.ds, { username: 'planner', role: Role.PLANNER, unit: 'gov35' });
  u.plannerFz = await makeUser(db.ds, { username: 'planner-fz', role: Role.PLANNER, unit: 'gov3501' });
  u.approver = await makeUser(db.ds, { username: 'approver', role: Role.APPROVER, unit: 'gov35' });
  u.approverXm = await makeUser(db.ds, { username: 'approver-xm', role: Role.APPROVER, unit: 'gov3502' });
  u.approverFz = await makeUser(db.ds, { username: 'approver-fz', role: Role.APPROVER, unit: 'gov3501' });
  u.auditor = await makeUser(db.ds, { username: 'auditor', role: Role.AUDITOR, unit: 'gov35' });
});

afterAll(async () => {
  setPlanPolicy();
  await gql?.stop();
  await db?.close();
});

afterEach(() => {
  setPlanPolicy();
});

type Gql = Awaited<ReturnType<typeof gql.exec>>;
const code = (r: Gql) => r.errors?.[0]?.extensions?.code;
async function ok(user: TestUser, query: string, variables?: Record<string, unknown>) {
  const r = await gql.exec(query, variables, user.session);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!;
}

async function tableCounts() {
  const [row] = await db.ds.query(`SELECT (SELECT count(*) FROM plans)::int AS plans, (SELECT count(*) FROM plan_actions)::int AS actions,
    (SELECT count(*) FROM plan_action_findings)::int AS citations, (SELECT count(*) FROM audit_events)::int AS audit,
    (SELECT count(*) FROM plan_approval_requests)::int AS requests, (SELECT sum(version)::int FROM plans) AS versions`);
  return row;
}

async function newPlan(user: TestUser = u.planner, scope: Record<string, string> = { regionCode: '35' }): Promise<string> {
  const d = await ok(user, `mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }`, { i: { title: '测试方案', ...scope } });
  return d.createPlan.id;
}

/**
 * Adds an action. Closing actions carry an override reason unless the input says otherwise (`overrideReason: null`):
 * several fixture accounts are protected (protected-accounts.test.ts covers that), and these tests are about other rules.
 */
async function add(planId: string, input: Record<string, unknown>, user: TestUser = u.planner) {
  const closing = input.type === 'MERGE' || input.type === 'SHUTDOWN';
  const i = closing && !('overrideReason' in input) ? { ...input, overrideReason: '测试：已书面说明理由' } : input;
  return gql.exec(`mutation($p: ID!, $i: AddActionInput!) { addAction(planId: $p, input: $i) { id contentTarget { handle } } }`,
    { p: planId, i }, user.session);
}
const id = (h: string) => String(acc[h]);

async function issues(planId: string) {
  const d = await ok(u.planner, `mutation($id: ID!) { validatePlan(id: $id) { valid errors { code actionId accountId message } warnings { code actionId accountId message } } }`, { id: planId });
  const v = d.validatePlan as { valid: boolean; errors: { code: string; actionId: string; accountId: string; message: string }[];
    warnings: { code: string; actionId: string; accountId: string; message: string }[] };
  // Overridden protections (the reason `add` records) are not what these tests look at.
  return { ...v, warnings: v.warnings.filter((w) => w.code !== 'PROTECTED_OVERRIDDEN') };
}

describe('validation errors, each naming the action and the reason', () => {
  it('EMPTY_PLAN', async () => {
    const v = await issues(await newPlan());
    expect(v.valid).toBe(false);
    expect(v.errors.map((e) => [e.code, e.actionId])).toEqual([['EMPTY_PLAN', null]]);
  });

  it('SOURCE_CLOSED, TARGET_INACTIVE', async () => {
    const p = await newPlan();
    const a1 = (await add(p, { type: 'RENAME', accountId: id('ga_closed'), newName: '福州公安' })).data!.addAction.id;
    const a2 = (await add(p, { type: 'MERGE', accountId: id('ga_bm'), targetAccountId: id('ga_closed') })).data!.addAction.id;
    const v = await issues(p);
    expect(v.errors.map((e) => [e.code, e.actionId])).toEqual([['SOURCE_CLOSED', a1], ['TARGET_INACTIVE', a2]]);
    expect(v.errors[1].message).toContain('福州公安已注销');
    await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: p });
  });

  it('DUPLICATE_ACCOUNT and ACCOUNT_IN_OTHER_PLAN', async () => {
    const p = await newPlan();
    const a1 = (await add(p, { type: 'KEEP', accountId: id('jy_2'), rectification: '整改' })).data!.addAction.id;
    const a2 = (await add(p, { type: 'MERGE', accountId: id('jy_2'), targetAccountId: id('jy_main') })).data!.addAction.id;
    const other = await newPlan();
    const a3 = (await add(other, { type: 'SHUTDOWN', accountId: id('jy_2'), serviceTargetAccountId: id('jy_main') })).data!.addAction.id;
    const v = await issues(p);
    expect(v.errors.filter((e) => e.code === 'DUPLICATE_ACCOUNT').map((e) => e.actionId)).toEqual([a1, a2]);
    expect(v.errors.filter((e) => e.code === 'ACCOUNT_IN_OTHER_PLAN').map((e) => e.actionId)).toEqual([a1, a2]);
    expect((await issues(other)).errors.map((e) => [e.code, e.actionId])).toEqual([['ACCOUNT_IN_OTHER_PLAN', a3], ['ACCOUNT_IN_OTHER_PLAN', a3]]);
    for (const plan of [p, other]) await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: plan });
  });

  it('TARGET_CLOSING, TARGET_MERGING_AWAY (names the final target), TARGET_CYCLE', async () => {
    const p = await newPlan();
    // ga_old → ga_bm, ga_bm → ga_main: ga_old's target merges away; final target ga_main.
    const a1 = (await add(p, { type: 'MERGE', accountId: id('ga_old'), targetAccountId: id('ga_bm') })).data!.addAction.id;
    await add(p, { type: 'MERGE', accountId: id('ga_bm'), targetAccountId: id('ga_main') });
    // jy_2 → jy_main while jy_main shuts down.
    const a3 = (await add(p, { type: 'MERGE', accountId: id('jy_2'), targetAccountId: id('jy_main') })).data!.addAction.id;
    await add(p, { type: 'SHUTDOWN', accountId: id('jy_main'), serviceTargetAccountId: id('xm_fabu') });
    // sf_wx → sf_wb and sf_wb → sf_wx: a cycle.
    const a5 = (await add(p, { type: 'MERGE', accountId: id('sf_wx'), targetAccountId: id('sf_wb') })).data!.addAction.id;
    const a6 = (await add(p, { type: 'MERGE', accountId: id('sf_wb'), targetAccountId: id('sf_wx') })).data!.addAction.id;
    const v = await issues(p);
    const away = v.errors.find((e) => e.code === 'TARGET_MERGING_AWAY')!;
    expect(away.actionId).toBe(a1);
    expect(away.message).toContain('福州公安」');
    expect(v.errors.filter((e) => e.code === 'TARGET_CLOSING').map((e) => e.actionId)).toEqual([a3]);
    expect(v.errors.filter((e) => e.code === 'TARGET_CYCLE').map((e) => e.actionId)).toEqual([a5, a6]);
    await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: p });
  });

  it('SERVICE_NO_DESTINATION and CONTENT_NO_DESTINATION', async () => {
    const p = await newPlan();
    const a = (await add(p, { type: 'SHUTDOWN', accountId: id('jy_2') })).data!.addAction;
    expect(a.contentTarget).toEqual({ handle: 'xm_web' });
    let v = await issues(p);
    expect(v.errors.map((e) => [e.code, e.actionId])).toEqual([['SERVICE_NO_DESTINATION', a.id]]);
    expect(v.errors[0].message).toContain('1 项办事服务');
    await ok(u.planner, `mutation($a: ID!) { updateAction(actionId: $a, input: { contentTargetAccountId: null, serviceTargetAccountId: "${acc.jy_main}" }) { id } }`, { a: a.id });
    v = await issues(p);
    expect(v.errors.map((e) => [e.code, e.actionId])).toEqual([['CONTENT_NO_DESTINATION', a.id]]);
    // Impact shows what would be lost.
    const imp = await ok(u.planner, `query($id: ID!) { plan(id: $id) { impact { servicesBefore servicesKept postsBefore postsKept } } }`, { id: p });
    expect(imp.plan.impact.servicesKept).toBe(imp.plan.impact.servicesBefore);
    expect(imp.plan.impact.postsBefore - imp.plan.impact.postsKept).toBe(3);
    await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: p });
  });

  it('OUT_OF_SCOPE: an account outside the plan scope', async () => {
    const p = await newPlan(u.planner, { regionCode: '3501' });
    const a = (await add(p, { type: 'KEEP', accountId: id('jy_2'), rectification: '整改' })).data!.addAction.id;
    const v = await issues(p);
    expect(v.errors.map((e) => [e.code, e.actionId])).toEqual([['OUT_OF_SCOPE', a]]);
    expect(v.errors[0].message).toContain('福州市');
    await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: p });
  });

  it('LAST_ACCOUNT: a county government keeps at least one account', async () => {
    const p = await newPlan();
    const a = (await add(p, { type: 'SHUTDOWN', accountId: id('gl_fabu') })).data!.addAction.id;
    expect((await issues(p)).errors.map((e) => [e.code, e.actionId])).toEqual([['LAST_ACCOUNT', a]]);
    // A department (not a government) may lose its last account.
    const q = await newPlan();
    await add(q, { type: 'SHUTDOWN', accountId: id('sf_wb') });
    await add(q, { type: 'MERGE', accountId: id('sf_wx'), targetAccountId: id('fz_fabu') });
    expect((await issues(q)).errors).toEqual([]);
    for (const plan of [p, q]) await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: plan });
  });
});

describe('validation warnings (thresholds configurable)', () => {
  it('CROSS_PLATFORM, TARGET_NOT_MAIN, MANY_FOLLOWERS, MANY_SERVICES, NAME_UNCHANGED', async () => {
    const p = await newPlan();
    // sf_wb (Weibo) → its government's WeChat account; ga_old → ga_bm (same unit, not the main account).
    const a1 = (await add(p, { type: 'MERGE', accountId: id('sf_wb'), targetAccountId: id('fz_fabu') })).data!.addAction.id;
    const a1b = (await add(p, { type: 'MERGE', accountId: id('ga_old'), targetAccountId: id('ga_bm') })).data!.addAction.id;
    const a2 = (await add(p, { type: 'RENAME', accountId: id('fz_fabu'), newName: '福州发布' })).data!.addAction.id;
    const a3 = (await add(p, { type: 'SHUTDOWN', accountId: id('jy_2'), serviceTargetAccountId: id('jy_main') })).data!.addAction.id;
    let v = await issues(p);
    expect(v.errors).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.warnings.map((w) => [w.code, w.actionId])).toEqual([
      ['CROSS_PLATFORM', a1], ['TARGET_NOT_MAIN', a1b], ['NAME_UNCHANGED', a2],
    ]);
    setPlanPolicy({ warnFollowers: 10_000, warnServices: 1 });
    v = await issues(p);
    expect(v.warnings.filter((w) => w.code === 'MANY_FOLLOWERS').map((w) => w.actionId)).toEqual([a1, a3]);
    expect(v.warnings.filter((w) => w.code === 'MANY_SERVICES').map((w) => w.actionId)).toEqual([a3]);
    await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: p });
  });
});

describe('roles and scope', () => {
  it('auditors and approvers cannot author; auditors read', async () => {
    const p = await newPlan();
    for (const user of [u.auditor, u.approver]) {
      const before = await tableCounts();
      expect(code(await gql.exec(`mutation { createPlan(input: { title: "x", regionCode: "35" }) { id } }`, {}, user.session))).toBe('FORBIDDEN');
      expect(code(await add(p, { type: 'KEEP', accountId: id('jy_2'), rectification: '整改' }, user))).toBe('FORBIDDEN');
      expect(code(await gql.exec(`mutation($id: ID!) { submitPlan(id: $id) { id } }`, { id: p }, user.session))).toBe('FORBIDDEN');
      expect(await tableCounts()).toEqual(before);
    }
    const read = await ok(u.auditor, `query($id: ID!) { plan(id: $id) { title authorName viewerCanEdit } }`, { id: p });
    expect(read.plan).toEqual({ title: '测试方案', authorName: 'planner', viewerCanEdit: false });
    expect((await ok(u.planner, `query($id: ID!) { plan(id: $id) { viewerCanEdit } }`, { id: p })).plan.viewerCanEdit).toBe(true);
  });

  it('a city planner drafts within the city only', async () => {
    const before = await tableCounts();
    expect(code(await gql.exec(`mutation { createPlan(input: { title: "x", regionCode: "35" }) { id } }`, {}, u.plannerFz.session))).toBe('FORBIDDEN');
    expect(code(await gql.exec(`mutation { draftPlanFromFindings(input: { regionCode: "3502" }) { actionCount } }`, {}, u.plannerFz.session))).toBe('FORBIDDEN');
    expect(await tableCounts()).toEqual(before);
    const p = await newPlan(u.plannerFz, { regionCode: '3501' });
    // Xiamen's accounts are not even visible to a Fuzhou planner.
    expect(code(await add(p, { type: 'KEEP', accountId: id('jy_2'), rectification: '整改' }, u.plannerFz))).toBe('NOT_FOUND');
    // A province plan overlaps the city: visible, but not the city planner's to edit.
    const prov = await newPlan();
    expect((await ok(u.plannerFz, `query($id: ID!) { plan(id: $id) { id } }`, { id: prov })).plan.id).toBe(prov);
    expect(code(await add(prov, { type: 'KEEP', accountId: id('sf_wb'), rectification: '整改' }, u.plannerFz))).toBe('FORBIDDEN');
    // A Xiamen approver does not see a Fuzhou plan at all.
    expect(code(await gql.exec(`query($id: ID!) { plan(id: $id) { id } }`, { id: p }, u.approverXm.session))).toBe('NOT_FOUND');
    const list = await ok(u.approverXm, `{ plans(filter: { status: [DRAFT] }) { edges { node { id } } } }`);
    expect(list.plans.edges.map((e: any) => e.node.id)).not.toContain(p);
  });

  it('draft from findings lists only open findings of the region; unknown findings are refused', async () => {
    const before = await tableCounts();
    const r = await gql.exec(`mutation { draftPlanFromFindings(input: { regionCode: "3502", findingIds: ["1", "99999"] }) { actionCount } }`, {}, u.planner.session);
    expect(code(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toContain('99999');
    expect(await tableCounts()).toEqual(before);
    const [jy] = await db.ds.query(`SELECT id FROM findings WHERE rule = 'REDUNDANT_SAME_PLATFORM' AND unit_id = (SELECT id FROM units WHERE code = 'jy3502')`);
    const d = await ok(u.planner, `mutation($f: [ID!]) { draftPlanFromFindings(input: { regionCode: "3502", findingIds: $f }) { actionCount
      plan { id actions { type account { handle } target { handle } findingIds rectification protectedReasons } } } }`, { f: [String(jy.id)] });
    // jy_2 carries a service (学位申请): protected, so the draft keeps it with the finding to rectify instead of merging it.
    const [action] = d.draftPlanFromFindings.plan.actions;
    expect(d.draftPlanFromFindings.plan.actions).toHaveLength(1);
    expect(action).toMatchObject({ type: 'KEEP', account: { handle: 'jy_2' }, target: null, findingIds: [String(jy.id)], protectedReasons: ['提供 1 项办事服务'] });
    expect(action.rectification).toContain('受保护账号');
    await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: d.draftPlanFromFindings.plan.id });
  });
});

describe('bad input changes nothing', () => {
  it('invalid actions, ids, findings and inputs are refused with typed errors and no writes', async () => {
    const p = await newPlan();
    const before = await tableCounts();
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'MERGE', accountId: id('ga_bm') }, 'BAD_USER_INPUT'],
      [{ type: 'MERGE', accountId: id('ga_bm'), targetAccountId: id('ga_bm') }, 'BAD_USER_INPUT'],
      [{ type: 'KEEP', accountId: id('ga_bm'), rectification: '   ' }, 'BAD_USER_INPUT'],
      [{ type: 'RENAME', accountId: id('ga_bm') }, 'BAD_USER_INPUT'],
      [{ type: 'RENAME', accountId: id('ga_bm'), newName: '新名', targetAccountId: id('ga_main') }, 'BAD_USER_INPUT'],
      [{ type: 'KEEP', accountId: '999999', rectification: '整改' }, 'NOT_FOUND'],
      [{ type: 'KEEP', accountId: 'abc', rectification: '整改' }, 'BAD_USER_INPUT'],
      [{ type: 'MERGE', accountId: id('ga_bm'), targetAccountId: '999999' }, 'NOT_FOUND'],
      [{ type: 'KEEP', accountId: id('ga_bm'), rectification: '整改', findingIds: ['999999'] }, 'BAD_USER_INPUT'],
      [{ type: 'KEEP', accountId: id('ga_bm'), rectification: 'x'.repeat(2001) }, 'BAD_USER_INPUT'],
    ];
    for (const [input, expected] of cases) {
      const r = await add(p, input);
      expect(code(r), JSON.stringify(input)).toBe(expected);
      expect(r.errors![0].message).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(code(await gql.exec(`mutation { createPlan(input: { title: "x", regionCode: "35", unitId: "1" }) { id } }`, {}, u.planner.session))).toBe('BAD_USER_INPUT');
    expect(code(await gql.exec(`mutation { createPlan(input: { title: "", regionCode: "35" }) { id } }`, {}, u.planner.session))).toBe('BAD_USER_INPUT');
    expect(code(await gql.exec(`mutation { createPlan(input: { title: "x", regionCode: "99" }) { id } }`, {}, u.planner.session))).toBe('NOT_FOUND');
    expect(code(await gql.exec(`mutation { removeAction(actionId: "999999") { id } }`, {}, u.planner.session))).toBe('NOT_FOUND');
    expect(code(await gql.exec(`mutation($d: String) { confirmStep(stepId: "1", date: $d) { id } }`, { d: '2024-02-30' }, u.approver.session))).toBe('BAD_USER_INPUT');
    expect(code(await gql.exec(`mutation($d: String) { confirmStep(stepId: "999999", date: $d) { id } }`, { d: '2099-01-01' }, u.approver.session))).toBe('BAD_USER_INPUT');
    expect(code(await gql.exec(`mutation { decideApproval(input: { decision: APPROVE }) { plan { id } } }`, {}, u.approver.session))).toBe('BAD_USER_INPUT');
    expect(await tableCounts()).toEqual(before);
  });
});

describe('claims, withdrawal, rejection', () => {
  it('an account can belong to one open plan: a submitted plan blocks another; withdrawing releases it', async () => {
    const a = await newPlan();
    await add(a, { type: 'MERGE', accountId: id('jy_2'), targetAccountId: id('jy_main') });
    const b = await newPlan();
    await add(b, { type: 'KEEP', accountId: id('jy_2'), rectification: '整改' });
    await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: b });
    await ok(u.planner, `mutation($id: ID!) { submitPlan(id: $id) { status } }`, { id: a });
    const c = await newPlan();
    const ca = (await add(c, { type: 'KEEP', accountId: id('jy_2'), rectification: '整改' })).data!.addAction.id;
    expect((await issues(c)).errors.map((e) => [e.code, e.actionId])).toEqual([['ACCOUNT_IN_OTHER_PLAN', ca]]);
    // Even bypassing validation, the database refuses a second claim (partial unique index).
    await expect(db.ds.query(`UPDATE plan_actions SET claimed = true WHERE id = $1`, [ca])).rejects.toThrow(/plan_actions_one_open_per_account_key/);
    // Rejection closes plan A (with a comment) and releases its accounts.
    const r = await gql.exec(`mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: REJECT, comment: "不同意合并" }) { plan { status } } }`,
      { a: (await ok(u.planner, `query($id: ID!) { plan(id: $id) { actions { id } } }`, { id: a })).plan.actions[0].id }, u.approverXm.session);
    expect(r.data!.decideApproval.plan.status).toBe('REJECTED');
    expect((await issues(c)).valid).toBe(true);
    expect(code(await gql.exec(`mutation($id: ID!) { submitPlan(id: $id) { id } }`, { id: a }, u.planner.session))).toBe('CONFLICT');
    await ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: c });
  });
});

describe('reads are batched', () => {
  it('a page of plans with actions, accounts, units, requests and steps costs a bounded number of statements', async () => {
    const q = `{ plans(first: 50) { totalCount edges { node { id title scopeRegion { name } revisions { number } approvals { id unit { name } }
      actions { type account { name unit { name } } target { name } serviceTarget { name } contentTarget { name } findingIds
        approvalRequests { status unit { name } canDecide } steps { kind } } } } } }`;
    const r = await gql.exec(q, {}, u.approver.session);
    expect(r.errors).toBeUndefined();
    const plans = r.data!.plans.edges.length;
    const actions = r.data!.plans.edges.reduce((n: number, e: any) => n + e.node.actions.length, 0);
    expect(plans).toBeGreaterThan(10);
    expect(actions).toBeGreaterThan(15);
    expect(r.sqlStatements).toBeLessThanOrEqual(16);
  });
});

describe('working days', () => {
  it('counts Monday–Friday, minus holidays, plus make-up working days', () => {
    expect(workingDaysBetween('2024-07-01', '2024-07-19', getPlanPolicy())).toBe(14);
    expect(addWorkingDays('2024-07-01', 15, getPlanPolicy())).toBe('2024-07-22');
    const p = { holidays: new Set(['2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-07']), extraWorkdays: new Set(['2024-10-12']) };
    // National Day week: 30 Sep is a working day, 1–7 Oct off, Saturday 12 Oct a make-up working day.
    expect(workingDaysBetween('2024-09-29', '2024-10-12', p)).toBe(1 + 4 + 1);
    expect(addWorkingDays('2024-09-27', 15, p)).toBe('2024-10-24');
  });
});
