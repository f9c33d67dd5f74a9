import { AccountStatus, AccountType, Platform } from '../common/enums';
import { GOV_SERVICES, PROVINCE_ABBR, type UnitTier } from './names';
import { rngFor, type Rng } from './random';
import type { SeedUnit } from './units';

/**
 * Which accounts each unit runs, with their attributes and an activity *profile* that decides what their posts
 * and messages will look like — including the planted problems.
 */

export type Profile = 'healthy' | 'idle' | 'zombie' | 'never' | 'suspended_long' | 'suspended_recent' | 'closed' | 'low_value';

export interface SeedAccount {
  platform: Platform;
  handle: string;
  name: string;
  unit: SeedUnit;
  type: AccountType;
  status: AccountStatus;
  filingNo: string | null;
  /** Days since 1970-01-01 in Asia/Shanghai. */
  openedDay: number;
  followers: number;
  interaction: boolean;
  isMain: boolean;
  profile: Profile;
  /** Day of the last post (null: never posted). */
  endDay: number | null;
  /** Posts per day while active. */
  rate: number;
  readsMedian: number;
  originalShare: number;
  msgsPerYear: number;
  /** Messages left unanswered for more than the reply deadline (planted). */
  unansweredOld: number;
  services: string[];
}

/** Social platforms: where one unit's accounts should carry one name (website/app/mini-program carry brand names). */
export const SOCIAL: ReadonlySet<Platform> = new Set([Platform.WECHAT, Platform.WEIBO, Platform.DOUYIN, Platform.TOUTIAO, Platform.KUAISHOU,
  Platform.BILIBILI, Platform.XIAOHONGSHU]);

type PlatformOdds = Partial<Record<Platform, number>>;
const GOV_PLATFORMS: Record<UnitTier, PlatformOdds> = {
  province: { website: 1, wechat: 1, weibo: 1, douyin: 1, toutiao: 1, kuaishou: 0.5, bilibili: 0.8, xiaohongshu: 0.6, app: 1, miniprogram: 1 },
  city: { website: 1, wechat: 1, weibo: 1, douyin: 0.95, toutiao: 0.85, kuaishou: 0.35, bilibili: 0.2, xiaohongshu: 0.25, app: 0.6, miniprogram: 0.5 },
  county: { website: 1, wechat: 1, weibo: 0.75, douyin: 0.6, toutiao: 0.4, kuaishou: 0.15, bilibili: 0.02, xiaohongshu: 0.05 },
  township: { wechat: 0.55, weibo: 0.06, douyin: 0.12, toutiao: 0.04, kuaishou: 0.03 },
};
const DEPT_PLATFORMS: Record<UnitTier, PlatformOdds> = {
  province: { wechat: 0.98, weibo: 0.7, douyin: 0.6, toutiao: 0.4, kuaishou: 0.15, bilibili: 0.15, xiaohongshu: 0.1, app: 0.08, miniprogram: 0.3 },
  city: { wechat: 0.85, weibo: 0.45, douyin: 0.4, toutiao: 0.25, kuaishou: 0.1, bilibili: 0.03, xiaohongshu: 0.03, app: 0.02, miniprogram: 0.2 },
  county: { wechat: 0.55, weibo: 0.15, douyin: 0.2, toutiao: 0.08, kuaishou: 0.05, miniprogram: 0.05 },
  township: { wechat: 0.15, miniprogram: 0.05 },
};
const MEDIA_PLATFORMS: PlatformOdds = { wechat: 1, douyin: 0.85, weibo: 0.5, toutiao: 0.5, kuaishou: 0.35, app: 0.6 };

/** Rates of the planted problems per tier (share of accounts). */
const PROBLEM_RATES: Record<UnitTier, Record<'idle' | 'zombie' | 'never' | 'suspLong' | 'suspRecent' | 'closed' | 'unfiled' | 'noInteraction' | 'unanswered' | 'low' | 'redundant', number>> = {
  province: { idle: 0.01, zombie: 0.015, never: 0.005, suspLong: 0.01, suspRecent: 0.004, closed: 0.02, unfiled: 0.02, noInteraction: 0.01, unanswered: 0.02, low: 0, redundant: 0.03 },
  city: { idle: 0.025, zombie: 0.03, never: 0.01, suspLong: 0.015, suspRecent: 0.005, closed: 0.03, unfiled: 0.03, noInteraction: 0.02, unanswered: 0.03, low: 0, redundant: 0.05 },
  county: { idle: 0.045, zombie: 0.045, never: 0.02, suspLong: 0.02, suspRecent: 0.008, closed: 0.04, unfiled: 0.06, noInteraction: 0.04, unanswered: 0.05, low: 0.1, redundant: 0.04 },
  township: { idle: 0.06, zombie: 0.06, never: 0.03, suspLong: 0.02, suspRecent: 0.008, closed: 0.05, unfiled: 0.1, noInteraction: 0.06, unanswered: 0.05, low: 0.15, redundant: 0.03 },
};

