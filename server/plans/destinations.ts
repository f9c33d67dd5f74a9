import type { EntityManager } from 'typeorm';
import { AccountStatus, Platform, UnitKind } from '../common/enums';

/**
 * Where the content and services of a closing account go, by rule:
 * - content → the region's portal website: an active `website` account of the government of the account's region,
 *   or of the nearest ancestor region that has one;
 * - services → the unit's main account on the same platform, else the superior's (parent unit's) main account on
 *   the same platform, else the unit's / the superior's / the supervising unit's main account on any platform (most
 *   followers first), else the region's portal website.
 * Set-based: one statement for any number of accounts. Accounts in `excluded` (closing in the same plan) are skipped.
 */
export async function portalsFor(em: EntityManager, accountIds: number[], excluded: number[] = []): Promise<Map<number, number>> {
  if (!accountIds.length) return new Map();
  const rows: { src: number; portal: number }[] = await em.query(
    `SELECT DISTINCT ON (src.id) src.id AS src, a.id AS portal
       FROM accounts src
       JOIN units su ON su.id = src.unit_id
       JOIN units g ON g.kind = $2 AND g.region_path IS NOT NULL AND su.region_path LIKE g.region_path || '%'
       JOIN accounts a ON a.unit_id = g.id AND a.platform = $3 AND a.status = $4
      WHERE src.id = ANY($1::int[]) AND a.id <> src.id AND NOT (a.id = ANY($5::int[]))
      ORDER BY src.id, length(g.region_path) DESC, a.is_main DESC, a.followers DESC, a.id`,
    [accountIds, UnitKind.GOVERNMENT, Platform.WEBSITE, AccountStatus.ACTIVE, excluded],
  );
  return new Map(rows.map((r) => [r.src, r.portal]));
}

export async function serviceTargetsFor(em: EntityManager, accountIds: number[], excluded: number[] = []): Promise<Map<number, number>> {
  if (!accountIds.length) return new Map();
  const rows: { src: number; target: number }[] = await em.query(
    `SELECT DISTINCT ON (src.id) src.id AS src, a.id AS target
       FROM accounts src
       JOIN units su ON su.id = src.unit_id
       JOIN accounts a ON a.is_main AND a.status = $2 AND a.platform <> $3
                      AND a.unit_id IN (su.id, su.parent_id, su.supervisor_id)
      WHERE src.id = ANY($1::int[]) AND a.id <> src.id AND NOT (a.id = ANY($4::int[]))
      ORDER BY src.id,
               CASE WHEN a.unit_id = su.id AND a.platform = src.platform THEN 0
                    WHEN a.unit_id = su.parent_id AND a.platform = src.platform THEN 1
                    WHEN a.unit_id = su.id THEN 2
                    WHEN a.unit_id = su.parent_id THEN 3
                    WHEN a.platform = src.platform THEN 4 ELSE 5 END,
               a.followers DESC, a.id`,
    [accountIds, AccountStatus.ACTIVE, Platform.WEBSITE, excluded],
  );
  const out = new Map(rows.map((r) => [r.src, r.target]));
  // Last resort: the region's portal website (the government's online service hall).
  const rest = accountIds.filter((id) => !out.has(id));
  for (const [src, portal] of await portalsFor(em, rest, excluded)) out.set(src, portal);
  return out;
}
