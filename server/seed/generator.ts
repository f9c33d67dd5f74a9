import fs from 'node:fs';
import path from 'node:path';
import { AccountStatus, AccountType, Platform } from '../common/enums';
import { SOCIAL, makeAccount, redundancyRate, regularAccounts, type PlanContext, type SeedAccount } from './accounts';
import { writeActivity, type ActivityContext } from './activity';
import { CONTENT_RULES } from './content';
import { CsvFile, csvField, dayString, shanghaiDay } from './csv-writer';
import { GOV_TOPICS, serviceCategory } from './names';
import { normalizeName, traditional } from './normalize';
import { rngFor } from './random';
import { repostPool } from './titles';
import { buildProvinceUnits, loadDivisions, type SeedUnit } from './units';

/**
 * Writes the demo dataset as the five import CSV files (+ `.seed-manifest.json`) into a directory, streaming.
 * Deterministic: the same options give byte-identical files.
 */

export const RULES = ['NO_UPDATE_14D', 'ZOMBIE', 'NO_INTERACTION', 'STOPPED_NOT_DEREGISTERED', 'REDUNDANT_SAME_PLATFORM', 'NAME_INCONSISTENT', 'UNFILED', 'LOW_VALUE',
  ...CONTENT_RULES] as const;
export type PlantedRule = (typeof RULES)[number];

export interface GenerateOptions {
  /** Province code (2 digits), default 35 (Fujian). Ignored for the national scale. */
  province?: string;
  scale?: 'province' | 'national';
  /** Only this city (4 digits) of the province, plus the province's own units — small and fast, for tests. */
  city?: string;
  /** Check date; all activity lies in the year before it. Default: today 00:00 Asia/Shanghai. */
  asOf?: Date;
  seed?: number;
  log?: (m: string) => void;
}

export interface Planted {
  rule: string;
  /** `platform:handle` */
  handles: string[];
}

export interface SeedCounts {
  units: number;
  accounts: number;
  posts: number;
  messages: number;
  services: number;
}

export interface GenerateResult {
  dir: string;
  asOf: string;
  scale: 'province' | 'national';
  provinces: string[];
  city: string | null;
  counts: SeedCounts;
  /** Accounts that have each problem under the national default thresholds (detection must find them). */
  planted: Planted[];
  /** Look-alikes that must NOT be flagged (names differing only in script/decoration; closed duplicates; recent stops). */
  decoys: Planted[];
  generateMs: number;
}

export const DEFAULT_SEED = 20181226;
/** Written next to the CSV files; a dot file, so the directory stays importable (`importDirectory` skips dot files). */
export const MANIFEST_FILE = '.seed-manifest.json';
export const CSV_FILES = ['units.csv', 'accounts.csv', 'services.csv', 'posts.csv', 'messages.csv'] as const;

/** Today 00:00 in Asia/Shanghai. */
export function defaultAsOf(now = Date.now()): Date {
  return new Date(shanghaiDay(now) * 86_400_000 - 8 * 3_600_000);
}

/** How many of the optional accounts a province opens: Fujian ≈ 3,600 accounts; the country ≈ 180,000. */
export function provinceDensity(seed: number, province: string): number {
  return province === '35' ? 0.85 : 1.1 + rngFor(seed, 'density', province).next() * 0.6;
}

const GOV_EXTRAS = ['{r}政务', '微{r}', '{r}微发布', '{r}新闻'];
const GOV_ALT = ['{r}政务', '微{r}', '{r}之声', '中国{r}'];
const fill = (tpl: string, u: SeedUnit) => tpl.replace(/\{r\}/g, u.regionShort).replace(/\{t\}/g, u.regionFull);
const ref = (a: SeedAccount) => `${a.platform}:${a.handle}`;

/** Extra accounts on one platform for some units (one unit, one account per platform is the rule they break). */
function plantRedundancy(ctx: PlanContext, u: SeedUnit, accounts: SeedAccount[]): SeedAccount[] {
  const rng = rngFor(ctx.seed, 'redundant', u.code);
  const mains = accounts.filter((a) => a.platform === Platform.WECHAT || a.platform === Platform.WEIBO || a.platform === Platform.DOUYIN);
  if (!mains.length) return [];
  const extras: SeedAccount[] = [];
  const add = (p: Platform, name: string, forced?: 'closed') => {
    const n = accounts.filter((a) => a.platform === p).length + extras.filter((a) => a.platform === p).length + 1;
    extras.push(makeAccount(ctx, u, p, n, name, false, forced));
  };
  const wechat = mains.find((a) => a.platform === Platform.WECHAT);
  const key = u.dept?.key;
  if (u.tier === 'county' && key === 'GA' && wechat && rng.chance(0.3)) {
    for (const tpl of rng.sample(u.dept!.extras, 2)) add(Platform.WECHAT, fill(tpl, u)); // three WeChat accounts
  } else if (u.tier === 'county' && key === 'SF' && wechat && rng.chance(0.25)) {
    add(Platform.WECHAT, `${u.regionShort}掌上12348`); // bureau + legal aid + legal education
    add(Platform.WECHAT, `${u.regionShort}普法`);
  } else if (rng.chance(redundancyRate(u) * ctx.density)) {
    const m = rng.pick(mains);
    const pool = u.dept ? (u.dept.extras.length ? u.dept.extras : [`{r}${u.dept.short}服务`]) : u.tier === 'township' ? ['{t}党建', '{t}新时代文明实践'] : GOV_EXTRAS;
    add(m.platform, fill(rng.pick(pool), u));
  }
  if (rng.chance(0.02)) {
    const m = rng.pick(mains);
    add(m.platform, `${m.name}（旧）`, 'closed');
  }
  return extras;
}