/** Years before the check date an account on this platform was typically opened: [min, max]. */
const OPENED_YEARS: Record<Platform, [number, number]> = {
  wechat: [2, 11], weibo: [6, 14], douyin: [1, 6], toutiao: [3, 8], kuaishou: [1, 5], bilibili: [1, 5], xiaohongshu: [0.4, 3], app: [2, 9],
  miniprogram: [1, 6], website: [12, 24],
};
const RATE_FACTOR: Record<Platform, number> = { website: 1.3, wechat: 1, weibo: 1.2, douyin: 0.4, toutiao: 0.6, kuaishou: 0.3, bilibili: 0.12, xiaohongshu: 0.2, app: 1, miniprogram: 0.03 };
const READS_FACTOR: Record<Platform, number> = { website: 0.4, wechat: 1, weibo: 1.5, douyin: 3, toutiao: 1, kuaishou: 2, bilibili: 1.5, xiaohongshu: 1, app: 0.8, miniprogram: 0.5 };
const FOLLOWER_FACTOR: Record<Platform, number> = { website: 0, wechat: 1, weibo: 1.6, douyin: 1.3, toutiao: 0.5, kuaishou: 0.6, bilibili: 0.3, xiaohongshu: 0.2, app: 2, miniprogram: 0.8 };
const MSG_FACTOR: Record<Platform, number> = { website: 1.5, wechat: 1, weibo: 0.8, douyin: 0.5, toutiao: 0.3, kuaishou: 0.3, bilibili: 0.3, xiaohongshu: 0.3, app: 0.5, miniprogram: 0.3 };
const SERVICE_DEPTS = new Set(['GA', 'RS', 'WJ', 'YB', 'GJJ', 'SW', 'ZWFW', 'MZ', 'SF']);

interface TierNumbers { rate: number; reads: number; followers: number; msgs: number }
const GOV_NUMBERS: Record<UnitTier, TierNumbers> = {
  province: { rate: 5, reads: 40000, followers: 900000, msgs: 600 },
  city: { rate: 3, reads: 10000, followers: 180000, msgs: 250 },
  county: { rate: 1.5, reads: 3000, followers: 30000, msgs: 60 },
  township: { rate: 0.25, reads: 1800, followers: 2500, msgs: 6 },
};
const DEPT_NUMBERS: Record<UnitTier, TierNumbers> = {
  province: { rate: 1, reads: 8000, followers: 150000, msgs: 150 },
  city: { rate: 0.6, reads: 3000, followers: 30000, msgs: 60 },
  county: { rate: 0.3, reads: 1800, followers: 6000, msgs: 15 },
  township: { rate: 0.15, reads: 1500, followers: 1200, msgs: 3 },
};
const MEDIA_NUMBERS: TierNumbers = { rate: 2.5, reads: 3500, followers: 40000, msgs: 30 };

export interface PlanContext {
  seed: number;
  asOfDay: number;
  /** Share of optional accounts a province opens (1 = the base rates). */
  density: number;
  provinceCode: string;
  /** Running filing sequence per filing area. */
  filingSeq: Map<string, number>;
}

const handleOf = (u: SeedUnit, p: Platform, n: number) => `${p === Platform.WECHAT ? 'gh_' : ''}${u.code.toLowerCase().replace(/-/g, '_')}${n > 1 ? `_${n}` : ''}`;
const fillName = (tpl: string, u: SeedUnit) => tpl.replace(/\{r\}/g, u.regionShort).replace(/\{t\}/g, u.regionFull);

function numbersOf(u: SeedUnit): TierNumbers {
  if (u.dept?.key === 'RMT') return MEDIA_NUMBERS;
  return u.isGov ? GOV_NUMBERS[u.tier] : DEPT_NUMBERS[u.tier];
}

/** The main account name of a unit on social platforms. */
export function mainName(u: SeedUnit, rng: Rng): string {
  if (u.dept) return fillName(u.dept.names[0], u);
  if (u.tier !== 'township') return `${u.regionShort}发布`;
  const s = u.regionShort;
  return rng.pick([u.regionFull, `微${s}`, `${s}之声`, `美丽${s}`, `${s}发布`]);
}

