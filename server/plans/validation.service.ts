import type { Context } from '../kernel/context';
import { AccountStatus, IssueSeverity, Level, Platform, PlanActionType, PlanIssueCode, PLATFORM_NAMES_ZH, UnitKind } from '../common/enums';
import type { Plan } from './plan.entity';
import type { PlanAction } from './plan-action.entity';
import type { PlanValidation, ValidationIssue } from './plan.types';
import { getPlanPolicy } from './plan-policy';
import { CLOSING_TYPES, inPlanScope, loadPlanFacts, upTheChain, type AccountFact, type PlanFacts } from './plan-facts';
import { protectionsOf } from './protection';
import { SERVICE_NAME_NORM } from './moves';
import { ServicesMode } from './plan-action.entity';

/** Units of these levels whose government must keep at least one account (county level and above). */
const MUST_KEEP_LEVELS = [Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY];

const ACTION_ZH: Record<PlanActionType, string> = {
  [PlanActionType.MERGE]: '合并', [PlanActionType.SHUTDOWN]: '关停', [PlanActionType.KEEP]: '保留整改', [PlanActionType.RENAME]: '更名',
};

function label(a: AccountFact | undefined, id: number): string {
  return a ? `「${a.name}」(${PLATFORM_NAMES_ZH[a.platform]}，编号 ${a.id})` : `账号 ${id}`;
}

/**
 * Validates a plan: errors (block submission) and warnings, each naming the action, the account and the reason.
 * Available at any time; required before submission and re-run before execution starts.
 */