type NamePlant = { kind: 'inconsistent' | 'decoy'; accounts: SeedAccount[] } | null;

/** Renames one social main account of some units: a real difference, or a script/decoration-only look-alike. */
function plantNames(ctx: PlanContext, u: SeedUnit, accounts: SeedAccount[], hasExtras: boolean): NamePlant {
  const social = accounts.filter((a) => SOCIAL.has(a.platform) && a.isMain && a.status !== AccountStatus.CLOSED);
  if (social.length < 2 || hasExtras) return null;
  const rng = rngFor(ctx.seed, 'names', u.code);
  const target = rng.pick(social.slice(1));
  const base = social[0].name;
  if (rng.chance(0.07)) {
    const alts = (u.dept ? u.dept.names.slice(1) : GOV_ALT).map((t) => fill(t, u)).filter((n) => normalizeName(n) !== normalizeName(base));
    if (!alts.length) return null;
    target.name = rng.pick(alts);
    return { kind: 'inconsistent', accounts: social };
  }
  if (rng.chance(0.07)) {
    const trad = traditional(base);
    const choices = [`「${base}」`, `${base.slice(0, 2)} ${base.slice(2)}`, `“${base}”`, `${base.slice(0, 2)}·${base.slice(2)}`];
    target.name = trad !== base && rng.chance(0.7) ? trad : rng.pick(choices);
    if (normalizeName(target.name) !== normalizeName(base)) throw new Error(`decoy name does not normalise: ${target.name}`);
    return { kind: 'decoy', accounts: social };
  }
  return null;
}

class RuleSets {
  readonly planted = new Map<string, string[]>(RULES.map((r) => [r, []]));
  readonly decoys = new Map<string, string[]>(RULES.map((r) => [r, []]));
  add(rule: PlantedRule, handles: string[]) {
    this.planted.get(rule)!.push(...handles);
  }
  decoy(rule: PlantedRule, handles: string[]) {
    this.decoys.get(rule)!.push(...handles);
  }
  list(which: 'planted' | 'decoys'): Planted[] {
    return [...this[which]].filter(([, h]) => which === 'planted' || h.length).map(([rule, handles]) => ({ rule, handles }));
  }
}

/** What each account is, judged with the national default thresholds on the data as written. */
function judgeAccount(acc: SeedAccount, asOfDay: number, rules: RuleSets): void {
  const h = [ref(acc)];
  if (acc.status === AccountStatus.ACTIVE) {
    const last = acc.endDay;
    // Service accounts, mini-programs and apps are judged by their services, not their posts (detection.rules.ts).
    const serviceValued = acc.type === AccountType.SERVICE || acc.platform === Platform.MINIPROGRAM || acc.platform === Platform.APP;
    if (!serviceValued && acc.openedDay < asOfDay - 14 && (last === null || last < asOfDay - 14)) rules.add('NO_UPDATE_14D', h);
    if (serviceValued ? acc.services.length === 0 && acc.openedDay < asOfDay - 90 : last === null || last < asOfDay - 90) rules.add('ZOMBIE', h);
    if (!acc.interaction || acc.unansweredOld > 0) rules.add('NO_INTERACTION', h);
    if (acc.filingNo === null) rules.add('UNFILED', h);
    if (acc.profile === 'low_value' && !serviceValued) rules.add('LOW_VALUE', h);
  } else if (acc.status === AccountStatus.SUSPENDED) {
    if (acc.endDay !== null && acc.endDay < asOfDay - 30) rules.add('STOPPED_NOT_DEREGISTERED', h);
    else rules.decoy('STOPPED_NOT_DEREGISTERED', h);
  }
}

