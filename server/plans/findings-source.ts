import type { EntityManager } from 'typeorm';
import { DetectionRule, FindingAccountRole, FindingStatus } from '../common/enums';
import { In } from 'typeorm';
import { loadPolicies, effectiveSettings, provinceOfPath } from '../policy/policy.service';
import { Account } from '../accounts/account.entity';
import { verdictsFor } from '../detection/inspection.service';
import { todayInBeijing } from '../kernel/dates';

/**
 * Everything the plans feature reads from the detection feature, in one place: open findings for drafting,
 * findings per account for impact, and the inspection verdict used for pass rates.
 * Tables: `findings` (rule, status, account_id, unit_id, region_path, suggested_main_id, evidence) and
 * `finding_accounts` (finding_id, account_id, role member | suggested_main).
 */

export interface DraftFinding {
  id: number;
  rule: DetectionRule;
  unitId: number;
  /** Single-account rules. */
  accountId: number | null;
  /** Group rules (redundant, names): member accounts (not the suggested main). */
  memberIds: number[];
  suggestedMainId: number | null;
  evidence: Record<string, unknown>;
}

/** Open findings of a region (by `regions.path` prefix), optionally only the given ids. */
export async function loadOpenFindings(em: EntityManager, regionPath: string, findingIds: number[] | null): Promise<DraftFinding[]> {
  const rows: { id: number; rule: DetectionRule; unit_id: number; account_id: number | null; suggested_main_id: number | null;
    evidence: Record<string, unknown>; members: number[] | null }[] = await em.query(
    `SELECT f.id, f.rule, f.unit_id, f.account_id, f.suggested_main_id, f.evidence,
            (SELECT array_agg(fa.account_id ORDER BY fa.account_id) FROM finding_accounts fa
              WHERE fa.finding_id = f.id AND fa.role = $3) AS members
       FROM findings f
      WHERE f.status = $2 AND f.region_path LIKE $1 || '%'
        AND ($4::int[] IS NULL OR f.id = ANY($4::int[]))
      ORDER BY f.id`,
    [regionPath, FindingStatus.OPEN, FindingAccountRole.MEMBER, findingIds],
  );
  return rows.map((r) => ({
    id: r.id, rule: r.rule, unitId: r.unit_id, accountId: r.account_id, suggestedMainId: r.suggested_main_id,
    evidence: r.evidence ?? {}, memberIds: (r.members ?? []).filter((id) => id !== r.suggested_main_id),
  }));
}

/** Which of `ids` are existing findings (for citations). */
export async function existingFindingIds(em: EntityManager, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows: { id: number }[] = await em.query(`SELECT id FROM findings WHERE id = ANY($1::int[])`, [ids]);
  return new Set(rows.map((r) => r.id));
}

/**
 * Inspection pass rate before/after a plan, from the detection feature's verdicts (`verdictsFor`: veto rules fail;
 * otherwise 100 − deductions, failing below the pass mark; suspended and closed accounts are not checked).
 * After: the accounts the plan closes leave the count; for the others, the rules of the findings their KEEP/RENAME
 * action cites are taken as fixed (their veto or deduction no longer applies).
 */
export async function passRates(em: EntityManager, accountIds: number[], closing: ReadonlySet<number>,
  fixedRules: ReadonlyMap<number, ReadonlySet<string>>, regionPath: string | null, asOf: string = todayInBeijing()): Promise<{ before: number | null; after: number | null }> {
  if (!accountIds.length) return { before: null, after: null };
  const accounts = await em.getRepository(Account).findBy({ id: In(accountIds) });
  const verdicts = (await verdictsFor(em, accounts, asOf)).filter((v) => v.checked);
  const passMark = effectiveSettings(await loadPolicies(em), provinceOfPath(regionPath)).inspection.passMark;
  let passedBefore = 0;
  let checkedAfter = 0;
  let passedAfter = 0;
  for (const v of verdicts) {
    if (v.passed) passedBefore++;
    if (closing.has(v.accountId)) continue;
    checkedAfter++;
    const fixed = fixedRules.get(v.accountId) ?? new Set<string>();
    const vetoes = v.vetoes.filter((r) => !fixed.has(r));
    const score = 100 - v.deductions.filter((d) => !fixed.has(d.code)).reduce((n, d) => n + d.points, 0);
    if (!vetoes.length && score >= passMark) passedAfter++;
  }
  return {
    before: verdicts.length ? passedBefore / verdicts.length : null,
    after: checkedAfter ? passedAfter / checkedAfter : null,
  };
}

/** Rules of the findings each account's KEEP/RENAME action cites (the plan fixes them). */
export async function fixedRulesOfPlan(em: EntityManager, planId: number): Promise<Map<number, Set<string>>> {
  const rows: { account_id: number; rule: string }[] = await em.query(
    `SELECT DISTINCT pa.account_id, f.rule FROM plan_action_findings paf
       JOIN plan_actions pa ON pa.id = paf.action_id JOIN findings f ON f.id = paf.finding_id
      WHERE pa.plan_id = $1 AND pa.removed_at IS NULL AND pa.type IN ('keep', 'rename')`, [planId]);
  const out = new Map<number, Set<string>>();
  for (const r of rows) out.set(r.account_id, new Set([...(out.get(r.account_id) ?? []), r.rule]));
  return out;
}

export const PASS_RATE_METHOD_NOTE =
  '按检查规则（否决项、扣分、合格线）计算检查日的结论；变更后：被关停或合并的账号不再计入，' +
  '保留整改或更名动作引用的问题视为已整改 (inspection verdicts of today; after = plan carried out)';

/**
 * Open findings a plan resolves: the findings its actions cite, the findings of accounts it closes, and group
 * findings (redundant, names) all of whose members it closes. Counted per rule.
 */
export async function findingsResolvedByPlan(em: EntityManager, planId: number, closingIds: number[]): Promise<{ rule: DetectionRule; ids: number[] }[]> {
  const rows: { rule: DetectionRule; ids: number[] }[] = await em.query(
    `WITH cited AS (
       SELECT paf.finding_id FROM plan_action_findings paf JOIN plan_actions pa ON pa.id = paf.action_id
        WHERE pa.plan_id = $1 AND pa.removed_at IS NULL)
     SELECT f.rule, array_agg(f.id ORDER BY f.id) AS ids FROM findings f
      WHERE f.status = $3 AND (
            f.id IN (SELECT finding_id FROM cited)
         OR f.account_id = ANY($2::int[])
         OR (f.account_id IS NULL AND EXISTS (SELECT 1 FROM finding_accounts fa WHERE fa.finding_id = f.id AND fa.role = $4)
             AND NOT EXISTS (SELECT 1 FROM finding_accounts fa WHERE fa.finding_id = f.id AND fa.role = $4 AND NOT (fa.account_id = ANY($2::int[])))))
      GROUP BY f.rule ORDER BY f.rule`,
    [planId, closingIds, FindingStatus.OPEN, FindingAccountRole.MEMBER],
  );
  return rows;
}
