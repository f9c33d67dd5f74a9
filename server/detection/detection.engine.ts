import type { EntityManager } from 'typeorm';
import { effectiveSettings, loadPolicies, provinceOfPath, versionsUsed, type LoadedPolicies } from '../policy/policy.service';
import { NATIONAL_REGION } from '../regions/regions.service';
import { refreshNormalizedNames } from './name-normalize';
import { RULE_SQL } from './detection.rules';
import { startElsewhere, type RuleElsewhere } from './rule-elsewhere';
import { runRule, timed } from './run-rule';
import { runContentRules } from '../content/content.rule';
import { runClosedRules } from './rules-closed';
import { monthsCurrent, refreshPostMonthsOf, totalsJoin } from './post-months';
import { isIsoDate, todayInBeijing } from '../kernel/dates';
import { bjDate, CHECK_INSTANT } from './detection.dates';
import { statusThenSql } from '../history/as-of';

/**
 * The rule engine. `evaluate` fills two temporary tables in the caller's transaction (both `ON COMMIT DROP`):
 *
 *   det_acc  — the accounts checked: non-closed, opened on or before the check date, in scope, with their unit's
 *              level/kind/region, their province (for the policy) and `last_post`, the last post of its OWN at or
 *              before the check instant (the `last_post_at` rollup, own posts only, or an index lookup when the
 *              rollup is later — i.e. when replaying an earlier date). Posts migrated in by a plan
 *              (`origin_account_id` set) are an archive: no rule or statistic counts them for the receiving account.
 *              `service_valued` (type service, mini-programs, apps: judged by their services, not their posts) and
 *              `services` (their own services) serve the type-aware rules;
 *   det_hits — one row per finding that holds: rule, severity, subject key, unit, accounts, evidence, hash basis.
 *
 * Every rule is one set-based INSERT … SELECT (detection.rules.ts); nothing loops over accounts. `runDetection`
 * persists det_hits as findings; the inspection report scores det_acc from det_hits without writing anything.
 *
 * ## Dates (Asia/Shanghai)
 * The check date D is a calendar date in Beijing time. The check looks at the account as it stood at the check
 * instant, D 00:00:00 +08:00: activity on or after it is ignored (so history can be replayed). "N days before the
 * check date" are the N calendar days D−N … D−1; "days since the last post" = D − (Beijing date of the last post).
 * Every "no post for N days" rule flags an account when that is MORE than N:
 *   NO_UPDATE_14D (N = 14): last post 13 or 14 days before D passes, 15 fails. The window begins at the cut-off
 *   (D−14) 00:00:00 +08:00: a post exactly at the cut-off passes, one second earlier fails. An account posting every
 *   14 days (as closing accounts must) never fails. Never posted fails (if opened before the window).
 *   ZOMBIE (N = 90): 90 days passes, 91 fails. STOPPED_NOT_DEREGISTERED (N = 30): suspended 30 days passes, 31 fails.
 *   NO_INTERACTION (N = 5): a message received 5 days before D is not yet overdue, one received 6 days before is.
 * Replies: when D is in the past, a reply given at or after the check instant counts as no reply; for today's run
 * the current reply state is used (it avoids scanning every message).
 */

export interface EvaluateOptions {
  /** Check date, `YYYY-MM-DD` (Beijing calendar). */
  asOf: string;
  /** `regions.path` prefix of the scope (null: all units, including those without a region). */
  regionPath: string | null;
  /** Restrict to the units of these accounts (inspection of single accounts). */
  accountIds?: number[];
  /** Restrict to these units (an incremental run: server/detection/incremental.ts). */
  unitIds?: number[];
  /**
   * Bring the maintained months (post-months.ts) of the accounts in scope up to date first, where they no longer
   * match the accounts' own-post rollups (a detection run does; the read-only inspection report does not — the rules
   * compute such accounts from their posts either way).
   */
  maintainRollups?: boolean;
  /**
   * The caller's transaction wrote nothing before this run (and is no savepoint's): a rule may then be evaluated on a
   * second connection, which sees only what was committed (rule-elsewhere.ts). Set by `runDetection` after checking.
   */
  secondConnection?: boolean;
}

