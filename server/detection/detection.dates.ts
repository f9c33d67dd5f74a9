/**
 * Date helpers of the rule SQL. The check date D is parameter $1 (`YYYY-MM-DD`, a Beijing calendar date); see
 * detection.engine.ts for the exact meaning of "within N days of D".
 */

/** The check instant: the start of the check date in Beijing time (D 00:00 +08:00), an exclusive upper bound. */
export const CHECK_INSTANT = `($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')`;

/** Start (00:00 Beijing) of the day `n` days before the check date; `n` is a SQL expression. */
export const dayStart = (n: string) => `(($1::date - (${n}))::timestamp AT TIME ZONE 'Asia/Shanghai')`;

/** Beijing calendar date of a timestamptz expression. */
export const bjDate = (ts: string) => `((${ts}) AT TIME ZONE 'Asia/Shanghai')::date`;

/** Today's date in Beijing (`YYYY-MM-DD`). */
export function todayInShanghai(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Validates a check date argument; returns it as `YYYY-MM-DD` or null when invalid. */
export function parseCheckDate(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value ? null : value;
}
