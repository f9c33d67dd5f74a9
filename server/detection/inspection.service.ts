import type { EntityManager } from 'typeorm';
import type { Context } from '../kernel/context';
import { badInput } from '../kernel/errors';
import { AccountStatus, DetectionRule, InspectionGrade, Level, LEVEL_NAMES_ZH, LEVEL_ORDER, Platform, PLATFORM_NAMES_ZH, RULE_NAMES_ZH } from '../common/enums';
import { Account } from '../accounts/account.entity';
import { NATIONAL_REGION, regionsService } from '../regions/regions.service';
import type { Region } from '../regions/region.entity';
import { effectiveSettings } from '../policy/policy.service';
import { evaluate } from './detection.engine';
import { checkDate, dayStart, CHECK_INSTANT } from './detection.dates';
import { InspectionFailure, InspectionGroup, InspectionReport, InspectionVerdict, type InspectionDeduction } from './inspection.types';

/**
 * Inspection (检查) for a check date, in the manner of 国办秘函〔2019〕19号: the rules are evaluated for the date
 * (the same engine as detection, nothing is written), then each ACTIVE account that existed on the date is scored:
 *   - any rule of the policy's `inspection.vetoRules` (default NO_UPDATE_14D, NO_INTERACTION) → fail;
 *   - otherwise 100 minus the policy's `inspection.deductions` for each other rule that concerns the account
 *     (REDUNDANT_SAME_PLATFORM: every member except the suggested main; NAME_INCONSISTENT: the accounts whose
 *     name differs from the expected one), plus LATE_REPLY when a message of the last 90 days was answered later
 *     than the reply deadline;
 *   - score < passMark fails, score > goodMark is good, otherwise passes.
 * Suspended accounts (stop-update announced) and closed ones are not checked.
 */
interface ScoredRow {
  id: number;
  platform: Platform;
  level: Level;
  region_path: string | null;
  province: string;
  name: string;
  handle: string;
  unit_id: number;
  unit_name: string;
  unit_path: string;
  hits: { rule: DetectionRule; counts: boolean; evidence?: unknown }[];
  late_replies: number;
}

const LATE_REPLY = 'LATE_REPLY';

/** One scored account: what it was on the check date and its verdict (`evidence`: the facts of each rule that held). */
export interface ScoredAccount {
  id: number;
  name: string;
  handle: string;
  unitId: number;
  unitName: string;
  unitPath: string;
  regionPath: string | null;
  level: Level;
  platform: Platform;
  verdict: InspectionVerdict;
  evidence: { rule: DetectionRule; evidence: unknown }[];
}

async function scoreAccounts(em: EntityManager, asOf: string, regionPath: string | null, accountIds?: number[], withEvidence = false) {
  return em.transaction(async (tx) => {
    const ev = await evaluate(tx, { asOf, regionPath, accountIds });
    const rows: ScoredRow[] = await tx.query(`
      WITH h AS (
        SELECT x.account_id, d.rule, ${withEvidence ? 'd.evidence' : 'NULL::jsonb'} AS evidence,
               CASE d.rule
                 WHEN 'REDUNDANT_SAME_PLATFORM' THEN x.account_id IS DISTINCT FROM d.suggested_main_id
                 WHEN 'NAME_INCONSISTENT' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(d.evidence -> 'accounts') e
                                                        WHERE (e ->> 'id')::int = x.account_id AND (e ->> 'differs')::boolean)
                 ELSE true END AS counts
          FROM det_hits d CROSS JOIN LATERAL unnest(d.account_ids) AS x(account_id)),
      late AS (
        SELECT m.account_id, count(*)::int AS n
          FROM messages m JOIN det_acc a ON a.id = m.account_id JOIN det_pol p USING (province)
         WHERE a.status = 'active' AND m.received_at >= ${dayStart('90')} AND m.replied_at < ${CHECK_INSTANT}
           AND m.replied_at - m.received_at > make_interval(days => p.reply_days)
         GROUP BY m.account_id)
      SELECT a.id, a.platform, a.level, a.region_path, a.province, a.name, a.handle, a.unit_id, u.name AS unit_name, u.path AS unit_path,
             COALESCE(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('rule', h.rule, 'counts', h.counts, 'evidence', h.evidence)))
               FILTER (WHERE h.rule IS NOT NULL), '[]') AS hits,
             COALESCE(max(l.n), 0)::int AS late_replies
        FROM det_acc a JOIN units u ON u.id = a.unit_id LEFT JOIN h ON h.account_id = a.id LEFT JOIN late l ON l.account_id = a.id
       WHERE a.status = 'active' ${accountIds ? 'AND a.id = ANY($2::int[])' : ''}
       GROUP BY a.id, a.platform, a.level, a.region_path, a.province, a.name, a.handle, a.unit_id, u.name, u.path`, accountIds ? [asOf, accountIds] : [asOf]);
    const verdicts = new Map<number, InspectionVerdict>();
    const settings = new Map<string, ReturnType<typeof effectiveSettings>>();
    for (const r of rows) {
      let s = settings.get(r.province);
      if (!s) settings.set(r.province, (s = effectiveSettings(ev.policies, r.province)));
      verdicts.set(r.id, verdictOf(r, s, asOf));
    }
    return { rows, verdicts, policyVersions: ev.policyVersions };
  });
}

