import { recordAudit } from '../kernel/audit';
import { LOCKS, transaction } from '../kernel/transaction';
import { likeEscape, Scope } from '../kernel/scope';
import type { EntityManager } from 'typeorm';
import type { Context } from '../kernel/context';
import { badInput, conflict, notFound, parseId } from '../kernel/errors';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../kernel/pagination';
import { DetectionRule, FindingStatus, LEVEL_NAMES_ZH, LEVEL_ORDER, Platform, PLATFORM_NAMES_ZH, RULE_NAMES_ZH, Severity } from '../common/enums';
import { NATIONAL_REGION, regionsService } from '../regions/regions.service';
import { unitsService } from '../units/units.service';
import { detectionRegionFor, requireDetectionWriter } from '../policy/policy.access';
import { evaluate } from './detection.engine';
import { withoutNestedLoops } from '../db/plan-settings';
import { carryOver, evaluatedOnly, planIncremental, recordEvaluated } from './incremental';
import { todayInBeijing } from '../kernel/dates';
import { versionsUsed } from '../policy/policy.service';
import { checkDate } from './detection.dates';
import { DetectionRun } from './detection-run.entity';
import { Finding } from './finding.entity';
import { FindingSort, type FindingFilter, type FindingsArgs } from './detection.inputs';
import type { FindingCount, FindingSummary } from './detection.types';

export interface RunOptions {
  /** Check date `YYYY-MM-DD` (Beijing); default today. */
  asOf?: string | null;
  /**
   * Region subtree to check; it must lie in the request's region scope. Default (or '0'): everything for an
   * unrestricted request (national administrator, the operator's CLI), the user's own region otherwise.
   */
  regionCode?: string | null;
  /** User id recorded on the run. */
  triggeredBy?: number | null;
  /**
   * Evaluate every unit of the scope, not only those whose inputs changed since their last evaluation (the operator's
   * `npm run detect -- --full`, benchmarks, tests comparing both).
   */
  full?: boolean;
}

/**
 * From how many new findings a run into an empty findings table drops its secondary indexes for the insert (below
 * that, building them again costs more than it saves). Tests lower it.
 */
export const persistTuning = { bulkFindings: 10_000 };

/**
 * One detection run, in ONE transaction: evaluate every rule (set-based, detection.engine.ts), then
 *   - upsert the findings by subject key: new ones are created, existing ones keep their id and get the new
 *     evidence; a RESOLVED one reopens; a DISMISSED one stays dismissed while its evidence hash is unchanged and
 *     reopens when it changes;
 *   - resync finding ↔ account links;
 *   - resolve the findings in scope that no longer hold (findings outside the scope are untouched);
 *   - record the run (check date, scope, policy versions, duration, counts by rule) and its audit event, filed
 *     under the government unit of the run's region so the region's auditors see it (nationwide runs: no unit).
 * Callable with a request context or the operator's system context (CLI, start-up, benchmarks).
 */
export async function runDetection(ctx: Context, opts: RunOptions = {}): Promise<DetectionRun> {
  return (await runDetectionProfiled(ctx, opts)).run;
}

/**
 * `runDetection`, also returning the milliseconds spent per step (for benchmarks) and how many of the scope's units
 * were evaluated (the others had not changed since their last evaluation).
 */
