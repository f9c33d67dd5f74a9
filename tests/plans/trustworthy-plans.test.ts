import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeUser, type TestUser } from '../support/auth';
import { makeAccounts, makePosts } from '../support/factories';
import { AccountType, Platform, Role } from '../../server/common/enums';
import { createSystemContext } from '../../server/kernel/context';
import { transaction } from '../../server/kernel/transaction';
import { todayInBeijing } from '../../server/kernel/dates';
import { runDetection } from '../../server/detection/detection.service';
import { movePosts } from '../../server/plans/moves';
import { D, daysBefore, makePlanWorld } from './fixture';

/**
 * Plans a planner can trust (issue 11), each case of the issue as a regression test on the plan world of fixture.ts:
 * protected accounts, sound merges, type-aware detection, activity that is the account's own, an honest procedure,
 * frozen impact, services merged rather than duplicated.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let acc: Record<string, number>;
const u: Record<string, TestUser> = {};
const approvers: TestUser[] = [];
const bj = (date: string) => `${date}T12:00:00+08:00`;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  ({ accounts: acc } = await makePlanWorld(db.ds));
  Object.assign(acc, await makeAccounts(db.ds, [
    // 泉港发布-like: a department account just under the former 100,000 warning, a zombie.
    { unit: 'sf350102', handle: 'qg_big', name: '鼓楼司法视频', platform: Platform.DOUYIN, followers: 96_167 },
    // Mini-programs: one offers services (no posts: not a zombie), one offers none (the finding).
    { unit: 'ga3501', handle: 'ga_mp', name: '福州公安办事', platform: Platform.MINIPROGRAM, type: AccountType.SERVICE, followers: 3000 },
    { unit: 'sf3501', handle: 'sf_mp', name: '福州司法小程序', platform: Platform.MINIPROGRAM, type: AccountType.SERVICE, followers: 200 },
    // 荔城公安-like: its last own post 20 days before D (a NO_UPDATE_14D veto); a sister account posting every week.
    { unit: 'jy3502', handle: 'lc_recv', name: '厦门教育视频', platform: Platform.DOUYIN, isMain: true, followers: 8000 },
    { unit: 'jy3502', handle: 'lc_src', name: '厦门教育快手', platform: Platform.KUAISHOU, isMain: true, followers: 900 },
  ]));
  await makePosts(db.ds, acc.qg_big, [bj('2023-10-01')]);
  await makePosts(db.ds, acc.lc_recv, Array.from({ length: 8 }, (_, i) => bj(daysBefore(20 + i * 7))), { reads: 5000 });
  await makePosts(db.ds, acc.lc_src, Array.from({ length: 12 }, (_, i) => bj(daysBefore(1 + i * 7))), { reads: 5000 });
  await db.ds.query(`INSERT INTO services (account_id, name, category) VALUES ($1, '户籍证明开具', '办理')`, [acc.ga_mp]);
  await runDetection(createSystemContext(db.ds), { asOf: D });
  u.planner = await makeUser(db.ds, { username: 'planner', role: Role.PLANNER, unit: 'gov35' });
  for (const unit of ['gov35', 'gov3501', 'gov3502', 'ga3501', 'sf3501', 'gov350102', 'sf350102', 'jy3502']) {
    approvers.push(await makeUser(db.ds, { username: `approver-${unit}`, role: Role.APPROVER, unit }));
  }
  u.ga = approvers.find((a) => a.username === 'approver-ga3501')!;
  u.gls = approvers.find((a) => a.username === 'approver-sf350102')!;
  u.jy = approvers.find((a) => a.username === 'approver-jy3502')!;
  u.gl = approvers.find((a) => a.username === 'approver-gov350102')!;
}, 120_000);

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

type Gql = Awaited<ReturnType<typeof gql.exec>>;
const code = (r: Gql) => r.errors?.[0]?.extensions?.code;
async function ok(user: TestUser, query: string, variables?: Record<string, unknown>) {
  const r = await gql.exec(query, variables, user.session);
  if (r.errors) throw new Error(`${user.username}: ${JSON.stringify(r.errors)}`);
  return r.data!;
}
const id = (h: string) => String(acc[h]);
async function newPlan(scope: Record<string, string> = { regionCode: '35' }) {
  return (await ok(u.planner, `mutation($i: CreatePlanInput!) { createPlan(input: $i) { id } }`, { i: { title: '可信方案', ...scope } })).createPlan.id as string;
}
async function add(planId: string, input: Record<string, unknown>) {
  return (await ok(u.planner, `mutation($p: ID!, $i: AddActionInput!) { addAction(planId: $p, input: $i) { id } }`, { p: planId, i: input })).addAction.id as string;
}
async function validate(planId: string) {
  return (await ok(u.planner, `mutation($id: ID!) { validatePlan(id: $id) { valid errors { code actionId message } warnings { code actionId message } } }`,
    { id: planId })).validatePlan as { valid: boolean; errors: { code: string; actionId: string; message: string }[]; warnings: { code: string; actionId: string; message: string }[] };
}
const withdraw = (planId: string) => ok(u.planner, `mutation($id: ID!) { withdrawPlan(id: $id) { status } }`, { id: planId });
async function openFinding(rule: string, handle: string) {
  const [f] = await db.ds.query(`SELECT id, status, evidence FROM findings WHERE rule = $1 AND account_id = $2`, [rule, acc[handle]]);
  return f as { id: number; status: string; evidence: Record<string, unknown> } | undefined;
}

describe('protected accounts', () => {
  it('the draft keeps a county government main account and an account above the follower threshold (96,167) instead of closing them', async () => {
    expect((await openFinding('ZOMBIE', 'gl_fabu'))?.status).toBe('open');
    expect((await openFinding('ZOMBIE', 'qg_big'))?.status).toBe('open');
    const d = await ok(u.planner, `mutation { draftPlanFromFindings(input: { regionCode: "350102" }) {
      plan { id actions { type account { handle } rectification protectedReasons } } } }`);
    const byHandle = new Map(d.draftPlanFromFindings.plan.actions.map((a: any) => [a.account.handle, a]));
    expect(byHandle.get('gl_fabu')).toMatchObject({ type: 'KEEP', protectedReasons: ['县级及以上政府「鼓楼区人民政府」在该平台的主账号'] });
    expect(byHandle.get('qg_big')).toMatchObject({ type: 'KEEP', protectedReasons: ['关注者 96167 人（保护阈值 50000）'] });
    expect((byHandle.get('qg_big') as any).rectification).toContain('恢复正常更新');
    // gls_old (a Weibo zombie) offers a service (法律援助预约): protected too.
    expect(byHandle.get('gls_old')).toMatchObject({ type: 'KEEP', protectedReasons: ['提供 1 项办事服务'] });
    expect([...byHandle.values()].filter((a: any) => a.type === 'SHUTDOWN' || a.type === 'MERGE')).toEqual([]);
    await withdraw(d.draftPlanFromFindings.plan.id);
  });

  it('closing one by hand is an error; with an override reason a warning that approvers see and the audit keeps', async () => {
    const p = await newPlan();
    const a = await add(p, { type: 'SHUTDOWN', accountId: id('gl_fabu') });
    let v = await validate(p);
    expect(v.errors.filter((e) => e.code === 'PROTECTED_ACCOUNT').map((e) => e.actionId)).toEqual([a]);
    expect(v.errors.find((e) => e.code === 'PROTECTED_ACCOUNT')!.message).toContain('受保护账号');
    await ok(u.planner, `mutation($a: ID!) { updateAction(actionId: $a, input: { overrideReason: "区政府已改用融媒体中心账号发布，经常务会议研究同意" }) { id } }`, { a });
    v = await validate(p);
    expect(v.errors.map((e) => e.code)).not.toContain('PROTECTED_ACCOUNT');
    expect(v.warnings.find((w) => w.code === 'PROTECTED_OVERRIDDEN')!.message).toContain('融媒体中心');
    const read = await ok(approvers[0], `query($id: ID!) { plan(id: $id) { actions { overrideReason protectedReasons } } }`, { id: p });
    expect(read.plan.actions[0].overrideReason).toContain('融媒体中心');
    const [ev] = await db.ds.query(`SELECT after FROM audit_events WHERE action = 'PLAN_ACTION_UPDATED' AND entity_id = $1`, [Number(a)]);
    expect(ev.after.overrideReason).toContain('融媒体中心');
    await withdraw(p);
  });
});

describe('sound merges', () => {
  it('a merge into an unrelated bureau (横向合并) is an error; into its government is fine', async () => {
    const p = await newPlan();
    const sideways = await add(p, { type: 'MERGE', accountId: id('ga_old'), targetAccountId: id('sf_wx') });
    const up = await add(p, { type: 'MERGE', accountId: id('sf_wb'), targetAccountId: id('fz_fabu') });
    const v = await validate(p);
    expect(v.errors.filter((e) => e.code === 'MERGE_SIDEWAYS').map((e) => e.actionId)).toEqual([sideways]);
    expect(v.errors.find((e) => e.code === 'MERGE_SIDEWAYS')!.message).toContain('横向合并');
    expect(v.errors.filter((e) => e.actionId === up)).toEqual([]);
    await withdraw(p);
  });

  it('content goes to a portal of the region or a region above: another account is an error', async () => {
    const p = await newPlan();
    const a = await add(p, { type: 'SHUTDOWN', accountId: id('ga_old'), contentTargetAccountId: id('fz_fabu') });
    expect((await validate(p)).errors.filter((e) => e.code === 'CONTENT_NOT_PORTAL').map((e) => e.actionId)).toEqual([a]);
    await withdraw(p);
  });
});

describe('type-aware detection', () => {
  it('a service mini-program is not a zombie or silent for not posting; one with no services is the finding', async () => {
    expect(await openFinding('ZOMBIE', 'ga_mp')).toBeUndefined();
    expect(await openFinding('NO_UPDATE_14D', 'ga_mp')).toBeUndefined();
    const f = await openFinding('ZOMBIE', 'sf_mp');
    expect(f?.status).toBe('open');
    expect(f?.evidence).toMatchObject({ basis: 'noServices', services: 0, serviceValued: true });
    expect(await openFinding('NO_UPDATE_14D', 'sf_mp')).toBeUndefined();
  });
});

describe('activity is the account\'s own', () => {
  it('after a content migration the receiving account keeps its findings (荔城公安): migrated posts are an archive', async () => {
    const veto = await openFinding('NO_UPDATE_14D', 'lc_recv');
    expect(veto?.status).toBe('open');
    const [before] = await db.ds.query(`SELECT last_post_at, post_count FROM accounts WHERE id = $1`, [acc.lc_recv]);
    await transaction(createSystemContext(db.ds), async (tx) => {
      await movePosts(tx, { id: acc.lc_src, name: '厦门教育快手', status: 'active' as never, unit_id: 0, unit_path: '', unit_name: '' }, acc.lc_recv);
    });
    const [after] = await db.ds.query(`SELECT last_post_at, post_count, (SELECT count(*)::int FROM posts WHERE account_id = $1) AS archive
      FROM accounts WHERE id = $1`, [acc.lc_recv]);
    expect(after.archive).toBe(20);
    expect(after.post_count).toBe(before.post_count);
    expect(after.last_post_at).toEqual(before.last_post_at);
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect((await openFinding('NO_UPDATE_14D', 'lc_recv'))?.status).toBe('open');
    const r = await ok(u.planner, `query($id: ID!) { account(id: $id) { stats { postsLast90Days postsTotal } } }`, { id: id('lc_recv') });
    expect(r.account.stats.postsTotal).toBe(8);
  });
});

/** Approves every request of the plan: each unit's approver decides its own. */
async function approveAll(planId: string) {
  const actions = (await ok(u.planner, `query($id: ID!) { plan(id: $id) { actions { id } } }`, { id: planId })).plan.actions as { id: string }[];
  for (const a of actions) {
    for (const ap of approvers) await gql.exec(`mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: APPROVE }) { plan { status } } }`, { a: a.id }, ap.session);
  }
}
const STEPS = `query($id: ID!) { plan(id: $id) { status actions { id account { handle } } steps { id kind status evidence overrideReason action { account { handle } } } } }`;
async function stepOf(planId: string, handle: string, kind: string): Promise<string> {
  const p = (await ok(u.planner, STEPS, { id: planId })).plan;
  return p.steps.find((s: any) => s.action.account.handle === handle && s.kind === kind).id;
}
const confirm = (user: TestUser, vars: Record<string, unknown>) => gql.exec(`mutation($s: ID!, $d: String, $u: String, $t: String, $o: String) {
  confirmStep(stepId: $s, date: $d, evidenceUrl: $u, evidenceTitle: $t, overrideReason: $o) { id status evidence overrideReason } }`, vars, user.session);