function verdictOf(r: ScoredRow, s: ReturnType<typeof effectiveSettings>, asOf: string): InspectionVerdict {
  const vetoes = [...new Set(r.hits.filter((h) => s.inspection.vetoRules.includes(h.rule)).map((h) => h.rule))];
  const deductions: InspectionDeduction[] = [];
  for (const h of r.hits) {
    if (!h.counts || s.inspection.vetoRules.includes(h.rule)) continue;
    const points = s.inspection.deductions[h.rule] ?? 0;
    if (points > 0 && !deductions.some((d) => d.code === h.rule)) deductions.push({ code: h.rule, label: RULE_NAMES_ZH[h.rule], points });
  }
  const latePoints = s.inspection.deductions[LATE_REPLY] ?? 0;
  if (r.late_replies > 0 && latePoints > 0) {
    deductions.push({ code: LATE_REPLY, label: `留言回复超时（${r.late_replies} 条超过 ${s.interaction.replyDeadlineDays} 天）`, points: latePoints });
  }
  deductions.sort((a, b) => b.points - a.points || a.code.localeCompare(b.code));
  const score = Math.max(0, 100 - deductions.reduce((n, d) => n + d.points, 0));
  const grade = vetoes.length || score < s.inspection.passMark ? InspectionGrade.FAIL
    : score > s.inspection.goodMark ? InspectionGrade.GOOD : InspectionGrade.PASS;
  const reasons = [
    ...vetoes.map((v) => `否决项：${RULE_NAMES_ZH[v].replace(/（否决项）$/, '')}`),
    ...deductions.map((d) => `${d.label} −${d.points}`),
  ];
  if (!vetoes.length && grade === InspectionGrade.FAIL) reasons.push(`得分 ${score}，低于合格线 ${s.inspection.passMark}`);
  return { accountId: r.id, asOf, checked: true, grade, passed: grade !== InspectionGrade.FAIL, score, vetoes, deductions, reasons, note: null };
}

/**
 * Every active account of a region scored for a check date, with the evidence of each rule that held and what the
 * account was (name, unit, level, platform): what a stored inspection freezes. Nothing is written.
 */
export async function scoreRegion(em: EntityManager, asOf: string, regionPath: string | null):
  Promise<{ accounts: ScoredAccount[]; policyVersions: Record<string, number> }> {
  const { rows, verdicts, policyVersions } = await scoreAccounts(em, asOf, regionPath, undefined, true);
  return {
    policyVersions,
    accounts: rows.map((r) => ({
      id: r.id, name: r.name, handle: r.handle, unitId: r.unit_id, unitName: r.unit_name, unitPath: r.unit_path,
      regionPath: r.region_path, level: r.level, platform: r.platform, verdict: verdicts.get(r.id)!,
      evidence: r.hits.filter((h) => h.evidence !== undefined).map((h) => ({ rule: h.rule, evidence: h.evidence })),
    })),
  };
}

/** Verdicts for a batch of accounts: one evaluation over their units (used by the `Account.inspection` loader). */
export async function verdictsFor(em: EntityManager, accounts: readonly Account[], asOf: string): Promise<InspectionVerdict[]> {
  if (!accounts.length) return [];
  const { verdicts } = await scoreAccounts(em, asOf, null, accounts.map((a) => a.id));
  return accounts.map((a) => verdicts.get(a.id) ?? notChecked(a, asOf));
}

