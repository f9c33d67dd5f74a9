import { DetectionRule, Level, Platform, UnitKind } from '../common/enums';

/**
 * Detection and inspection policy. National defaults live here (the values of 国办发〔2018〕123号 and
 * 国办秘函〔2019〕19号); the `policies` table holds versioned overrides: one for the nation (region '0') and one per
 * province. The effective policy of a province = these defaults ← latest national override ← latest province
 * override (deep merge; arrays replace). Every threshold the rules use comes from here, never from constants.
 */
export interface PolicySettings {
  /** NO_UPDATE_14D: a publishing account with no post in the last `days` calendar days (check date included) fails. */
  noUpdate: { days: number };
  /** ZOMBIE: no post for more than `days` days, or never posted (and opened more than `days` days ago). */
  zombie: { days: number };
  /** NO_INTERACTION: interaction disabled, or a message still unanswered more than `replyDeadlineDays` days after it arrived. */
  interaction: { replyDeadlineDays: number };
  /**
   * STOPPED_NOT_DEREGISTERED: suspended for more than `days` days and still not deregistered; or active, its last post
   * a stop-update notice (title matching `noticePattern`, not `noticeExcludePattern`: holiday notices, a break of a
   * stated length) and silent for more than `noUpdate.days` days since (PostgreSQL regular expressions).
   */
  stopped: { days: number; noticePattern: string; noticeExcludePattern: string };
  /** REDUNDANT_SAME_PLATFORM: more than `maxPerPlatform` non-closed accounts of one unit on one platform. */
  redundant: { maxPerPlatform: number; excludedPlatforms: Platform[] };
  /** NAME_INCONSISTENT: platforms whose names naturally differ (apps, websites, mini-programs) are not compared. */
  names: { excludedPlatforms: Platform[] };
  /** UNFILED: can be switched off where filing is tracked elsewhere. */
  unfiled: { enabled: boolean };
  /** LEVEL_NOT_ALLOWED: units at `level` (and of one of `kinds`, all kinds when null) may not run accounts. */
  levelNotAllowed: { enabled: boolean; rules: { level: Level; kinds: UnitKind[] | null }[] };
  /**
   * LOW_VALUE: active accounts of units at `levels`, over the last `windowDays` days. Signals: median reads below
   * `minMedianReads`; fewer than `minOriginalsPerMonth` originals per 30 days; posts in fewer than
   * `minActiveWeekShare` of the window's weeks; more than `maxRepeatShare` of the posts repeat an earlier title.
   * Originals whose title matches `routinePattern` (a PostgreSQL regular expression; weekly internal work reports)
   * are not counted as originals.
   * Score = number of signals; flagged when score >= `minSignals` (and, if `requireLowReads`, low reads is one of them).
   */
  lowValue: {
    levels: Level[];
    windowDays: number;
    minMedianReads: number;
    minOriginalsPerMonth: number;
    minActiveWeekShare: number;
    maxRepeatShare: number;
    minSignals: number;
    requireLowReads: boolean;
    routinePattern: string;
  };
  /**
   * Inspection score: any veto rule fails the account; otherwise 100 minus `deductions` (points per rule, plus
   * LATE_REPLY per account with messages answered later than the reply deadline in the last 90 days).
   * Score below `passMark` fails; above `goodMark` is good.
   */
  inspection: {
    vetoRules: DetectionRule[];
    deductions: Partial<Record<DetectionRule | 'LATE_REPLY', number>>;
    passMark: number;
    goodMark: number;
    /** Stored inspections (检查批次) sample this share of the accounts (0.1–1), stratified by level and platform. */
    sampleRatio: number;
  };
  /**
   * Content checks (WRONG_EXPRESSION_SERIOUS / WRONG_EXPRESSION / OFF_MISSION) over the posts of the last
   * `windowDays` days. OFF_MISSION flags an account when at least `offMissionMinPosts` of those posts, and at least
   * `offMissionMinShare` of them, carry an off-mission marker that counts (server/content/matcher.ts).
   */
  content: { enabled: boolean; windowDays: number; offMissionMinShare: number; offMissionMinPosts: number };
  /** Suggested main account: score = reachWeight × followers share + activityWeight × posts-90-days share. */
  mainAccount: { reachWeight: number; activityWeight: number };
  /**
   * Schedules of the job queue (cron patterns `m h dom mon dow`, Beijing time of the server; 'off' disables one), read
   * from the national policy when the server starts: weekly detection per province, daily work-order reminders and
   * escalation, quarterly inspections (for the quarter just ended), re-checks of deregistered accounts, clean-up of
   * expired sessions.
   */
  jobs: { detection: string; reminders: string; inspections: string; recheck: string; sessions: string };
  /** Rectification work orders (整改工单): deadline in working days from creation; reminder this many working days before. */
  workOrders: { deadlineWorkingDays: number; remindWorkingDays: number };
  /**
   * Protected accounts (plans): an account with at least `followers` followers is never closed or merged away by a
   * draft, and closing it by hand needs a recorded override reason. (Government main accounts at county level and
   * above and service accounts are protected whatever their followers.) The national default is 50,000: the
   * former 100,000 warning let 泉港发布 (96,167) be closed without a word.
   */
  protect: { followers: number };
}

