import type { Context } from '../graphql/context';
import { scopePath } from '../graphql/context';
import { AccountStatus, Platform } from '../common/enums';
import { regionsService } from '../regions/regions.service';
import { Matrix, MatrixCell, MatrixRow } from './matrix.types';

const PLATFORMS = Object.values(Platform);

function emptyCell(platform: Platform | null): MatrixCell {
  return { platform, active: 0, suspended: 0, closed: 0, total: 0 };
}

function add(cell: MatrixCell, status: AccountStatus, n: number): void {
  cell[status] += n;
  cell.total += n;
}

export const matrixService = {
  /**
   * One row per sub-region (plus a row for the region's own units), or one row per unit when the region has no
   * sub-regions; one column per platform; counts by status. Two SQL statements, whatever the size.
   */
  async matrix(ctx: Context, regionCode: string): Promise<Matrix> {
    const region = await regionsService.byCode(ctx, regionCode);
    const children = await regionsService.children(ctx, region);
    const scope = scopePath(ctx);
    const byUnit = children.length === 0;
    const rowsSql = byUnit
      ? `SELECT u.id::text AS key, a.platform, a.status, count(*)::int AS n, min(u.name) AS label
           FROM accounts a JOIN units u ON u.id = a.unit_id
          WHERE u.region_path = $1 ${scope ? 'AND u.path LIKE $2' : ''}
          GROUP BY u.id, a.platform, a.status`
      : `SELECT COALESCE(NULLIF(split_part(substr(u.region_path, length($1) + 1), '/', 1), ''), 'self') AS key,
                a.platform, a.status, count(*)::int AS n, NULL AS label
           FROM accounts a JOIN units u ON u.id = a.unit_id
          WHERE u.region_path LIKE $1 || '%' ${scope ? 'AND u.path LIKE $2' : ''}
          GROUP BY 1, 2, 3`;
    const params: unknown[] = [region.path];
    if (scope) params.push(`${scope}%`);
    const counts: { key: string; platform: Platform; status: AccountStatus; n: number; label: string | null }[] =
      await ctx.em.query(rowsSql, params);

    const rows = new Map<string, MatrixRow>();
    const makeRow = (key: string, label: string, kind: MatrixRow['kind'], regionCode: string | null, unitId: string | null) => {
      const row: MatrixRow = { key, label, kind, regionCode, unitId, cells: PLATFORMS.map(emptyCell), totalCell: emptyCell(null), live: 0 };
      rows.set(key, row);
      return row;
    };
    if (!byUnit) {
      makeRow('self', `${region.name}本级`, 'SELF', region.code, null);
      for (const c of children) makeRow(c.code, c.name, 'REGION', c.code, null);
    }
    const totals = PLATFORMS.map(emptyCell);
    for (const c of counts) {
      const row = rows.get(c.key) ?? makeRow(c.key, c.label ?? c.key, byUnit ? 'UNIT' : 'REGION', byUnit ? region.code : c.key, byUnit ? c.key : null);
      const i = PLATFORMS.indexOf(c.platform);
      add(row.cells[i], c.status, c.n);
      add(row.totalCell, c.status, c.n);
      add(totals[i], c.status, c.n);
      if (c.status !== AccountStatus.CLOSED) row.live += c.n;
    }
    const ordered = [...rows.values()];
    if (byUnit) ordered.sort((a, b) => b.live - a.live || a.label.localeCompare(b.label, 'zh-CN'));
    return { region, platforms: PLATFORMS, rows: ordered, totals };
  },
};