export interface Evaluation {
  policies: LoadedPolicies;
  /** Provinces that had accounts in scope. */
  provinces: string[];
  policyVersions: Record<string, number>;
  accountsChecked: number;
  countsByRule: Record<string, number>;
  /** Milliseconds per step (names refresh, det_acc, each rule …), for benchmarks and `npm run detect -- --profile`. */
  timings: Record<string, number>;
}

/** The province code of the unit `u` (the second level of its region path; '0' for a unit without one). */
export const PROVINCE_OF_UNIT = `COALESCE(NULLIF(split_part(u.region_path, '/', 3), ''), '0')`;
/** The accounts `a` a run on check date $1 looks at, when $1 is today: not closed, opened by then. */
export const CHECKED_TODAY = `a.status <> 'closed' AND (a.opened_on IS NULL OR a.opened_on <= $1::date)`;


/** Policy settings flattened to one typed row per province (and '0'), joined by the rules as `det_pol`. */
function policyRows(p: LoadedPolicies, provinces: string[]) {
  return ['0', ...provinces].map((province) => {
    const s = effectiveSettings(p, province);
    return {
      province,
      no_update_days: s.noUpdate.days,
      zombie_days: s.zombie.days,
      reply_days: s.interaction.replyDeadlineDays,
      stopped_days: s.stopped.days,
      redundant_max: s.redundant.maxPerPlatform,
      redundant_excluded: s.redundant.excludedPlatforms,
      names_excluded: s.names.excludedPlatforms,
      unfiled_enabled: s.unfiled.enabled,
      lna_enabled: s.levelNotAllowed.enabled,
      lna_rules: s.levelNotAllowed.rules,
      lv_levels: s.lowValue.levels,
      lv_window: s.lowValue.windowDays,
      lv_min_reads: s.lowValue.minMedianReads,
      lv_min_orig: s.lowValue.minOriginalsPerMonth,
      lv_min_weeks: s.lowValue.minActiveWeekShare,
      lv_max_repeat: s.lowValue.maxRepeatShare,
      lv_min_signals: s.lowValue.minSignals,
      lv_require_low: s.lowValue.requireLowReads,
      lv_routine: s.lowValue.routinePattern,
      w_reach: s.mainAccount.reachWeight,
      w_act: s.mainAccount.activityWeight,
    };
  });
}

const POLICY_COLUMNS = `province text, no_update_days int, zombie_days int, reply_days int, stopped_days int, redundant_max int,
  redundant_excluded text[], names_excluded text[], unfiled_enabled boolean, lna_enabled boolean, lna_rules jsonb, lv_levels text[],
  lv_window int, lv_min_reads int, lv_min_orig numeric, lv_min_weeks numeric, lv_max_repeat numeric, lv_min_signals int,
  lv_require_low boolean, lv_routine text, w_reach numeric, w_act numeric`;

