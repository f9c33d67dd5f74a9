import { DetectionRule, Level, LEVEL_NAMES_ZH, Platform, PLATFORM_NAMES_ZH, UNIT_KIND_NAMES_ZH, UnitKind } from '../common/enums';
import { beijingDate } from '../kernel/dates';
import type { Evidence } from './finding.entity';

/** One Chinese sentence explaining a finding, from its rule and evidence (no database access). */
export function summarize(rule: DetectionRule, e: Evidence): string {
  const acc = e.account ? `「${e.account.name}」（${platformZh(e.account.platform)}）` : '';
  switch (rule) {
    case DetectionRule.NO_UPDATE_14D:
      return e.neverPosted
        ? `发布类账号${acc}从未发布内容，检查日 ${e.checkDate} 前 ${e.days} 天内无更新，属否决项`
        : `发布类账号${acc}在检查日 ${e.checkDate} 前 ${e.days} 天（${e.windowStart} 至 ${e.windowEnd}）内没有发布内容，最近一次发布为 ${e.lastPostDate}（已 ${e.daysSinceLastPost} 天），属否决项`;
    case DetectionRule.ZOMBIE:
      if (e.basis === 'noServices') return `服务类账号${acc}没有提供任何办事服务，视为“僵尸”账号`;
      return e.neverPosted
        ? `账号${acc}开设以来从未发布内容，视为“僵尸”账号`
        : `账号${acc}已 ${e.daysSinceLastPost} 天未发布内容（最近一次 ${e.lastPostDate}），超过 ${e.days} 天视为“僵尸”账号`;
    case DetectionRule.NO_INTERACTION: {
      const parts: string[] = [];
      if (e.interactionEnabled === false) parts.push('互动功能（评论/留言）已关闭');
      if (e.overdueUnanswered > 0) {
        parts.push(`有 ${e.overdueUnanswered} 条留言超过 ${e.replyDeadlineDays} 天未回复，最早一条收于 ${bjDay(e.oldestUnansweredAt)}`);
      }
      return `账号${acc}${parts.join('，且')}，属否决项`;
    }
    case DetectionRule.CLOSED_BUT_LIVE:
      return e.basis === 'filedDeregistered'
        ? `账号${acc}备案状态为已注销，但仍在运营（${e.status === 'suspended' ? '暂停更新' : '正常'}）`
        : `账号${acc}已于 ${e.closedOn} 注销，此后仍发布了 ${e.postsAfter} 条内容（最近一次 ${e.lastPostDate}）`;
    case DetectionRule.STOPPED_NOT_DEREGISTERED:
      if (e.source === 'notice') return `账号${acc}于 ${e.suspendedDate} 发布停更公告「${e.noticeTitle}」后已 ${e.daysSuspended} 天未更新，仍未注销`;
      return `账号${acc}自 ${e.suspendedDate} 暂停更新，已 ${e.daysSuspended} 天仍未注销（应在 ${e.days} 天内完成注销）`;
    case DetectionRule.REDUNDANT_SAME_PLATFORM: {
      const main = e.suggestedMain;
      return `同一单位在${platformZh(e.platform)}上有 ${e.count} 个未注销账号（原则上不超过 ${e.maxPerPlatform} 个）` +
        (main ? `，建议保留「${main.name}」为主账号：${main.reasons}` : '');
    }
    case DetectionRule.NAME_INCONSISTENT: {
      const list = (e.accounts as { name: string; platform: Platform }[]).map((a) => `${platformZh(a.platform)}「${a.name}」`).join('、');
      return `同一单位在不同平台的账号名称不一致：${list}；建议统一为「${e.expectedName}」`;
    }
    case DetectionRule.UNFILED:
      return `账号${acc}正在运营（${e.status === 'suspended' ? '暂停更新' : '正常'}）但没有备案编号`;
    case DetectionRule.LEVEL_NOT_ALLOWED:
      return `账号${acc}的主办单位为${LEVEL_NAMES_ZH[e.unitLevel as Level] ?? e.unitLevel}${UNIT_KIND_NAMES_ZH[e.unitKind as UnitKind] ?? ''}，按本省规定原则上不开设政务新媒体账号`;
    case DetectionRule.LOW_VALUE: {
      const s = e.signals ?? {};
      const parts: string[] = [];
      if (s.lowReads) parts.push(`阅读量中位数 ${e.medianReads}（低于 ${e.minMedianReads}）`);
      if (s.fewOriginals) {
        parts.push(`原创 ${e.originals} 篇${e.routineReports ? `（另有工作简报类 ${e.routineReports} 篇不计）` : ''}，每月 ${e.originalsPerMonth} 篇（不足 ${e.minOriginalsPerMonth} 篇）`);
      }
      if (s.irregular) parts.push(`仅 ${e.activeWeeks}/${e.weeksInWindow} 周有发布，更新不稳定`);
      if (s.repeated) parts.push(`${e.repeatedPosts} 条内容重复发布`);
      return `基层账号${acc}价值偏低（得分 ${e.score}/${e.maxScore}）：近 ${e.windowDays} 天${parts.join('；')}`;
    }
    default:
      return String(rule);
  }
}

function platformZh(p: string): string {
  return PLATFORM_NAMES_ZH[p as Platform] ?? p;
}

/** The Beijing calendar date of an instant stored in the evidence (ISO text). */
function bjDay(v: unknown): string {
  if (typeof v !== 'string') return '';
  const t = Date.parse(v);
  return Number.isNaN(t) ? v.slice(0, 10) : beijingDate(new Date(t));
}
