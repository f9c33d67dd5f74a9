import type { EntityManager } from 'typeorm';
import { loadPolicies } from '../policy/policy.service';
import { LOCKS } from '../kernel/transaction';
import { CHECKED_TODAY, PROVINCE_OF_UNIT } from '../detection/detection.engine';
import { scanContent, type ContentScanStats } from './content.rule';

/**
 * The content check of the posts an import loaded, done by the import (after its commit), not by the first detection
 * run after it. A post's result depends only on its text and its lexicon key (content.rule.ts), so it is a maintained
 * result of the data like the post months: the import that brings ≈1 M texts into the windows checks them once
 * (check rows, clean sets and scan states, exactly as a detection run would write them for the same check date), and
 * the first detection reads only what changed since — as a repeated run does.
 *
 * The accounts are those a detection run on `asOf` checks (not closed, opened by then) among `accountIds`
 * (null: every account); their province's policy decides window and lexicon, as in a run.
 * Runs in the caller's transaction and takes the detection lock in it first (a run writes the same rows).
 */
export async function primeContentChecks(em: EntityManager, asOf: string, accountIds: number[] | null): Promise<ContentScanStats> {
  await em.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.detection]);
  const policies = await loadPolicies(em);
  const withPolicy = [...policies.provinces.keys()];
  await em.query(`DROP TABLE IF EXISTS det_acc`);
  await em.query(`
    CREATE TEMP TABLE det_acc ON COMMIT DROP AS
    SELECT a.id, a.unit_id, a.platform, a.handle, a.name, p.prov, CASE WHEN p.prov = ANY($2::text[]) THEN p.prov ELSE '0' END AS province
      FROM accounts a JOIN units u ON u.id = a.unit_id
      CROSS JOIN LATERAL (SELECT ${PROVINCE_OF_UNIT} AS prov) p
     WHERE ${CHECKED_TODAY}
       ${accountIds ? 'AND a.id = ANY($3::int[])' : ''}`, accountIds ? [asOf, withPolicy, accountIds] : [asOf, withPolicy]);
  await em.query(`ANALYZE det_acc`);
  const { stats } = await scanContent(em, asOf, policies, { recordState: true, scoped: accountIds !== null });
  return stats;
}