export async function generateDemoCsv(dir: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const started = Date.now();
  const seed = opts.seed ?? DEFAULT_SEED;
  const scale = opts.scale ?? 'province';
  const asOf = opts.asOf ?? defaultAsOf();
  const asOfDay = shanghaiDay(asOf.getTime());
  const log = opts.log ?? (() => undefined);
  const provinces = scale === 'national' ? loadDivisions().provinces.map((p) => p.code) : [opts.province ?? '35'];
  if (opts.city && scale === 'national') throw new Error('--city 只能与单个省份一起使用 (--city needs the province scale)');
  if (opts.city && !opts.city.startsWith(provinces[0])) throw new Error(`城市 ${opts.city} 不属于省份 ${provinces[0]} (city is not in the province)`);
  fs.mkdirSync(dir, { recursive: true });
  const f = (name: string, header: string[]) => new CsvFile(path.join(dir, name), header);
  const units = f('units.csv', ['code', 'name', 'kind', 'level', 'parent_code', 'region_code', 'supervisor_code']);
  const accounts = f('accounts.csv', ['platform', 'handle', 'name', 'unit_code', 'type', 'status', 'filing_no', 'opened_on', 'followers', 'interaction_enabled', 'is_main']);
  const services = f('services.csv', ['platform', 'handle', 'name', 'category']);
  const posts = f('posts.csv', ['platform', 'handle', 'published_at', 'title', 'original', 'reads', 'content']);
  const messages = f('messages.csv', ['platform', 'handle', 'received_at', 'replied_at']);
  const rules = new RuleSets();
  const year = Number(dayString(asOfDay).slice(0, 4));

  for (const province of provinces) {
    const tree = buildProvinceUnits(province, seed, { city: opts.city });
    const ctx: PlanContext = { seed, asOfDay, density: provinceDensity(seed, province), provinceCode: province, filingSeq: new Map() };
    const provName = tree[0].regionFull;
    const actx: ActivityContext = { seed, asOfDay, repostPool: repostPool(rngFor(seed, 'pool', province), provName, tree[0].regionShort, GOV_TOPICS, year, 200) };
    for (const u of tree) {
      units.line([u.code, csvField(u.name), u.kind, u.level, u.parentCode ?? '', u.regionCode, u.supervisorCode ?? ''].join(','));
      const regular = regularAccounts(ctx, u);
      const extras = plantRedundancy(ctx, u, regular);
      const names = plantNames(ctx, u, regular, extras.length > 0);
      const all = [...regular, ...extras];
      for (const acc of all) {
        accounts.line([acc.platform, csvField(acc.handle), csvField(acc.name), u.code, acc.type, acc.status, acc.filingNo ? csvField(acc.filingNo) : '',
          dayString(acc.openedDay), acc.followers, acc.interaction, acc.isMain].join(','));
        for (const s of acc.services) services.line(`${acc.platform},${csvField(acc.handle)},${csvField(s)},${serviceCategory(s)}`);
        const activity = writeActivity(actx, acc, posts, messages);
        judgeAccount(acc, asOfDay, rules);
        if (activity.content.planted) rules.add(activity.content.planted, [ref(acc)]);
        for (const d of activity.content.decoys) rules.decoy(d, [ref(acc)]);
      }
      // Redundant groups: more than one non-closed account of the unit on one platform.
      const byPlatform = new Map<Platform, SeedAccount[]>();
      for (const acc of all) if (acc.status !== AccountStatus.CLOSED) byPlatform.set(acc.platform, [...(byPlatform.get(acc.platform) ?? []), acc]);
      for (const group of byPlatform.values()) if (group.length > 1) rules.add('REDUNDANT_SAME_PLATFORM', group.map(ref));
      const closedDup = extras.filter((e) => e.status === AccountStatus.CLOSED && (byPlatform.get(e.platform)?.length ?? 0) === 1);
      for (const e of closedDup) rules.decoy('REDUNDANT_SAME_PLATFORM', [ref(e), ...byPlatform.get(e.platform)!.map(ref)]);
      if (names?.kind === 'inconsistent') rules.add('NAME_INCONSISTENT', names.accounts.map(ref));
      if (names?.kind === 'decoy') rules.decoy('NAME_INCONSISTENT', names.accounts.map(ref));
      await Promise.all([units.drain(), accounts.drain(), services.drain(), posts.drain(), messages.drain()]);
    }
    log(`已生成 ${tree[0].name} 的演示数据：累计 ${accounts.rows} 个账号、${posts.rows} 条发布 (generated ${province})`);
  }
  await Promise.all([units.close(), accounts.close(), services.close(), posts.close(), messages.close()]);
  const result: GenerateResult = {
    dir,
    asOf: dayString(asOfDay),
    scale,
    provinces,
    city: opts.city ?? null,
    counts: { units: units.rows, accounts: accounts.rows, posts: posts.rows, messages: messages.rows, services: services.rows },
    planted: rules.list('planted'),
    decoys: rules.list('decoys'),
    generateMs: Date.now() - started,
  };
  const { generateMs: _ms, dir: _dir, ...stable } = result;
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify({ generator: 'matrix-planner demo seed', seed, ...stable }, null, 1)}\n`);
  return result;
}
