import { AccountStatus, Platform } from '../common/enums';
import type { MatrixCell, MatrixRow } from './matrix.types';

/** The matrix's columns, in order. */
export const PLATFORMS = Object.values(Platform);

export function emptyCell(platform: Platform | null): MatrixCell {
  return { platform, active: 0, suspended: 0, closed: 0, total: 0, openFindings: 0 };
}

export function addToCell(cell: MatrixCell, status: AccountStatus, n: number): void {
  cell[status] += n;
  cell.total += n;
}

/** Accounts of one row key × platform × status (`label`: the unit's name when rows are units). */
export interface RowCount { key: string; label: string | null; platform: Platform; status: AccountStatus; n: number }
/** Open findings by row key and platform; `g`: GROUPING(key, platform) — 0 cell, 1 row total, 2 column total, 3 all. */
export interface FindingCount { key: string | null; platform: Platform | null; n: number; g: number }

/**
 * The rows of a region's matrix from its counts — the live matrix (matrix.service) and the matrix as of a date
 * (history.service) both build it here. Rows are the region itself (本级) and its sub-regions, or, for a region
 * without sub-regions, its units (ordered by live accounts). `each` sees every count with its platform column.
 */
export function assembleMatrix<C extends RowCount>(input: {
  region: { code: string; name: string };
  children: readonly { code: string; name: string }[];
  byUnit: boolean;
  counts: readonly C[];
  findings: readonly FindingCount[];
  each?: (count: C, column: number) => void;
}): { rows: MatrixRow[]; totals: MatrixCell[]; openFindings: number } {
  const { region, byUnit } = input;
  const rows = new Map<string, MatrixRow>();
  const makeRow = (key: string, label: string, kind: MatrixRow['kind'], regionCode: string | null, unitId: string | null) => {
    const row: MatrixRow = { key, label, kind, regionCode, unitId, cells: PLATFORMS.map(emptyCell), totalCell: emptyCell(null), live: 0, openFindings: 0 };
    rows.set(key, row);
    return row;
  };
  if (!byUnit) {
    makeRow('self', `${region.name}本级`, 'SELF', region.code, null);
    for (const c of input.children) makeRow(c.code, c.name, 'REGION', c.code, null);
  }
  const totals = PLATFORMS.map(emptyCell);
  for (const c of input.counts) {
    const row = rows.get(c.key) ?? makeRow(c.key, c.label ?? c.key, byUnit ? 'UNIT' : 'REGION', byUnit ? region.code : c.key, byUnit ? c.key : null);
    const i = PLATFORMS.indexOf(c.platform);
    addToCell(row.cells[i], c.status, c.n);
    addToCell(row.totalCell, c.status, c.n);
    addToCell(totals[i], c.status, c.n);
    if (c.status !== AccountStatus.CLOSED) row.live += c.n;
    input.each?.(c, i);
  }
  let openFindings = 0;
  for (const f of input.findings) {
    const i = f.platform ? PLATFORMS.indexOf(f.platform) : -1;
    if (f.g === 3) openFindings = f.n;
    else if (f.g === 2) { if (i >= 0) totals[i].openFindings = f.n; }
    else {
      // Every finding concerns accounts, so its row exists (from the account counts); guard anyway.
      const row = f.key === null ? undefined : rows.get(f.key);
      if (!row) continue;
      if (f.g === 1) row.openFindings = row.totalCell.openFindings = f.n;
      else if (i >= 0) row.cells[i].openFindings = f.n;
    }
  }
  const ordered = [...rows.values()];
  if (byUnit) ordered.sort((a, b) => b.live - a.live || a.label.localeCompare(b.label, 'zh-CN'));
  return { rows: ordered, totals, openFindings };
}