export async function validatePlan(ctx: Context, plan: Plan): Promise<PlanValidation> {
  const f = await loadPlanFacts(ctx, plan);
  const issues: ValidationIssue[] = [];
  const err = (code: PlanIssueCode, a: PlanAction | null, accountId: number | null, message: string) =>
    issues.push({ code, severity: IssueSeverity.ERROR, actionId: a?.id ?? null, accountId, message });
  const warn = (code: PlanIssueCode, a: PlanAction, accountId: number | null, message: string) =>
    issues.push({ code, severity: IssueSeverity.WARNING, actionId: a.id, accountId, message });
  const policy = getPlanPolicy();

  if (!f.actions.length) err(PlanIssueCode.EMPTY_PLAN, null, null, '方案中还没有任何动作，不能提交');

  const acc = (id: number) => f.accounts.get(id);
  const sourceCount = new Map<number, number>();
  for (const a of f.actions) sourceCount.set(a.accountId, (sourceCount.get(a.accountId) ?? 0) + 1);
  const closingHere = new Map<number, PlanAction>();
  for (const a of f.actions) if (CLOSING_TYPES.includes(a.type)) closingHere.set(a.accountId, a);
  const mergeTarget = new Map<number, number>();
  for (const a of f.actions) if (a.type === PlanActionType.MERGE && a.targetAccountId !== null) mergeTarget.set(a.accountId, a.targetAccountId);
  const elsewhere = new Map<number, typeof f.otherPlans>();
  for (const o of f.otherPlans) elsewhere.set(o.accountId, [...(elsewhere.get(o.accountId) ?? []), o]);

  const serviceDest = new Map<number, number>();
  const protections = await protectionsOf(ctx.em, [...closingHere.keys()]);

  for (const a of f.actions) {
    const src = acc(a.accountId);
    const srcLabel = label(src, a.accountId);
    if (!src) continue;
    if (src.status === AccountStatus.CLOSED) {
      err(PlanIssueCode.SOURCE_CLOSED, a, src.id, `${srcLabel}已注销，不能再${ACTION_ZH[a.type]}`);
    }
    if ((sourceCount.get(src.id) ?? 0) > 1) {
      err(PlanIssueCode.DUPLICATE_ACCOUNT, a, src.id, `${srcLabel}出现在本方案的多个动作中，每个账号只能有一个动作`);
    }
    for (const o of elsewhere.get(src.id) ?? []) {
      err(PlanIssueCode.ACCOUNT_IN_OTHER_PLAN, a, src.id, `${srcLabel}已在另一个未结方案「${o.title}」(编号 ${o.planId}) 中`);
    }
    if (!inPlanScope(f, src)) {
      err(PlanIssueCode.OUT_OF_SCOPE, a, src.id, `${srcLabel}的主办单位「${src.unitName}」不在方案范围「${f.scope.name}」内`);
    } else if (f.authorScope && !src.unitPath.startsWith(f.authorScope)) {
      err(PlanIssueCode.OUT_OF_SCOPE, a, src.id, `${srcLabel}的主办单位「${src.unitName}」不在编制人的管辖范围内`);
    }

    const guarded = CLOSING_TYPES.includes(a.type) ? protections.get(src.id) : undefined;
    if (guarded) {
      const why = guarded.map((p) => p.reason).join('；');
      if (a.overrideReason) {
        warn(PlanIssueCode.PROTECTED_OVERRIDDEN, a, src.id, `${srcLabel}是受保护账号（${why}），编制人说明的${ACTION_ZH[a.type]}理由：${a.overrideReason}`);
      } else {
        err(PlanIssueCode.PROTECTED_ACCOUNT, a, src.id, `${srcLabel}是受保护账号（${why}），不能${ACTION_ZH[a.type]}；确需${ACTION_ZH[a.type]}须填写理由，供审批人审核`);
      }
    }

    const dests: [number | null, string][] = [
      [a.targetAccountId, '合并目标'], [a.serviceTargetAccountId, '服务迁入账号'], [a.contentTargetAccountId, '内容迁入的门户网站'],
    ];
    for (const [destId, what] of dests) {
      if (destId === null) continue;
      const d = acc(destId);
      const dLabel = label(d, destId);
      if (!d || d.status !== AccountStatus.ACTIVE) {
        err(PlanIssueCode.TARGET_INACTIVE, a, destId, `${what}${dLabel}不是正常状态的账号`);
      }
      const closing = closingHere.get(destId);
      if (closing?.type === PlanActionType.SHUTDOWN) {
        err(PlanIssueCode.TARGET_CLOSING, a, destId, `${what}${dLabel}本身在本方案中被关停`);
      } else if (closing?.type === PlanActionType.MERGE) {
        const chain = resolveChain(destId, mergeTarget, a.accountId);
        if (chain.cycle) {
          err(PlanIssueCode.TARGET_CYCLE, a, destId, `${what}${dLabel}又被合并回来，形成循环：${chain.path.map((id) => label(acc(id), id)).join(' → ')}`);
        } else {
          const final = chain.path[chain.path.length - 1];
          err(PlanIssueCode.TARGET_MERGING_AWAY, a, destId,
            `${what}${dLabel}本身将被合并到${label(acc(final), final)}，请直接指向最终目标${label(acc(final), final)}`);
        }
      }
      for (const o of elsewhere.get(destId) ?? []) {
        if (o.type === PlanActionType.MERGE || o.type === PlanActionType.SHUTDOWN) {
          err(PlanIssueCode.TARGET_CLOSING, a, destId, `${what}${dLabel}在另一个未结方案「${o.title}」(编号 ${o.planId}) 中将被${ACTION_ZH[o.type]}`);
        }
      }
    }

    for (const [destId, what] of [[a.targetAccountId, '合并目标'], [a.serviceTargetAccountId, '服务迁入账号']] as const) {
      const d = destId === null ? undefined : acc(destId);
      if (d && !upTheChain(src, d)) {
        err(PlanIssueCode.MERGE_SIDEWAYS, a, d.id, `${what}${label(d, d.id)}属于「${d.unitName}」，不是「${src.unitName}」本单位或其上级、主管单位的账号（横向合并）`);
      }
    }
    if (a.contentTargetAccountId !== null) {
      const c = acc(a.contentTargetAccountId);
      const regionUp = c && c.regionPath !== null && src.regionPath !== null && src.regionPath.startsWith(c.regionPath);
      if (c && (c.platform !== Platform.WEBSITE || c.unitKind !== UnitKind.GOVERNMENT || !regionUp)) {
        err(PlanIssueCode.CONTENT_NOT_PORTAL, a, c.id, `内容迁入账号${label(c, c.id)}不是「${src.unitName}」所在地区或上级地区的政府门户网站`);
      }
    }

    if (a.type === PlanActionType.MERGE && a.targetAccountId !== null) {
      const t = acc(a.targetAccountId);
      if (t && t.platform !== src.platform) {
        warn(PlanIssueCode.CROSS_PLATFORM, a, t.id, `${srcLabel}合并到其他平台的账号${label(t, t.id)}，内容和关注者难以直接迁移`);
      }
      if (t && !t.isMain) warn(PlanIssueCode.TARGET_NOT_MAIN, a, t.id, `合并目标${label(t, t.id)}不是主账号`);
      serviceDest.set(src.id, a.targetAccountId);
    }
    if (a.type === PlanActionType.SHUTDOWN) {
      if (src.services > 0 && a.serviceTargetAccountId === null) {
        err(PlanIssueCode.SERVICE_NO_DESTINATION, a, src.id, `${srcLabel}有 ${src.services} 项办事服务，尚未指定迁往的账号`);
      }
      if (src.posts > 0 && a.contentTargetAccountId === null) {
        err(PlanIssueCode.CONTENT_NO_DESTINATION, a, src.id, `${srcLabel}有 ${src.posts} 条内容，没有可迁入的门户网站（所在地区及上级地区均无政府门户网站账号）`);
      }
      if (a.serviceTargetAccountId !== null) serviceDest.set(src.id, a.serviceTargetAccountId);
    }
    if (CLOSING_TYPES.includes(a.type)) {
      if (src.followers >= policy.warnFollowers) {
        warn(PlanIssueCode.MANY_FOLLOWERS, a, src.id, `${srcLabel}有 ${src.followers} 位关注者（提醒阈值 ${policy.warnFollowers}），请确认告知安排`);
      }
      if (src.services >= policy.warnServices && src.services > 0) {
        warn(PlanIssueCode.MANY_SERVICES, a, src.id, `${srcLabel}提供 ${src.services} 项办事服务（提醒阈值 ${policy.warnServices}），请确认迁移安排`);
      }
    }
    if (a.type === PlanActionType.RENAME && a.newName === src.name) {
      warn(PlanIssueCode.NAME_UNCHANGED, a, src.id, `新名称与${srcLabel}现名称相同`);
    }
  }

  await checkServiceNameClashes(ctx, f, serviceDest, warn);
  await checkLastAccounts(ctx, f, closingHere, err);

  issues.sort((x, y) => (x.actionId ?? 0) - (y.actionId ?? 0) || x.code.localeCompare(y.code));
  const errors = issues.filter((i) => i.severity === IssueSeverity.ERROR);
  return { valid: errors.length === 0, errors, warnings: issues.filter((i) => i.severity === IssueSeverity.WARNING) };
}

