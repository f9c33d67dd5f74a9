import type { Context } from '../kernel/context';
import { badInput, forbidden, notFound, parseId } from '../kernel/errors';
import { AccountStatus, DetectionRule, OPEN_PLAN_STATUSES, PlanActionType, PlanStatus, Platform, RULE_NAMES_ZH } from '../common/enums';
import { recordAudit } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { Region } from '../regions/region.entity';
import { Plan } from './plan.entity';
import type { DraftPlanResult } from './plan.types';
import { requireAuthor } from './plan-access';
import { getPlanPolicy } from './plan-policy';
import { todayInBeijing } from '../kernel/dates';
import { plansService } from './plans.service';
import { anchorUnitId, scopeWithinUser } from './plan-guard';
import { loadOpenFindings, type DraftFinding } from './findings-source';
import { portalsFor, serviceTargetsFor } from './destinations';
import { protectionsOf } from './protection';
import type { DraftPlanInput } from './plans.inputs';

/** Rectification text for findings answered by keeping the account. */
const KEEP_TEXT: Partial<Record<DetectionRule, string>> = {
  [DetectionRule.NO_UPDATE_14D]: '恢复更新：发布类账号每 14 天内至少发布一次',
  [DetectionRule.NO_INTERACTION]: '开通互动功能，留言在规定时限内答复',
  [DetectionRule.UNFILED]: '向主管单位补办备案',
};

/** Rectification for the findings of a protected account, which the draft keeps instead of closing or merging it. */
const PROTECTED_TEXT: Partial<Record<DetectionRule, string>> = {
  [DetectionRule.ZOMBIE]: '恢复正常更新；服务类账号补充或恢复办事服务',
  [DetectionRule.LOW_VALUE]: '提高原创比例和更新质量，保持稳定更新',
  [DetectionRule.STOPPED_NOT_DEREGISTERED]: '恢复更新，或由主办单位书面说明理由后按程序注销',
  [DetectionRule.REDUNDANT_SAME_PLATFORM]: '同平台账号重复：本账号受保护予以保留，明确与主账号的分工',
};

/** Findings answered by shutting the account down. */
const SHUTDOWN_RULES = [DetectionRule.ZOMBIE, DetectionRule.LOW_VALUE, DetectionRule.STOPPED_NOT_DEREGISTERED];

const RANK: Record<PlanActionType, number> = { merge: 3, shutdown: 2, rename: 1, keep: 0 };

interface Proposal {
  type: PlanActionType;
  accountId: number;
  targetAccountId: number | null;
  newName: string | null;
  rectification: string[];
  findingIds: Set<number>;
}

/**
 * Draft from findings: one call builds a suggested plan for a region from its open findings, which the planner then
 * edits. Redundant groups merge into their suggested main account; zombie, low-value and stopped-but-not-deregistered
 * accounts shut down (services to the unit's main account on the same platform or the superior's, content to the
 * region's portal); inconsistent names are renamed to the unit's main name; veto findings become KEEP with the
 * rectification required. An account gets one action (merge > shutdown > rename > keep) citing all its findings.
 * Protected accounts (protection.ts: county-and-above government main accounts, service accounts, accounts above
 * the follower threshold) are never closed or merged away: they get KEEP with their findings to rectify.
 * Accounts already in another open plan are left out (and listed in `skipped`).
 */