export async function runDetectionProfiled(ctx: Context, opts: RunOptions = {}):
  Promise<{ run: DetectionRun; timings: Record<string, number>; units: { evaluated: number; total: number } }> {
  const em = ctx.em;
  const asOf = checkDate(opts.asOf);
  const region = await detectionRegionFor(ctx, opts.regionCode);
  const regionCode = region?.code ?? null;
  const regionPath = region?.path ?? null;
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const units = { evaluated: 0, total: 0 };
  const runId = await transaction(ctx, async (txCtx) => {
    const tx = txCtx.em;
    // Nothing written by the caller's transaction before the run: a rule may run on a second connection (evaluate).
    const [{ fresh }] = await tx.query(`SELECT pg_current_xact_id_if_assigned() IS NULL AS fresh`);
    // One run at a time: concurrent runs would race on the same subject keys.
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [LOCKS.detection]);
    // Only the units whose inputs changed since their last evaluation, when few did (server/detection/incremental.ts).
    const ti = performance.now();
    const plan = await planIncremental(tx, asOf, regionPath, asOf < todayInBeijing(), opts.full ?? false);
    timings.incremental = Math.round(performance.now() - ti);
    units.total = plan.total;
    units.evaluated = plan.unitIds === null ? plan.total : plan.unitIds.length;
    const ev = await evaluate(tx, { asOf, regionPath, maintainRollups: true, unitIds: plan.unitIds ?? undefined, secondConnection: fresh });
    Object.assign(timings, ev.timings);
    const t1 = performance.now();
    const [run] = await tx.query(
      `INSERT INTO detection_runs (as_of, region_code, region_path, policy_versions, started_at, counts_by_rule, accounts_checked, triggered_by)
       VALUES ($1, $2, $3, $4, now(), $5, $6, $7) RETURNING id`,
      [asOf, regionCode, regionPath, JSON.stringify(ev.policyVersions), JSON.stringify(ev.countsByRule), ev.accountsChecked, opts.triggeredBy ?? null],
    );
    const id: number = run.id;
    let tp = performance.now();
    const mark = (label: string) => { const now = performance.now(); timings[`persist:${label}`] = Math.round(now - tp); tp = now; };
    // The findings of the units not evaluated still hold: seen by this run, counted in its figures.
    const carried = await carryOver(tx, plan, regionPath, id);
    const countsByRule: Record<string, number> = { ...ev.countsByRule };
    for (const [rule, n] of Object.entries(carried.byRule)) countsByRule[rule] = (countsByRule[rule] ?? 0) + n;
    const carriedFound = Object.values(carried.byRule).reduce((a, b) => a + b, 0);
    mark('carry');
    const keep = `(f.dismissed_reason IS NOT NULL AND f.dismissed_hash = EXCLUDED.evidence_hash)`;
    // Each finding that holds against its stored row: new, changed (any stored fact, or a status to change: resolved
    // → open, dismissed with another evidence hash → open), or unchanged. Only new and changed ones are written in
    // full; an unchanged one is only marked seen by this run (two narrow columns, updated in place, never locked or
    // rewritten otherwise — an INSERT … ON CONFLICT locks every row it meets, even one it leaves as it is). Each
    // finding by its subject key's unique index (OFFSET 0: never a join planned from the table's statistics, which a
    // national run that rewrote the findings leaves stale — a province's 1,578 hits took 34 s as a nested loop over
    // full scans). A run over every unit of the nation joins them by one hash join instead (nested loops off for the
    // statement): its 93,823 look-ups by key took 1.2–1.5 s.
    const wholeNation = !regionPath && plan.unitIds === null;
    await withoutNestedLoops(tx, () => tx.query(`
      CREATE TEMP TABLE det_cmp ON COMMIT DROP AS
      SELECT h.subject_key, f.id, f.id IS NULL AS created,
             f.status <> 'open' AND NOT COALESCE(f.dismissed_reason IS NOT NULL AND f.dismissed_hash = md5(h.hash_basis), false) AS reopened,
             f.id IS NULL OR f.status = 'resolved'
               OR (f.status = 'dismissed' AND NOT COALESCE(f.dismissed_reason IS NOT NULL AND f.dismissed_hash = md5(h.hash_basis), false))
               OR (f.severity, f.unit_id, f.account_id, f.platforms, f.level, f.region_path, f.evidence, f.evidence_hash, f.suggested_main_id)
                  IS DISTINCT FROM (h.severity, h.unit_id, h.account_id, h.platforms, u.level, u.region_path, h.evidence, md5(h.hash_basis), h.suggested_main_id)
               AS changed
        FROM det_hits h JOIN units u ON u.id = h.unit_id
        ${wholeNation ? 'LEFT JOIN findings f ON f.subject_key = h.subject_key'
    : 'LEFT JOIN LATERAL (SELECT * FROM findings f WHERE f.subject_key = h.subject_key OFFSET 0) f ON true'}`), wholeNation);
    await tx.query(`ANALYZE det_cmp`);
    const [counts] = await tx.query(`
      SELECT count(*)::int AS found, count(*) FILTER (WHERE created)::int AS created, count(*) FILTER (WHERE reopened)::int AS reopened,
             count(*) FILTER (WHERE changed)::int AS changed
        FROM det_cmp`);
    mark('compare');
    // New findings by a plain INSERT (a speculative insertion per row, as ON CONFLICT makes: 8.4 instead of 7.2 s for
    // the 93,823 findings of the first national run after an import, inserted alone on a 2-core machine; only a
    // detection run writes findings, under its lock), the changed ones by the upsert.
    const insert = (which: string) => `
        INSERT INTO findings AS f (rule, severity, status, subject_key, unit_id, account_id, platforms, level, region_path, evidence,
                                   evidence_hash, suggested_main_id, first_seen_run, last_seen_run, first_seen_at, last_seen_at)
        SELECT h.rule, h.severity, 'open', h.subject_key, h.unit_id, h.account_id, h.platforms, u.level, u.region_path, h.evidence,
               md5(h.hash_basis), h.suggested_main_id, $1, $1, now(), now()
          FROM det_hits h JOIN units u ON u.id = h.unit_id JOIN det_cmp c ON c.subject_key = h.subject_key AND ${which}`;
    // The new findings' ids by subject key, as the insert returns them (their links below join on them, instead of a
    // look-up by key per finding: 0.75 s for the 93,823 of a first national run).
    await tx.query(`CREATE TEMP TABLE det_new (subject_key text PRIMARY KEY, id int NOT NULL) ON COMMIT DROP`);
    if (counts.created > 0) {
      // Many new findings into an empty table (the first run after a fresh import): its secondary indexes dropped
      // before and built once after (migrations/1732947400000-DetectionLoadsEmptyFindings.ts). The table stays locked
      // until this run commits; it had no finding to read. A table with rows is left as it is.
      const bulk = counts.created >= persistTuning.bulkFindings
        && (await tx.query(`SELECT import_drop_indexes('findings') AS n`))[0].n > 0;
      await tx.query(`WITH ins AS (${insert('c.created')} RETURNING f.subject_key, f.id) INSERT INTO det_new SELECT * FROM ins`, [id]);
      if (bulk) {
        mark('insert');
        await tx.query(`SELECT import_restore_indexes()`);
        mark('indexes');
      }
    }
    if (counts.changed > counts.created) {
      await tx.query(`${insert('c.changed AND NOT c.created')}
        ON CONFLICT (subject_key) DO UPDATE SET
          severity = EXCLUDED.severity, unit_id = EXCLUDED.unit_id, account_id = EXCLUDED.account_id, platforms = EXCLUDED.platforms,
          level = EXCLUDED.level, region_path = EXCLUDED.region_path, evidence = EXCLUDED.evidence, evidence_hash = EXCLUDED.evidence_hash,
          suggested_main_id = EXCLUDED.suggested_main_id, last_seen_run = EXCLUDED.last_seen_run, last_seen_at = EXCLUDED.last_seen_at,
          status = CASE WHEN ${keep} THEN 'dismissed' ELSE 'open' END,
          reopened_at = CASE WHEN f.status <> 'open' AND NOT ${keep} THEN now() ELSE f.reopened_at END,
          resolved_at = NULL, resolved_run = NULL,
          dismissed_reason = CASE WHEN ${keep} THEN f.dismissed_reason END,
          dismissed_by = CASE WHEN ${keep} THEN f.dismissed_by END,
          dismissed_at = CASE WHEN ${keep} THEN f.dismissed_at END,
          dismissed_hash = CASE WHEN ${keep} THEN f.dismissed_hash END`, [id]);
    }
    mark('upsert');
    // By primary key, from the ids (an array: never a join planned from the findings' statistics — analysed while the
    // table was empty, right after an import, the planner took it for one row and scanned det_cmp once per finding:
    // 448 s for a national run's 93,823 findings, none of them unchanged).
    await tx.query(`
      UPDATE findings f SET last_seen_run = $1, last_seen_at = now()
       WHERE f.id = ANY (ARRAY(SELECT c.id FROM det_cmp c WHERE NOT c.changed))`, [id]);
    mark('seen');
    // Links of the new and changed findings only: an unchanged finding has the same accounts (every rule's accounts are
    // its subject account or the members its evidence lists) and the same suggested main account.
    // A new finding has no links yet: its links are inserted plainly (no conflict to look for, nothing to delete).
    const links = (from: string) => `
        SELECT f.id AS finding_id, x.account_id, CASE WHEN x.account_id = h.suggested_main_id THEN 'suggested_main' ELSE 'member' END AS role
          FROM det_hits h ${from}
          CROSS JOIN LATERAL unnest(h.account_ids) AS x(account_id)`;
    if (counts.created > 0) {
      await withoutNestedLoops(tx, () => tx.query(`INSERT INTO finding_accounts (finding_id, account_id, role)
        ${links('JOIN det_new f ON f.subject_key = h.subject_key')}`), wholeNation);
    }
    if (counts.changed > counts.created) {
      await tx.query(`
        CREATE TEMP TABLE det_fa ON COMMIT DROP AS ${links(`JOIN det_cmp c ON c.subject_key = h.subject_key AND c.changed AND NOT c.created
          CROSS JOIN LATERAL (SELECT f.id FROM findings f WHERE f.subject_key = h.subject_key OFFSET 0) f`)}`);
      await tx.query(`
        DELETE FROM finding_accounts fa
         WHERE fa.finding_id IN (SELECT finding_id FROM det_fa)
           AND NOT EXISTS (SELECT 1 FROM det_fa d WHERE d.finding_id = fa.finding_id AND d.account_id = fa.account_id)`);
      await tx.query(`
        INSERT INTO finding_accounts (finding_id, account_id, role) SELECT finding_id, account_id, role FROM det_fa
        ON CONFLICT (finding_id, account_id) DO UPDATE SET role = EXCLUDED.role WHERE finding_accounts.role <> EXCLUDED.role`);
    }
    mark('links');
    // A region's findings by their units (the units' ids first, then the findings index on unit_id: 5 ms for Fujian,
    // where a semi-join walked every finding through that index and looked each unit up, 320 ms).
    // (In an incremental run, only the evaluated units' findings can stop holding.)
    const resolveParams: unknown[] = [id];
    if (regionPath) resolveParams.push(`${likeEscape(regionPath)}%`);
    const only = evaluatedOnly(plan, resolveParams.length + 1);
    resolveParams.push(...only.params);
    const [, resolved] = await tx.query(`
      UPDATE findings f SET status = 'resolved', resolved_at = now(), resolved_run = $1
       WHERE f.status <> 'resolved'
         AND NOT EXISTS (SELECT 1 FROM det_hits h WHERE h.subject_key = f.subject_key)
         ${regionPath ? 'AND f.unit_id = ANY (ARRAY(SELECT id FROM units WHERE region_path LIKE $2))' : ''} ${only.sql}`, resolveParams);
    mark('resolve');
    await recordEvaluated(tx, plan, asOf, regionPath);
    mark('state');
    const found = counts.found + carriedFound;
    const accountsChecked = ev.accountsChecked + carried.accounts;
    // The policy versions of every province with accounts checked, evaluated now or standing (a policy edit since their
    // evaluation would have made them due).
    const provinces = [...new Set([...ev.provinces, ...carried.provinces.filter((p) => p !== '0')])];
    await tx.query(
      `UPDATE detection_runs SET found = $2, created = $3, reopened = $4, resolved = $5, counts_by_rule = $6, accounts_checked = $7,
              policy_versions = $8 WHERE id = $1`,
      [id, found, counts.created, counts.reopened, resolved, JSON.stringify(countsByRule), accountsChecked,
        JSON.stringify(versionsUsed(ev.policies, provinces))],
    );
    await recordAudit(txCtx, {
      action: 'DETECTION_RUN', entityType: 'detection_run', entityId: id, unitId: region ? await regionsService.unitOf(txCtx, region) : null,
      after: { asOf, regionCode, found, created: counts.created, reopened: counts.reopened, resolved, countsByRule,
        unitsEvaluated: units.evaluated, unitsUnchanged: plan.clean },
    });
    timings.persist = Math.round(performance.now() - t1);
    return id;
  });
  const durationMs = Math.round(performance.now() - t0);
  await em.query(`UPDATE detection_runs SET finished_at = clock_timestamp(), duration_ms = $2 WHERE id = $1`, [runId, durationMs]);
  timings.total = durationMs;
  return { run: await em.getRepository(DetectionRun).findOneByOrFail({ id: runId }), timings, units };
}

