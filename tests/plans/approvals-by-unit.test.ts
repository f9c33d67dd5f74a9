import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { makeUser, type TestUser } from '../support/auth';
import { Role } from '../../server/common/enums';
import { makePlanWorld } from './fixture';

/**
 * Approvals by unit (issue 9): the scope is what a user may see, the unit is what they sign for. A request is decided
 * only by an approver of its unit or one the unit delegated to; the record says which unit and whether by delegation.
 * Every plan status change goes through the lifecycle table, and `availableTransitions` tells each role what it may do.
 *
 * One plan over Fujian with two KEEP actions: 福州公安便民 (福州市公安局, supervised by 福州市人民政府) and 鼓楼普法
 * (鼓楼区司法局, supervised by 鼓楼区人民政府) — four approval requests.
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let acc: Record<string, number>;
const u: Record<string, TestUser> = {};

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  ({ accounts: acc } = await makePlanWorld(db.ds));
  u.planner = await makeUser(db.ds, { username: 'planner', role: Role.PLANNER, unit: 'gov35' });
  u.auditor = await makeUser(db.ds, { username: 'auditor', role: Role.AUDITOR, unit: 'gov35' });
  u.admin = await makeUser(db.ds, { username: 'admin', role: Role.ADMIN, unit: null });
  u.prov = await makeUser(db.ds, { username: 'approver', role: Role.APPROVER, unit: 'gov35' });
  u.fz = await makeUser(db.ds, { username: 'approver-3501', role: Role.APPROVER, unit: 'gov3501' });
  u.ga = await makeUser(db.ds, { username: 'approver-ga3501', role: Role.APPROVER, unit: 'ga3501' });
  u.gl = await makeUser(db.ds, { username: 'approver-gov350102', role: Role.APPROVER, unit: 'gov350102' });
  u.gls = await makeUser(db.ds, { username: 'approver-sf350102', role: Role.APPROVER, unit: 'sf350102' });
});

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

/** Everything a decision, a transition or a confirmation writes. */
async function written() {
  const [row] = await db.ds.query(`SELECT (SELECT count(*) FROM plan_approvals)::int AS approvals, (SELECT count(*) FROM audit_events)::int AS audit,
    (SELECT string_agg(status, ',' ORDER BY id) FROM plan_approval_requests) AS requests,
    (SELECT string_agg(status || ':' || version, ',' ORDER BY id) FROM plans) AS plans,
    (SELECT string_agg(status, ',' ORDER BY id) FROM plan_steps) AS steps`);
  return row;
}

let planId: string;
const actionOf: Record<string, string> = {};
const requestOf: Record<string, string> = {};
const transitions = async (user: TestUser) =>
  (await ok(user, `query($id: ID!) { plan(id: $id) { availableTransitions } }`, { id: planId })).plan.availableTransitions;
const decide = (user: TestUser, input: Record<string, unknown>) => gql.exec(`mutation($i: DecideApprovalInput!) { decideApproval(input: $i) {
  plan { status } approvals { decision byDelegation unit { name } } } }`, { i: input }, user.session);

