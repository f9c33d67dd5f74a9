import type { Context } from '../kernel/context';
import { AccountStatus, Level, PlanActionType, Platform } from '../common/enums';
import type { Plan } from './plan.entity';
import { parseDate } from '../kernel/dates';
import type { PlanImpact } from './impact.types';
import { PLAN_EDIT } from './plan-states';
import { activeActions } from './plans.service';
import { findingsResolvedByPlan, fixedRulesOfPlan, passRates, PASS_RATE_METHOD_NOTE } from './findings-source';

/**
 * Impact preview of a plan over its scope (accounts not yet closed): accounts before/after by level and platform,
 * followers, services and content kept (every service and post of a closing account must have a destination),
 * findings resolved, inspection pass rate before/after.
 */
export async function planImpact(ctx: Context, plan: Plan, asOf?: string | null): Promise<PlanImpact> {
  if (asOf !== undefined && asOf !== null) parseDate(asOf, 'asOf');
  const actions = await activeActions(ctx, plan.id);
  const closing = actions.filter((a) => a.type === PlanActionType.MERGE || a.type === PlanActionType.SHUTDOWN);
  const closingIds = closing.map((a) => a.accountId);
  const serviceDest = closing.map((a) => a.targetAccountId ?? a.serviceTargetAccountId);
  const contentDest = closing.map((a) => a.targetAccountId ?? a.contentTargetAccountId);

  const scopeSql = plan.scopeUnitId !== null
    ? `u.path LIKE (SELECT path FROM units WHERE id = $4) || '%'`
    : `u.region_path LIKE (SELECT path FROM regions WHERE code = $4) || '%'`;
  const scopeParam = plan.scopeUnitId ?? plan.scopeRegionCode;
  const cte = `
    WITH c AS (SELECT * FROM unnest($1::int[], $2::int[], $3::int[]) AS c(account_id, service_dest, content_dest)),
    scoped AS (
      SELECT a.id, a.platform, a.followers, u.level, u.region_path, c.account_id IS NOT NULL AS closing, c.service_dest, c.content_dest
        FROM accounts a JOIN units u ON u.id = a.unit_id LEFT JOIN c ON c.account_id = a.id
       WHERE a.status <> '${AccountStatus.CLOSED}' AND ${scopeSql})`;
  const params = [closingIds, serviceDest, contentDest, scopeParam];
  const groups: { level: Level; platform: Platform; before: number; after: number; fb: string; fa: string }[] = await ctx.em.query(
    `${cte} SELECT level, platform, count(*)::int AS before, count(*) FILTER (WHERE NOT closing)::int AS after,
                   COALESCE(sum(followers), 0)::bigint AS fb, COALESCE(sum(followers) FILTER (WHERE NOT closing), 0)::bigint AS fa
              FROM scoped GROUP BY level, platform ORDER BY level, platform`, params);
  const [totals] = await ctx.em.query(
    `${cte} SELECT
        (SELECT count(*) FROM services s JOIN scoped x ON x.id = s.account_id WHERE s.merged_into_id IS NULL)::int AS services_before,
        (SELECT count(*) FROM services s JOIN scoped x ON x.id = s.account_id
          WHERE s.merged_into_id IS NULL AND (NOT x.closing OR x.service_dest IS NOT NULL))::int AS services_kept,
        (SELECT count(*) FROM posts p JOIN scoped x ON x.id = p.account_id)::int AS posts_before,
        (SELECT count(*) FROM posts p JOIN scoped x ON x.id = p.account_id
          WHERE NOT x.closing OR x.content_dest IS NOT NULL)::int AS posts_kept,
        (SELECT json_agg(json_build_object('id', id, 'closing', closing))
           FROM scoped WHERE platform <> '${Platform.WEBSITE}') AS accounts`, params);

  const resolved = await findingsResolvedByPlan(ctx.em, plan.id, closingIds);
  const resolvedIds = new Set(resolved.flatMap((r) => r.ids));

  // Pass rate over the scope's new-media accounts (websites are inspected separately).
  const inspected: { id: number; closing: boolean }[] = totals.accounts ?? [];
  const [scopeRow] = plan.scopeUnitId !== null
    ? await ctx.em.query(`SELECT region_path AS path FROM units WHERE id = $1`, [plan.scopeUnitId])
    : await ctx.em.query(`SELECT path FROM regions WHERE code = $1`, [plan.scopeRegionCode]);
  const rates = await passRates(ctx.em, inspected.map((a) => a.id), new Set(closingIds), await fixedRulesOfPlan(ctx.em, plan.id),
    scopeRow?.path ?? null, asOf ?? undefined);

  const rows = groups.map((g) => ({ level: g.level, platform: g.platform, before: g.before, after: g.after }));
  const servicesBefore = totals.services_before as number;
  const servicesKept = totals.services_kept as number;
  return {
    accountsBefore: rows.reduce((s, r) => s + r.before, 0),
    accountsAfter: rows.reduce((s, r) => s + r.after, 0),
    byLevelPlatform: rows,
    followersBefore: groups.reduce((s, g) => s + Number(g.fb), 0),
    followersAfter: groups.reduce((s, g) => s + Number(g.fa), 0),
    servicesBefore,
    servicesKept,
    servicesKeptRatio: servicesBefore ? servicesKept / servicesBefore : 1,
    postsBefore: totals.posts_before,
    postsKept: totals.posts_kept,
    findingsResolved: resolvedIds.size,
    findingsResolvedByRule: resolved.map((r) => ({ rule: r.rule, count: r.ids.length })),
    passRateBefore: rates.before,
    passRateAfter: rates.after,
    passRateMethod: PASS_RATE_METHOD_NOTE,
  };
}

/**
 * The impact a reader sees: the live preview while the plan can be edited (or when asked for), otherwise the figures
 * frozen for the current revision — at its latest approval decision, else at its submission. Plans submitted before
 * figures were frozen fall back to the live preview.
 */
export async function impactOf(ctx: Context, plan: Plan, asOf: string | null | undefined, live: boolean): Promise<PlanImpact> {
  if (!live && !PLAN_EDIT.in.includes(plan.status)) {
    const [row] = await ctx.em.query(
      `SELECT impact FROM (
         SELECT impact, decided_at AS at FROM plan_approvals WHERE plan_id = $1 AND revision = $2 AND impact IS NOT NULL
         UNION ALL SELECT impact, submitted_at FROM plan_revisions WHERE plan_id = $1 AND number = $2 AND impact IS NOT NULL) x
        ORDER BY at DESC LIMIT 1`, [plan.id, plan.revision]);
    if (row) return row.impact;
  }
  return { ...(await planImpact(ctx, plan, asOf)), revision: null, frozenAt: null, frozenOn: null };
}
