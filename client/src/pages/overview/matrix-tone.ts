/**
 * How a matrix cell is coloured: by the open detection findings in it per live (not deregistered) account.
 * A finding is counted once in every platform cell it concerns (see `MatrixCell.openFindings` in the schema), so
 * the ratio is "problems per live account", not a share of accounts; it can exceed 1.
 */
export type Tone = 'empty' | 'ok' | 'warn' | 'bad' | 'closed';

export interface CellCounts {
  active: number;
  suspended: number;
  closed: number;
  total: number;
  openFindings: number;
}

/**
 * Open findings per live account at or above which a cell is "bad". On the demo province half of the cells with
 * accounts have fewer than 0.4 findings per live account and a quarter more than 0.55.
 */
export const BAD_FINDINGS_PER_ACCOUNT = 0.5;

/** Open findings per live account; null when the cell has no live account. */
export function findingsPerLive(cell: CellCounts): number | null {
  const live = cell.active + cell.suspended;
  return live === 0 ? null : cell.openFindings / live;
}

export function cellTone(cell: CellCounts): Tone {
  if (cell.total === 0) return 'empty';
  const ratio = findingsPerLive(cell);
  if (ratio === null) return 'closed';
  if (ratio === 0) return 'ok';
  return ratio >= BAD_FINDINGS_PER_ACCOUNT ? 'bad' : 'warn';
}
