import { isIsoDate, type WorkCalendar } from '../kernel/dates';

/**
 * Policy settings of the plans feature (national defaults; provinces differ). Read from the environment once;
 * tests may override with `setPlanPolicy`.
 *   PLAN_NOTICE_WORKING_DAYS  stop-update notice period before deregistration (default 15 working days, Yunnan rule)
 *   PLAN_WARN_FOLLOWERS       closing/merging an account with at least this many followers → warning (default 100000)
 *   PLAN_WARN_SERVICES        closing/merging an account with at least this many services → warning (default 3)
 *   PLAN_HOLIDAYS             public holidays (YYYY-MM-DD, comma separated) that are not working days
 *   PLAN_EXTRA_WORKDAYS       weekend days that are working days (调休), YYYY-MM-DD, comma separated
 */
/** The working-day calendar (`holidays`, `extraWorkdays`) is passed to kernel/dates.ts as a `WorkCalendar`. */
export interface PlanPolicy extends WorkCalendar {
  noticeWorkingDays: number;
  warnFollowers: number;
  warnServices: number;
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
