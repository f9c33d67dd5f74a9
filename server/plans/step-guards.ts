import type { Context } from '../kernel/context';
import { badInput, conflict } from '../kernel/errors';
import { addWorkingDays, beijingDate, workingDaysBetween } from '../kernel/dates';
import { FindingStatus, PlanActionType, StepKind, StepStatus, STEP_NAMES_ZH } from '../common/enums';
import type { Plan } from './plan.entity';
import type { PlanAction } from './plan-action.entity';
import type { ExecutionStep, StepEvidence } from './execution-step.entity';
import { getPlanPolicy } from './plan-policy';
import type { SourceRow } from './moves';

/**
 * The procedure, step by step (what `executionService.confirm` refuses, each with a clear error):
 *   - every step's date lies within the execution: not before it started, not in the future (parseDate);
 *   - prerequisites: deregistration after the content and services moved — and, for a shutdown, after the notice
 *     period (plan.noticeWorkingDays working days after the notice), for a merge, after the followers were told
 *     where to go; the filing after deregistration; no date earlier than a prerequisite's;
 *   - the stop-update notice records evidence: its URL or title; when the account has posts of its own, the title
 *     must match one of them published on the notice date (the notice is a post of the account);
 *   - RECTIFIED: only when a detection run after execution started shows every finding the action cites no longer
 *     open, or with a recorded override reason.
 * During the notice period the account stays ACTIVE — still inspected, still posting at least every 14 days until it
 * is gone — it is not suspended (a suspended account drops out of the update rules).
 */
export interface StepInput {
  date: string;
  evidenceUrl?: string | null;
  evidenceTitle?: string | null;
  overrideReason?: string | null;
}

export function prerequisites(type: PlanActionType, kind: StepKind): StepKind[] {
  if (kind === StepKind.DEREGISTERED) {
    return type === PlanActionType.SHUTDOWN
      ? [StepKind.NOTICE_PUBLISHED, StepKind.CONTENT_MIGRATED, StepKind.SERVICES_MIGRATED]
      : [StepKind.CONTENT_MIGRATED, StepKind.SERVICES_MIGRATED, StepKind.FOLLOWERS_NOTIFIED];
  }
  if (kind === StepKind.FILING_UPDATED) return [StepKind.DEREGISTERED];
  return [];
}

/** Checks order and dates; returns the step's evidence and override to record (null: none). */
export async function checkStep(tx: Context, plan: Plan, action: PlanAction, step: ExecutionStep, siblings: ExecutionStep[],
  src: SourceRow, input: StepInput): Promise<{ evidence: StepEvidence | null; overrideReason: string | null }> {
  const { date } = input;
  const name = STEP_NAMES_ZH[step.kind];
  const started = plan.executionStartedAt ? beijingDate(new Date(plan.executionStartedAt)) : null;
  if (started && date < started) {
    throw badInput(`「${name}」的日期 ${date} 早于方案开始执行的日期 ${started}，须填写执行期间的实际日期 (date before execution started)`,
      [{ field: 'date', message: `不能早于 ${started}` }]);
  }
  const byKind = new Map(siblings.map((s) => [s.kind, s]));
  const needs = prerequisites(action.type, step.kind);
  const missing = needs.filter((k) => byKind.get(k)?.status !== StepStatus.DONE);
  if (missing.length) {
    throw conflict(`须先确认：${missing.map((k) => STEP_NAMES_ZH[k]).join('、')}，才能确认「${name}」 (prerequisite steps pending)`);
  }
  const latest = needs.map((k) => byKind.get(k)!.doneOn!).sort().pop();
  if (latest && date < latest) {
    throw conflict(`「${name}」的日期 ${date} 不能早于前序步骤的日期 ${latest} (date before prerequisite)`);
  }
  if (step.kind === StepKind.DEREGISTERED && action.type === PlanActionType.SHUTDOWN) {
    const notice = byKind.get(StepKind.NOTICE_PUBLISHED)!.doneOn!;
    const passed = workingDaysBetween(notice, date, getPlanPolicy());
    if (passed < plan.noticeWorkingDays) {
      const earliest = addWorkingDays(notice, plan.noticeWorkingDays, getPlanPolicy());
      throw conflict(`停更公告期未满：公告于 ${notice} 发布，须满 ${plan.noticeWorkingDays} 个工作日，目前 ${passed} 个，最早 ${earliest} 可注销 (notice period not over)`,
        { notice, earliest, workingDaysPassed: passed, required: plan.noticeWorkingDays });
    }
  }
  if (step.kind === StepKind.NOTICE_PUBLISHED) return { evidence: await noticeEvidence(tx, src, input), overrideReason: null };
  if (step.kind === StepKind.RECTIFIED) return rectified(tx, plan, action, input);
  return { evidence: null, overrideReason: null };
}