describe('an honest procedure, frozen impact, services merged', () => {
  let planId: string;
  const today = todayInBeijing();

  it('submission and each approval freeze the impact with their revision', async () => {
    planId = await newPlan();
    await add(planId, { type: 'SHUTDOWN', accountId: id('gls_old'), serviceTargetAccountId: id('gls_main'), overrideReason: '法律援助预约已并入区司法局主账号' });
    await add(planId, { type: 'MERGE', accountId: id('ga_bm'), targetAccountId: id('ga_main'), overrideReason: '便民服务统一由主账号提供' });
    await add(planId, { type: 'MERGE', accountId: id('ga_old'), targetAccountId: id('ga_main') });
    const [zombie] = await db.ds.query(`SELECT id FROM findings WHERE rule = 'ZOMBIE' AND account_id = $1`, [acc.gl_fabu]);
    await add(planId, { type: 'KEEP', accountId: id('gl_fabu'), rectification: '恢复更新', findingIds: [String(zombie.id)] });
    const v = await validate(planId);
    expect(v.errors).toEqual([]);
    await ok(u.planner, `mutation($id: ID!) { submitPlan(id: $id) { status } }`, { id: planId });
    const sub = (await ok(u.planner, `query($id: ID!) { plan(id: $id) { impact { revision frozenOn accountsBefore accountsAfter } revisions { number impact { accountsBefore accountsAfter } } } }`, { id: planId })).plan;
    expect(sub.impact).toMatchObject({ revision: 1, frozenOn: 'submitted' });
    expect(sub.revisions[0].impact.accountsBefore - sub.revisions[0].impact.accountsAfter).toBe(3);
    await approveAll(planId);
    const appr = (await ok(u.planner, `query($id: ID!) { plan(id: $id) { status impact { revision frozenOn accountsBefore } approvals { impact { revision accountsBefore } } } }`, { id: planId })).plan;
    expect(appr.status).toBe('APPROVED');
    expect(appr.impact).toMatchObject({ revision: 1, frozenOn: 'approve', accountsBefore: sub.impact.accountsBefore });
    expect(appr.approvals.every((a: any) => a.impact?.revision === 1)).toBe(true);
    await ok(u.planner, `mutation($id: ID!) { startExecution(id: $id) { status } }`, { id: planId });
  });

  it('the notice: evidence required, dated within the execution, matched against the account\'s posts; the account stays active', async () => {
    const s = await stepOf(planId, 'gls_old', 'NOTICE_PUBLISHED');
    expect(code(await confirm(u.gls, { s, d: today }))).toBe('BAD_USER_INPUT');
    // Dated before the execution started (the issue: a notice of 2026-09-01 for a plan of 2026-11-29).
    expect(code(await confirm(u.gls, { s, d: daysBefore(30, today), t: '停止更新的公告' }))).toBe('BAD_USER_INPUT');
    expect(code(await confirm(u.gls, { s, d: '2099-01-01', t: '停止更新的公告' }))).toBe('BAD_USER_INPUT');
    // The account has posts: the title must be one of them.
    const missing = await confirm(u.gls, { s, d: today, t: '停止更新的公告' });
    expect(code(missing)).toBe('CONFLICT');
    expect(missing.errors![0].message).toContain('找不到');
    await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, now(), '关于「鼓楼普法」停止更新的公告', true, 300)`, [acc.gls_old]);
    const done = await confirm(u.gls, { s, d: today, t: '停止更新的公告', u: 'https://weibo.com/glpf/notice' });
    expect(done.errors).toBeUndefined();
    expect(done.data!.confirmStep.evidence).toMatchObject({ title: '停止更新的公告', url: 'https://weibo.com/glpf/notice', matchedPost: { title: '关于「鼓楼普法」停止更新的公告' } });
    const [a] = await db.ds.query(`SELECT status FROM accounts WHERE id = $1`, [acc.gls_old]);
    expect(a.status).toBe('active');
    // Deregistered the same day: the notice period is not over.
    for (const k of ['CONTENT_MIGRATED', 'SERVICES_MIGRATED']) expect((await confirm(u.gls, { s: await stepOf(planId, 'gls_old', k), d: today })).errors).toBeUndefined();
    expect(code(await confirm(u.gls, { s: await stepOf(planId, 'gls_old', 'DEREGISTERED'), d: today }))).toBe('CONFLICT');
  });

  it('a merged account is not deregistered before its followers are told; equal services merge instead of doubling', async () => {
    for (const k of ['CONTENT_MIGRATED', 'SERVICES_MIGRATED']) expect((await confirm(u.ga, { s: await stepOf(planId, 'ga_bm', k), d: today })).errors).toBeUndefined();
    const early = await confirm(u.ga, { s: await stepOf(planId, 'ga_bm', 'DEREGISTERED'), d: today });
    expect(code(early)).toBe('CONFLICT');
    expect(early.errors![0].message).toContain('告知关注者');
    expect((await confirm(u.ga, { s: await stepOf(planId, 'ga_bm', 'FOLLOWERS_NOTIFIED'), d: today })).errors).toBeUndefined();
    expect((await confirm(u.ga, { s: await stepOf(planId, 'ga_bm', 'DEREGISTERED'), d: today })).errors).toBeUndefined();
    const listed = await ok(u.planner, `query($id: ID!) { account(id: $id) { services { name } } }`, { id: id('ga_main') });
    expect(listed.account.services.map((x: any) => x.name).sort()).toEqual(['交通违法查询', '出入境预约', '户籍查询'].sort());
    const [merged] = await db.ds.query(`SELECT origin_account_id, merged_into_id FROM services WHERE origin_account_id = $1 AND merged_into_id IS NOT NULL`, [acc.ga_bm]);
    expect(merged.origin_account_id).toBe(acc.ga_bm);
  });

  it('RECTIFIED needs a detection run after the step showing the cited findings resolved, or a recorded override', async () => {
    const s = await stepOf(planId, 'gl_fabu', 'RECTIFIED');
    const refused = await confirm(u.gl, { s, d: today });
    expect(code(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toContain('检查');
    // The account posts again (yesterday: a check looks at the account as it stood at the start of the check date);
    // today's detection run resolves the zombie finding.
    await makePosts(db.ds, acc.gl_fabu, [bj(daysBefore(1, today))]);
    await runDetection(createSystemContext(db.ds), { asOf: today });
    const done = await confirm(u.gl, { s, d: today });
    expect(done.errors).toBeUndefined();
    expect(done.data!.confirmStep.overrideReason).toBeNull();
    // The impact shown is still the one approvers approved.
    const p = (await ok(u.planner, `query($id: ID!) { plan(id: $id) { impact { frozenOn revision } } }`, { id: planId })).plan;
    expect(p.impact).toMatchObject({ frozenOn: 'approve', revision: 1 });
  });
});