function notChecked(account: Account, asOf: string): InspectionVerdict {
  const note = account.status === AccountStatus.CLOSED ? '已注销，不参加检查'
    : account.status === AccountStatus.SUSPENDED ? '已暂停更新（停更待注销），不参加检查'
      : account.openedOn && account.openedOn > asOf ? '检查日时尚未开设' : '不在检查范围内';
  return { accountId: account.id, asOf, checked: false, grade: null, passed: null, score: null, vetoes: [], deductions: [], reasons: [], note };
}

const passRate = (checked: number, failed: number) => (checked ? Math.round(((checked - failed) / checked) * 10000) / 100 : null);

/** One row a report counts: where the account was and its verdict. */
interface ReportRow {
  id: number;
  platform: Platform;
  level: Level;
  regionPath: string | null;
  verdict: InspectionVerdict;
}

/** A stored inspection a report answers from (see `storedRows`). */
interface StoredSource {
  id: number;
  sampleRatio: number;
  population: number;
}

/**
 * The rows of the latest stored inspection (检查批次) of the region for the check date, inside the request's scope;
 * null when there is none. Frozen rows: what the accounts were and their verdicts when the inspection was stored.
 */
async function storedRows(ctx: Context, regionCode: string, asOf: string): Promise<{ source: StoredSource; rows: ReportRow[] } | null> {
  const [found]: { id: number; sample_ratio: string; population: number }[] = await ctx.em.query(
    `SELECT id, sample_ratio, population FROM inspections WHERE region_code = $1 AND as_of = $2 ORDER BY id DESC LIMIT 1`, [regionCode, asOf]);
  if (!found) return null;
  return { source: { id: found.id, sampleRatio: Number(found.sample_ratio), population: found.population }, rows: await inspectionRows(ctx, found.id, asOf) };
}

/** The frozen rows of one stored inspection that lie in the request's scope. */
export async function inspectionRows(ctx: Context, inspectionId: number, asOf: string): Promise<ReportRow[]> {
  const scope = ctx.scope.raw('i', 2);
  const items: { account_id: number; platform: Platform; level: Level; region_path: string | null; grade: InspectionGrade; score: number;
    vetoes: DetectionRule[]; deductions: InspectionDeduction[]; reasons: string[] }[] = await ctx.em.query(
    `SELECT account_id, platform, level, region_path, grade, score, vetoes, deductions, reasons
       FROM inspection_items i WHERE inspection_id = $1 AND ${scope.sql.replace('i.path', 'i.unit_path')}`,
    scope.value === null ? [inspectionId] : [inspectionId, scope.value]);
  return items.map((r) => ({
    id: r.account_id, platform: r.platform, level: r.level, regionPath: r.region_path,
    verdict: { accountId: r.account_id, asOf, checked: true, grade: r.grade, passed: r.grade !== InspectionGrade.FAIL, score: r.score,
      vetoes: r.vetoes, deductions: r.deductions, reasons: r.reasons, note: null },
  }));
}

