import type { EntityManager } from 'typeorm';

// opencc-js is an ES module ("type": "module") whose UMD build serves require(); a static import from this CommonJS
// module would not compile (TS1479), so it is required, typed by hand.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: ESM-only types, UMD build via require
const OpenCC: { Converter(o: { from: string; to: string }): (s: string) => string } = require('opencc-js');

// Hong Kong and Taiwan variants first (each maps its own regional forms), then generic traditional → simplified.
const fromHk = OpenCC.Converter({ from: 'hk', to: 'cn' });
const fromTw = OpenCC.Converter({ from: 'tw', to: 'cn' });

/**
 * The form in which two account names are compared by NAME_INCONSISTENT:
 * NFKC (full-width letters and digits → half-width), traditional → simplified Chinese (OpenCC, hk then tw
 * dictionaries), Latin lower-cased, and every space, punctuation mark, quote mark and symbol removed
 * (「」『』“”‘’"'《》〈〉·・、，。！？：；（）【】-—_|/ …). So 「福州發佈」, 福州 发布 and 《福州发布》 all become 福州发布.
 */
export function normalizeName(name: string): string {
  const s = fromTw(fromHk(name.normalize('NFKC')));
  return s.toLowerCase().replace(/[\s\p{P}\p{S}\p{Cf}]/gu, '');
}

/**
 * Keeps `accounts.name_normalized` in step with `accounts.name` for the non-closed accounts under `regionPath`
 * (null: all). The import does not know the column, so detection refreshes it first: one read of the stale rows,
 * normalised in memory, one set-based UPDATE. Returns the number of rows refreshed.
 */
export async function refreshNormalizedNames(em: EntityManager, regionPath: string | null, accountIds?: number[]): Promise<number> {
  const params: unknown[] = [];
  let where = `a.status <> 'closed' AND a.name_normalized_from IS DISTINCT FROM a.name`;
  if (regionPath) {
    params.push(`${regionPath}%`);
    where += ` AND a.unit_id IN (SELECT id FROM units WHERE region_path LIKE $${params.length})`;
  }
  if (accountIds) {
    params.push(accountIds);
    where += ` AND a.unit_id IN (SELECT unit_id FROM accounts WHERE id = ANY($${params.length}::int[]))`;
  }
  // The stale ones come from the partial index accounts_name_stale_idx (usually empty; migrations/1732946200000):
  // the planner cannot estimate the two-column condition and would read every account. Without parallel workers: for a
  // province, after a national run had changed the accounts' statistics, it planned two workers to probe the empty
  // index under the province's 4,700 units — starting them took 60–70 ms of the 73 ms (0.5 ms without; bench 2026-11-30).
  await em.query(`SET LOCAL enable_seqscan = off; SET LOCAL max_parallel_workers_per_gather = 0`);
  const rows: { id: number; name: string }[] = await em.query(`SELECT a.id, a.name FROM accounts a WHERE ${where}`, params);
  await em.query(`SET LOCAL enable_seqscan = DEFAULT; SET LOCAL max_parallel_workers_per_gather = DEFAULT`);
  if (!rows.length) return 0;
  await em.query(
    `UPDATE accounts a SET name_normalized = x.norm, name_normalized_from = x.name
       FROM unnest($1::int[], $2::text[], $3::text[]) AS x(id, name, norm) WHERE a.id = x.id`,
    [rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => normalizeName(r.name))],
  );
  return rows.length;
}