function brandName(u: SeedUnit, p: Platform): string {
  const abbr = PROVINCE_ABBR[u.code.slice(0, 2)] ?? '';
  if (p === Platform.WEBSITE) return `${u.name}门户网站`;
  if (u.isGov && p === Platform.APP) return u.tier === 'province' ? `${abbr}政通` : `e${u.regionShort}`;
  if (u.isGov && p === Platform.MINIPROGRAM) return u.tier === 'province' ? `${abbr}政通小程序` : `${u.regionShort}政务服务`;
  if (u.dept?.key === 'RMT' && p === Platform.APP) return `看${u.regionShort}`;
  return `${u.regionShort}${u.dept?.short ?? ''}${p === Platform.APP ? '' : '服务'}`;
}

function servicesFor(u: SeedUnit, p: Platform, rng: Rng): string[] {
  if (u.isGov) {
    const n = p === Platform.APP || p === Platform.MINIPROGRAM ? (u.tier === 'province' ? 30 : rng.int(12, 20)) : p === Platform.WEBSITE ? rng.int(8, 20) : rng.int(3, 8);
    return rng.sample(GOV_SERVICES, n);
  }
  const own = u.dept?.services.length ? u.dept.services : ['政务公开查询'];
  return [...rng.sample(own, rng.int(Math.min(2, own.length), own.length)), '投诉建议'];
}

function typeFor(u: SeedUnit, p: Platform, rng: Rng): AccountType {
  if (p === Platform.WEBSITE) return AccountType.BOTH;
  if (p === Platform.MINIPROGRAM) return AccountType.SERVICE;
  if (p === Platform.APP) return u.isGov || u.dept?.key === 'RMT' ? AccountType.BOTH : AccountType.SERVICE;
  if (p !== Platform.WECHAT || u.dept?.key === 'RMT') return AccountType.PUBLISHING;
  if (u.isGov) return u.tier === 'province' || u.tier === 'city' ? AccountType.BOTH : AccountType.PUBLISHING;
  return u.dept && SERVICE_DEPTS.has(u.dept.key) && rng.chance(0.5) ? AccountType.BOTH : AccountType.PUBLISHING;
}

function oddsFor(u: SeedUnit): PlatformOdds {
  if (u.isOffice) return {};
  if (u.isGov) return GOV_PLATFORMS[u.tier];
  if (u.dept?.key === 'RMT') return MEDIA_PLATFORMS;
  return DEPT_PLATFORMS[u.tier];
}

/** Draws the profile (planted activity problem or healthy) of one account. */
function drawProfile(u: SeedUnit, p: Platform, type: AccountType, rng: Rng): Profile {
  if (p === Platform.WEBSITE) return 'healthy';
  const r = PROBLEM_RATES[u.tier];
  const x = rng.next();
  let acc = 0;
  const steps: [Profile, number][] = [['closed', r.closed], ['suspended_long', r.suspLong], ['suspended_recent', r.suspRecent], ['never', r.never], ['zombie', r.zombie]];
  if (type !== AccountType.SERVICE) {
    steps.push(['idle', r.idle]);
    // Low value: grassroots accounts, not the county government's own voice.
    if (!(u.isGov && u.tier === 'county') && u.dept?.key !== 'RMT') steps.push(['low_value', r.low]);
  }
  for (const [profile, share] of steps) {
    acc += share;
    if (x < acc) return profile;
  }
  return 'healthy';
}

