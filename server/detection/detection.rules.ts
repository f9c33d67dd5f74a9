import { DetectionRule, Severity } from '../common/enums';
import { bjDate, dayStart, CHECK_INSTANT } from './detection.dates';
import { rankingSql } from './main-account';
import { monthsCurrent, READ_EDGES, totalsJoin } from './post-months';

/**
 * The rules, one set-based `INSERT INTO det_hits … SELECT` each, over det_acc (accounts checked) joined to det_pol
 * (the effective policy of the account's province). $1 is the check date D. Day arithmetic is in Beijing calendar
 * days (see detection.engine.ts). Each rule states:
 *   - who it looks at (closed accounts are never in det_acc, so never flagged);
 *   - the subject key (identity of the finding across runs);
 *   - the hash basis: the stable facts behind the finding. A dismissed finding reopens only when they change.
 * Only an account's own posts count (`origin_account_id IS NULL`): posts migrated in by a plan are its archive.
 * Accounts judged by their services (det_acc.service_valued) are not NO_UPDATE_14D / LOW_VALUE subjects, and are
 * ZOMBIE only when they offer no service.
 */
/**
 * `replay`: the check date is in the past. `maxWindowDays`: the longest LOW_VALUE window of any policy in use — a
 * constant lower bound on published_at, so only the months of the window are read (partition pruning). `scoped`: a
 * region is checked (few accounts: per-account look-ups by index rather than scans of whole tables).
 */
export interface RuleOptions { replay: boolean; maxWindowDays: number; scoped: boolean }

export interface RuleSql {
  rule: DetectionRule;
  severity: Severity;
  /** The rule's statement (options: RuleOptions). */
  sql(o: RuleOptions): string;
  /**
   * Run with nested-loop joins disabled (issue 6): the planner cannot estimate joins between CTE scans and picks
   * nested loops that are quadratic in the number of accounts (NAME_INCONSISTENT: 30 ms for one province, 89 s
   * nationally); hash joins keep it linear.
   */
  noNestLoop?: boolean;
  /**
   * Statements run before `sql` (same parameters): temporary tables the rule reads, built and analysed first so the
   * planner knows their size (a CTE's row estimate can be off by 20×: LOW_VALUE's candidates).
   */
  prepare?(o: RuleOptions): string[];
  /**
   * What the rule's statements read of det_acc (`a`): the rows (`where`, a condition they also apply themselves) and
   * the columns. Given, the rule may be evaluated on a second connection that receives only these (rule-elsewhere.ts;
   * a column missing here fails its test, tests/detection/rule-elsewhere.test.ts).
   */
  accounts?: { where: string; columns: readonly string[] };
}

/** LOW_VALUE's subjects before its policy's levels: active publishing accounts not judged by their services. */
const PUBLISHING_ACTIVE = `a.status = 'active' AND a.type IN ('publishing', 'both') AND NOT a.service_valued`;

const ACCOUNT = `jsonb_build_object('id', a.id, 'name', a.name, 'platform', a.platform, 'handle', a.handle)`;
const COLS = `(rule, severity, subject_key, unit_id, account_id, platforms, account_ids, suggested_main_id, evidence, hash_basis)`;
/** Columns of a single-account finding. */
const single = (rule: DetectionRule, severity: Severity) =>
  `'${rule}', '${severity}', '${rule}:' || a.id, a.unit_id, a.id, ARRAY[a.platform], ARRAY[a.id], NULL::int`;

/**
 * REDUNDANT_SAME_PLATFORM's 90-day window in calendar months (Beijing wall clock): M1 the first month beginning in it,
 * M2 the check date's month; the months from M1 up to M2 lie wholly inside the window.
 */
const M1 = `(date_trunc('month', ($1::date - 90)::timestamp - interval '1 microsecond') + interval '1 month')`;
const M2 = `date_trunc('month', $1::date::timestamp)`;

