import type { Context } from '../kernel/context';
import type { Scope } from '../kernel/scope';
import { AccountStatus, FindingStatus, Level, LEVEL_ORDER, Platform } from '../common/enums';
import { regionsService } from '../regions/regions.service';
import { Matrix, MatrixLevelRow } from './matrix.types';
import { addToCell as add, assembleMatrix, emptyCell, PLATFORMS, type FindingCount, type RowCount } from './matrix-assembly';


/**
 * Open findings grouped by a row key and by platform, with the row, column and grand totals, in one statement.
 * A finding's cells are the platforms it concerns (`findings.platforms`: one for single-account rules and for
 * REDUNDANT_SAME_PLATFORM; every platform of the unit's representative accounts for NAME_INCONSISTENT), in the row
 * of its unit. GROUPING SETS with count(DISTINCT id) make a multi-platform finding count once in each of its platform
 * cells but only once in its row total, its column totals and the grand total. Rows are placed by the unit's
 * current region path (as the account counts are), and the user's scope applies to the finding's unit.
 * `g`: GROUPING(key, platform) — 0 cell, 1 row total, 2 column total, 3 grand total.
 */
function findingsSql(keyExpr: string, where: string): string {
  return `
    SELECT key, platform, count(DISTINCT id)::int AS n, GROUPING(key, platform)::int AS g
      FROM (SELECT f.id, ${keyExpr} AS key, p.platform
              FROM findings f JOIN units u ON u.id = f.unit_id CROSS JOIN LATERAL unnest(f.platforms) AS p(platform)
             WHERE f.status = '${FindingStatus.OPEN}' AND ${where}
               -- the finding's denormalised region path narrows the scan through its index; the unit's region decides the row
               AND f.region_path LIKE $1 || '%') x
     GROUP BY GROUPING SETS ((key, platform), (key), (platform), ())`;
}

/**
 * The same counts from the maintained open-finding counts (migrations/1732946700000-MatrixCounts.ts): per row key
 * and platform the findings concerning it (g 0), per row key the findings ('*': each once, g 1), per platform over all
 * rows (g 2) and all findings (g 3). Both the unit's region and the finding's own region path lie in the region, as above.
 */
function maintainedFindingsSql(keyExpr: string): string {
  return `
    SELECT CASE WHEN GROUPING(key) = 0 THEN key END AS key, NULLIF(platform, '*') AS platform, sum(n)::int AS n,
           (GROUPING(key) * 2 + (platform = '*')::int) AS g
      FROM (SELECT ${keyExpr} AS key, m.platform, m.n FROM matrix_finding_counts m
             WHERE m.region_path LIKE $1 || '%' AND m.finding_path LIKE $1 || '%') x
     GROUP BY GROUPING SETS ((key, platform), (platform))
    HAVING sum(n) <> 0`;
}

/** A row of the matrix's one statement: `kind` a account counts, f finding counts, la / lf the same by unit level. */
interface CountRow { kind: 'a' | 'f' | 'la' | 'lf'; key: string | null; platform: Platform | null; status: AccountStatus | null; n: number; label: string | null; g: number }

/** Unit level × platform × status account counts (`la`) and open findings per level and cell (`lf`, as in the matrix). */
function levelsSql(where: string): string {
  return `
    SELECT 'la' AS kind, u.level AS key, a.platform, a.status, count(*)::int AS n, NULL AS label, 0 AS g
      FROM accounts a JOIN units u ON u.id = a.unit_id
     WHERE ${where}
     GROUP BY u.level, a.platform, a.status
    UNION ALL
    SELECT 'lf', key, platform, NULL, n, NULL, g FROM (${findingsSql('u.level', where)}) f WHERE g IN (0, 1)`;
}

function levelRows(rows: CountRow[]): MatrixLevelRow[] {
  const levels = new Map<Level, MatrixLevelRow>();
  const level = (l: Level) => {
    let row = levels.get(l);
    if (!row) levels.set(l, (row = { level: l, cells: PLATFORMS.map(emptyCell), totalCell: emptyCell(null), live: 0, openFindings: 0 }));
    return row;
  };
  for (const r of rows) {
    if (r.kind !== 'la') continue;
    const row = level(r.key as Level);
    const i = PLATFORMS.indexOf(r.platform!);
    add(row.cells[i], r.status!, r.n);
    add(row.totalCell, r.status!, r.n);
    if (r.status !== AccountStatus.CLOSED) row.live += r.n;
  }
  for (const r of rows) {
    const row = r.kind === 'lf' && r.key ? levels.get(r.key as Level) : undefined;
    if (!row) continue;
    if (r.g === 1) row.openFindings = row.totalCell.openFindings = r.n;
    else if (r.platform) row.cells[PLATFORMS.indexOf(r.platform)].openFindings = r.n;
  }
  return LEVEL_ORDER.filter((l) => levels.has(l)).map((l) => levels.get(l)!);
}