export const NATIONAL_DEFAULTS: PolicySettings = {
  noUpdate: { days: 14 },
  zombie: { days: 90 },
  interaction: { replyDeadlineDays: 5 },
  stopped: {
    days: 30,
    noticePattern: '停止更新|停更|不再更新|停止运营|不再运营|停止运行|即将注销',
    noticeExcludePattern: '假期|节假日|春节|国庆|元旦|五一|放假|休假|期间|恢复更新|(暂停|停更).{0,6}[0-9一二三四五六七八九十两]+ ?(天|日|周|个月)',
  },
  redundant: { maxPerPlatform: 1, excludedPlatforms: [] },
  names: { excludedPlatforms: [Platform.APP, Platform.MINIPROGRAM, Platform.WEBSITE] },
  unfiled: { enabled: true },
  levelNotAllowed: {
    enabled: false,
    rules: [
      { level: Level.COUNTY, kinds: [UnitKind.DEPARTMENT, UnitKind.INSTITUTION, UnitKind.INTERNAL] },
      { level: Level.TOWNSHIP, kinds: null },
    ],
  },
  lowValue: {
    levels: [Level.COUNTY, Level.TOWNSHIP],
    windowDays: 90,
    minMedianReads: 1000,
    minOriginalsPerMonth: 1,
    minActiveWeekShare: 0.5,
    maxRepeatShare: 0.3,
    minSignals: 2,
    requireLowReads: true,
    routinePattern: '工作简报|工作周报|工作月报|周工作|工作汇报|工作动态',
  },
  inspection: {
    vetoRules: [DetectionRule.NO_UPDATE_14D, DetectionRule.NO_INTERACTION, DetectionRule.WRONG_EXPRESSION_SERIOUS],
    deductions: {
      [DetectionRule.ZOMBIE]: 40,
      [DetectionRule.STOPPED_NOT_DEREGISTERED]: 30,
      [DetectionRule.UNFILED]: 20,
      [DetectionRule.LOW_VALUE]: 15,
      [DetectionRule.REDUNDANT_SAME_PLATFORM]: 10,
      [DetectionRule.LEVEL_NOT_ALLOWED]: 10,
      [DetectionRule.NAME_INCONSISTENT]: 5,
      [DetectionRule.OFF_MISSION]: 10,
      [DetectionRule.WRONG_EXPRESSION]: 5,
      LATE_REPLY: 5,
    },
    passMark: 60,
    goodMark: 80,
    sampleRatio: 0.2,
  },
  content: { enabled: true, windowDays: 90, offMissionMinShare: 0.1, offMissionMinPosts: 2 },
  mainAccount: { reachWeight: 0.6, activityWeight: 0.4 },
  workOrders: { deadlineWorkingDays: 10, remindWorkingDays: 2 },
  jobs: { detection: '0 2 * * 1', reminders: '0 8 * * *', inspections: '0 3 1 1,4,7,10 *', recheck: '0 4 * * *', sessions: '30 3 * * *' },
  protect: { followers: 50_000 },
};

export interface SettingsProblem {
  field: string;
  message: string;
}

