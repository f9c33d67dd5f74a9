import { badInput } from './errors';

/**
 * Dates as Chinese civil servants mean them: calendar dates in Beijing time (Asia/Shanghai, UTC+8 all year since
 * 1991), written `YYYY-MM-DD`. The one implementation of "today", date parsing and working days.
 */
const BEIJING_OFFSET_MS = 8 * 3600_000;

/** Today's date in Beijing (`YYYY-MM-DD`). */
export function todayInBeijing(now = new Date()): string {
  return new Date(now.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Beijing calendar date of an instant. */
export function beijingDate(at: Date): string {
  return todayInBeijing(at);
}

/** Whether `s` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export interface DateRule {
  /** Refuse dates after today (Beijing). */
  notFuture?: boolean;
  /** Refuse dates before this one. */
  min?: string;
}

/**
 * Validates a date argument: absent → today (Beijing); otherwise a real `YYYY-MM-DD` date within the rule, or
 * BAD_USER_INPUT naming the argument.
 */
export function parseDate(value: string | null | undefined, field: string, rule: DateRule = {}): string {
  const today = todayInBeijing();
  if (value === null || value === undefined || value === '') return today;
  if (!isIsoDate(value)) {
    throw badInput(`${field} 无效：“${String(value).slice(0, 40)}”不是 YYYY-MM-DD 格式的日期 (invalid date)`, [{ field, message: '应为 YYYY-MM-DD' }]);
  }
  if (rule.notFuture && value > today) {
    throw badInput(`${field} 不能晚于今天（${today}）(date in the future)`, [{ field, message: '不能是将来的日期' }]);
  }
  if (rule.min && value < rule.min) {
    throw badInput(`${field} 不能早于 ${rule.min} (date too early)`, [{ field, message: `不能早于 ${rule.min}` }]);
  }
  return value;
}

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Official calendar adjustments: public holidays that fall on weekdays, and weekend days that are working days. */
export interface WorkCalendar {
  holidays: ReadonlySet<string>;
  extraWorkdays: ReadonlySet<string>;
}

export function isWorkingDay(date: string, cal: WorkCalendar): boolean {
  if (cal.extraWorkdays.has(date)) return true;
  if (cal.holidays.has(date)) return false;
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** Working days strictly after `from` up to and including `to` (0 when `to` <= `from`). */
export function workingDaysBetween(from: string, to: string, cal: WorkCalendar): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d, cal)) n++;
  return n;
}

/** The first date on which `n` working days have passed since `from` (the day itself does not count). */
export function addWorkingDays(from: string, n: number, cal: WorkCalendar): string {
  let d = from;
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(d, cal)) left--;
  }
  return d;
}
