import type { Context } from '../kernel/context';
import { requireUser } from '../kernel/access';
import { addDays, beijingDate, parseDate, todayInBeijing } from '../kernel/dates';
import { AccountStatus, Level, LEVEL_ORDER, Platform } from '../common/enums';
import { regionsService } from '../regions/regions.service';
import { plansService } from '../plans/plans.service';
import type { MatrixCell, MatrixLevelRow } from '../matrix/matrix.types';
import { addToCell as add, assembleMatrix, emptyCell, PLATFORMS } from '../matrix/matrix-assembly';
import { pageSize } from '../kernel/pagination';
import { DAY_END, statusThenSql } from './as-of';
import type { AccountCountsAsOf, MatrixAsOf, PlanImpactCounts, PlanImpactPoint } from './history.types';

/** Time travel does not go before the national rules (国办发〔2018〕123号): earlier dates are refused. */
const EARLIEST = '2010-01-01';


/** The units to count: a region subtree (or its own units only) in the request's scope; `$1` is the date. */
function unitWhere(ctx: Context, regionPath: string, exact = false): { where: string; params: unknown[] } {
  const params: unknown[] = [null, regionPath];
  const scope = ctx.scope.raw('u', 3);
  if (scope.value !== null) params.push(scope.value);
  return { where: `${exact ? 'u.region_path = $2' : `u.region_path LIKE $2 || '%'`} AND ${scope.sql}`, params };
}

/** Accounts as they were on `$1`, grouped by `keys` (SQL over `a`, `u`, and `t.status_then`). */
const countsSql = (keys: string[], where: string) => `
  SELECT ${keys.join(', ')}, a.platform, t.status_then AS status, count(*)::int AS n
    FROM accounts a JOIN units u ON u.id = a.unit_id ${statusThenSql('$1')}
   WHERE t.existed AND ${where}
   GROUP BY ${keys.map((_, i) => String(i + 1)).join(', ')}, a.platform, t.status_then`;

/** Findings open at the end of `$1` (first seen before, not yet resolved or dismissed), by key and platform. */
const findingsSql = (key: string, where: string) => `
  SELECT key, platform, count(DISTINCT id)::int AS n, GROUPING(key, platform)::int AS g
    FROM (SELECT f.id, ${key} AS key, p.platform
            FROM findings f JOIN units u ON u.id = f.unit_id CROSS JOIN LATERAL unnest(f.platforms) AS p(platform)
           WHERE f.first_seen_at < ${DAY_END('$1')} AND (f.resolved_at IS NULL OR f.resolved_at >= ${DAY_END('$1')})
             AND (f.dismissed_at IS NULL OR f.dismissed_at >= ${DAY_END('$1')}) AND ${where}) x
   GROUP BY GROUPING SETS ((key, platform), (key), (platform), ())`;

function checkDay(raw: string | null | undefined, field = 'date'): string {
  return parseDate(raw, field, { notFuture: true, min: EARLIEST });
}