/** Runs every rule for the scope into det_acc / det_hits (see above). Must be called inside a transaction. */
export async function evaluate(em: EntityManager, opts: EvaluateOptions): Promise<Evaluation> {
  if (!isIsoDate(opts.asOf)) throw new Error(`invalid asOf ${opts.asOf}`);
  const timings: Record<string, number> = {};
  await timed(timings, 'names', () => refreshNormalizedNames(em, opts.regionPath, opts.accountIds));
  const policies = await loadPolicies(em);
  // Provinces with a policy of their own; every other province joins the national row ('0').
  const provinces = [...policies.provinces.keys()];

  await em.query(`DROP TABLE IF EXISTS det_pol, det_acc, det_hits`);
  const polRows = policyRows(policies, provinces);
  await em.query(`CREATE TEMP TABLE det_pol ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${POLICY_COLUMNS})`,
    [JSON.stringify(polRows)]);
  // The longest LOW_VALUE window in use: the rules read only posts after it (the months it spans).
  const maxWindowDays = Math.max(...polRows.map((r) => Math.trunc(Number(r.lv_window)) || 0));

  const params: unknown[] = [opts.asOf];
  let scope = '';
  if (opts.regionPath) {
    params.push(`${opts.regionPath}%`);
    scope += ` AND u.region_path LIKE $${params.length}`;
  }
  if (opts.accountIds) {
    params.push(opts.accountIds);
    scope += ` AND a.unit_id IN (SELECT unit_id FROM accounts WHERE id = ANY($${params.length}::int[]))`;
  }
  if (opts.unitIds) {
    params.push(opts.unitIds);
    scope += ` AND u.id = ANY($${params.length}::int[])`;
  }
  // Replaying an earlier date: each account as it was that day — its status from the status history and its opening
  // and deregistration dates (history/as-of.ts), its own posts and services including those a plan moved away since.
  const past = opts.asOf < todayInBeijing();
  // A region's accounts are read through its units (units_region_path_idx, then each unit's accounts and their
  // services by index): a province is about 2 % of the accounts, and the join the planner picks from its estimates
  // scans all of accounts and services (on the national data: 70 of the province's 110 ms). Everything else reads
  // the tables whole (also the nation's own path, '/0/').
  const scoped = opts.unitIds !== undefined || provinceOfPath(opts.regionPath) !== NATIONAL_REGION;
  const accountsOf = scoped
    ? `units u CROSS JOIN LATERAL (SELECT * FROM accounts a0 WHERE a0.unit_id = u.id OFFSET 0) a`
    : `accounts a JOIN units u ON u.id = a.unit_id`;
  const servicesOf = scoped
    ? `base b CROSS JOIN LATERAL (SELECT s0.account_id, s0.merged_into_id, s0.origin_account_id FROM services s0 WHERE s0.account_id = b.id OFFSET 0) sv`
    : `services sv JOIN base b ON b.id = sv.account_id`;
  // Set-based (no subquery per account): services counted in one aggregation over the accounts in scope; when
  // replaying, the last post a plan moved away from each account comes from one aggregation over the few migrated
  // posts (partial index posts_origin_idx). `OFFSET 0` keeps `s` a subquery, so the own-posts lookup (only for an
  // account whose last post is after the check instant) is evaluated once, not once per use of last_post.
  await timed(timings, 'accounts', () => em.query(`
    CREATE TEMP TABLE det_acc ON COMMIT DROP AS
    WITH base AS MATERIALIZED (
      SELECT a.id, a.unit_id, a.platform, a.handle, a.name, COALESCE(a.name_normalized, a.name) AS name_normalized, a.type,
             ${past ? 't.status_then' : 'a.status'} AS status,
             NULLIF(btrim(a.filing_no), '') AS filing_no, a.opened_on, a.followers, a.interaction_enabled, a.is_main,
             a.post_count, a.updated_at, a.last_post_at, a.filing_status, a.filing_changed_on, u.level, u.kind, u.region_path,
             ${PROVINCE_OF_UNIT} AS prov
        FROM ${accountsOf} ${past ? statusThenSql('$1') : ''}
       WHERE ${past ? `t.existed AND t.status_then <> 'closed'` : CHECKED_TODAY} ${scope}),
    sv AS (
      SELECT sv.account_id AS id, count(*)::int AS n FROM ${servicesOf}
       WHERE sv.merged_into_id IS NULL ${past ? 'AND sv.origin_account_id IS NULL' : ''} GROUP BY sv.account_id
      ${past ? `UNION ALL
      SELECT sv.origin_account_id, count(*)::int FROM services sv JOIN base b ON b.id = sv.origin_account_id
       WHERE sv.origin_account_id IS NOT NULL GROUP BY sv.origin_account_id` : ''}),
    svc AS (SELECT id, sum(n)::int AS n FROM sv GROUP BY id)
    ${past ? `, moved AS (
      SELECT p.origin_account_id AS id, max(p.published_at) AS last FROM posts p
       WHERE p.origin_account_id IS NOT NULL AND p.published_at < ${CHECK_INSTANT} GROUP BY p.origin_account_id)` : ''}
    SELECT s.*, ${bjDate('s.last_post')} AS last_post_day,
           CASE WHEN pol.province IS NULL THEN '0' ELSE s.prov END AS province
      FROM (
        SELECT a.id, a.unit_id, a.platform, a.handle, a.name, a.name_normalized, a.type, a.status, a.filing_no, a.opened_on,
               a.followers, a.interaction_enabled, a.is_main, a.post_count, a.last_post_at, a.updated_at, a.filing_status, a.filing_changed_on,
               a.level, a.kind, a.region_path, a.prov,
               ${past ? 'GREATEST(' : ''}
                 CASE WHEN a.last_post_at IS NULL OR a.last_post_at < ${CHECK_INSTANT} THEN a.last_post_at
                      ELSE (SELECT max(p.published_at) FROM posts p WHERE p.account_id = a.id AND p.origin_account_id IS NULL
                               AND p.published_at < ${CHECK_INSTANT}) END
               ${past ? ', mv.last)' : ''} AS last_post,
               (a.type = 'service' OR a.platform IN ('miniprogram', 'app')) AS service_valued,
               COALESCE(svc.n, 0) AS services
          FROM base a LEFT JOIN svc ON svc.id = a.id ${past ? 'LEFT JOIN moved mv ON mv.id = a.id' : ''}
        OFFSET 0
      ) s
      LEFT JOIN det_pol pol ON pol.province = s.prov`, params));
  await timed(timings, 'accounts', async () => {
    await em.query(`ALTER TABLE det_acc ADD PRIMARY KEY (id)`);
    await em.query(`CREATE INDEX ON det_acc (unit_id, platform)`);
    // Statistics only of the columns the rules join, group or filter on: names, handles and paths (long texts) cost
    // most of a full ANALYZE and guide no plan.
    await em.query(`ANALYZE det_acc (id, unit_id, platform, province, prov, status, type, level, kind, is_main, service_valued,
      filing_no, filing_status, interaction_enabled, opened_on, last_post_day)`);
  });
  if (opts.maintainRollups) {
    await timed(timings, 'rollups', async () => {
      const [{ ids }] = await em.query(`SELECT array_agg(a.id) AS ids FROM det_acc a ${totalsJoin('a', scoped)}
        WHERE NOT ${monthsCurrent('a', 't')}`);
      if (ids) await refreshPostMonthsOf(em, ids);
    });
  }
  await em.query(`
    CREATE TEMP TABLE det_hits (
      rule text NOT NULL, severity text NOT NULL, subject_key text PRIMARY KEY, unit_id int NOT NULL, account_id int,
      platforms text[] NOT NULL, account_ids int[] NOT NULL, suggested_main_id int, evidence jsonb NOT NULL, hash_basis text NOT NULL
    ) ON COMMIT DROP`);

  // An incremental run with no unit due (server/detection/incremental.ts) has nothing to evaluate: no rule can hold for
  // a unit outside det_acc (the closed-account rules are scoped to the same units).
  if (opts.unitIds?.length !== 0) {
    // Replaying an earlier date (`past`): replies given after the check date did not exist yet.
    const ruleOpts = { replay: past, maxWindowDays, scoped };
    // A nationwide run: the rule that can be evaluated on a second connection is, meanwhile this one does the others.
    const far = scoped || !opts.secondConnection ? undefined : RULE_SQL.find((r): r is RuleElsewhere => r.accounts !== undefined);
    const elsewhere = far ? await startElsewhere(em, far, ruleOpts, opts.asOf, timings) : null;
    try {
      for (const rule of RULE_SQL) {
        if (!(elsewhere && rule === far)) await runRule(em, rule, ruleOpts, opts.asOf, timings);
      }
      // Content rules (server/content): incremental post scan in JS, then set-based inserts into det_hits.
      await timed(timings, 'content', () => runContentRules(em, opts.asOf, policies, { recordState: opts.maintainRollups, scoped }));
      // The loop after deregistration (rules-closed.ts): CLOSED_BUT_LIVE and stop-notice accounts.
      await timed(timings, 'closed', () => runClosedRules(em, opts.asOf, policies, scope, params));
      await elsewhere?.finish();
    } catch (err) {
      await elsewhere?.settled();
      throw err;
    }
    // The comparison with the stored findings joins on these; the evidence (JSON) needs no statistics.
    await em.query(`ANALYZE det_hits (subject_key, rule, unit_id, account_id)`);
  }

  const [stats] = await em.query(`
    SELECT (SELECT count(*)::int FROM det_acc) AS checked,
           (SELECT COALESCE(jsonb_object_agg(rule, n), '{}') FROM (SELECT rule, count(*)::int AS n FROM det_hits GROUP BY rule) c) AS counts,
           (SELECT COALESCE(array_agg(DISTINCT prov), '{}') FROM det_acc) AS provs`);
  const inScope: string[] = (stats.provs as string[]).filter((p) => p !== '0');
  return {
    policies,
    provinces: inScope,
    policyVersions: versionsUsed(policies, inScope),
    accountsChecked: stats.checked,
    countsByRule: stats.counts,
    timings,
  };
}