type Qb = ReturnType<EntityManager['createQueryBuilder']>;

/** Findings visible to the request under a filter: scope by the user's unit subtree, then each filter field. */
async function applyFilter(ctx: Context, qb: Qb, f: FindingFilter): Promise<void> {
  const scope = ctx.scope.sql('su');
  qb.andWhere(`f.unit_id IN (SELECT su.id FROM units su WHERE ${scope.sql})`, scope.params);
  if (f.rule?.length) qb.andWhere('f.rule = ANY(:rules)', { rules: f.rule });
  if (f.severity?.length) qb.andWhere('f.severity = ANY(:severities)', { severities: f.severity });
  if (f.status?.length) qb.andWhere('f.status = ANY(:statuses)', { statuses: f.status });
  if (f.level?.length) qb.andWhere('f.level = ANY(:levels)', { levels: f.level });
  if (f.platform?.length) qb.andWhere('f.platforms && (:platforms)::text[]', { platforms: f.platform });
  if (f.regionCode) {
    const region = await regionsService.byCode(ctx, f.regionCode);
    if (region.code !== NATIONAL_REGION) qb.andWhere('f.region_path LIKE :rp', { rp: `${likeEscape(region.path)}%` });
  }
  if (f.unitId !== undefined && f.unitId !== null) {
    const unit = await unitsService.byId(ctx, f.unitId);
    const subtree = Scope.ofPath(unit.path).sql('uf', 'unit_filter');
    qb.andWhere(`f.unit_id IN (SELECT uf.id FROM units uf WHERE ${subtree.sql})`, subtree.params);
  }
  if (f.accountId !== undefined && f.accountId !== null) {
    qb.andWhere('f.id IN (SELECT finding_id FROM finding_accounts WHERE account_id = :acc)', { acc: parseId(f.accountId, 'filter.accountId') });
  }
}

