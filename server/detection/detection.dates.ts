import { parseDate } from '../kernel/dates';

/**
 * Dates of detection and inspection. The check date D is a Beijing calendar date (`YYYY-MM-DD`); in the rule SQL it
 * is parameter $1 (see detection.engine.ts for the exact meaning of "within N days of D").
 */

/**
 * THE validation of a check-date argument (`asOf` of runDetection, inspectionReport, Account.inspection,
 * suggestedMainAccounts): absent → today in Beijing; otherwise a real `YYYY-MM-DD` date, or BAD_USER_INPUT naming
 * the argument.
 */
export function checkDate(asOf: string | null | undefined, field = 'asOf'): string {
  return parseDate(asOf, field);
}

/** The check instant: the start of the check date in Beijing time (D 00:00 +08:00), an exclusive upper bound. */
export const CHECK_INSTANT = `($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')`;

/** Start (00:00 Beijing) of the day `n` days before the check date; `n` is a SQL expression. */
export const dayStart = (n: string) => `(($1::date - (${n}))::timestamp AT TIME ZONE 'Asia/Shanghai')`;

/** Beijing calendar date of a timestamptz expression. */
export const bjDate = (ts: string) => `((${ts}) AT TIME ZONE 'Asia/Shanghai')::date`;