export const inspectionService = {
  /**
   * The report of a region for a check date: checked, failed, pass rate; by sub-region, level and platform. When an
   * inspection of the region was stored for that date, the report answers from its frozen sample (never changed
   * by anything that happened later); otherwise it is computed live. Websites have their own pass rate and are not
   * counted in the new-media figures (checked, failed, good, passRate, byRegion, byLevel).
   */
  async report(ctx: Context, regionCode: string, asOf?: string | null, failuresLimit = 100): Promise<InspectionReport> {
    if (!Number.isInteger(failuresLimit) || failuresLimit < 1 || failuresLimit > 1000) {
      throw badInput('failuresLimit 应在 1 到 1000 之间', [{ field: 'failuresLimit', message: '1–1000' }]);
    }
    const day = checkDate(asOf);
    const region = await regionsService.byCode(ctx, regionCode);
    const stored = await storedRows(ctx, region.code, day);
    if (stored) return this.build(ctx, region, day, stored.rows, failuresLimit, stored.source);
    const national = region.code === NATIONAL_REGION;
    const scored = await scoreAccounts(ctx.em, day, national ? null : region.path);
    let rows = scored.rows;
    if (!ctx.scope.unrestricted) rows = rows.filter((r) => ctx.scope.contains(r.unit_path));
    return this.build(ctx, region, day, rows.map((r) => ({ id: r.id, platform: r.platform, level: r.level, regionPath: r.region_path,
      verdict: scored.verdicts.get(r.id)! })), failuresLimit, null);
  },

  /** The report of a stored inspection (its frozen sample, in the request's scope). */
  async reportOf(ctx: Context, inspection: { id: number; regionCode: string; asOf: string; sampleRatio: number; population: number },
    failuresLimit = 1000): Promise<InspectionReport> {
    const region = await regionsService.byCode(ctx, inspection.regionCode);
    const rows = await inspectionRows(ctx, inspection.id, inspection.asOf);
    return this.build(ctx, region, inspection.asOf, rows, failuresLimit, inspection);
  },

  async build(ctx: Context, region: Region, day: string, rows: ReportRow[], failuresLimit: number, source: StoredSource | null): Promise<InspectionReport> {
    const children = await regionsService.children(ctx, region);
    const groups = new Map<string, Map<string, InspectionGroup>>([['region', new Map()], ['level', new Map()], ['platform', new Map()]]);
    const group = (kind: string, key: string, label: string) => {
      const m = groups.get(kind)!;
      let g = m.get(key);
      if (!g) m.set(key, (g = { key, label, checked: 0, failed: 0, good: 0, passRate: null }));
      return g;
    };
    group('region', 'self', `${region.name}本级`);
    for (const c of children) group('region', c.code, c.name);
    const failures: { id: number; v: InspectionVerdict }[] = [];
    const media = { checked: 0, failed: 0, good: 0 };
    const web = { checked: 0, failed: 0 };
    for (const r of rows) {
      const v = r.verdict;
      const fail = v.grade === InspectionGrade.FAIL;
      const website = r.platform === Platform.WEBSITE;
      const child = r.regionPath && r.regionPath.startsWith(region.path) ? r.regionPath.slice(region.path.length).split('/')[0] || 'self' : 'self';
      const gs = [group('platform', r.platform, PLATFORM_NAMES_ZH[r.platform] ?? r.platform)];
      if (!website) gs.push(group('region', child, child), group('level', r.level, LEVEL_NAMES_ZH[r.level]));
      for (const g of gs) {
        g.checked++;
        if (fail) g.failed++;
        if (v.grade === InspectionGrade.GOOD) g.good++;
      }
      if (website) {
        web.checked++;
        if (fail) web.failed++;
      } else {
        media.checked++;
        if (fail) media.failed++;
        if (v.grade === InspectionGrade.GOOD) media.good++;
      }
      if (fail) failures.push({ id: r.id, v });
    }
    const finish = (kind: string, order?: string[]) => {
      const list = [...groups.get(kind)!.values()].map((g) => ({ ...g, passRate: passRate(g.checked, g.failed) }));
      if (order) list.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
      return list;
    };
    // Vetoes first, then the lowest scores.
    failures.sort((a, b) => b.v.vetoes.length - a.v.vetoes.length || (a.v.score ?? 0) - (b.v.score ?? 0) || a.id - b.id);
    const shown = failures.slice(0, failuresLimit);
    const accounts = await ctx.loaders.accountById.loadMany(shown.map((f) => f.id));
    const failureList: InspectionFailure[] = [];
    shown.forEach((f, i) => {
      const account = accounts[i];
      if (account instanceof Account) failureList.push({ account, score: f.v.score ?? 0, vetoes: f.v.vetoes, reasons: f.v.reasons });
    });
    return {
      regionCode: region.code,
      regionName: region.name,
      asOf: day,
      inspectionId: source ? String(source.id) : null,
      sampleRatio: source ? source.sampleRatio : null,
      population: source ? source.population : null,
      checked: media.checked,
      failed: media.failed,
      good: media.good,
      passRate: passRate(media.checked, media.failed),
      websiteChecked: web.checked,
      websiteFailed: web.failed,
      websitePassRate: passRate(web.checked, web.failed),
      byRegion: finish('region').filter((g) => g.key !== 'self' || g.checked > 0 || children.length === 0),
      byLevel: finish('level', LEVEL_ORDER),
      byPlatform: finish('platform', Object.values(Platform)),
      failuresTotal: failures.length,
      failures: failureList,
    };
  },
};
