import type { Context } from '../kernel/context';
import type { AccountStatus } from '../common/enums';
import { ServicesMode } from './plan-action.entity';
import { refreshPostMonthsOf } from '../detection/post-months';

/** The account a step moves things from. */
export interface SourceRow {
  id: number;
  name: string;
  status: AccountStatus;
  unit_id: number;
  unit_path: string;
  unit_name: string;
}

/**
 * A service name as compared across accounts: case, spaces, brackets and punctuation ignored, and an origin note that
 * an earlier migration appended ("（原…）") dropped. "婚姻登记预约" and "婚姻登记 预约" are the same service.
 */
export const SERVICE_NAME_NORM = (col: string) =>
  `regexp_replace(regexp_replace(lower(${col}), '（原[^）]*）$', ''), '[[:space:][:punct:]（）【】「」《》〔〕·、，。：；“”‘’—]', '', 'g')`;

/**
 * Moves every post of `src` to `dest` (one UPDATE), recording the origin; a title clash gets the source's name.
 * Migrated posts are the receiving account's archive, not its activity: every rule and statistic counts own posts
 * only (`origin_account_id IS NULL`), and so do the rollups refreshed here.
 */
export async function movePosts(tx: Context, src: SourceRow, dest: number): Promise<number> {
  const [before] = await tx.em.query(`SELECT count(*)::int AS n FROM posts WHERE account_id = ANY($1::int[])`, [[src.id, dest]]);
  const res = await tx.em.query(
    `UPDATE posts p SET account_id = $2, origin_account_id = COALESCE(p.origin_account_id, $1),
            title = CASE WHEN EXISTS (SELECT 1 FROM posts q WHERE q.account_id = $2 AND q.published_at = p.published_at AND md5(q.title) = md5(p.title))
                         THEN p.title || '（迁自' || $3 || '）' ELSE p.title END
      WHERE p.account_id = $1`, [src.id, dest, src.name]);
  const [after] = await tx.em.query(`SELECT count(*)::int AS n FROM posts WHERE account_id = ANY($1::int[])`, [[src.id, dest]]);
  if (before.n !== after.n) throw new Error(`post count changed while moving ${src.id} → ${dest}: ${before.n} → ${after.n}`);
  await refreshRollups(tx, [src.id, dest]);
  return Number(res[1] ?? 0);
}

/**
 * Moves every service of `src` to `dest`, recording the origin. A service equal to one `dest` already has (same
 * normalised name) is, in mode MERGE, folded into it (`merged_into_id`: the row stays as the record of its origin and
 * is no longer listed or counted), in mode KEEP_BOTH kept as a second service named after its origin.
 */
export async function moveServices(tx: Context, src: SourceRow, dest: number, mode: ServicesMode): Promise<{ moved: number; merged: number }> {
  const [before] = await tx.em.query(`SELECT count(*)::int AS n FROM services WHERE account_id = ANY($1::int[])`, [[src.id, dest]]);
  // An UPDATE … RETURNING answers [rows, affected count].
  const [rows]: [{ merged: boolean }[], number] = await tx.em.query(
    `WITH m AS (
       SELECT s.id, (SELECT t.id FROM services t WHERE t.account_id = $2 AND t.merged_into_id IS NULL
                       AND ${SERVICE_NAME_NORM('t.name')} = ${SERVICE_NAME_NORM('s.name')} ORDER BY t.id LIMIT 1) AS twin
         FROM services s WHERE s.account_id = $1)
     UPDATE services s SET account_id = $2, origin_account_id = COALESCE(s.origin_account_id, $1),
            merged_into_id = CASE WHEN $4 = '${ServicesMode.MERGE}' AND s.merged_into_id IS NULL THEN m.twin ELSE s.merged_into_id END,
            name = CASE WHEN EXISTS (SELECT 1 FROM services t WHERE t.account_id = $2 AND t.name = s.name)
                        THEN s.name || '（原' || $3 || '）' ELSE s.name END
       FROM m WHERE m.id = s.id
     RETURNING (s.merged_into_id IS NOT NULL AND m.twin IS NOT NULL AND $4 = '${ServicesMode.MERGE}') AS merged`,
    [src.id, dest, src.name, mode]);
  const [after] = await tx.em.query(`SELECT count(*)::int AS n FROM services WHERE account_id = ANY($1::int[])`, [[src.id, dest]]);
  if (before.n !== after.n) throw new Error(`service count changed while moving ${src.id} → ${dest}: ${before.n} → ${after.n}`);
  return { moved: rows.length, merged: rows.filter((r) => r.merged).length };
}

/** `last_post_at` / `post_count`: the account's own posts (migrated posts excluded). */
export async function refreshRollups(tx: Context, ids: number[]): Promise<void> {
  await tx.em.query(
    `UPDATE accounts a SET last_post_at = s.last, post_count = s.n, updated_at = now()
       FROM (SELECT x.id, (SELECT max(published_at) FROM posts WHERE account_id = x.id AND origin_account_id IS NULL) AS last,
                    (SELECT count(*) FROM posts WHERE account_id = x.id AND origin_account_id IS NULL)::int AS n
               FROM unnest($1::int[]) AS x(id)) s
      WHERE a.id = s.id`, [ids]);
  await refreshPostMonthsOf(tx.em, ids); // the maintained months (detection/post-months.ts) follow the move
}
