import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Platform } from '../common/enums';
import type { Context } from '../kernel/context';
import { Account } from '../accounts/account.entity';
import { unitsService } from '../units/units.service';
import { effectiveSettings, loadPolicies, provinceOfPath } from '../policy/policy.service';
import { checkDate, dayStart, CHECK_INSTANT } from './detection.dates';

/**
 * Suggested main account (建议主账号) of a group of accounts of one unit on one platform.
 *
 * 1. Eligible accounts first: active (not suspended) and filed.
 * 2. Among them the highest score, 0–100:
 *      score = 100 × (reachWeight × followers / most followers in the group
 *                   + activityWeight × posts in the 90 days up to the check date / most such posts in the group)
 *    with the policy weights (national default 0.6 reach, 0.4 activity).
 * 3. Ties: the account already marked main, then more followers, then the older record (smaller id).
 * The reasons are spelled out in Chinese, e.g. "状态正常；已备案；粉丝 12.3 万，为同组最多；近 90 天发布 85 条".
 *
 * `rankingSql(src)` continues a WITH clause: `src` must provide id, unit_id, platform, status, filing_no,
 * followers, is_main, posts90, w_reach, w_act; it defines CTE `r` with score, rnk (1 = suggested) and reasons.
 */
export function rankingSql(src: string): string {
  const wan = (col: string) =>
    `CASE WHEN ${col} >= 10000 THEN to_char(${col} / 10000.0, 'FM999999990.0') || ' 万' ELSE ${col}::text END`;
  return `
      r0 AS (
        SELECT ${src}.*, (${src}.status = 'active' AND ${src}.filing_no IS NOT NULL) AS eligible,
               max(${src}.followers) OVER w AS max_f, max(${src}.posts90) OVER w AS max_p, count(*) OVER w AS group_size,
               bool_or(${src}.status = 'active' AND ${src}.filing_no IS NOT NULL) OVER w AS any_eligible
          FROM ${src} WINDOW w AS (PARTITION BY ${src}.unit_id, ${src}.platform)),
      r1 AS (
        SELECT r0.*, round(100 * (r0.w_reach * CASE WHEN r0.max_f > 0 THEN r0.followers::numeric / r0.max_f ELSE 0 END
                                + r0.w_act * CASE WHEN r0.max_p > 0 THEN r0.posts90::numeric / r0.max_p ELSE 0 END), 1) AS score
          FROM r0),
      r AS (
        SELECT r1.*,
               row_number() OVER (PARTITION BY r1.unit_id, r1.platform
                                  ORDER BY r1.eligible DESC, r1.score DESC, r1.is_main DESC, r1.followers DESC, r1.id) AS rnk,
               concat_ws('；',
                 CASE WHEN r1.status = 'active' THEN '状态正常' ELSE '已暂停更新' END,
                 CASE WHEN r1.filing_no IS NOT NULL THEN '已备案' ELSE '未备案' END,
                 CASE WHEN r1.is_main THEN '已标记为主账号' END,
                 '粉丝 ' || ${wan('r1.followers')} || CASE WHEN r1.group_size > 1 AND r1.followers = r1.max_f THEN '，为同组最多' ELSE '' END,
                 '近 90 天发布 ' || r1.posts90 || ' 条' || CASE WHEN r1.group_size > 1 AND r1.max_p > 0 AND r1.posts90 = r1.max_p THEN '，为同组最多' ELSE '' END,
                 CASE WHEN NOT r1.any_eligible THEN '组内没有状态正常且已备案的账号，按影响力和活跃度推荐' END) AS reasons
          FROM r1)`;
}

@ObjectType({ description: '某单位在某平台的建议主账号' })
export class MainAccountSuggestion {
  @Field(() => Platform)
  platform: Platform;

  @Field(() => Account)
  account: Account;

  @Field(() => Float, { description: '得分（0–100）：粉丝占比与近 90 天发布占比的加权和' })
  score: number;

  @Field(() => String, { description: '推荐理由' })
  reasons: string;

  @Field(() => Int, { description: '该单位在该平台未注销的账号数' })
  accountsOnPlatform: number;

  @Field(() => [Account], { description: '同平台的其他账号（按得分排序）' })
  others: Account[];
}

export const mainAccountService = {
  /** For every platform of a unit: the suggested main account among its non-closed accounts, as of a check date. */
  async forUnit(ctx: Context, unitId: string | number, asOf?: string | null): Promise<MainAccountSuggestion[]> {
    const unit = await unitsService.byId(ctx, unitId);
    const day = checkDate(asOf);
    const settings = effectiveSettings(await loadPolicies(ctx.em), provinceOfPath(unit.regionPath));
    const rows: { id: number; platform: Platform; score: string; reasons: string; rnk: string; group_size: string }[] = await ctx.em.query(`
      WITH m AS (
        SELECT a.id, a.unit_id, a.platform, a.status, NULLIF(btrim(a.filing_no), '') AS filing_no, a.followers, a.is_main,
               $3::numeric AS w_reach, $4::numeric AS w_act,
               (SELECT count(*)::int FROM posts x WHERE x.account_id = a.id AND x.origin_account_id IS NULL AND x.published_at >= ${dayStart('90')}
                   AND x.published_at < ${CHECK_INSTANT}) AS posts90
          FROM accounts a WHERE a.unit_id = $2 AND a.status <> 'closed'),
      ${rankingSql('m')}
      SELECT id, platform, score, reasons, rnk, group_size FROM r ORDER BY platform, rnk`,
    [day, unit.id, settings.mainAccount.reachWeight, settings.mainAccount.activityWeight]);
    const accounts = await ctx.loaders.accountById.loadMany(rows.map((r) => r.id));
    const byId = new Map(accounts.filter((a): a is Account => a instanceof Account).map((a) => [a.id, a]));
    const out: MainAccountSuggestion[] = [];
    for (const r of rows) {
      const account = byId.get(r.id);
      if (!account) continue;
      if (Number(r.rnk) === 1) {
        out.push({ platform: r.platform, account, score: Number(r.score), reasons: r.reasons, accountsOnPlatform: Number(r.group_size), others: [] });
      } else {
        out[out.length - 1]?.others.push(account);
      }
    }
    return out;
  },
};
