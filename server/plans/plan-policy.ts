import { badInput } from '../kernel/errors';

/**
 * Policy settings of the plans feature (national defaults; provinces differ). Read from the environment once;
 * tests may override with `setPlanPolicy`.
 *   PLAN_NOTICE_WORKING_DAYS  stop-update notice period before deregistration (default 15 working days, Yunnan rule)
 *   PLAN_WARN_FOLLOWERS       closing/merging an account with at least this many followers → warning (default 100000)
 *   PLAN_WARN_SERVICES        closing/merging an account with at least this many services → warning (default 3)
 *   PLAN_HOLIDAYS             public holidays (YYYY-MM-DD, comma separated) that are not working days
 *   PLAN_EXTRA_WORKDAYS       weekend days that are working days (调休), YYYY-MM-DD, comma separated
 */
export interface PlanPolicy {
  noticeWorkingDays: number;
  warnFollowers: number;
  warnServices: number;
  holidays: ReadonlySet<string>;
  extraWorkdays: ReadonlySet<string>;
}

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`环境变量 ${name}=${raw} 无效：应为 ${min}–${max} 之间的整数 (invalid ${name})`);
  }
  return n;
}

function envDates(name: string): Set<string> {
  const raw = process.env[name];
  if (!raw) return new Set();
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const d of list) if (!isIsoDate(d)) throw new Error(`环境变量 ${name} 中的日期 ${d} 无效：应为 YYYY-MM-DD (invalid ${name})`);
  return new Set(list);
}

let policy: PlanPolicy | undefined;

export function getPlanPolicy(): PlanPolicy {
  policy ??= {
    noticeWorkingDays: envInt('PLAN_NOTICE_WORKING_DAYS', 15, 0, 365),
    warnFollowers: envInt('PLAN_WARN_FOLLOWERS', 100_000, 0, 2_000_000_000),
    warnServices: envInt('PLAN_WARN_SERVICES', 3, 0, 100_000),
    holidays: envDates('PLAN_HOLIDAYS'),
    extraWorkdays: envDates('PLAN_EXTRA_WORKDAYS'),
  };
  return policy;
}

/** Overrides (tests, admin tools). Pass nothing to reset to the environment's values. */
export function setPlanPolicy(overrides?: Partial<PlanPolicy>): PlanPolicy {
  policy = undefined;
  if (overrides) policy = { ...getPlanPolicy(), ...overrides };
  return getPlanPolicy();
}

// ---- dates (calendar dates as YYYY-MM-DD strings, no time zone games) ----

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Today's date in China (Asia/Shanghai). */
export function todayInChina(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function isWorkingDay(date: string, p: Pick<PlanPolicy, 'holidays' | 'extraWorkdays'> = getPlanPolicy()): boolean {
  if (p.extraWorkdays.has(date)) return true;
  if (p.holidays.has(date)) return false;
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** Working days strictly after `from` up to and including `to` (0 when `to` <= `from`). */
export function workingDaysBetween(from: string, to: string, p: Pick<PlanPolicy, 'holidays' | 'extraWorkdays'> = getPlanPolicy()): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d, p)) n++;
  return n;
}

/** The first date on which `n` working days have passed since `from` (the notice day itself does not count). */
export function addWorkingDays(from: string, n: number, p: Pick<PlanPolicy, 'holidays' | 'extraWorkdays'> = getPlanPolicy()): string {
  let d = from;
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(d, p)) left--;
  }
  return d;
}

/** Validates a date argument: a real YYYY-MM-DD date, not in the future (China time). */
export function parseStepDate(value: string | null | undefined, field = 'date'): string {
  const today = todayInChina();
  if (value === null || value === undefined || value === '') return today;
  if (!isIsoDate(value)) throw badInput(`${field} 无效：${value} 不是 YYYY-MM-DD 格式的日期 (invalid date)`, [{ field, message: '应为 YYYY-MM-DD' }]);
  if (value > today) throw badInput(`${field} 不能晚于今天（${today}）(date in the future)`, [{ field, message: '不能是将来的日期' }]);
  return value;
}