export const historyService = {
  /**
   * The matrix of a region as it was at the end of a date: rows per sub-region (or per unit when the region has none),
   * a column per platform, accounts counted by their status that day, and the findings open that day; by level too.
   * Three statements whatever the size. The user's scope applies as in the live matrix.
   */
  async matrixAsOf(ctx: Context, regionCode: string, dateRaw?: string | null): Promise<MatrixAsOf> {
    requireUser(ctx);
    const date = checkDay(dateRaw);
    const region = await regionsService.byCode(ctx, regionCode);
    const children = await regionsService.children(ctx, region);
    const byUnit = children.length === 0;
    const { where, params } = unitWhere(ctx, region.path, byUnit);
    params[0] = date;
    const rowKey = byUnit ? 'u.id::text' : `COALESCE(NULLIF(split_part(substr(u.region_path, length($2) + 1), '/', 1), ''), 'self')`;
    const counts: { key: string; label: string; level: Level; platform: Platform; status: AccountStatus; n: number }[] =
      await ctx.em.query(countsSql([`${rowKey} AS key`, `${byUnit ? 'u.name' : 'NULL::text'} AS label`, 'u.level'], where), params);
    const findings: { key: string | null; platform: Platform | null; n: number; g: number }[] = await ctx.em.query(findingsSql(rowKey, where), params);
    const levelFindings: { key: Level | null; platform: Platform | null; n: number; g: number }[] =
      await ctx.em.query(`SELECT * FROM (${findingsSql('u.level', where)}) f WHERE g IN (0, 1)`, params);

    const levels = new Map<Level, MatrixLevelRow>();
    let live = 0;
    let total = 0;
    const { rows, totals, openFindings } = assembleMatrix({
      region, children, byUnit, counts, findings,
      each: (c, i) => {
        let lr = levels.get(c.level);
        if (!lr) levels.set(c.level, (lr = { level: c.level, cells: PLATFORMS.map(emptyCell), totalCell: emptyCell(null), live: 0, openFindings: 0 }));
        add(lr.cells[i], c.status, c.n);
        add(lr.totalCell, c.status, c.n);
        total += c.n;
        if (c.status !== AccountStatus.CLOSED) {
          lr.live += c.n;
          live += c.n;
        }
      },
    });
    for (const f of levelFindings) {
      const lr = f.key ? levels.get(f.key) : undefined;
      if (!lr) continue;
      if (f.g === 1) lr.openFindings = lr.totalCell.openFindings = f.n;
      else if (f.platform) lr.cells[PLATFORMS.indexOf(f.platform)].openFindings = f.n;
    }
    return { region, date, platforms: PLATFORMS, rows, totals, openFindings, live, total,
      byLevel: LEVEL_ORDER.filter((l) => levels.has(l)).map((l) => levels.get(l)!) };
  },

  /** Account counts by unit × platform × status at the end of a date, in the region and the user's scope. */
  async countsAsOf(ctx: Context, regionCode: string, dateRaw?: string | null, first?: number | null): Promise<AccountCountsAsOf> {
    requireUser(ctx);
    const date = checkDay(dateRaw);
    const region = await regionsService.byCode(ctx, regionCode);
    const limit = pageSize(first, 1000);
    const { where, params } = unitWhere(ctx, region.path);
    params[0] = date;
    const rows: { unit_id: number; path: string; platform: Platform; status: AccountStatus; n: number }[] =
      await ctx.em.query(`${countsSql(['u.id AS unit_id', 'u.path'], where)} ORDER BY 2, 3`, params);
    const byKey = new Map<string, AccountCountsAsOf['rows'][number]>();
    const totals = emptyCell(null);
    for (const r of rows) {
      const k = `${r.unit_id}|${r.platform}`;
      let row = byKey.get(k);
      if (!row) byKey.set(k, (row = { unitId: r.unit_id, platform: r.platform, active: 0, suspended: 0, closed: 0, total: 0 } as AccountCountsAsOf['rows'][number]));
      add(row as unknown as MatrixCell, r.status, r.n);
      add(totals, r.status, r.n);
    }
    const all = [...byKey.values()];
    return { date, rows: all.slice(0, limit), totalRows: all.length, totals };
  },

  /**
   * "How many accounts before and after plan N": the plan's scope (its region, or its unit's subtree) counted the day
   * before submission, on the day execution started, on completion (or today), with how many of the plan's own
   * accounts were still live each day. Readers of the plan only (NOT_FOUND otherwise).
   */
  async planImpactCounts(ctx: Context, planId: string): Promise<PlanImpactCounts> {
    const plan = await plansService.byId(ctx, planId);
    let where: string;
    const params: unknown[] = [null];
    let regionCode: string;
    if (plan.scopeUnitId !== null) {
      const unit = await ctx.loaders.unitById.load(plan.scopeUnitId);
      regionCode = unit?.regionCode ?? '';
      params.push(`${unit?.path ?? '/none/'}`);
      where = `u.path LIKE $2 || '%'`;
    } else {
      const region = await regionsService.byCode(ctx, plan.scopeRegionCode ?? '0');
      regionCode = region.code;
      params.push(region.path);
      where = `u.region_path LIKE $2 || '%'`;
    }
    const scope = ctx.scope.raw('u', 3);
    if (scope.value !== null) params.push(scope.value);
    where += ` AND ${scope.sql}`;
    const day = (t: Date | null) => (t ? beijingDate(t) : null);
    const today = todayInBeijing();
    const submitted = day(plan.submittedAt) ?? day(plan.createdAt)!;
    const candidates: [string, string | null][] = [['before', addDays(submitted, -1)], ['started', day(plan.executionStartedAt)],
      ['completed', day(plan.completedAt)]];
    if (!plan.completedAt) candidates.push(['today', today]);
    const points: PlanImpactPoint[] = [];
    for (const [label, date] of candidates) {
      if (!date) continue;
      params[0] = date;
      const rows: { status: AccountStatus; n: number; plan_live: number }[] = await ctx.em.query(`
        SELECT t.status_then AS status, count(*)::int AS n,
               count(*) FILTER (WHERE t.status_then <> 'closed' AND EXISTS (
                 SELECT 1 FROM plan_actions pa WHERE pa.plan_id = ${Number(plan.id)} AND pa.removed_at IS NULL AND pa.account_id = a.id))::int AS plan_live
          FROM accounts a JOIN units u ON u.id = a.unit_id ${statusThenSql('$1')}
         WHERE t.existed AND ${where} GROUP BY 1`, params);
      const counts = emptyCell(null);
      let planLive = 0;
      for (const r of rows) {
        add(counts, r.status, r.n);
        planLive += r.plan_live;
      }
      points.push({ label, date, counts, planAccountsLive: planLive });
    }
    return { planId: String(plan.id), regionCode, points };
  },
};