describe('approvals by unit', () => {
  it('a draft: the planner may submit or withdraw; nobody else may do anything', async () => {
    planId = (await ok(u.planner, `mutation { createPlan(input: { title: "按单位审批", regionCode: "35" }) { id } }`)).createPlan.id;
    for (const h of ['ga_bm', 'gls_old']) {
      const d = await ok(u.planner, `mutation($p: ID!, $a: ID!) { addAction(planId: $p, input: { type: KEEP, accountId: $a, rectification: "每周更新" }) { id } }`,
        { p: planId, a: String(acc[h]) });
      actionOf[h] = d.addAction.id;
    }
    expect(await transitions(u.planner)).toEqual(['SUBMIT', 'WITHDRAW']);
    for (const user of [u.auditor, u.prov, u.gls]) expect(await transitions(user)).toEqual([]);
    // A disallowed transition answers CONFLICT and changes nothing.
    const before = await written();
    expect(code(await gql.exec(`mutation($id: ID!) { startExecution(id: $id) { id } }`, { id: planId }, u.planner.session))).toBe('CONFLICT');
    expect(code(await gql.exec(`mutation($id: ID!) { startExecution(id: $id) { id } }`, { id: planId }, u.prov.session))).toBe('FORBIDDEN');
    expect(await written()).toEqual(before);
  });

  it('submitted: each request belongs to one unit; only that unit\'s approver has it in the inbox', async () => {
    const d = await ok(u.planner, `mutation($id: ID!) { submitPlan(id: $id) { status availableTransitions approvalRequests { id action { id } unit { name } } } }`, { id: planId });
    expect(d.submitPlan.status).toBe('SUBMITTED');
    expect(d.submitPlan.availableTransitions).toEqual(['WITHDRAW']);
    for (const r of d.submitPlan.approvalRequests) requestOf[r.unit.name] = r.id;
    expect(Object.keys(requestOf).sort()).toEqual(['福州市人民政府', '福州市公安局', '鼓楼区人民政府', '鼓楼区司法局'].sort());
    const inbox = async (user: TestUser) => (await ok(user, `{ approvalInbox { totalCount edges { node { unit { name } canDecide viewerSignsByDelegation } } } }`)).approvalInbox;
    expect((await inbox(u.prov)).totalCount).toBe(0);
    const fz = await inbox(u.fz);
    expect(fz.edges.map((e: any) => e.node)).toEqual([{ unit: { name: '福州市人民政府' }, canDecide: true, viewerSignsByDelegation: false }]);
    expect((await inbox(u.gls)).edges.map((e: any) => e.node.unit.name)).toEqual(['鼓楼区司法局']);
    expect(await transitions(u.gls)).toEqual(['REQUEST_CHANGES', 'REJECT']);
    expect(await transitions(u.prov)).toEqual([]);
    expect(await transitions(u.auditor)).toEqual([]);
  });

  it('(a) the provincial approver sees a county bureau\'s request but cannot decide it: FORBIDDEN, nothing written', async () => {
    const seen = await ok(u.prov, `query($id: ID!) { plan(id: $id) { approvalRequests { unit { name } canDecide } } }`, { id: planId });
    expect(seen.plan.approvalRequests).toHaveLength(4);
    expect(seen.plan.approvalRequests.every((r: any) => r.canDecide === false)).toBe(true);
    const before = await written();
    for (const decision of ['APPROVE', 'REJECT']) {
      const r = await decide(u.prov, { approvalRequestId: requestOf['鼓楼区司法局'], decision, comment: '省里统一审批' });
      expect(code(r)).toBe('FORBIDDEN');
      expect(r.errors![0].message).toContain('鼓楼区司法局');
      expect(code(await decide(u.prov, { actionId: actionOf.gls_old, decision, comment: '省里统一审批' }))).toBe('FORBIDDEN');
    }
    expect(await written()).toEqual(before);
  });

  it('(b) a city approver signs for the city government only, never as another unit', async () => {
    const before = await written();
    expect(code(await decide(u.fz, { approvalRequestId: requestOf['福州市公安局'], decision: 'APPROVE' }))).toBe('FORBIDDEN');
    expect(code(await decide(u.fz, { actionId: actionOf.gls_old, decision: 'APPROVE' }))).toBe('FORBIDDEN');
    expect(await written()).toEqual(before);
    // By action: only the request of the unit they sign for is decided (not 福州市公安局's).
    const r = await decide(u.fz, { actionId: actionOf.ga_bm, decision: 'APPROVE' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.decideApproval).toEqual({ plan: { status: 'SUBMITTED' }, approvals: [{ decision: 'APPROVE', byDelegation: false, unit: { name: '福州市人民政府' } }] });
    const [row] = await db.ds.query(`SELECT count(*)::int AS n FROM plan_approval_requests WHERE status = 'pending'`);
    expect(row.n).toBe(3);
  });

  it('(c) a unit delegates to another approver, who decides for it; the record says so', async () => {
    const grant = `mutation($u: ID!, $d: String!) { delegateApprovals(unitId: $u, delegateUsername: $d, reason: "局长出差期间") { id unit { name } delegateUsername grantedByName } }`;
    const [gls] = await db.ds.query(`SELECT id FROM units WHERE code = 'sf350102'`);
    const before = await written();
    // Neither the provincial approver nor an auditor may grant for the bureau; a delegate must see the unit.
    expect(code(await gql.exec(grant, { u: String(gls.id), d: 'approver-3501' }, u.prov.session))).toBe('FORBIDDEN');
    expect(code(await gql.exec(grant, { u: String(gls.id), d: 'approver-3501' }, u.auditor.session))).toBe('FORBIDDEN');
    expect(code(await gql.exec(grant, { u: String(gls.id), d: 'approver-ga3501' }, u.gls.session))).toBe('BAD_USER_INPUT');
    expect(code(await gql.exec(grant, { u: String(gls.id), d: 'planner' }, u.gls.session))).toBe('BAD_USER_INPUT');
    expect(await written()).toEqual(before);
    const g = await ok(u.gls, grant, { u: String(gls.id), d: 'approver-3501' });
    expect(g.delegateApprovals).toMatchObject({ unit: { name: '鼓楼区司法局' }, delegateUsername: 'approver-3501', grantedByName: 'approver-sf350102' });
    expect(code(await gql.exec(grant, { u: String(gls.id), d: 'approver-3501' }, u.gls.session))).toBe('CONFLICT');
    const [ev] = await db.ds.query(`SELECT actor_name, unit_id, comment FROM audit_events WHERE action = 'APPROVAL_DELEGATED'`);
    expect(ev).toEqual({ actor_name: 'approver-sf350102', unit_id: gls.id, comment: '局长出差期间' });

    const inbox = await ok(u.fz, `{ approvalInbox { edges { node { unit { name } viewerSignsByDelegation } } } }`);
    expect(inbox.approvalInbox.edges.map((e: any) => e.node)).toEqual([{ unit: { name: '鼓楼区司法局' }, viewerSignsByDelegation: true }]);
    const r = await decide(u.fz, { actionId: actionOf.gls_old, decision: 'APPROVE', comment: '受托同意' });
    expect(r.errors).toBeUndefined();
    // Only the bureau's request: 鼓楼区人民政府 did not delegate.
    expect(r.data!.decideApproval.approvals).toEqual([{ decision: 'APPROVE', byDelegation: true, unit: { name: '鼓楼区司法局' } }]);
    const [a] = await db.ds.query(`SELECT a.unit_id, a.approver_name, d.reason FROM plan_approvals a JOIN approval_delegations d ON d.id = a.delegation_id`);
    expect(a).toEqual({ unit_id: gls.id, approver_name: 'approver-3501', reason: '局长出差期间' });
  });

  it('the last approval moves the plan to APPROVED through the table; the planner may then start execution', async () => {
    await ok(u.ga, `mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: APPROVE }) { plan { status } } }`, { a: actionOf.ga_bm });
    const d = await ok(u.gl, `mutation($a: ID!) { decideApproval(input: { actionId: $a, decision: APPROVE }) { plan { status availableTransitions } } }`, { a: actionOf.gls_old });
    expect(d.decideApproval.plan).toEqual({ status: 'APPROVED', availableTransitions: [] });
    expect(await transitions(u.planner)).toEqual(['WITHDRAW', 'START_EXECUTION']);
    const before = await written();
    expect(code(await gql.exec(`mutation($id: ID!) { submitPlan(id: $id) { id } }`, { id: planId }, u.planner.session))).toBe('CONFLICT');
    expect(code(await decide(u.gl, { actionId: actionOf.gls_old, decision: 'REJECT', comment: '改主意' }))).toBe('CONFLICT');
    expect(await written()).toEqual(before);
    const [ev] = await db.ds.query(`SELECT actor_name, after->>'transition' AS t FROM audit_events WHERE action = 'PLAN_APPROVED'`);
    expect(ev).toEqual({ actor_name: 'approver-gov350102', t: 'APPROVE' });
  });

  it('execution steps: the sponsoring unit\'s approver or its delegate confirms; the plan completes through the table', async () => {
    await ok(u.planner, `mutation($id: ID!) { startExecution(id: $id) { status } }`, { id: planId });
    const steps = (await ok(u.fz, `query($id: ID!) { plan(id: $id) { steps { id canConfirm action { account { handle } } } } }`, { id: planId })).plan.steps;
    const stepOf = Object.fromEntries(steps.map((s: any) => [s.action.account.handle, s]));
    expect(stepOf.gls_old.canConfirm).toBe(true); // by delegation
    expect(stepOf.ga_bm.canConfirm).toBe(false); // 福州市公安局 confirms its own account's steps
    const confirm = (user: TestUser, id: string) => gql.exec(`mutation($s: ID!) { confirmStep(stepId: $s) { status byDelegation confirmedUnit { name } } }`, { s: id }, user.session);
    const before = await written();
    expect(code(await confirm(u.prov, stepOf.gls_old.id))).toBe('FORBIDDEN');
    expect(code(await confirm(u.fz, stepOf.ga_bm.id))).toBe('FORBIDDEN');
    expect(await written()).toEqual(before);
    expect((await confirm(u.fz, stepOf.gls_old.id)).data!.confirmStep).toEqual({ status: 'DONE', byDelegation: true, confirmedUnit: { name: '鼓楼区司法局' } });
    expect((await confirm(u.ga, stepOf.ga_bm.id)).data!.confirmStep).toEqual({ status: 'DONE', byDelegation: false, confirmedUnit: { name: '福州市公安局' } });
    const p = await ok(u.planner, `query($id: ID!) { plan(id: $id) { status availableTransitions } }`, { id: planId });
    expect(p.plan).toEqual({ status: 'COMPLETED', availableTransitions: [] });
  });

  it('revoking a delegation (admin in scope) ends it; the row stays as the record', async () => {
    const [d] = await db.ds.query(`SELECT id FROM approval_delegations`);
    expect(code(await gql.exec(`mutation($id: ID!) { revokeApprovalDelegation(id: $id) { id } }`, { id: String(d.id) }, u.fz.session))).toBe('FORBIDDEN');
    const r = await ok(u.admin, `mutation($id: ID!) { revokeApprovalDelegation(id: $id, reason: "局长返岗") { revokedByName } }`, { id: String(d.id) });
    expect(r.revokeApprovalDelegation.revokedByName).toBe('admin');
    expect((await ok(u.gls, `{ approvalDelegations { id } }`)).approvalDelegations).toEqual([]);
    expect((await ok(u.gls, `{ approvalDelegations(all: true) { delegateUsername revokedAt } }`)).approvalDelegations).toHaveLength(1);
  });
});

describe('every plan status change goes through the lifecycle table', () => {
  it('no code outside server/plans/plan-states.ts updates plans.status (creating a DRAFT is not a transition)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(__dirname, '../../server'));
    const writers = files.filter((f) => /UPDATE\s+plans\s+SET[^`]*\bstatus\s*=/i.test(readFileSync(f, 'utf8'))
      || /getRepository\(Plan\)\.update\(/.test(readFileSync(f, 'utf8')));
    expect(writers.map((f) => f.replace(/.*server\//, 'server/'))).toEqual(['server/plans/plan-states.ts']);
  });
});