export const detectionService = {
  async run(ctx: Context, asOf?: string | null, regionCode?: string | null): Promise<DetectionRun> {
    requireDetectionWriter(ctx);
    return runDetection(ctx, { asOf, regionCode, triggeredBy: ctx.user?.id ?? null });
  },

  /**
   * Runs newest first: those whose region lies in the user's region scope (nationwide runs only for unrestricted
   * users). `regionCode` narrows to the runs of exactly that region ('0': the nationwide runs).
   */
  async runs(ctx: Context, regionCode?: string | null, first?: number | null): Promise<DetectionRun[]> {
    const limit = pageSize(first, ctx.config.maxPageSize);
    const qb = ctx.em.getRepository(DetectionRun).createQueryBuilder('r').orderBy('r.started_at', 'DESC').addOrderBy('r.id', 'DESC').limit(limit);
    const visible = (await regionsService.scope(ctx)).sql('r.region_path');
    qb.where(visible.sql, visible.params);
    if (regionCode) {
      const region = await regionsService.byCode(ctx, regionCode);
      if (region.code === NATIONAL_REGION) qb.andWhere('r.region_path IS NULL');
      else qb.andWhere('r.region_code = :code', { code: region.code });
    }
    return qb.getMany();
  },

  /** Cursor connection of findings; sort SEVERITY (veto first, then newest) or NEWEST. */
  async list(ctx: Context, args: FindingsArgs): Promise<ConnectionShape<Finding>> {
    const limit = pageSize(args.first, ctx.config.maxPageSize);
    const sort = args.sort ?? FindingSort.SEVERITY;
    const bySeverity = sort === FindingSort.SEVERITY;
    const cursor = decodeCursor(args.after, bySeverity ? 3 : 2);
    const base = async () => {
      const qb = ctx.em.getRepository(Finding).createQueryBuilder('f');
      await applyFilter(ctx, qb, args.filter ?? {});
      return qb;
    };
    const qb = await base();
    if (cursor) {
      const nums = cursor.map(Number);
      if (nums.some((n) => !Number.isInteger(n))) throw badInput('游标 after 无效 (invalid cursor)', [{ field: 'after', message: '无效的游标' }]);
      if (bySeverity) {
        qb.andWhere('(f.severity_rank > :cr OR (f.severity_rank = :cr AND (f.first_seen_run, f.id) < (:crun, :cid)))',
          { cr: nums[0], crun: nums[1], cid: nums[2] });
      } else {
        qb.andWhere('(f.first_seen_run, f.id) < (:crun, :cid)', { crun: nums[0], cid: nums[1] });
      }
    }
    if (bySeverity) qb.orderBy('f.severity_rank', 'ASC').addOrderBy('f.first_seen_run', 'DESC').addOrderBy('f.id', 'DESC');
    else qb.orderBy('f.first_seen_run', 'DESC').addOrderBy('f.id', 'DESC');
    qb.limit(limit + 1);
    const rows = await qb.getMany();
    return toConnection(rows, limit, (f) => (bySeverity ? [f.severityRank, f.firstSeenRun, f.id] : [f.firstSeenRun, f.id]),
      Boolean(cursor), async () => (await base()).getCount());
  },

  async byId(ctx: Context, id: string | number): Promise<Finding> {
    const finding = await ctx.em.getRepository(Finding).findOneBy({ id: parseId(id) });
    if (!finding) throw notFound(`问题 ${id}`);
    ctx.scope.require(await ctx.loaders.unitById.load(finding.unitId), `问题 ${id}`);
    return finding;
  },

  /** Dismiss (忽略) with a reason; stays dismissed across runs until its evidence changes. */
  async dismiss(ctx: Context, id: string, reason: string): Promise<Finding> {
    requireDetectionWriter(ctx);
    const text = (reason ?? '').trim();
    if (text.length < 2) throw badInput('忽略问题必须填写理由（至少 2 个字）(a reason is required)', [{ field: 'reason', message: '必须填写理由' }]);
    if (text.length > 500) throw badInput('理由最多 500 字 (reason too long)', [{ field: 'reason', message: '最多 500 字' }]);
    const finding = await this.byId(ctx, id);
    if (finding.status !== FindingStatus.OPEN) {
      throw conflict(`只能忽略待处理的问题，该问题当前为${finding.status === FindingStatus.DISMISSED ? '已忽略' : '已解决'} (only open findings can be dismissed)`);
    }
    await transaction(ctx, async (tx) => {
      await tx.em.query(
        `UPDATE findings SET status = 'dismissed', dismissed_reason = $2, dismissed_by = $3, dismissed_at = now(), dismissed_hash = evidence_hash
          WHERE id = $1 AND status = 'open'`, [finding.id, text, ctx.user?.id ?? null]);
      await recordAudit(tx, {
        action: 'FINDING_DISMISSED', entityType: 'finding', entityId: finding.id, unitId: finding.unitId,
        before: { status: finding.status }, after: { status: FindingStatus.DISMISSED, rule: finding.rule }, comment: text,
      });
    });
    return this.byId(ctx, finding.id);
  },

  /** Reopen a dismissed finding (clears the dismissal). */
  async reopen(ctx: Context, id: string): Promise<Finding> {
    requireDetectionWriter(ctx);
    const finding = await this.byId(ctx, id);
    if (finding.status !== FindingStatus.DISMISSED) throw conflict('只能重新打开已忽略的问题 (only dismissed findings can be reopened)');
    await transaction(ctx, async (tx) => {
      await tx.em.query(
        `UPDATE findings SET status = 'open', reopened_at = now(), dismissed_reason = NULL, dismissed_by = NULL, dismissed_at = NULL,
                dismissed_hash = NULL WHERE id = $1`, [finding.id]);
      await recordAudit(tx, {
        action: 'FINDING_REOPENED', entityType: 'finding', entityId: finding.id, unitId: finding.unitId,
        before: { status: finding.status, reason: finding.dismissedReason }, after: { status: FindingStatus.OPEN, rule: finding.rule },
      });
    });
    return this.byId(ctx, finding.id);
  },
};

