/**
 * What an account was on a past date (Beijing calendar), from its status history and its own dates — the one
 * definition every "as of" count uses (time travel: matrix and counts as of a date).
 *
 * `$D` is the date (YYYY-MM-DD); the day ends at midnight Beijing time. For an account `a`:
 *   - it existed on D when it was opened on or before D (`opened_on`); with no opening date, when its first history
 *     entry (its creation in the registry) is before the end of D, or it has no history at all;
 *   - its status on D is the `to_status` of its last history entry before the end of D; a deregistration date
 *     (`closed_on`, also recorded by a plan's DEREGISTERED step, whose history row carries the confirmation time)
 *     on or before D makes it closed unless a later entry before the end of D reopened it; with no entry before the
 *     end of D (registered later, e.g. a registry imported afterwards), the status it had before its first later change
 *     (`from_status`), else the status it was registered with — active when that is closed with a later closing date.
 */
export const DAY_END = (d: string) => `((${d}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`;

/** Columns `existed` and `status_then` for the row `a` of accounts, as a LATERAL join body; `d`: the date parameter. */
export function statusThenSql(d: string): string {
  return `
    LEFT JOIN LATERAL (SELECT h.to_status, h.changed_at FROM account_status_history h
                        WHERE h.account_id = a.id AND h.changed_at < ${DAY_END(d)}
                        ORDER BY h.changed_at DESC, h.id DESC LIMIT 1) hb ON true
    LEFT JOIN LATERAL (SELECT h.from_status, h.to_status, h.changed_at FROM account_status_history h
                        WHERE h.account_id = a.id AND h.changed_at >= ${DAY_END(d)}
                        ORDER BY h.changed_at, h.id LIMIT 1) ha ON true
    CROSS JOIN LATERAL (SELECT
      (CASE WHEN a.opened_on IS NOT NULL THEN a.opened_on <= ${d}::date
            ELSE hb.changed_at IS NOT NULL OR ha.changed_at IS NULL OR ha.from_status IS NOT NULL END) AS existed,
      (CASE
         WHEN a.closed_on IS NOT NULL AND a.closed_on <= ${d}::date
              AND (hb.changed_at IS NULL OR hb.to_status = 'closed'
                   OR (hb.changed_at AT TIME ZONE 'Asia/Shanghai')::date <= a.closed_on) THEN 'closed'
         WHEN hb.to_status IS NOT NULL THEN hb.to_status
         WHEN ha.from_status IS NOT NULL THEN ha.from_status
         WHEN COALESCE(ha.to_status, a.status) = 'closed' AND a.closed_on > ${d}::date THEN 'active'
         ELSE COALESCE(ha.to_status, a.status) END) AS status_then) t`;
}