export async function draftPlanFromFindings(ctx: Context, input: DraftPlanInput): Promise<DraftPlanResult> {
  const user = requireAuthor(ctx);
  const ids = input.findingIds ? [...new Set(input.findingIds.map((id) => parseId(id, 'findingIds')))] : null;
  return transaction(ctx, async (tx) => {
    const region = await tx.em.getRepository(Region).findOneBy({ code: input.regionCode });
    if (!region) throw notFound(`行政区划 ${input.regionCode}`);
    const scope = { scopeRegionCode: region.code, scopeUnitId: null };
    if (!(await scopeWithinUser(tx, scope))) {
      throw forbidden(`「${region.name}」超出您的管辖范围，不能编制该地区的方案 (forbidden: region outside your scope)`);
    }
    const findings = await loadOpenFindings(tx.em, region.path, ids);
    if (ids) {
      const found = new Set(findings.map((f) => f.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) {
        throw badInput(`以下问题不存在、已处理或不在「${region.name}」：${missing.join('、')} (findings not open in region)`,
          [{ field: 'findingIds', message: missing.join(', ') }]);
      }
    }

    const skipped: string[] = [];
    const proposals = await propose(tx, findings, skipped);

    // Leave out accounts that another open plan already handles, and actions whose target is gone.
    const busy = new Set<number>((await tx.em.query(
      `SELECT DISTINCT pa.account_id FROM plan_actions pa JOIN plans p ON p.id = pa.plan_id
        WHERE pa.removed_at IS NULL AND p.status = ANY($1::text[]) AND pa.account_id = ANY($2::int[])`,
      [OPEN_PLAN_STATUSES, [...proposals.keys()]])).map((r: { account_id: number }) => r.account_id));
    for (const id of busy) {
      skipped.push(`账号 ${id} 已在其他未结方案中，未纳入（问题 ${[...proposals.get(id)!.findingIds].join('、')}）`);
      proposals.delete(id);
    }

    const closing = [...proposals.values()].filter((p) => p.type === PlanActionType.MERGE || p.type === PlanActionType.SHUTDOWN).map((p) => p.accountId);
    const shutdownIds = [...proposals.values()].filter((p) => p.type === PlanActionType.SHUTDOWN).map((p) => p.accountId);
    const withServices = new Set<number>((await tx.em.query(
      `SELECT DISTINCT account_id FROM services WHERE account_id = ANY($1::int[]) AND merged_into_id IS NULL`, [shutdownIds])).map((r: { account_id: number }) => r.account_id));
    const serviceTargets = await serviceTargetsFor(tx.em, shutdownIds.filter((id) => withServices.has(id)), closing);
    const portals = await portalsFor(tx.em, shutdownIds, closing);

    const plan = await tx.em.getRepository(Plan).save(tx.em.getRepository(Plan).create({
      title: input.title?.trim() || `${region.name}政务新媒体整合方案（${todayInBeijing()}）`,
      description: `由 ${findings.length} 个待处理问题生成的草稿，请逐项核对后提交。`,
      status: PlanStatus.DRAFT, ...scope, authorId: user.id, authorName: user.username, revision: 1, version: 1,
      noticeWorkingDays: getPlanPolicy().noticeWorkingDays,
    }));
    const ordered = [...proposals.values()].sort((a, b) => RANK[b.type] - RANK[a.type] || a.accountId - b.accountId);
    const actions = await plansService.insertActions(tx, plan, ordered.map((p) => ({
      type: p.type,
      accountId: p.accountId,
      targetAccountId: p.type === PlanActionType.MERGE ? p.targetAccountId : null,
      serviceTargetAccountId: p.type === PlanActionType.SHUTDOWN ? serviceTargets.get(p.accountId) ?? null : null,
      contentTargetAccountId: p.type === PlanActionType.SHUTDOWN ? portals.get(p.accountId) ?? null : null,
      newName: p.type === PlanActionType.RENAME ? p.newName : null,
      rectification: p.type === PlanActionType.KEEP ? p.rectification.join('；') : null,
      note: null,
      findingIds: [...p.findingIds].sort((a, b) => a - b),
    })));
    await recordAudit(tx, { action: 'PLAN_DRAFTED_FROM_FINDINGS', entityType: 'plan', entityId: plan.id, planId: plan.id, unitId: await anchorUnitId(tx, plan),
      after: { title: plan.title, regionCode: region.code, findings: findings.length, actions: actions.length, skipped: skipped.length } });
    return { plan, actionCount: actions.length, findingsUsed: findings.length, skipped };
  });
}

async function propose(tx: Context, findings: DraftFinding[], skipped: string[]): Promise<Map<number, Proposal>> {
  const out = new Map<number, Proposal>();
  const put = (p: Omit<Proposal, 'findingIds' | 'rectification'> & { rectification?: string; findingId: number }) => {
    const cur = out.get(p.accountId);
    if (!cur) {
      out.set(p.accountId, { type: p.type, accountId: p.accountId, targetAccountId: p.targetAccountId, newName: p.newName,
        rectification: p.rectification ? [p.rectification] : [], findingIds: new Set([p.findingId]) });
      return;
    }
    cur.findingIds.add(p.findingId);
    if (p.rectification && !cur.rectification.includes(p.rectification)) cur.rectification.push(p.rectification);
    if (RANK[p.type] > RANK[cur.type]) Object.assign(cur, { type: p.type, targetAccountId: p.targetAccountId, newName: p.newName });
  };

  // The name of each unit's main account (most followers among main accounts), for renames.
  const nameUnits = [...new Set(findings.filter((f) => f.rule === DetectionRule.NAME_INCONSISTENT).map((f) => f.unitId))];
  const mainNames = new Map<number, string>((await tx.em.query(
    `SELECT DISTINCT ON (a.unit_id) a.unit_id, a.name FROM accounts a
      WHERE a.unit_id = ANY($1::int[]) AND a.status = $2 AND a.platform NOT IN ($3, $4, $5)
      ORDER BY a.unit_id, a.is_main DESC, a.followers DESC, a.id`,
    [nameUnits, AccountStatus.ACTIVE, Platform.WEBSITE, Platform.APP, Platform.MINIPROGRAM])).map((r: { unit_id: number; name: string }) => [r.unit_id, r.name]));
  const names = new Map<number, string>((await tx.em.query(`SELECT id, name FROM accounts WHERE id = ANY($1::int[])`,
    [findings.flatMap((f) => [...f.memberIds, ...(f.suggestedMainId ? [f.suggestedMainId] : [])])]))
    .map((r: { id: number; name: string }) => [r.id, r.name]));

  // Protected accounts (one statement set for every account the findings name): kept, and preferred as merge targets.
  const protections = await protectionsOf(tx.em, [...new Set(findings.flatMap((f) => [...f.memberIds, ...(f.suggestedMainId !== null ? [f.suggestedMainId] : []), ...(f.accountId !== null ? [f.accountId] : [])]))]);

  for (const f of findings) {
    if (f.rule === DetectionRule.REDUNDANT_SAME_PLATFORM) {
      if (!f.suggestedMainId) { skipped.push(`问题 ${f.id}（${RULE_NAMES_ZH[f.rule]}）没有建议主账号，需人工确定`); continue; }
      // A protected member stays, so it is the account the others merge into (members are in rank order).
      const target = protections.has(f.suggestedMainId) ? f.suggestedMainId : f.memberIds.find((m) => protections.has(m)) ?? f.suggestedMainId;
      for (const m of [f.suggestedMainId, ...f.memberIds]) {
        if (m !== target) put({ type: PlanActionType.MERGE, accountId: m, targetAccountId: target, newName: null, findingId: f.id });
      }
    } else if (f.rule === DetectionRule.NAME_INCONSISTENT) {
      // Detection's evidence names the expected name and which accounts differ (script and decoration ignored).
      const ev = f.evidence as { expectedName?: string; accounts?: { id: number; differs?: boolean }[] };
      const main = ev.expectedName ?? (f.suggestedMainId ? names.get(f.suggestedMainId) : undefined) ?? mainNames.get(f.unitId);
      if (!main) { skipped.push(`问题 ${f.id}（${RULE_NAMES_ZH[f.rule]}）无法确定统一名称`); continue; }
      const differing = ev.accounts ? ev.accounts.filter((a) => a.differs).map((a) => a.id) : f.memberIds.filter((m) => names.get(m) !== main);
      for (const m of differing) put({ type: PlanActionType.RENAME, accountId: m, targetAccountId: null, newName: main, findingId: f.id });
    } else if (f.accountId !== null && SHUTDOWN_RULES.includes(f.rule)) {
      put({ type: PlanActionType.SHUTDOWN, accountId: f.accountId, targetAccountId: null, newName: null, findingId: f.id });
    } else if (f.accountId !== null && KEEP_TEXT[f.rule]) {
      put({ type: PlanActionType.KEEP, accountId: f.accountId, targetAccountId: null, newName: null, rectification: KEEP_TEXT[f.rule], findingId: f.id });
    } else {
      skipped.push(`问题 ${f.id}（${RULE_NAMES_ZH[f.rule]}）需人工判断，未生成动作`);
    }
  }

  // Protected accounts are kept and rectified, never closed or merged away.
  const ruleOf = new Map(findings.map((f) => [f.id, f.rule]));
  for (const [id, list] of protections) {
    const p = out.get(id);
    if (!p || (p.type !== PlanActionType.MERGE && p.type !== PlanActionType.SHUTDOWN)) continue;
    Object.assign(p, { type: PlanActionType.KEEP, newName: null, targetAccountId: null });
    p.rectification.unshift(`受保护账号（${list.map((x) => x.reason).join('；')}），保留整改，不关停、不合并`);
    for (const fid of p.findingIds) {
      const text = PROTECTED_TEXT[ruleOf.get(fid)!];
      if (text && !p.rectification.includes(text)) p.rectification.push(text);
    }
  }

  // A merge target must survive: a suggested main that is itself proposed for shutdown is kept and rectified instead.
  const targets = new Set([...out.values()].filter((p) => p.type === PlanActionType.MERGE).map((p) => p.targetAccountId!));
  for (const t of targets) {
    const p = out.get(t);
    if (p?.type === PlanActionType.MERGE) {
      skipped.push(`账号 ${t} 既是合并目标又被合并，未纳入，需人工确定`);
      out.delete(t);
    } else if (p?.type === PlanActionType.SHUTDOWN) {
      Object.assign(p, { type: PlanActionType.KEEP, newName: null, targetAccountId: null });
      p.rectification.push('作为合并后的主账号保留，恢复正常更新');
    }
  }
  for (const p of out.values()) {
    if (p.type === PlanActionType.KEEP && !p.rectification.length) p.rectification.push('按检查问题整改');
  }
  return out;
}