/** Counts of unresolved findings of a region by rule, level and platform (two statements). */
export async function findingSummary(ctx: Context, regionCode: string): Promise<FindingSummary> {
  const region = await regionsService.byCode(ctx, regionCode);
  const params: unknown[] = [];
  let where = `f.status <> 'resolved'`;
  if (region.code !== NATIONAL_REGION) {
    params.push(`${likeEscape(region.path)}%`);
    where += ` AND f.region_path LIKE $${params.length}`;
  }
  const scope = ctx.scope.raw('su', params.length + 1);
  if (scope.value !== null) params.push(scope.value);
  where += ` AND f.unit_id IN (SELECT su.id FROM units su WHERE ${scope.sql})`;
  const rows: { dim: string; key: string; status: FindingStatus; severity: string | null; n: number }[] = await ctx.em.query(`
    SELECT 'rule' AS dim, f.rule AS key, f.status, NULL AS severity, count(*)::int AS n FROM findings f WHERE ${where} GROUP BY f.rule, f.status
    UNION ALL
    SELECT 'level', f.level, f.status, NULL, count(*)::int FROM findings f WHERE ${where} GROUP BY f.level, f.status
    UNION ALL
    SELECT 'platform', p, f.status, NULL, count(*)::int FROM findings f CROSS JOIN LATERAL unnest(f.platforms) p WHERE ${where} GROUP BY p, f.status
    UNION ALL
    SELECT 'severity', f.severity, f.status, f.severity, count(*)::int FROM findings f WHERE ${where} GROUP BY f.severity, f.status`, params);
  const dims = { rule: new Map<string, FindingCount>(), level: new Map<string, FindingCount>(), platform: new Map<string, FindingCount>() };
  const labels = { rule: RULE_NAMES_ZH as Record<string, string>, level: LEVEL_NAMES_ZH as Record<string, string>, platform: PLATFORM_NAMES_ZH as Record<string, string> };
  for (const r of Object.values(DetectionRule)) dims.rule.set(r, { key: r, label: RULE_NAMES_ZH[r], open: 0, dismissed: 0 });
  let open = 0;
  let dismissed = 0;
  let openVetoes = 0;
  for (const r of rows) {
    if (r.dim === 'severity') {
      if (r.status === FindingStatus.OPEN) open += r.n;
      else dismissed += r.n;
      if (r.severity === Severity.VETO && r.status === FindingStatus.OPEN) openVetoes += r.n;
      continue;
    }
    const dim = r.dim as keyof typeof dims;
    let c = dims[dim].get(r.key);
    if (!c) dims[dim].set(r.key, (c = { key: r.key, label: labels[dim][r.key] ?? r.key, open: 0, dismissed: 0 }));
    if (r.status === FindingStatus.OPEN) c.open += r.n;
    else c.dismissed += r.n;
  }
  const visible = (await regionsService.scope(ctx)).sql('r.region_path');
  const lastRun = await ctx.em.getRepository(DetectionRun).createQueryBuilder('r')
    .where(`(r.region_path IS NULL OR :path LIKE r.region_path || '%')`, { path: region.path })
    .andWhere(visible.sql, visible.params)
    .orderBy('r.id', 'DESC').limit(1).getOne();
  const byOrder = (order: string[]) => (a: FindingCount, b: FindingCount) => order.indexOf(a.key) - order.indexOf(b.key);
  return {
    regionCode: region.code,
    open,
    openVetoes,
    dismissed,
    byRule: [...dims.rule.values()],
    byLevel: [...dims.level.values()].sort(byOrder(LEVEL_ORDER)),
    byPlatform: [...dims.platform.values()].sort(byOrder(Object.values(Platform))),
    lastRun: lastRun ?? null,
  };
}