type Check = (v: unknown) => string | null;
const int = (min: number, max: number): Check => (v) =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : `应为 ${min}–${max} 之间的整数`;
const num = (min: number, max: number): Check => (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `应为 ${min}–${max} 之间的数`;
const pattern: Check = (v) => {
  if (typeof v !== 'string' || v.length > 200) return '应为不超过 200 字的正则表达式';
  try {
    new RegExp(v, 'u');
  } catch {
    return '不是有效的正则表达式';
  }
  return null;
};
const cron: Check = (v) => (typeof v === 'string' && (v === 'off' || /^(\S+\s+){4}\S+$/.test(v.trim()) && v.length <= 100)
  ? null : '应为 cron 表达式（分 时 日 月 周，如 "0 2 * * 1"）或 off');
const bool: Check = (v) => (typeof v === 'boolean' ? null : '应为 true 或 false');
const enumList = (values: Record<string, string>, label: string): Check => (v) =>
  Array.isArray(v) && v.every((x) => Object.values(values).includes(x as string)) && new Set(v).size === v.length
    ? null : `应为${label}列表（不重复），可选：${Object.values(values).join(', ')}`;

const levelRules: Check = (v) => {
  if (!Array.isArray(v)) return '应为列表，如 [{"level":"county","kinds":["department"]}]';
  for (const r of v) {
    if (typeof r !== 'object' || r === null) return '每项应为 {level, kinds}';
    const o = r as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'level' && k !== 'kinds');
    if (extra.length) return `未知字段 ${extra.join(', ')}`;
    if (!Object.values(Level).includes(o.level as Level)) return `level 应为 ${Object.values(Level).join(', ')} 之一`;
    if (o.kinds !== null && o.kinds !== undefined && enumList(UnitKind, '单位类型')(o.kinds)) return `kinds 应为 null 或单位类型列表`;
  }
  return null;
};

const deductions: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return '应为对象，如 {"ZOMBIE": 40}';
  const keys = [...Object.values(DetectionRule), 'LATE_REPLY'];
  for (const [k, n] of Object.entries(v)) {
    if (!keys.includes(k)) return `未知规则 ${k}，可选：${keys.join(', ')}`;
    if (int(0, 100)(n)) return `${k} 的扣分应为 0–100 之间的整数`;
  }
  return null;
};

/** The schema the settings are validated against (code, not JSON Schema: one place, typed messages). */
const SCHEMA: Record<string, Record<string, Check>> = {
  noUpdate: { days: int(1, 365) },
  zombie: { days: int(1, 3650) },
  interaction: { replyDeadlineDays: int(1, 365) },
  stopped: { days: int(1, 3650), noticePattern: pattern, noticeExcludePattern: pattern },
  redundant: { maxPerPlatform: int(1, 100), excludedPlatforms: enumList(Platform, '平台') },
  names: { excludedPlatforms: enumList(Platform, '平台') },
  unfiled: { enabled: bool },
  levelNotAllowed: { enabled: bool, rules: levelRules },
  lowValue: {
    levels: enumList(Level, '层级'), windowDays: int(7, 730), minMedianReads: int(0, 100_000_000),
    minOriginalsPerMonth: num(0, 1000), minActiveWeekShare: num(0, 1), maxRepeatShare: num(0, 1), minSignals: int(1, 4),
    requireLowReads: bool, routinePattern: pattern,
  },
  inspection: { vetoRules: enumList(DetectionRule, '规则'), deductions, passMark: int(0, 100), goodMark: int(0, 100), sampleRatio: num(0.1, 1) },
  content: { enabled: bool, windowDays: int(7, 730), offMissionMinShare: num(0, 1), offMissionMinPosts: int(1, 1000) },
  mainAccount: { reachWeight: num(0, 1), activityWeight: num(0, 1) },
  workOrders: { deadlineWorkingDays: int(1, 60), remindWorkingDays: int(0, 30) },
  jobs: { detection: cron, reminders: cron, inspections: cron, recheck: cron, sessions: cron },
  protect: { followers: int(1, 2_000_000_000) },
};

/** Problems of a (partial) override, each naming the setting; empty when valid. Unknown keys are problems. */
export function validateSettings(input: unknown): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: 'settings', message: '应为对象，如 {"noUpdate": {"days": 10}}' }];
  }
  for (const [section, value] of Object.entries(input)) {
    const checks = SCHEMA[section];
    if (!checks) {
      problems.push({ field: `settings.${section}`, message: `未知设置项，可选：${Object.keys(SCHEMA).join(', ')}` });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ field: `settings.${section}`, message: '应为对象' });
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      const check = checks[key];
      if (!check) {
        problems.push({ field: `settings.${section}.${key}`, message: `未知设置项，可选：${Object.keys(checks).join(', ')}` });
        continue;
      }
      const msg = check(v);
      if (msg) problems.push({ field: `settings.${section}.${key}`, message: msg });
    }
  }
  return problems;
}

/** Deep merge: objects merge key by key, everything else (numbers, arrays) replaces. */
export function mergeSettings<T>(base: T, ...overrides: unknown[]): T {
  let out: unknown = structuredClone(base);
  for (const o of overrides) out = mergeOne(out, o);
  return out as T;
}

function mergeOne(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObj(base) || !isObj(over)) return structuredClone(over);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeOne(base[k], v);
  return out;
}
