import type { DataSource } from 'typeorm';
import { Level, Platform, Role } from '../../../server/common/enums';
import { createSystemContext, type SessionUser } from '../../../server/kernel/context';
import { runDetection } from '../../../server/detection/detection.service';
import type { TestDb } from '../../support/db';
import type { createGraphqlHarness } from '../../support/graphql';
import { makeAccounts, makePosts, makeUnits } from '../../support/factories';
import { makeUser, type TestUser } from '../../support/auth';

/**
 * The world of the authorization matrix: a national unit N0 above province P35, whose two cities are C3501 (福州, with
 * the county K350102 below it) and C3502 (厦门). The users under test are scoped to C3501; "outside" objects belong to
 * C3502 or the national level. Detection has run (nationally and per city) as of D, so each city has findings.
 *
 *   N0 (national) ── P35 (province 35) ─┬─ C3501 (city 3501) ── K350102 (county 350102)
 *                                       └─ C3502 (city 3502)
 */
export const D = '2024-06-30';
export const PASSWORD = 'Passw0rd!';

export type Role6 = 'anonymous' | 'PLANNER' | 'APPROVER' | 'AUDITOR' | 'ADMIN' | 'NATIONAL_ADMIN';
export const ROLES: Role6[] = ['anonymous', 'PLANNER', 'APPROVER', 'AUDITOR', 'ADMIN', 'NATIONAL_ADMIN'];

/**
 * inside: an object in C3501's subtree (the users' own unit); outside: an object of C3502; below: inside the scope
 * but of another unit (K350102, for "signs for its own unit only"); national: an object of the national level.
 */
export type Side = 'inside' | 'outside' | 'below' | 'national';

type Harness = Awaited<ReturnType<typeof createGraphqlHarness>>;

const bj = (date: string) => `${date}T12:00:00+08:00`;

