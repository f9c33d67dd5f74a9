/**
 * Maintained per-account activity (issue 14): `account_post_months`, one row per account × Beijing calendar month
 * with the account's OWN posts of that month (posts a plan migrated in, `origin_account_id` set, are its archive and
 * never count): how many, how many originals, the last one, and `reads_below[i]` = how many were read fewer than
 * `READ_EDGES[i]` times (a cumulative histogram); and `account_post_totals`, one row per account: the sum and the
 * last post of its month rows, i.e. what the rows summarise (the account's post count and last post when they were
 * refreshed). migrations/1732946000000-PostMonths.ts creates and fills them.
 *
 * Kept current in the writer's transaction by whoever changes posts:
 *   - the import (server/import/bulk-load.ts, one call after loading posts: the accounts of the posts file);
 *   - plan execution (server/plans/moves.ts refreshRollups: the source and destination of a move);
 *   - detection (runDetection: accounts in scope whose `accounts.post_count` / `last_post_at` no longer match their
 *     totals row, e.g. posts written by hand).
 * Readers never trust a stale account: LOW_VALUE uses the months only to skip accounts whose median reads are
 * provably not below the threshold, and only when the account's totals match `accounts.post_count` and
 * `accounts.last_post_at` (the rollups every post writer keeps); any other account is computed from its posts.
 */

/** Upper bounds (exclusive) of the cumulative reads histogram `reads_below`; fixed (the migration's column default). */
export const READ_EDGES = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 50000] as const;

/** Something that runs SQL: TypeORM's EntityManager or the import's raw connection. */
export interface Querier {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** The month-row aggregate of the own posts of the accounts `p.account_id IN (…)` selects (shared with the migration). */
export function postMonthsSelect(accountFilter: string): string {
  return `
    SELECT p.account_id, (date_trunc('month', p.published_at AT TIME ZONE 'Asia/Shanghai'))::date AS month,
           count(*)::int AS posts, count(*) FILTER (WHERE p.original)::int AS originals, max(p.published_at) AS last_post_at,
           ARRAY[${READ_EDGES.map((e) => `count(*) FILTER (WHERE p.reads < ${e})::int`).join(', ')}] AS reads_below
      FROM posts p
     WHERE p.origin_account_id IS NULL ${accountFilter}
     GROUP BY 1, 2`;
}

/** The totals rows of the accounts `ids` selects, from their month rows (no month rows: 0 posts, no last post). */
export function postTotalsUpsert(ids: string): string {
  return `
    INSERT INTO account_post_totals (account_id, posts, last_post_at)
    SELECT x.id, COALESCE(sum(m.posts), 0)::int, max(m.last_post_at)
      FROM (${ids}) x(id) LEFT JOIN account_post_months m ON m.account_id = x.id
     GROUP BY x.id
    ON CONFLICT (account_id) DO UPDATE SET posts = EXCLUDED.posts, last_post_at = EXCLUDED.last_post_at
     WHERE (account_post_totals.posts, account_post_totals.last_post_at) IS DISTINCT FROM (EXCLUDED.posts, EXCLUDED.last_post_at)`;
}

/**
 * Recomputes the month rows and totals of the accounts that `ids` (an SQL query returning one int column, with
 * `params`) selects, from their posts, set-based whatever the number of accounts: the ids once into a temporary
 * table, then one statement per table (delete and insert the months, upsert the totals). Call it in the transaction
 * that changed their posts.
 */
export async function refreshPostMonths(q: Querier, ids: string, params: unknown[] = []): Promise<void> {
  await q.query(`DROP TABLE IF EXISTS _post_months_ids`);
  await q.query(`CREATE TEMP TABLE _post_months_ids ON COMMIT DROP AS SELECT DISTINCT id FROM (${ids}) x(id)`, params);
  // Counted, so that a few accounts are looked up by key: unanalysed, the table was estimated at 2,550 rows, and with
  // the import's work_mem (128 MB) the totals of ONE account hashed all of account_post_months — 1.9 M rows, 0.8 s of
  // a 500-post import into the national database.
  await q.query(`ANALYZE _post_months_ids`);
  await refreshMonths(q, `SELECT id FROM _post_months_ids`);
  // Many accounts rewritten (an import): fresh statistics in this transaction, so the next detection plans with the
  // tables' real size (analyze_imported: the owner's rights; migrations/1732946100000-PostMonthsAnalyze.ts).
  const [{ n }] = (await q.query(`SELECT count(*)::int AS n FROM _post_months_ids`)) as { n: number }[];
  if (n >= ANALYZE_AFTER) await q.query(`SELECT analyze_imported(ARRAY['account_post_months', 'account_post_totals'])`);
}

/** Accounts refreshed at once from which the months are analysed afterwards. */
const ANALYZE_AFTER = 5000;

async function refreshMonths(q: Querier, ids: string, params: unknown[] = []): Promise<void> {
  await q.query(`DELETE FROM account_post_months WHERE account_id IN (${ids})`, params);
  await q.query(`INSERT INTO account_post_months (account_id, month, posts, originals, last_post_at, reads_below)
    ${postMonthsSelect(`AND p.account_id IN (${ids})`)}`, params);
  await q.query(postTotalsUpsert(ids), params);
}

/** The accounts of an import's posts file (its `_imp_posts` staging table, or the stand-in of a direct load). */
export const POSTS_FILE_ACCOUNTS = `SELECT a.id FROM accounts a JOIN (SELECT DISTINCT platform, handle FROM _imp_posts) k
  ON a.platform = k.platform AND a.handle = k.handle`;

/** `refreshPostMonths` for a list of account ids. */
export function refreshPostMonthsOf(q: Querier, accountIds: number[]): Promise<void> {
  if (!accountIds.length) return Promise.resolve();
  return refreshMonths(q, `SELECT unnest($1::int[])`, [accountIds]);
}

/**
 * SQL condition over an account row `a` (with `post_count` and `last_post_at`, e.g. det_acc) and its LEFT JOINed
 * account_post_totals row `t`: true when the account's month rows are current — their totals match the account's
 * own-post rollups (an account without a totals row counts as having no posts).
 */
export const monthsCurrent = (a = 'a', t = 't') =>
  `(COALESCE(${t}.posts, 0), ${t}.last_post_at) IS NOT DISTINCT FROM (${a}.post_count, ${a}.last_post_at)`;

/**
 * `LEFT JOIN` of the account_post_totals row `t` of each row of `src` (by its `id`): through the primary key, one
 * look-up per row, when a region is checked (a province's 3,000 accounts: 8 ms of a scan of all 181,000 rows saved);
 * a hash join over the whole table for a nationwide run.
 */
export function totalsJoin(src: string, byIndex: boolean): string {
  return byIndex
    ? `LEFT JOIN LATERAL (SELECT * FROM account_post_totals t0 WHERE t0.account_id = ${src}.id OFFSET 0) t ON true`
    : `LEFT JOIN account_post_totals t ON t.account_id = ${src}.id`;
}
