/**
 * How a matrix cell is coloured. Until detection findings are available per cell, "problems" are read from the
 * status counts: suspended accounts (stop-update announced, not yet deregistered) are the visible problem.
 */
export type Tone = 'empty' | 'ok' | 'warn' | 'bad' | 'closed';

export interface CellCounts {
  active: number;
  suspended: number;
  closed: number;
  total: number;
}

/** Share of live accounts that are suspended at or above which a cell is "bad". */
export const BAD_SUSPENDED_SHARE = 0.3;

export function cellTone(cell: CellCounts, problems = 0): Tone {
  if (cell.total === 0) return 'empty';
  const live = cell.active + cell.suspended;
  if (live === 0) return 'closed';
  const troubled = Math.max(cell.suspended, problems);
  if (troubled === 0) return 'ok';
  return troubled / live >= BAD_SUSPENDED_SHARE ? 'bad' : 'warn';
}