/** Builds one account (attributes + activity parameters). */
export function makeAccount(ctx: PlanContext, u: SeedUnit, p: Platform, n: number, name: string, isMain: boolean, forced?: Profile): SeedAccount {
  const handle = handleOf(u, p, n);
  const rng = rngFor(ctx.seed, 'acct', p, handle);
  const type = typeFor(u, p, rng);
  const profile = forced ?? drawProfile(u, p, type, rng);
  const rates = PROBLEM_RATES[u.tier];
  const nums = numbersOf(u);
  const [y0, y1] = isMain ? OPENED_YEARS[p] : [0.3, 6];
  let openedDay = ctx.asOfDay - Math.round(rng.real(y0, y1) * 365);
  const a = ctx.asOfDay;
  let endDay: number | null;
  switch (profile) {
    case 'healthy': endDay = p === Platform.WEBSITE ? a - 1 : type === AccountType.SERVICE ? a - rng.int(1, 30) : a - rng.int(1, 7); break;
    case 'idle': endDay = a - rng.int(16, 58); break;
    case 'zombie': endDay = a - rng.int(95, 900); break;
    case 'never': endDay = null; break;
    case 'suspended_long': endDay = a - rng.int(35, 400); break;
    case 'suspended_recent': endDay = a - rng.int(5, 25); break;
    case 'closed': endDay = a - rng.int(20, 500); break;
    case 'low_value': endDay = a - rng.int(1, 25); break;
  }
  // An account was opened well before its last post (and never-posted ones long before the check date).
  const latestOpen = endDay === null ? a - rng.int(120, 700) : Math.min(endDay - 30, a - 20);
  if (openedDay > latestOpen) openedDay = latestOpen - rng.int(0, 200);

  const low = profile === 'low_value';
  const isDeptService = type === AccountType.SERVICE;
  const rate = nums.rate * RATE_FACTOR[p] * (isMain ? 1 : 0.5) * (isDeptService ? 0.3 : 1) * rng.logNormal(1, 0.35) * (low ? 0.5 : 1);
  const grassroots = u.tier === 'county' || u.tier === 'township';
  let readsMedian = nums.reads * READS_FACTOR[p] * rng.logNormal(1, 0.3);
  if (grassroots && !low) readsMedian = Math.max(readsMedian, 1500);
  if (low) readsMedian = rng.int(40, 500);
  const followerMedian = nums.followers * FOLLOWER_FACTOR[p] * (isMain ? 1 : 0.3) * (low ? 0.15 : 1);
  const followers = Math.round(rng.logNormal(followerMedian, 0.7));
  const live = profile !== 'closed';
  const unfiled = live && !profile.startsWith('suspended') && p !== Platform.WEBSITE && rng.chance(rates.unfiled);
  let filingNo: string | null = null;
  if (!unfiled) {
    const seq = (ctx.filingSeq.get(u.filingArea) ?? 0) + 1;
    ctx.filingSeq.set(u.filingArea, seq);
    filingNo = `${PROVINCE_ABBR[ctx.provinceCode] ?? ''}网信备${u.filingArea}${String(seq).padStart(4, '0')}号`;
  }
  const interaction = p === Platform.WEBSITE || !rng.chance(rates.noInteraction);
  const serviceDept = u.dept && SERVICE_DEPTS.has(u.dept.key) ? 2 : 1;
  const msgsPerYear = interaction ? nums.msgs * MSG_FACTOR[p] * serviceDept * (isMain ? 1 : 0.4) * rng.logNormal(1, 0.4) : 0;
  const unansweredOld = interaction && ['healthy', 'idle', 'low_value'].includes(profile) && p !== Platform.WEBSITE && rng.chance(rates.unanswered) ? rng.int(1, 5) : 0;
  return {
    platform: p, handle, name, unit: u, type,
    status: profile === 'closed' ? AccountStatus.CLOSED : profile.startsWith('suspended') ? AccountStatus.SUSPENDED : AccountStatus.ACTIVE,
    filingNo, openedDay, followers: p === Platform.WEBSITE ? 0 : followers, interaction, isMain: isMain && profile !== 'closed', profile, endDay,
    rate, readsMedian, originalShare: low ? 0.03 : u.isGov ? rng.real(0.65, 0.85) : rng.real(0.55, 0.8), msgsPerYear, unansweredOld,
    services: type === AccountType.PUBLISHING ? [] : servicesFor(u, p, rng),
  };
}

/** The regular accounts of a unit: one per platform it is present on. */
export function regularAccounts(ctx: PlanContext, u: SeedUnit): SeedAccount[] {
  const rng = rngFor(ctx.seed, 'unit', u.code);
  const out: SeedAccount[] = [];
  const social = mainName(u, rng);
  const weight = u.dept?.weight ?? 1;
  for (const [p, base] of Object.entries(oddsFor(u)) as [Platform, number][]) {
    // Provinces differ mostly in how many grassroots accounts they run.
    const density = u.tier === 'county' || u.tier === 'township' ? ctx.density : 1;
    const odds = base >= 1 ? 1 : Math.min(0.98, base * weight * density);
    if (!rng.chance(odds)) continue;
    if (p === Platform.MINIPROGRAM && !u.isGov && !(u.dept?.services.length)) continue;
    const name = SOCIAL.has(p) ? social : brandName(u, p);
    out.push(makeAccount(ctx, u, p, 1, name, true));
  }
  return out;
}

export function redundancyRate(u: SeedUnit): number {
  return PROBLEM_RATES[u.tier].redundant;
}