/** Follows merge targets from `start`; a cycle is reported when the chain comes back to a visited account. */
export function resolveChain(start: number, mergeTarget: Map<number, number>, origin: number): { path: number[]; cycle: boolean } {
  const path = [start];
  const seen = new Set([origin, start]);
  let cur = start;
  while (mergeTarget.has(cur)) {
    cur = mergeTarget.get(cur)!;
    path.push(cur);
    if (seen.has(cur)) return { path, cycle: true };
    seen.add(cur);
  }
  return { path, cycle: false };
}

async function checkServiceNameClashes(ctx: Context, f: PlanFacts, serviceDest: Map<number, number>,
  warn: (code: PlanIssueCode, a: PlanAction, accountId: number | null, message: string) => void): Promise<void> {
  if (!serviceDest.size) return;
  const src = [...serviceDest.keys()];
  const rows: { src: number; names: string[] }[] = await ctx.em.query(
    `SELECT m.src, array_agg(DISTINCT s.name ORDER BY s.name) AS names
       FROM unnest($1::int[], $2::int[]) AS m(src, dest)
       JOIN services s ON s.account_id = m.src AND s.merged_into_id IS NULL
       JOIN services t ON t.account_id = m.dest AND t.merged_into_id IS NULL AND ${SERVICE_NAME_NORM('t.name')} = ${SERVICE_NAME_NORM('s.name')}
      GROUP BY m.src`, [src, src.map((s) => serviceDest.get(s)!)]);
  for (const r of rows) {
    const a = f.actions.find((x) => x.accountId === r.src && (x.type === PlanActionType.MERGE || x.type === PlanActionType.SHUTDOWN))!;
    warn(PlanIssueCode.SERVICE_NAME_CLASH, a, r.src, a.servicesMode === ServicesMode.KEEP_BOTH
      ? `迁入账号已有同名服务：${r.names.join('、')}；按选择两者都保留，迁入的服务名称后注明来源账号`
      : `迁入账号已有同名服务：${r.names.join('、')}；迁移时将并入其同名服务（保留来源记录），不重复列出`);
  }
}

async function checkLastAccounts(ctx: Context, f: PlanFacts, closingHere: Map<number, PlanAction>,
  err: (code: PlanIssueCode, a: PlanAction | null, accountId: number | null, message: string) => void): Promise<void> {
  const units = new Set<number>();
  for (const id of closingHere.keys()) {
    const a = f.accounts.get(id);
    if (a && a.unitKind === UnitKind.GOVERNMENT && MUST_KEEP_LEVELS.includes(a.unitLevel)) units.add(a.unitId);
  }
  if (!units.size) return;
  const rows: { unit_id: number; remaining: number }[] = await ctx.em.query(
    `SELECT u.id AS unit_id, count(a.id) FILTER (WHERE a.status <> $2 AND a.platform <> $3 AND NOT (a.id = ANY($4::int[])))::int AS remaining
       FROM units u LEFT JOIN accounts a ON a.unit_id = u.id WHERE u.id = ANY($1::int[]) GROUP BY u.id`,
    [[...units], AccountStatus.CLOSED, Platform.WEBSITE, [...closingHere.keys()]]);
  for (const r of rows) {
    if (r.remaining > 0) continue;
    for (const [id, a] of closingHere) {
      const acc = f.accounts.get(id)!;
      if (acc.unitId !== r.unit_id) continue;
      err(PlanIssueCode.LAST_ACCOUNT, a, id, `「${acc.unitName}」是县级及以上政府，方案将关闭其全部新媒体账号，至少须保留一个（${label(acc, id)}）`);
    }
  }
}