async function noticeEvidence(tx: Context, src: SourceRow, input: StepInput): Promise<StepEvidence> {
  const url = input.evidenceUrl?.trim() || null;
  const title = input.evidenceTitle?.trim() || null;
  if (!url && !title) {
    throw badInput('确认「停更公告已发布」须填写公告的链接或标题，作为证据 (notice evidence required)',
      [{ field: 'evidenceTitle', message: '填写公告标题或链接' }]);
  }
  if (url && !/^https?:\/\/\S+$/i.test(url)) {
    throw badInput('公告链接应为 http:// 或 https:// 开头的网址 (invalid notice URL)', [{ field: 'evidenceUrl', message: '网址无效' }]);
  }
  const [own] = await tx.em.query(`SELECT count(*)::int AS n FROM posts WHERE account_id = $1 AND origin_account_id IS NULL`, [src.id]);
  if (own.n === 0) return { url, title, matchedPost: null };
  if (!title) {
    throw badInput(`「${src.name}」有发布记录，须填写公告标题，以便与该账号的发布内容核对 (notice title required)`,
      [{ field: 'evidenceTitle', message: '填写公告标题' }]);
  }
  const posts: { id: string; title: string; published_at: Date; day: string }[] = await tx.em.query(
    `SELECT id, title, published_at, to_char(published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day FROM posts
      WHERE account_id = $1 AND origin_account_id IS NULL AND strpos(title, $2) > 0
      ORDER BY (to_char(published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') = $3) DESC, published_at DESC LIMIT 1`,
    [src.id, title, input.date]);
  const p = posts[0];
  if (!p) {
    throw conflict(`在「${src.name}」的发布内容中找不到标题含「${title}」的停更公告，请核对后再确认 (notice not found among the account's posts)`);
  }
  if (p.day !== input.date) {
    throw conflict(`停更公告「${p.title}」发布于 ${p.day}，与填写的日期 ${input.date} 不符 (notice date does not match the post)`,
      { postDate: p.day });
  }
  return { url, title, matchedPost: { id: Number(p.id), title: p.title, publishedAt: new Date(p.published_at).toISOString() } };
}

async function rectified(tx: Context, plan: Plan, action: PlanAction, input: StepInput): Promise<{ evidence: StepEvidence | null; overrideReason: string | null }> {
  const override = input.overrideReason?.trim() || null;
  const since = plan.executionStartedAt ?? new Date(0);
  const [run] = await tx.em.query(
    `SELECT r.id FROM detection_runs r, accounts a JOIN units u ON u.id = a.unit_id
      WHERE a.id = $2 AND r.finished_at IS NOT NULL AND r.started_at >= $1
        AND (r.region_path IS NULL OR u.region_path LIKE r.region_path || '%')
      ORDER BY r.id DESC LIMIT 1`, [since, action.accountId]);
  const open: { id: number; rule: string }[] = await tx.em.query(
    `SELECT f.id, f.rule FROM plan_action_findings c JOIN findings f ON f.id = c.finding_id
      WHERE c.action_id = $1 AND (f.status = $2 OR (f.status = $3 AND (f.resolved_at IS NULL OR f.resolved_at < $4)))
      ORDER BY f.id`, [action.id, FindingStatus.OPEN, FindingStatus.RESOLVED, since]);
  const [{ n: cited }] = await tx.em.query(`SELECT count(*)::int AS n FROM plan_action_findings WHERE action_id = $1`, [action.id]);
  const shown = cited === 0 || (run && open.length === 0);
  if (shown) return { evidence: cited ? { detectionRunId: run?.id ?? null } : null, overrideReason: null };
  if (override) return { evidence: { detectionRunId: run?.id ?? null, openFindings: open.map((f) => f.id) }, overrideReason: override };
  const why = !run
    ? '方案开始执行后还没有运行过检查'
    : `检查仍显示问题未整改：${open.map((f) => `#${f.id}`).join('、')}`;
  throw conflict(`不能确认「已整改」：${why}。请整改后重新运行检查，或填写理由后确认 (cited findings not shown resolved)`,
    { openFindings: open.map((f) => f.id), detectionRunId: run?.id ?? null });
}
