/**
 * Working days for the notice-period countdown, on calendar dates (YYYY-MM-DD) in China time. Weekends are not
 * working days; public holidays are a server setting the client does not know, so the server's `earliestOn`
 * (which does know them) is the authority and this only counts down to it.
 */
export function todayInChina(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function isWeekday(date: string): boolean {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** Working days strictly after `from` up to and including `to` (0 when `to` <= `from`), as the server counts. */
export function workingDaysBetween(from: string, to: string): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWeekday(d)) n++;
  return n;
}

export interface NoticeCountdown {
  /** Working days of the notice period that have passed (capped at the required number). */
  passed: number;
  required: number;
  /** Working days still to wait before deregistration may be confirmed (0 = it may be confirmed today). */
  left: number;
  /** The first date deregistration may be confirmed (the server's figure when given). */
  earliest: string;
  open: boolean;
}

/**
 * The notice period of a shutdown: published on `noticeOn`, `required` working days must pass; deregistration
 * may be confirmed from `earliest` on. `earliestOn` from the server wins over the weekday-only estimate.
 */
export function noticeCountdown(noticeOn: string, required: number, today: string, earliestOn?: string | null): NoticeCountdown {
  let earliest = earliestOn ?? noticeOn;
  if (!earliestOn) {
    for (let left = required; left > 0;) {
      earliest = addDays(earliest, 1);
      if (isWeekday(earliest)) left--;
    }
  }
  const left = today >= earliest ? 0 : Math.max(1, workingDaysBetween(today, earliest));
  const passed = Math.min(required, workingDaysBetween(noticeOn, today));
  return { passed, required, left, earliest, open: left === 0 };
}
