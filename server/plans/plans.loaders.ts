import DataLoader from 'dataloader';
import { In, IsNull, type EntityManager } from 'typeorm';
import { manyByKey, oneByKey } from '../kernel/loaders';
import { Plan } from './plan.entity';
import { PlanAction } from './plan-action.entity';
import { PlanRevision } from './plan-revision.entity';
import { Approval, ApprovalRequest } from './approval.entity';
import { ExecutionStep } from './execution-step.entity';
import { Finding } from '../detection/finding.entity';
import { protectionsOf, type Protection } from './protection';

/** Per-request loaders of the plans feature (wired into `createLoaders`). Scope checks stay in the services. */
export function createPlanLoaders(em: EntityManager) {
  return {
    planById: new DataLoader<number, Plan | null>(async (ids) =>
      oneByKey(ids, await em.getRepository(Plan).findBy({ id: In([...ids]) }), (p) => p.id)),
    actionsByPlan: new DataLoader<number, PlanAction[]>(async (ids) =>
      manyByKey(ids, await em.getRepository(PlanAction).find({ where: { planId: In([...ids]), removedAt: IsNull() }, order: { id: 'ASC' } }),
        (a) => a.planId)),
    /** Why an account is protected (empty: it is not): protection.ts. */
    protectionsByAccount: new DataLoader<number, Protection[]>(async (ids) => {
      const map = await protectionsOf(em, [...ids]);
      return ids.map((id) => map.get(id) ?? []);
    }),
    actionById: new DataLoader<number, PlanAction | null>(async (ids) =>
      oneByKey(ids, await em.getRepository(PlanAction).findBy({ id: In([...ids]) }), (a) => a.id)),
    findingIdsByAction: new DataLoader<number, number[]>(async (ids) => {
      const rows: { action_id: number; finding_id: number }[] = await em.query(
        `SELECT action_id, finding_id FROM plan_action_findings WHERE action_id = ANY($1::int[]) ORDER BY finding_id`, [[...ids]]);
      return manyByKey(ids, rows, (r) => r.action_id).map((list) => list.map((r) => r.finding_id));
    }),
    findingsByAction: new DataLoader<number, Finding[]>(async (ids) => {
      const links: { action_id: number; finding_id: number }[] = await em.query(
        `SELECT action_id, finding_id FROM plan_action_findings WHERE action_id = ANY($1::int[]) ORDER BY finding_id`, [[...ids]]);
      const findings = links.length ? await em.getRepository(Finding).findBy({ id: In([...new Set(links.map((l) => l.finding_id))]) }) : [];
      const byId = new Map(findings.map((f) => [f.id, f]));
      return manyByKey(ids, links, (l) => l.action_id).map((list) => list.map((l) => byId.get(l.finding_id)).filter((f): f is Finding => Boolean(f)));
    }),
    /** Plans whose actions cite the finding. */
    planIdsByFinding: new DataLoader<number, number[]>(async (ids) => {
      const rows: { finding_id: number; plan_id: number }[] = await em.query(
        `SELECT DISTINCT paf.finding_id, pa.plan_id FROM plan_action_findings paf JOIN plan_actions pa ON pa.id = paf.action_id
          WHERE pa.removed_at IS NULL AND paf.finding_id = ANY($1::int[]) ORDER BY pa.plan_id DESC`, [[...ids]]);
      return manyByKey(ids, rows, (r) => r.finding_id).map((list) => list.map((r) => r.plan_id));
    }),
    revisionsByPlan: new DataLoader<number, PlanRevision[]>(async (ids) =>
      manyByKey(ids, await em.getRepository(PlanRevision).find({ where: { planId: In([...ids]) }, order: { number: 'ASC' } }), (r) => r.planId)),
    requestsByPlan: new DataLoader<number, ApprovalRequest[]>(async (ids) =>
      manyByKey(ids, await em.getRepository(ApprovalRequest).find({ where: { planId: In([...ids]) }, order: { revision: 'ASC', actionId: 'ASC', id: 'ASC' } }),
        (r) => r.planId)),
    approvalsByPlan: new DataLoader<number, Approval[]>(async (ids) =>
      manyByKey(ids, await em.getRepository(Approval).find({ where: { planId: In([...ids]) }, order: { id: 'ASC' } }), (a) => a.planId)),
    approvalById: new DataLoader<number, Approval | null>(async (ids) =>
      oneByKey(ids, await em.getRepository(Approval).findBy({ id: In([...ids]) }), (a) => a.id)),
    stepsByPlan: new DataLoader<number, ExecutionStep[]>(async (ids) =>
      manyByKey(ids, await em.getRepository(ExecutionStep).find({ where: { planId: In([...ids]) }, order: { actionId: 'ASC', seq: 'ASC' } }),
        (s) => s.planId)),
    /** Units the user signs for by a live delegation: unit id → delegation id (see signing.ts). */
    delegationsOfUser: new DataLoader<number, Map<number, number>>(async (ids) => {
      const rows: { delegate_user_id: number; unit_id: number; id: number }[] = await em.query(
        `SELECT delegate_user_id, unit_id, id FROM approval_delegations WHERE revoked_at IS NULL AND delegate_user_id = ANY($1::int[])`, [[...ids]]);
      return manyByKey(ids, rows, (r) => r.delegate_user_id).map((list) => new Map(list.map((r) => [r.unit_id, r.id])));
    }),
    /** Ids of plans with an action (not removed) that touches the account (source or any destination). */
    planIdsByAccount: new DataLoader<number, number[]>(async (ids) => {
      const rows: { account_id: number; plan_id: number }[] = await em.query(
        `SELECT account_id, plan_id FROM plan_actions WHERE removed_at IS NULL AND account_id = ANY($1::int[])
         UNION SELECT target_account_id, plan_id FROM plan_actions WHERE removed_at IS NULL AND target_account_id = ANY($1::int[])
         UNION SELECT service_target_account_id, plan_id FROM plan_actions WHERE removed_at IS NULL AND service_target_account_id = ANY($1::int[])
         UNION SELECT content_target_account_id, plan_id FROM plan_actions WHERE removed_at IS NULL AND content_target_account_id = ANY($1::int[])
         ORDER BY plan_id DESC`, [[...ids]]);
      return manyByKey(ids, rows, (r) => r.account_id).map((list) => list.map((r) => r.plan_id));
    }),
  };
}

export type PlanLoaders = ReturnType<typeof createPlanLoaders>;
declare module '../kernel/loaders' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging: the kernel's Loaders gain these
  interface Loaders extends PlanLoaders {}
}