export async function makeMatrixWorld(db: TestDb, gql: Harness) {
  const ds: DataSource = db.ds;
  const units = await makeUnits(ds, [
    { code: 'N0', name: '国务院办公厅', level: Level.NATIONAL, region: null },
    { code: 'P35', name: '福建省人民政府', level: Level.PROVINCE, region: '35', parent: 'N0', supervisor: 'N0' },
    { code: 'C3501', name: '福州市人民政府', level: Level.CITY, region: '3501', parent: 'P35', supervisor: 'P35' },
    { code: 'K350102', name: '鼓楼区人民政府', level: Level.COUNTY, region: '350102', parent: 'C3501', supervisor: 'C3501' },
    { code: 'C3502', name: '厦门市人民政府', level: Level.CITY, region: '3502', parent: 'P35', supervisor: 'P35' },
  ]);
  const ancestors: Record<string, string[]> = {
    N0: ['N0'], P35: ['N0', 'P35'], C3501: ['N0', 'P35', 'C3501'], K350102: ['N0', 'P35', 'C3501', 'K350102'], C3502: ['N0', 'P35', 'C3502'],
  };
  const old = [bj('2023-01-05'), bj('2023-02-01')];
  const accounts = await makeAccounts(ds, [
    { unit: 'N0', handle: 'mx_nat', name: 'MX国务院', isMain: true },
    { unit: 'C3501', handle: 'mx_in', name: 'MX福州发布', isMain: true },
    { unit: 'C3501', handle: 'mx_in_web', name: 'MX福州市政府网', platform: Platform.WEBSITE, isMain: true },
    { unit: 'K350102', handle: 'mx_below', name: 'MX鼓楼发布', isMain: true },
    { unit: 'C3502', handle: 'mx_out', name: 'MX厦门发布', isMain: true },
    { unit: 'C3502', handle: 'mx_out_web', name: 'MX厦门市政府网', platform: Platform.WEBSITE, isMain: true },
    { unit: 'C3501', handle: 'imp_in', name: 'MX导入福州' },
    { unit: 'C3502', handle: 'imp_out', name: 'MX导入厦门' },
  ]);
  for (const h of ['mx_nat', 'mx_in', 'mx_below', 'mx_out', 'imp_in', 'imp_out']) await makePosts(ds, accounts[h], old);

  // Users under test (scoped to C3501, plus the unrestricted national admin) and helpers.
  const mk = (username: string, role: Role, unit: string | null) => makeUser(ds, { username, role, unit, password: PASSWORD });
  const subjects: Record<Exclude<Role6, 'anonymous'>, TestUser> = {
    PLANNER: await mk('planner-3501', Role.PLANNER, 'C3501'),
    APPROVER: await mk('approver-3501', Role.APPROVER, 'C3501'),
    AUDITOR: await mk('auditor-3501', Role.AUDITOR, 'C3501'),
    ADMIN: await mk('admin-3501', Role.ADMIN, 'C3501'),
    NATIONAL_ADMIN: await mk('admin-national', Role.ADMIN, null),
  };
  const planner3502 = await mk('planner-3502', Role.PLANNER, 'C3502');
  // The approver of each unit that receives approval requests (C3501's is the subject under test).
  const approverOf: Record<string, TestUser> = {
    C3501: subjects.APPROVER,
    P35: await mk('approver-p35', Role.APPROVER, 'P35'),
    C3502: await mk('approver-3502', Role.APPROVER, 'C3502'),
    K350102: await mk('approver-350102', Role.APPROVER, 'K350102'),
    N0: await mk('approver-n0', Role.APPROVER, 'N0'),
  };
  const people = {
    inside: await mk('staff-3501', Role.PLANNER, 'C3501'),
    outside: await mk('staff-3502', Role.PLANNER, 'C3502'),
    national: await mk('staff-national', Role.PLANNER, 'N0'),
  };

  const sys = createSystemContext(ds, db.config);
  const runs = {
    national: (await runDetection(sys, { asOf: D })).id,
    inside: (await runDetection(sys, { asOf: D, regionCode: '3501' })).id,
    outside: (await runDetection(sys, { asOf: D, regionCode: '3502' })).id,
  };
  const findingOf = async (handle: string): Promise<number> => {
    const [row] = await ds.query(
      `SELECT f.id FROM findings f JOIN finding_accounts fa ON fa.finding_id = f.id WHERE fa.account_id = $1 ORDER BY f.id LIMIT 1`,
      [accounts[handle]]);
    if (!row) throw new Error(`fixture: detection found nothing on ${handle}`);
    return row.id;
  };
  const findings = { inside: await findingOf('mx_in'), outside: await findingOf('mx_out'), national: await findingOf('mx_nat') };

  /** Runs an operation as `user` and fails loudly when it does not succeed (fixture building only). */
  async function as<T = any>(user: SessionUser, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await gql.exec<T>(query, variables, user);
    if (res.errors?.length) throw new Error(`fixture: ${query.slice(0, 60)}… failed: ${JSON.stringify(res.errors)}`);
    return res.data!;
  }

  let fresh = 0;
  /** A new account (never in any plan) of the unit, so submitted plans never clash over claimed accounts. */
  async function freshAccount(unit: string): Promise<number> {
    const handle = `fresh_${unit}_${++fresh}`;
    const ids = await makeAccounts(ds, [{ unit, handle, name: `新号${unit}-${fresh}`, platform: Platform.DOUYIN }]);
    return ids[handle];
  }

  const authorOf = (side: Side) => (side === 'outside' ? planner3502 : subjects.PLANNER);
  const scopeUnitOf = (side: Side) => (side === 'outside' ? 'C3502' : 'C3501');
  const accountUnitOf = (side: Side) => ({ inside: 'C3501', below: 'K350102', outside: 'C3502', national: 'N0' })[side];

  /** A draft plan scoped to the side's city, authored by that city's planner. */
  async function draft(side: Side): Promise<{ planId: string }> {
    const d = await as(authorOf(side).session, `mutation($input: CreatePlanInput!) { createPlan(input: $input) { id } }`,
      { input: { title: `矩阵方案 ${side} ${++fresh}`, unitId: String(units[scopeUnitOf(side)]) } });
    return { planId: d.createPlan.id };
  }

  /** A draft with one KEEP action on a fresh account of the side's unit (`below`: the county under C3501). */
  async function withAction(side: Side): Promise<{ planId: string; actionId: string }> {
    const { planId } = await draft(side);
    const accountId = await freshAccount(accountUnitOf(side));
    const d = await as(authorOf(side).session,
      `mutation($planId: ID!, $input: AddActionInput!) { addAction(planId: $planId, input: $input) { id } }`,
      { planId, input: { type: 'KEEP', accountId: String(accountId), rectification: '每周至少更新一次' } });
    return { planId, actionId: d.addAction.id };
  }

  async function requestsOf(planId: string): Promise<{ id: string; status: string; unit: { code: string } }[]> {
    const d = await as(subjects.NATIONAL_ADMIN.session, `query($id: ID!) { plan(id: $id) { approvalRequests { id status unit { code } } } }`, { id: planId });
    return d.plan.approvalRequests;
  }

  /** Submitted for approval: requests go to the sponsoring unit of the account and its supervising unit. */
  async function submitted(side: Side) {
    const p = await withAction(side);
    await as(authorOf(side).session, `mutation($id: ID!) { submitPlan(id: $id) { id status } }`, { id: p.planId });
    return { ...p, requests: await requestsOf(p.planId) };
  }

  /** Every request approved by the approver of its own unit. */
  async function approved(side: Side) {
    const p = await submitted(side);
    for (const r of p.requests) {
      const approver = approverOf[r.unit.code];
      if (!approver) throw new Error(`fixture: no approver for unit ${r.unit.code}`);
      await as(approver.session, `mutation($input: DecideApprovalInput!) { decideApproval(input: $input) { plan { status } } }`,
        { input: { approvalRequestId: r.id, decision: 'APPROVE' } });
    }
    return p;
  }

  /** Approved and started: its steps exist. */
  async function executing(side: Side) {
    const p = await approved(side);
    const d = await as(authorOf(side).session, `mutation($id: ID!) { startExecution(id: $id) { status steps { id seq } } }`, { id: p.planId });
    const steps = [...d.startExecution.steps].sort((a: { seq: number }, b: { seq: number }) => a.seq - b.seq);
    return { ...p, stepId: steps[0].id as string };
  }

  // Plans, approval requests and audit events that the read operations look for.
  const plans = { inside: (await draft('inside')).planId, outside: (await draft('outside')).planId };
  const pending = { inside: await submitted('inside'), below: await submitted('below'), outside: await submitted('outside') };
  const requestFor = (p: { requests: { id: string; unit: { code: string } }[] }, unit: string) => {
    const r = p.requests.find((x) => x.unit.code === unit);
    if (!r) throw new Error(`fixture: no request for ${unit} in ${JSON.stringify(p.requests)}`);
    return r.id;
  };
  const inbox = {
    inside: requestFor(pending.inside, 'C3501'),
    below: requestFor(pending.below, 'K350102'),
    outside: requestFor(pending.outside, 'C3502'),
  };
  const createdEvent = async (planId: string): Promise<string> => {
    const [row] = await ds.query(`SELECT id FROM audit_events WHERE action = 'PLAN_CREATED' AND plan_id = $1`, [planId]);
    if (!row) throw new Error(`fixture: no PLAN_CREATED event for plan ${planId}`);
    return String(row.id);
  };
  const events = { inside: await createdEvent(plans.inside), outside: await createdEvent(plans.outside) };

  /** A live delegation of the side's unit to the provincial approver (made by the national admin). */
  async function delegation(side: Side): Promise<string> {
    await ds.query(`UPDATE approval_delegations SET revoked_at = now(), revoked_by_name = 'matrix-test' WHERE unit_id = $1 AND revoked_at IS NULL`, [units[accountUnitOf(side)]]);
    const d = await as(subjects.NATIONAL_ADMIN.session,
      `mutation($u: ID!) { delegateApprovals(unitId: $u, delegateUsername: "approver-p35", reason: "外出期间代为审批") { id } }`,
      { u: String(units[accountUnitOf(side)]) });
    return d.delegateApprovals.id;
  }
  const delegations = { inside: await delegation('inside'), outside: await delegation('outside') };

  return {
    ds, units, delegations, delegation, ancestors, accounts, subjects, people, runs, findings, plans, inbox, events, approverOf,
    as, freshAccount, draft, withAction, submitted, approved, executing, requestFor,
    /** The session the role runs as (null: anonymous). */
    sessionOf: (role: Role6): SessionUser | null => (role === 'anonymous' ? null : subjects[role].session),
    /** Unit / account of a side. */
    unitOf: (side: Side) => units[accountUnitOf(side)],
    unitCodeOf: accountUnitOf,
    accountOf: (side: Side) => accounts[{ inside: 'mx_in', below: 'mx_below', outside: 'mx_out', national: 'mx_nat' }[side]],
    regionOf: (side: Side) => ({ inside: '3501', below: '350102', outside: '3502', national: '0' })[side],
    counter: () => ++fresh,
  };
}

export type MatrixWorld = Awaited<ReturnType<typeof makeMatrixWorld>>;