export const RULE_SQL: RuleSql[] = [
  {
    // Publishing accounts (publishing / both), active, opened before the window: no post in the N days D−N … D−1,
    // i.e. more than N days since the last post (see detection.engine.ts for the boundaries).
    rule: DetectionRule.NO_UPDATE_14D,
    severity: Severity.VETO,
    sql: () => `
      INSERT INTO det_hits ${COLS}
      SELECT ${single(DetectionRule.NO_UPDATE_14D, Severity.VETO)},
             jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'days', p.no_update_days,
               'windowStart', $1::date - p.no_update_days, 'windowEnd', $1::date - 1, 'neverPosted', a.last_post IS NULL,
               'lastPostAt', a.last_post, 'lastPostDate', a.last_post_day, 'daysSinceLastPost', $1::date - a.last_post_day),
             COALESCE(a.last_post::text, 'never')
        FROM det_acc a JOIN det_pol p USING (province)
       WHERE a.status = 'active' AND a.type IN ('publishing', 'both') AND NOT a.service_valued
         AND (a.opened_on IS NULL OR a.opened_on < $1::date - p.no_update_days)
         AND (a.last_post IS NULL OR $1::date - a.last_post_day > p.no_update_days)`,
  },
  {
    // Active accounts: last post (of its own) more than N days before D, or never posted though opened more than N
    // days before D. Accounts judged by their services (service_valued: type service, mini-programs, apps) are not
    // zombies for not posting: one is a zombie when it offers no service (opened more than N days before D);
    // evidence.basis tells which ('noPosts' / 'noServices').
    rule: DetectionRule.ZOMBIE,
    severity: Severity.MAJOR,
    sql: () => `
      INSERT INTO det_hits ${COLS}
      SELECT ${single(DetectionRule.ZOMBIE, Severity.MAJOR)},
             jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'days', p.zombie_days, 'neverPosted', a.last_post IS NULL,
               'lastPostAt', a.last_post, 'lastPostDate', a.last_post_day, 'daysSinceLastPost', $1::date - a.last_post_day,
               'openedOn', a.opened_on, 'postsTotal', a.post_count,
               'basis', CASE WHEN a.service_valued THEN 'noServices' ELSE 'noPosts' END, 'serviceValued', a.service_valued, 'services', a.services),
             CASE WHEN a.service_valued THEN 'no-services' ELSE COALESCE(a.last_post::text, 'never') END
        FROM det_acc a JOIN det_pol p USING (province)
       WHERE a.status = 'active'
         AND CASE WHEN a.service_valued
                  THEN a.services = 0 AND (a.opened_on IS NULL OR a.opened_on < $1::date - p.zombie_days)
                  ELSE (a.last_post IS NULL AND (a.opened_on IS NULL OR a.opened_on < $1::date - p.zombie_days))
                       OR $1::date - a.last_post_day > p.zombie_days END`,
  },
  {
    // Active accounts: interaction disabled, or a message received more than N days before D (before (D−N) 00:00)
    // still unanswered at the check instant.
    rule: DetectionRule.NO_INTERACTION,
    severity: Severity.VETO,
    sql: ({ replay }) => `
      WITH overdue AS (
        SELECT m.account_id, count(*)::int AS n, min(m.received_at) AS oldest
          FROM messages m JOIN det_acc a ON a.id = m.account_id JOIN det_pol p USING (province)
         WHERE ${replay ? `(m.replied_at IS NULL OR m.replied_at >= ${CHECK_INSTANT})` : 'm.replied_at IS NULL'}
           AND m.received_at < ${dayStart('p.reply_days')}
         GROUP BY m.account_id)
      INSERT INTO det_hits ${COLS}
      SELECT ${single(DetectionRule.NO_INTERACTION, Severity.VETO)},
             jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'interactionEnabled', a.interaction_enabled,
               'replyDeadlineDays', p.reply_days, 'overdueUnanswered', COALESCE(o.n, 0), 'oldestUnansweredAt', o.oldest),
             CASE WHEN a.interaction_enabled THEN '' ELSE 'disabled' END || ':' || COALESCE(o.oldest::text, '')
        FROM det_acc a JOIN det_pol p USING (province) LEFT JOIN overdue o ON o.account_id = a.id
       WHERE a.status = 'active' AND (NOT a.interaction_enabled OR o.n > 0)`,
  },
  {
    // Suspended accounts, suspended more than N days before D and still not closed. The suspension date is the
    // latest change to 'suspended' in the status history before the check instant (a row with from_status NULL is
    // the state an import first saw, not a change, and is skipped); else the last post before the check instant
    // (the stop-update notice); else the account's updated_at if it is before the check instant.
    rule: DetectionRule.STOPPED_NOT_DEREGISTERED,
    severity: Severity.MAJOR,
    sql: () => `
      INSERT INTO det_hits ${COLS}
      SELECT ${single(DetectionRule.STOPPED_NOT_DEREGISTERED, Severity.MAJOR)},
             jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'days', p.stopped_days, 'suspendedSince', s.since,
               'suspendedDate', ${bjDate('s.since')}, 'daysSuspended', $1::date - ${bjDate('s.since')}, 'source', s.source),
             s.since::text
        FROM det_acc a JOIN det_pol p USING (province)
        CROSS JOIN LATERAL (
          SELECT COALESCE(h.changed_at, a.last_post, CASE WHEN a.updated_at < ${CHECK_INSTANT} THEN a.updated_at END) AS since,
                 CASE WHEN h.changed_at IS NOT NULL THEN 'history' WHEN a.last_post IS NOT NULL THEN 'last_post' ELSE 'updated_at' END AS source
            FROM (SELECT NULL) one
            LEFT JOIN LATERAL (SELECT changed_at FROM account_status_history x
                                WHERE x.account_id = a.id AND x.to_status = 'suspended' AND x.from_status IS NOT NULL
                                  AND x.changed_at < ${CHECK_INSTANT}
                                ORDER BY x.changed_at DESC LIMIT 1) h ON true) s
       WHERE a.status = 'suspended' AND $1::date - ${bjDate('s.since')} > p.stopped_days`,
  },
  {
    // More than `maxPerPlatform` non-closed accounts of one unit on one platform: one finding per (unit, platform)
    // listing every member, ranked; the first is the suggested main account (main-account.ts explains the score).
    // Members' own posts of the last 90 days: the calendar months wholly inside the window from the maintained months
    // (post-months.ts) when the member's months are current, only the partial months at the window's two ends from
    // the posts (index range reads) — right after an import, whose pages are not yet marked all-visible, every post
    // counted from the posts cost a heap visit (13,015 members nationally: 1.9 of the rule's 2.6 s). A member whose
    // months are not current is counted from its posts over the whole window, as before.
    rule: DetectionRule.REDUNDANT_SAME_PLATFORM,
    severity: Severity.MAJOR,
    sql: ({ scoped }) => `
      WITH g AS (
        SELECT a.unit_id, a.platform FROM det_acc a JOIN det_pol p USING (province)
         WHERE NOT (a.platform = ANY (p.redundant_excluded))
         GROUP BY a.unit_id, a.platform HAVING count(*) > min(p.redundant_max)),
      g0 AS MATERIALIZED (
        SELECT a.id, a.unit_id, a.platform, a.name, a.handle, a.status, a.filing_no, a.followers, a.is_main,
               p.w_reach, p.w_act, p.redundant_max, ${monthsCurrent('a', 't')} AS cur
          FROM det_acc a JOIN g USING (unit_id, platform) JOIN det_pol p USING (province) ${totalsJoin('a', scoped)}),
      c AS (
        SELECT g0.id AS account_id, (wh.n + ends.n + tail.n)::int AS n
          FROM g0
          CROSS JOIN LATERAL (SELECT COALESCE(sum(mo.posts), 0) AS n FROM account_post_months mo
                               WHERE g0.cur AND mo.account_id = g0.id AND mo.month >= ${M1}::date AND mo.month < ${M2}::date) wh
          CROSS JOIN LATERAL (SELECT count(*) AS n FROM posts x
                               WHERE x.account_id = g0.id AND x.origin_account_id IS NULL AND x.published_at >= ${dayStart('90')}
                                 AND x.published_at < ${CHECK_INSTANT}
                                 AND x.published_at < CASE WHEN g0.cur THEN LEAST(${M1} AT TIME ZONE 'Asia/Shanghai', ${CHECK_INSTANT})
                                                           ELSE ${CHECK_INSTANT} END) ends
          CROSS JOIN LATERAL (SELECT count(*) AS n FROM posts x
                               WHERE g0.cur AND ${M1} <= ${M2} AND x.account_id = g0.id AND x.origin_account_id IS NULL
                                 AND x.published_at >= ${M2} AT TIME ZONE 'Asia/Shanghai' AND x.published_at < ${CHECK_INSTANT}) tail),
      m AS (SELECT g0.*, COALESCE(c.n, 0) AS posts90 FROM g0 LEFT JOIN c ON c.account_id = g0.id),
      ${rankingSql('m')}
      INSERT INTO det_hits ${COLS}
      SELECT '${DetectionRule.REDUNDANT_SAME_PLATFORM}', '${Severity.MAJOR}',
             '${DetectionRule.REDUNDANT_SAME_PLATFORM}:' || r.unit_id || ':' || r.platform, r.unit_id, NULL, ARRAY[r.platform],
             array_agg(r.id ORDER BY r.rnk), (array_agg(r.id ORDER BY r.rnk))[1],
             jsonb_build_object('platform', r.platform, 'count', count(*), 'maxPerPlatform', min(r.redundant_max),
               'members', jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'handle', r.handle, 'platform', r.platform,
                 'status', r.status, 'filed', r.filing_no IS NOT NULL, 'followers', r.followers, 'posts90', r.posts90,
                 'isMain', r.is_main, 'score', r.score) ORDER BY r.rnk),
               'suggestedMain', (jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'score', r.score, 'reasons', r.reasons)
                 ORDER BY r.rnk)) -> 0),
             string_agg(r.id::text, ',' ORDER BY r.id)
        FROM r GROUP BY r.unit_id, r.platform`,
  },
  {
    // Per unit, the representative account of each platform (not excluded): the one marked main if exactly one
    // is, else the only account if there is exactly one; platforms with several unmarked accounts are left to
    // REDUNDANT_SAME_PLATFORM. Flagged when the representatives' normalised names (name-normalize.ts) differ.
    rule: DetectionRule.NAME_INCONSISTENT,
    severity: Severity.MINOR,
    noNestLoop: true,
    sql: () => `
      WITH rep AS MATERIALIZED (
        SELECT c.id, c.unit_id, c.platform, c.name, c.handle, c.name_normalized, c.followers
          FROM (SELECT a.id, a.unit_id, a.platform, a.name, a.handle, a.name_normalized, a.followers, a.is_main,
                       count(*) OVER w AS n, count(*) FILTER (WHERE a.is_main) OVER w AS nm
                  FROM det_acc a JOIN det_pol p USING (province) WHERE NOT (a.platform = ANY (p.names_excluded))
                WINDOW w AS (PARTITION BY a.unit_id, a.platform)) c
         WHERE (c.nm = 1 AND c.is_main) OR (c.nm = 0 AND c.n = 1)),
      grp AS (SELECT unit_id FROM rep GROUP BY unit_id HAVING count(DISTINCT name_normalized) > 1),
      names AS (
        SELECT DISTINCT ON (r.unit_id) r.unit_id, r.name_normalized AS norm, r.name
          FROM rep r JOIN grp USING (unit_id)
          JOIN (SELECT unit_id, name_normalized, count(*) AS n, max(followers) AS f FROM rep GROUP BY 1, 2) k USING (unit_id, name_normalized)
         ORDER BY r.unit_id, k.n DESC, k.f DESC, r.followers DESC, r.id)
      INSERT INTO det_hits ${COLS}
      SELECT '${DetectionRule.NAME_INCONSISTENT}', '${Severity.MINOR}', '${DetectionRule.NAME_INCONSISTENT}:' || r.unit_id, r.unit_id, NULL,
             array_agg(r.platform ORDER BY r.platform, r.id), array_agg(r.id ORDER BY r.platform, r.id), NULL,
             jsonb_build_object('expectedName', min(n.name), 'expectedNormalized', min(n.norm),
               'accounts', jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name, 'platform', r.platform, 'handle', r.handle,
                 'normalized', r.name_normalized, 'differs', r.name_normalized <> n.norm) ORDER BY r.platform, r.id)),
             string_agg(r.id || '=' || r.name_normalized, ',' ORDER BY r.id)
        FROM rep r JOIN names n USING (unit_id)
       GROUP BY r.unit_id`,
  },
  {
    // Live (active or suspended) accounts without a filing number.
    rule: DetectionRule.UNFILED,
    severity: Severity.MAJOR,
    sql: () => `
      INSERT INTO det_hits ${COLS}
      SELECT ${single(DetectionRule.UNFILED, Severity.MAJOR)},
             jsonb_build_object('account', ${ACCOUNT}, 'status', a.status, 'openedOn', a.opened_on), 'unfiled'
        FROM det_acc a JOIN det_pol p USING (province)
       WHERE p.unfiled_enabled AND a.filing_no IS NULL`,
  },
  {
    // Where the province forbids it: accounts of units at a listed level (and kind).
    rule: DetectionRule.LEVEL_NOT_ALLOWED,
    severity: Severity.MAJOR,
    sql: () => `
      INSERT INTO det_hits ${COLS}
      SELECT ${single(DetectionRule.LEVEL_NOT_ALLOWED, Severity.MAJOR)},
             jsonb_build_object('account', ${ACCOUNT}, 'unitLevel', a.level, 'unitKind', a.kind, 'province', a.province),
             a.level || ':' || a.kind
        FROM det_acc a JOIN det_pol p USING (province)
       WHERE p.lna_enabled AND EXISTS (
               SELECT 1 FROM jsonb_array_elements(p.lna_rules) r
                WHERE r ->> 'level' = a.level AND (jsonb_typeof(r -> 'kinds') IS DISTINCT FROM 'array' OR (r -> 'kinds') ? a.kind))`,
  },
  {
    // Active publishing accounts of county/township units (policy levels) that posted in the window D−W … D−1.
    // Signals: median reads < min; originals per 30 days < min (weekly work reports matching the routine pattern
    // do not count as originals); share of the window's weeks with a post < min; share of posts repeating a title
    // of the window > max. Score = signals tripped (0–4).
    rule: DetectionRule.LOW_VALUE,
    severity: Severity.MINOR,
    // A nationwide run evaluates it on a second connection while its own evaluates the other rules (rule-elsewhere.ts).
    accounts: {
      where: PUBLISHING_ACTIVE,
      columns: ['id', 'unit_id', 'platform', 'name', 'handle', 'province', 'post_count', 'last_post_at', 'status', 'type', 'service_valued', 'level'],
    },
    // Two stages, so the costly signals are computed only where they can matter: first the post count and median
    // reads of every candidate; then, for the accounts with low reads (all of them if `requireLowReads` is off),
    // originals, routine reports, active weeks (a bitmask of 7-day buckets counted back from the check instant)
    // and repeated titles. Each stage aggregates each account's window posts by a range read of the posts index
    // (LATERAL: a scan of the window's months — 7 M posts nationally — is never chosen for the few tens of thousands
    // of accounts left), bounded below by the longest window in use (`maxWindowDays`) for partition pruning.
    //
    // Before both, the maintained months (post-months.ts) rule out the accounts whose median reads cannot be below the
    // threshold, without reading their posts: per candidate, the months wholly inside the window give exact counts,
    // the two partial months at its ends only bounds; `reads_below` at the histogram edges around the threshold bounds
    // how many posts read fewer than it. With L of n posts below the threshold, the median is below it only if
    // 2L ≥ n (2L > n: surely; 2L = n: depends on the two middle values), so an account whose largest possible 2L − n
    // is negative cannot be flagged. Skipped only when the policy requires low reads and the account's months are
    // current; every other candidate is computed from its posts exactly as before, so the findings are the same.
    prepare: ({ maxWindowDays, scoped }) => [
      `DROP TABLE IF EXISTS det_lv_cand, det_lv_keep`,
      // The histogram edge at or above each province's threshold: once per policy row (MATERIALIZED: not per account).
      // m_from: the month the window [lo, D) begins in; lo_local: its start as a Beijing wall-clock time.
      `CREATE TEMP TABLE det_lv_cand ON COMMIT DROP AS
       WITH p AS MATERIALIZED (
         SELECT p0.*, (SELECT min(e.i) FROM unnest(ARRAY[${READ_EDGES.join(', ')}]) WITH ORDINALITY e(v, i) WHERE e.v >= p0.lv_min_reads) AS hi_i
           FROM det_pol p0)
       SELECT a.id, a.province, a.post_count, a.last_post_at, p.lv_require_low, w.lo, p.hi_i,
              w.lo AT TIME ZONE 'Asia/Shanghai' AS lo_local, date_trunc('month', w.lo AT TIME ZONE 'Asia/Shanghai')::date AS m_from
         FROM det_acc a JOIN p USING (province) CROSS JOIN LATERAL (SELECT ${dayStart('p.lv_window')} AS lo) w
        WHERE ${PUBLISHING_ACTIVE} AND a.level = ANY (p.lv_levels)`,
      `ANALYZE det_lv_cand`,
      // The months the window overlaps (from m_from to D's month), joined to each candidate by its account alone — one
      // hash join; a list of window months generated and joined on (lo, month) was estimated at 1,000 rows and
      // merge-joined after sorting 386,000 month rows to disk (2.5 s nationally). A month is whole when the window
      // holds all of it: it starts at or after lo and ends by the check instant (it is before D's month).
      `CREATE TEMP TABLE det_lv_keep ON COMMIT DROP AS
       WITH bound AS (
         SELECT c.id, sum(CASE WHEN mo.month >= c.lo_local AND mo.month < date_trunc('month', $1::date)::date THEN 2 * r.below - mo.posts
                               ELSE r.below END) AS max2ln
           FROM det_lv_cand c
           JOIN account_post_months mo ON mo.account_id = c.id AND mo.month >= c.m_from
            AND mo.month >= date_trunc('month', ($1::date - ${maxWindowDays})::timestamp)::date AND mo.month < $1::date
           CROSS JOIN LATERAL (SELECT CASE WHEN c.hi_i IS NULL THEN mo.posts ELSE mo.reads_below[c.hi_i] END AS below) r
          WHERE c.lv_require_low
          GROUP BY c.id)
       SELECT c.id, c.lo FROM det_lv_cand c
         ${totalsJoin('c', scoped)}
         LEFT JOIN bound b ON b.id = c.id
        WHERE NOT c.lv_require_low OR NOT ${monthsCurrent('c', 't')} OR b.max2ln >= 0`,
    ],
    sql: ({ maxWindowDays }) => `
      WITH cand AS MATERIALIZED (
        SELECT a.id, a.unit_id, a.platform, a.name, a.handle, p.*, ceil(p.lv_window / 7.0)::int AS weeks_total, k.lo
          FROM det_lv_keep k JOIN det_acc a ON a.id = k.id JOIN det_pol p USING (province)),
      m AS MATERIALIZED (
        SELECT cand.*, x.n, x.med
          FROM cand CROSS JOIN LATERAL (
            SELECT count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY x.reads) AS med
              FROM posts x
             WHERE x.account_id = cand.id AND x.origin_account_id IS NULL AND x.published_at >= cand.lo
               AND x.published_at < ${CHECK_INSTANT} AND x.published_at >= ${dayStart(String(maxWindowDays))}) x
         WHERE x.n > 0),
      s AS (
        SELECT m.*, y.orig, y.routine, bit_count(y.w1::bit(64)) + bit_count(y.w2::bit(64)) AS weeks, y.dupes
          FROM m CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE w.original AND NOT w.routine)::int AS orig,
                   count(*) FILTER (WHERE w.routine)::int AS routine,
                   COALESCE(bit_or(CASE WHEN w.wk < 63 THEN 1::int8 << w.wk END), 0) AS w1,
                   COALESCE(bit_or(CASE WHEN w.wk >= 63 THEN 1::int8 << (w.wk - 63) END), 0) AS w2,
                   (count(*) - count(DISTINCT md5(w.title)))::int AS dupes
              FROM (SELECT x.original, x.title, (m.lv_routine <> '' AND x.title ~ m.lv_routine) AS routine, floor(extract(epoch FROM ${CHECK_INSTANT} - x.published_at) / 604800)::int AS wk
                      FROM posts x
                     WHERE x.account_id = m.id AND x.origin_account_id IS NULL AND x.published_at >= m.lo
                       AND x.published_at < ${CHECK_INSTANT} AND x.published_at >= ${dayStart(String(maxWindowDays))}) w) y
         WHERE NOT m.lv_require_low OR m.med < m.lv_min_reads),
      sig AS (
        SELECT s.*, s.med < s.lv_min_reads AS low_reads, s.orig * 30.0 / s.lv_window < s.lv_min_orig AS few_orig,
               s.weeks::numeric / s.weeks_total < s.lv_min_weeks AS irregular, s.dupes::numeric / s.n > s.lv_max_repeat AS repeated
          FROM s),
      sc AS (SELECT sig.*, low_reads::int + few_orig::int + irregular::int + repeated::int AS score FROM sig)
      INSERT INTO det_hits ${COLS}
      SELECT ${single(DetectionRule.LOW_VALUE, Severity.MINOR)},
             jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'windowDays', a.lv_window, 'posts', a.n,
               'medianReads', round(a.med::numeric, 1), 'minMedianReads', a.lv_min_reads,
               'originals', a.orig, 'routineReports', a.routine, 'originalsPerMonth', round(a.orig * 30.0 / a.lv_window, 2), 'minOriginalsPerMonth', a.lv_min_orig,
               'activeWeeks', a.weeks, 'weeksInWindow', a.weeks_total, 'minActiveWeekShare', a.lv_min_weeks,
               'repeatedPosts', a.dupes, 'repeatShare', round(a.dupes::numeric / a.n, 3), 'maxRepeatShare', a.lv_max_repeat,
               'signals', jsonb_build_object('lowReads', a.low_reads, 'fewOriginals', a.few_orig, 'irregular', a.irregular, 'repeated', a.repeated),
               'score', a.score, 'maxScore', 4, 'minSignals', a.lv_min_signals),
             concat_ws(',', CASE WHEN a.low_reads THEN 'lowReads' END, CASE WHEN a.few_orig THEN 'fewOriginals' END,
               CASE WHEN a.irregular THEN 'irregular' END, CASE WHEN a.repeated THEN 'repeated' END)
        FROM sc a
       WHERE a.score >= a.lv_min_signals AND (NOT a.lv_require_low OR a.low_reads)`,
  },
];
