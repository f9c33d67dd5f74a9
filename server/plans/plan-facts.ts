import type { Context } from '../kernel/context';
import { AccountStatus, OPEN_PLAN_STATUSES, PlanActionType, PlanStatus, type Level, type Platform, type UnitKind } from '../common/enums';
import type { Plan } from './plan.entity';
import type { PlanAction } from './plan-action.entity';
import { activeActions } from './plans.service';

/** What validation and impact need to know about a plan, loaded with a fixed number of statements. */
export interface AccountFact {
  id: number;
  name: string;
  platform: Platform;
  status: AccountStatus;
  isMain: boolean;
  followers: number;
  unitId: number;
  unitName: string;
  unitPath: string;
  unitKind: UnitKind;
  unitLevel: Level;
  /** The unit's supervising unit (主管单位), when recorded. */
  unitSupervisorId: number | null;
  regionPath: string | null;
  /** Services of its own (services merged into another are not counted). */
  services: number;
  posts: number;
}

export interface OtherPlanUse {
  accountId: number;
  type: PlanActionType;
  planId: number;
  title: string;
}

export interface PlanFacts {
  plan: Plan;
  actions: PlanAction[];
  accounts: Map<number, AccountFact>;
  /** Uses of the plan's accounts as sources in other open plans. */
  otherPlans: OtherPlanUse[];
  /** The author's scope prefix ('' = no limit). */
  authorScope: string;
  /** Path of the plan's scope: unit path (unit scope) or region path (region scope). */
  scope: { kind: 'unit' | 'region'; path: string; name: string };
}

/** Once submitted, a plan owns its accounts (claimed): only other plans' claims conflict with it then. */
const EDITABLE = [PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED];

export const CLOSING_TYPES = [PlanActionType.MERGE, PlanActionType.SHUTDOWN];

export function destinationsOf(a: PlanAction): number[] {
  return [a.targetAccountId, a.serviceTargetAccountId, a.contentTargetAccountId].filter((x): x is number => x !== null);
}

export async function loadPlanFacts(ctx: Context, plan: Plan): Promise<PlanFacts> {
  const actions = await activeActions(ctx, plan.id);
  const ids = [...new Set(actions.flatMap((a) => [a.accountId, ...destinationsOf(a)]))];
  const rows: FactRow[] = ids.length ? await ctx.em.query(
    `SELECT a.id, a.name, a.platform, a.status, a.is_main, a.followers, a.unit_id, u.name AS unit_name, u.path AS unit_path,
            u.kind AS unit_kind, u.level AS unit_level, u.supervisor_id AS unit_supervisor_id, u.region_path,
            (SELECT count(*) FROM services s WHERE s.account_id = a.id AND s.merged_into_id IS NULL)::int AS services,
            (SELECT count(*) FROM posts p WHERE p.account_id = a.id)::int AS posts
       FROM accounts a JOIN units u ON u.id = a.unit_id WHERE a.id = ANY($1::int[])`, [ids]) : [];
  const accounts = new Map<number, AccountFact>(rows.map((r) => [r.id, {
    id: r.id, name: r.name, platform: r.platform, status: r.status, isMain: r.is_main, followers: r.followers, unitId: r.unit_id,
    unitName: r.unit_name, unitPath: r.unit_path, unitKind: r.unit_kind, unitLevel: r.unit_level, unitSupervisorId: r.unit_supervisor_id, regionPath: r.region_path,
    services: r.services, posts: r.posts,
  }]));
  const others: { account_id: number; type: PlanActionType; plan_id: number; title: string }[] = ids.length ? await ctx.em.query(
    `SELECT pa.account_id, pa.type, p.id AS plan_id, p.title FROM plan_actions pa JOIN plans p ON p.id = pa.plan_id
      WHERE pa.removed_at IS NULL AND p.id <> $1 AND p.status = ANY($2::text[]) AND pa.account_id = ANY($3::int[])
        AND (pa.claimed OR NOT $4::boolean)
      ORDER BY p.id`, [plan.id, OPEN_PLAN_STATUSES, ids, !EDITABLE.includes(plan.status)]) : [];
  const [author] = await ctx.em.query(
    `SELECT u.path FROM users us LEFT JOIN units u ON u.id = us.unit_id WHERE us.id = $1`, [plan.authorId ?? -1]);
  const [scope] = plan.scopeUnitId !== null
    ? await ctx.em.query(`SELECT 'unit' AS kind, path, name FROM units WHERE id = $1`, [plan.scopeUnitId])
    : await ctx.em.query(`SELECT 'region' AS kind, path, name FROM regions WHERE code = $1`, [plan.scopeRegionCode]);
  return {
    plan, actions, accounts,
    otherPlans: others.map((o) => ({ accountId: o.account_id, type: o.type, planId: o.plan_id, title: o.title })),
    authorScope: author?.path ?? '',
    scope,
  };
}

/**
 * Whether `dest` may receive what `src` carries (merge target, service destination): an account of the same unit,
 * of a unit up its chain (its government and the other ancestors), or of its supervising unit. Anything else is a
 * sideways merge (横向合并) into an unrelated bureau.
 */
export function upTheChain(src: AccountFact, dest: AccountFact): boolean {
  return src.unitPath.startsWith(dest.unitPath) || dest.unitId === src.unitSupervisorId;
}

/** Whether an account lies in the plan's scope (unit subtree or region). */
export function inPlanScope(f: PlanFacts, a: AccountFact): boolean {
  return f.scope.kind === 'unit' ? a.unitPath.startsWith(f.scope.path) : Boolean(a.regionPath?.startsWith(f.scope.path));
}

/** A row of the account facts query (snake_case, as PostgreSQL returns it). */
interface FactRow {
  id: number; name: string; platform: AccountFact['platform']; status: AccountFact['status']; is_main: boolean; followers: number;
  unit_id: number; unit_name: string; unit_path: string; unit_kind: AccountFact['unitKind']; unit_level: AccountFact['unitLevel'];
  unit_supervisor_id: number | null; region_path: string | null; services: number; posts: number;
}