/** Region subtree and user scope, as a WHERE clause over `units u` and its parameters. */
function subtree(regionPath: string, exact: boolean, scope: Scope): { where: string; params: unknown[] } {
  const params: unknown[] = [regionPath];
  const unitScope = scope.raw('u', 2);
  if (unitScope.value !== null) params.push(unitScope.value);
  const where = `${exact ? 'u.region_path = $1' : `u.region_path LIKE $1 || '%'`} AND ${unitScope.sql}`;
  return { where, params };
}

export const matrixService = {
  /**
   * One row per sub-region (plus a row for the region's own units), or one row per unit when the region has no
   * sub-regions; one column per platform; counts by status and open findings. ONE SQL statement after the
   * (batched, cached) region loads, whatever the size: account counts and finding counts together — or account
   * counts alone when `opts.findings` is false (the read planner: no `openFindings` selected; they stay 0); with
   * `opts.levels` the by-level rows as well (`byLevel` selected).
   */
  async matrix(ctx: Context, regionCode: string, opts: { findings: boolean; levels: boolean } = { findings: true, levels: false }): Promise<Matrix> {
    const region = await regionsService.byCode(ctx, regionCode);
    const children = await regionsService.children(ctx, region);
    const byUnit = children.length === 0;
    const { where, params } = subtree(region.path, byUnit, ctx.scope);
    // The row key of a unit's region path (rows by sub-region), or the unit (rows by unit).
    const keyOf = (path: string) => `COALESCE(NULLIF(split_part(substr(${path}, length($1) + 1), '/', 1), ''), 'self')`;
    const rowKey = byUnit ? 'u.id::text' : keyOf('u.region_path');
    // Rows by sub-region for a user who sees every unit: the maintained counts per unit region
    // (migrations/1732946700000-MatrixCounts.ts: a few rows per county, not every account and finding). A scope below
    // the country cuts across regions by the unit tree: its accounts and findings are counted.
    const maintained = !byUnit && ctx.scope.unrestricted;
    const rowsSql = byUnit
      ? `SELECT u.id::text AS key, a.platform, a.status, count(*)::int AS n, min(u.name) AS label
           FROM accounts a JOIN units u ON u.id = a.unit_id
          WHERE ${where}
          GROUP BY u.id, a.platform, a.status`
      : maintained
        ? `SELECT ${keyOf('m.region_path')} AS key, m.platform, m.status, sum(m.n)::int AS n, NULL AS label
             FROM matrix_account_counts m
            WHERE m.region_path LIKE $1 || '%'
            GROUP BY 1, 2, 3 HAVING sum(m.n) <> 0`
        : `SELECT ${rowKey} AS key, a.platform, a.status, count(*)::int AS n, NULL AS label
             FROM accounts a JOIN units u ON u.id = a.unit_id
            WHERE ${where}
            GROUP BY 1, 2, 3`;
    // ONE statement: account counts; open-finding counts when the selection asks for them; the by-level rows too
    // when `byLevel` is selected (same parameters: region path, scope).
    const parts = [`SELECT 'a' AS kind, key, platform, status, n, label, 0 AS g FROM (${rowsSql}) c`];
    if (opts.findings) {
      parts.push(`SELECT 'f', key, platform, NULL, n, NULL, g FROM (${maintained ? maintainedFindingsSql(keyOf('m.region_path')) : findingsSql(rowKey, where)}) f`);
    }
    if (opts.levels) parts.push(levelsSql(subtree(region.path, false, ctx.scope).where));
    const combined: CountRow[] = await ctx.em.query(parts.join('\n    UNION ALL\n'), params);
    const counts = combined.filter((r) => r.kind === 'a') as RowCount[];
    const findings: FindingCount[] = combined.filter((r) => r.kind === 'f');

    const { rows, totals, openFindings } = assembleMatrix({ region, children, byUnit, counts, findings });
    return { region, platforms: PLATFORMS, rows, totals, openFindings, scope: { regionPath: region.path, unitScope: ctx.scope },
      levels: opts.levels ? levelRows(combined) : undefined };
  },

  /**
   * Unit level × platform for the same region subtree and scope as the matrix: account counts by status and open
   * findings (counted as in the matrix), in ONE statement — none when the matrix read them already (planned).
   * Levels without any account are left out.
   */
  async byLevel(ctx: Context, matrix: Matrix): Promise<MatrixLevelRow[]> {
    if (matrix.levels) return matrix.levels;
    const { where, params } = subtree(matrix.scope.regionPath, false, matrix.scope.unitScope);
    return levelRows(await ctx.em.query(levelsSql(where), params));
  },
};
