import type { EntityManager } from 'typeorm';
import { DetectionRule, Severity } from '../common/enums';
import { effectiveSettings, type LoadedPolicies } from '../policy/policy.service';
import { bjDate, CHECK_INSTANT } from './detection.dates';

/**
 * The loop after deregistration (注销后的闭环), run by the engine after the other rules (same det_acc / det_hits):
 *
 *   CLOSED_BUT_LIVE — (a) a closed account that published after its deregistration date (`closed_on`, else the day of
 *     its last change to 'closed' in the status history): any post from the day after it up to the check instant.
 *     The farewell post on the day itself does not count. (b) A live (not closed) account whose filing is
 *     'deregistered' (filed as deregistered while live).
 *   STOPPED_NOT_DEREGISTERED, stop-notice case — an ACTIVE account whose last post before the check instant is a
 *     stop-update notice (title matching the policy's `stopped.noticePattern`, e.g. 停止更新 / 停更 / 不再更新) and not a
 *     look-alike (`stopped.noticeExcludePattern`: holiday notices, a break of a stated number of days, 恢复更新), and
 *     that has been silent since for more than `noUpdate.days` days. Suspended accounts are the rule's other case
 *     (detection.rules.ts); the subject key is the same, the two sets never overlap.
 *
 * `scope` / `params` are the engine's own scope fragment (over `accounts a JOIN units u`) and its parameters ($1 = D).
 */
const ACCOUNT = (a: string) => `jsonb_build_object('id', ${a}.id, 'name', ${a}.name, 'platform', ${a}.platform, 'handle', ${a}.handle)`;
const COLS = `(rule, severity, subject_key, unit_id, account_id, platforms, account_ids, suggested_main_id, evidence, hash_basis)`;

export async function runClosedRules(em: EntityManager, asOf: string, policies: LoadedPolicies, scope: string, params: unknown[]): Promise<void> {
  const provinces = ['0', ...policies.provinces.keys()];
  const patterns = provinces.map((province) => {
    const s = effectiveSettings(policies, province);
    return { province, notice: s.stopped.noticePattern, exclude: s.stopped.noticeExcludePattern, days: s.noUpdate.days };
  });
  // Closed accounts in scope, with their deregistration date (a CTE of the statement: a temporary table costs more
  // to create and drop than this query takes); their posts after it.
  await em.query(`
    WITH c AS MATERIALIZED (
      SELECT a.id, a.unit_id, a.platform, a.handle, a.name,
             COALESCE(a.closed_on, (SELECT ${bjDate('max(h.changed_at)')} FROM account_status_history h
                                     WHERE h.account_id = a.id AND h.to_status = 'closed' AND h.changed_at < ${CHECK_INSTANT})) AS closed_on
        FROM accounts a JOIN units u ON u.id = a.unit_id
       WHERE a.status = 'closed' ${scope})
    INSERT INTO det_hits ${COLS}
    SELECT '${DetectionRule.CLOSED_BUT_LIVE}', '${Severity.MAJOR}', '${DetectionRule.CLOSED_BUT_LIVE}:' || c.id, c.unit_id, c.id,
           ARRAY[c.platform], ARRAY[c.id], NULL::int,
           jsonb_build_object('account', ${ACCOUNT('c')}, 'checkDate', $1::date, 'basis', 'postsAfterClosure', 'closedOn', c.closed_on,
             'postsAfter', x.n, 'firstPostAfter', x.first, 'lastPostAfter', x.last, 'lastPostDate', ${bjDate('x.last')}),
           'posts:' || x.first::text
      FROM c
      CROSS JOIN LATERAL (SELECT count(*)::int AS n, min(p.published_at) AS first, max(p.published_at) AS last
                            FROM posts p WHERE p.account_id = c.id
                             AND p.published_at >= ((c.closed_on + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
                             AND p.published_at < ${CHECK_INSTANT}) x
     WHERE c.closed_on IS NOT NULL AND c.closed_on < $1::date AND x.n > 0`, params);

  await em.query(`
    INSERT INTO det_hits ${COLS}
    SELECT '${DetectionRule.CLOSED_BUT_LIVE}', '${Severity.MAJOR}', '${DetectionRule.CLOSED_BUT_LIVE}:' || a.id, a.unit_id, a.id,
           ARRAY[a.platform], ARRAY[a.id], NULL::int,
           jsonb_build_object('account', ${ACCOUNT('a')}, 'checkDate', $1::date, 'basis', 'filedDeregistered', 'status', a.status,
             'filingChangedOn', a.filing_changed_on, 'lastPostDate', a.last_post_day),
           'filing:' || COALESCE(a.filing_changed_on::text, '')
      FROM det_acc a
     WHERE a.filing_status = 'deregistered'
    ON CONFLICT (subject_key) DO NOTHING`, [asOf]);

  await em.query(`
    INSERT INTO det_hits ${COLS}
    SELECT '${DetectionRule.STOPPED_NOT_DEREGISTERED}', '${Severity.MAJOR}', '${DetectionRule.STOPPED_NOT_DEREGISTERED}:' || a.id, a.unit_id, a.id,
           ARRAY[a.platform], ARRAY[a.id], NULL::int,
           jsonb_build_object('account', ${ACCOUNT('a')}, 'checkDate', $1::date, 'days', s.days, 'source', 'notice', 'noticeTitle', n.title,
             'suspendedSince', a.last_post, 'suspendedDate', a.last_post_day, 'daysSuspended', $1::date - a.last_post_day),
           'notice:' || a.last_post::text
      FROM det_acc a
      JOIN jsonb_to_recordset($2::jsonb) AS s(province text, notice text, exclude text, days int) USING (province)
      CROSS JOIN LATERAL (SELECT p.title FROM posts p WHERE p.account_id = a.id AND p.published_at = a.last_post
                           AND p.title ~ s.notice AND (s.exclude = '' OR p.title !~ s.exclude) LIMIT 1) n
     WHERE a.status = 'active' AND a.last_post IS NOT NULL AND s.notice <> '' AND $1::date - a.last_post_day > s.days
    ON CONFLICT (subject_key) DO NOTHING`, [asOf, JSON.stringify(patterns)]);
}
