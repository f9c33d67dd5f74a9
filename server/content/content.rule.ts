import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { countStatement } from '../db/sql-counter';
import { withoutNestedLoops } from '../db/plan-settings';
import { DetectionRule, Severity } from '../common/enums';
import { effectiveSettings, type LoadedPolicies } from '../policy/policy.service';
import { CHECK_INSTANT, dayStart } from '../detection/detection.dates';
import { buildLexicon, type Lexicon, type LexiconEdit } from './lexicon';
import { FIELD_PATTERNS } from './lexicon.data';
import { openScanner, scanSettings, type Found } from './content-scan';

/**
 * The content rules, run by the detection engine after the SQL rules, in its transaction, over det_acc:
 *   1. det_post: the accounts' own posts with text (migrated archives and title-only posts excluded) in the province's
 *      window (content.windowDays before D), each marked to check or not: a post is checked again only when its text
 *      (content hash) or its lexicon key (the province's lexicon version, the unit's field) differs from its last check.
 *      An account whose maintained state holds (content_scan_state, migrations/1732946400000-ContentScanState.ts)
 *      contributes only its posts not yet covered by it — newer ids, or dates outside the range it covers — so a
 *      repeated run reads no post, and a run after an import reads the imported ones;
 *   2. those posts are checked in JS (matcher.ts) as they stream out of the window query (content-scan.ts; in worker
 *      threads when many accounts are looked at in full) — a weekly run touches a week of posts; the few with a
 *      finding are written to post_content_checks (one INSERT), the clean ones are remembered as their account's set
 *      of clean content hashes (content_clean_hashes, one INSERT … SELECT for all accounts);
 *   3. three set-based INSERTs into det_hits: WRONG_EXPRESSION_SERIOUS (veto), WRONG_EXPRESSION (deduction),
 *      OFF_MISSION (share of off-mission posts among the posts with text over the policy threshold), one finding per account, evidence = the
 *      posts with their spans, wrong and right forms, categories.
 */

const ACCOUNT = `jsonb_build_object('id', a.id, 'name', a.name, 'platform', a.platform, 'handle', a.handle)`;
const COLS = `(rule, severity, subject_key, unit_id, account_id, platforms, account_ids, suggested_main_id, evidence, hash_basis)`;
const single = (rule: DetectionRule, severity: Severity) =>
  `'${rule}', '${severity}', '${rule}:' || a.id, a.unit_id, a.id, ARRAY[a.platform], ARRAY[a.id], NULL::int`;

/**
 * The unit's field in SQL (same patterns as unitField()): a name matching none of them (most units' names) is told by
 * one match of all the patterns together instead of one per field.
 */
const FIELD_SQL = `CASE WHEN un.name !~ '${FIELD_PATTERNS.map(([, re]) => re).join('|')}' THEN '-'
  ${FIELD_PATTERNS.map(([f, re]) => `WHEN un.name ~ '${re}' THEN '${f}'`).join(' ')} ELSE '-' END`;

export interface ContentScanStats {
  /** Posts looked at (det_post): the whole window of the accounts without a holding state, the new posts of the others. */
  postsInWindow: number;
  postsScanned: number;
  scanMs: number;
}

export async function loadLexiconEdits(em: EntityManager): Promise<LexiconEdit[]> {
  const rows: { region_code: string; version: number; op: LexiconEdit['op']; term: string; entry: LexiconEdit['entry'] }[] = await em.query(
    `SELECT region_code, version, op, term, entry FROM content_lexicon_edits ORDER BY region_code, version`);
  return rows.map((r) => ({ regionCode: r.region_code, version: r.version, op: r.op, term: r.term, entry: r.entry }));
}

/** What the scan (steps 1–2) leaves the rules (step 3): det_cpol, det_cacc, and the window's bounds. */
interface Scanned {
  stats: ContentScanStats;
  maxWindowDays: number;
  /** The posts that count (own, with text, before the check instant, within the longest window): SQL over `p`. */
  own: string;
  prof: [string, number][];
  mark: (name: string) => void;
}

/** Runs the content rules over det_acc into det_hits (see above). $1 of the queries is the check date. */
export async function runContentRules(em: EntityManager, asOf: string, policies: LoadedPolicies,
  opts: { recordState?: boolean; scoped?: boolean } = {}):
  Promise<ContentScanStats> {
  const { stats, maxWindowDays, own, prof, mark } = await scanContent(em, asOf, policies, opts);
  await contentFindings(em, asOf, maxWindowDays, own, mark);
  if (process.env.CONTENT_PROFILE) console.log(`[content] phases: ${prof.map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  return stats;
}

/**
 * Steps 1–2 over det_acc (at least its columns id, unit_id, prov, province): every post of the accounts' windows gets
 * a current result (check rows, clean sets) and, with `recordState`, the accounts' scan states record it. Used by the
 * rules above and by an import (content-prime.ts), which checks the posts it loaded while it is at it.
 */
export async function scanContent(em: EntityManager, asOf: string, policies: LoadedPolicies,
  opts: { recordState?: boolean; scoped?: boolean } = {}): Promise<Scanned> {
  const provs: { prov: string; province: string }[] = await em.query(`SELECT DISTINCT prov, province FROM det_acc`);
  const edits = await loadLexiconEdits(em);
  const lexicons = new Map<string, Lexicon>();
  const pol = provs.map(({ prov, province }) => {
    const lex = buildLexicon(edits, prov);
    lexicons.set(prov, lex);
    const s = effectiveSettings(policies, province).content;
    return { prov, enabled: s.enabled, window_days: s.windowDays, min_share: s.offMissionMinShare, min_posts: s.offMissionMinPosts, lexicon_key: lex.key };
  });
  // The longest window in use: a constant lower bound on published_at, so only the months it spans are read
  // (partition pruning; the per-account bound alone let the planner read every month's posts with text).
  const maxWindowDays = Math.max(0, ...pol.filter((p) => p.enabled).map((p) => Math.trunc(Number(p.window_days)) || 0));
  const prof: [string, number][] = [];
  let tp = performance.now();
  const mark = (name: string) => { const now = performance.now(); prof.push([name, Math.round(now - tp)]); tp = now; };
  await em.query(`DROP TABLE IF EXISTS det_cpol, det_cacc, det_post, det_found`);
  await em.query(`CREATE TEMP TABLE det_cpol ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(prov text, enabled boolean, window_days int, min_share numeric, min_posts int, lexicon_key text)`, [JSON.stringify(pol)]);
  // The newest post id now, read before any post (migrations/1732946400000-ContentScanState.ts): once this run has
  // checked its accounts' window, every post of theirs in it up to this id has a current result. Recorded (by a
  // detection run, `recordState`; not by an inspection or a plan's impact) only when no other transaction holds a
  // write lock on posts (or one of its months) once it was read: then every id up to it belongs to a finished
  // transaction (a writer locks posts before it takes an id and keeps the lock until it ends), so no post with a
  // smaller id can still appear. Otherwise the states stay as they were (the next run reads more).
  const [{ through, writers }] = !opts.recordState ? [{ through: '0', writers: true }] : await em.query(`
    WITH t AS MATERIALIZED (SELECT COALESCE(max(id), 0)::text AS through FROM posts)
    SELECT t.through, EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.pid <> pg_backend_pid() AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND l.mode IN ('RowExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
                      AND l.relation IN (SELECT 'public.posts'::regclass::oid UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = 'public.posts'::regclass)
                  ) AS writers
      FROM t`);
  mark('through');
  if (process.env.CONTENT_PROFILE) console.log(`[content] through ${through}, other writers: ${writers}`);
  // The accounts checked, each with its lexicon key (the province's lexicon version, the unit's field — matched again
  // only when the unit's name is not the one its state recorded), its window and whether its maintained state holds
  // (same key): then only its posts with a larger id than the state's, or outside the state's covered range, can need
  // a check ("fast"); otherwise every post of its window is looked at, against its check rows and clean hashes.
  // A scoped run (a region, some units) reads the state by primary key, account by account (OFFSET 0: never a join
  // the planner picks from the table's statistics — right after a national run wrote 170,000 states, unanalysed, a
  // province's 3,000 accounts were joined by a nested loop over a full scan of the states each: 13 s); a national one
  // joins the states by one hash join (nested loops off for the statement: 171,806 look-ups took ≈1 s).
  const byIndex = opts.scoped ?? true;
  await withoutNestedLoops(em, () => em.query(`
    CREATE TEMP TABLE det_cacc ON COMMIT DROP AS
    SELECT a.id, a.prov, cp.lexicon_key || ':' || fl.field AS key, fl.field, un.name AS unit_name, ${dayStart('cp.window_days')} AS since,
           st.account_id IS NOT NULL AND st.lexicon_key = cp.lexicon_key || ':' || fl.field AS fast,
           st.scanned_through AS through, st.covered_from, st.covered_to, st.unit_name AS st_unit_name, st.field AS st_field
      FROM det_acc a JOIN det_cpol cp ON cp.prov = a.prov AND cp.enabled JOIN units un ON un.id = a.unit_id
      ${byIndex ? 'LEFT JOIN LATERAL (SELECT * FROM content_scan_state s WHERE s.account_id = a.id OFFSET 0) st ON true'
    : 'LEFT JOIN content_scan_state st ON st.account_id = a.id'}
      CROSS JOIN LATERAL (SELECT CASE WHEN st.unit_name = un.name THEN st.field ELSE ${FIELD_SQL} END AS field) fl`, [asOf]), !byIndex);
  mark('accounts');
  const [{ min_through: minThrough, slow, fast, later_from: laterFrom, earlier }] = await em.query(`
    SELECT COALESCE(min(through) FILTER (WHERE fast), 0)::text AS min_through, count(*) FILTER (WHERE NOT fast)::int AS slow,
           count(*) FILTER (WHERE fast)::int AS fast,
           (min(covered_to) FILTER (WHERE fast AND ${CHECK_INSTANT} > covered_to))::text AS later_from,
           count(*) FILTER (WHERE fast AND since < covered_from)::int AS earlier
      FROM det_cacc`, [asOf]);
  // Its statistics when many accounts are looked at in full: the window query joins them to posts (estimated from a
  // CTE at a fifth of the 170,000 accounts of a national run, the posts were sorted for a merge join and spilled
  // 500 MB to disk; counted, a hash join). A province's run does without (a few milliseconds).
  if (slow >= 10_000) await em.query(`ANALYZE det_cacc`);
  mark('state');
  // Only posts with text are checked (a title-only post has nothing a reader could misread beyond a headline, and a
  // province's posts are mostly title-only): the partial index posts_with_content keeps their cost near zero.
  // A post is to be checked (todo) when its check row is stale (hash or key changed), or when it has none and its hash
  // is not in its account's set of clean hashes for the account's current key (content_clean_hashes: a clean result
  // depends only on the text and the key; migrations/1732943500000-ContentCleanHashes.ts).
  // One read of posts per group of accounts, a COPY … TO STDOUT: det_post (narrow: the posts looked at, what the clean
  // sets join) is written by the statement, and the texts of the posts to check stream out of it to the checker
  // (content-scan.ts), which matches them while PostgreSQL reads on — no copy of the texts into a temporary table and
  // no read back (the first national run after an import copied ≈1 M texts, then fetched them through a cursor).
  // For a "fast" account det_post holds only its posts that can need a check.
  await em.query(`CREATE TEMP TABLE det_post (id bigint, published_at timestamptz, content_hash uuid, account_id int, prov text, key text,
    had_row boolean, todo boolean, title text) ON COMMIT DROP`);
  const own = `p.origin_account_id IS NULL AND p.content IS NOT NULL AND p.published_at < ${CHECK_INSTANT}
               AND p.published_at >= ${dayStart(String(maxWindowDays))}`;
  const client = (await em.queryRunner!.connect()) as PoolClient;
  const inWorker = slow >= scanSettings.workerMinAccounts;
  const scanner = openScanner(lexicons, inWorker);
  const t0 = performance.now();
  const look = async (accounts: string, posts: string, extra: string[] = []) => {
    const params = [asOf, ...extra];
    // COPY takes no parameters: they are written in as literals (a checked date, ids and an instant read from the
    // database), quoted by the driver.
    const sql = `COPY (
    WITH acc AS MATERIALIZED (${accounts}),
    clean AS MATERIALIZED (
      SELECT s.account_id, h.hash FROM acc JOIN content_clean_hashes s ON s.account_id = acc.id AND s.lexicon_key = acc.key
       CROSS JOIN LATERAL unnest(s.hashes) h(hash)),
    w AS MATERIALIZED (
      SELECT p.id, p.published_at, p.content_hash, p.account_id, acc.prov, acc.key, t.had_row, t.todo, p.title,
             CASE WHEN t.todo THEN p.content END AS content
        FROM ${posts}
        LEFT JOIN post_content_checks c ON c.post_id = p.id AND c.published_at = p.published_at
        LEFT JOIN clean cl ON cl.account_id = p.account_id AND cl.hash = p.content_hash
        CROSS JOIN LATERAL (SELECT c.post_id IS NOT NULL AS had_row,
          CASE WHEN c.post_id IS NOT NULL THEN c.content_hash IS DISTINCT FROM p.content_hash OR c.lexicon_key IS DISTINCT FROM acc.key
               ELSE cl.hash IS NULL END AS todo) t),
    looked AS (INSERT INTO det_post SELECT id, published_at, content_hash, account_id, prov, key, had_row, todo, CASE WHEN todo OR had_row THEN title END FROM w)
    SELECT id, published_at::text, content_hash, account_id, title, content, prov, key FROM w WHERE todo) TO STDOUT`
      .replace(/\$(\d+)\b/g, (_, n: string) => client.escapeLiteral(params[Number(n) - 1]));
    countStatement(sql);
    await scanner.consume(client.query(copyTo(sql)));
  };
  let scanned = 0;
  let found: Found;
  let checkMs = 0;
  try {
    // Accounts without a holding state: every post of the window.
    if (slow > 0) {
      await look(`SELECT id, prov, key, since FROM det_cacc WHERE NOT fast`, `acc
          JOIN posts p ON p.account_id = acc.id AND p.published_at >= acc.since AND ${own}`);
    }
    // The others: their posts newer than their state (one range read of the months' primary keys from the smallest
    // state id; no other post is touched) …
    if (fast > 0) {
      await look(`SELECT id, prov, key, since, through FROM det_cacc WHERE fast`, `(
            SELECT p.id, p.published_at, p.content_hash, p.account_id, p.title, p.content FROM posts p
             WHERE p.id > $2::bigint AND ${own} OFFSET 0) p
          JOIN acc ON acc.id = p.account_id AND p.id > acc.through AND p.published_at >= acc.since`, [minThrough]);
    }
    // … and their posts of the window outside the state's covered range (another check date or window): after it — the
    // days since the covered range ended, for a daily run one day: one range read of those days' months, joined to the
    // accounts — and before it (an earlier check date than the covered range's: account by account).
    if (laterFrom) {
      await look(`SELECT id, prov, key, since, through, covered_to FROM det_cacc WHERE fast AND ${CHECK_INSTANT} > covered_to`, `(
            SELECT p.id, p.published_at, p.content_hash, p.account_id, p.title, p.content FROM posts p
             WHERE p.published_at >= $2::timestamptz AND ${own} OFFSET 0) p
          JOIN acc ON acc.id = p.account_id AND p.id <= acc.through AND p.published_at >= acc.covered_to AND p.published_at >= acc.since`,
      [laterFrom]);
    }
    if (earlier > 0) {
      await look(`SELECT id, prov, key, since, through, covered_from FROM det_cacc WHERE fast AND since < covered_from`, `acc
          JOIN posts p ON p.account_id = acc.id AND p.published_at >= acc.since AND ${own} AND p.id <= acc.through
               AND p.published_at < acc.covered_from`);
    }
    ({ scanned, found, checkMs } = await scanner.finish());
  } catch (err) {
    await scanner.abort();
    throw err;
  }
  mark('window');
  const scanMs = Math.round(performance.now() - t0);
  // Stale rows of the posts checked again go first (their post may now be clean).
  await em.query(`DELETE FROM post_content_checks c USING det_post d
    WHERE d.todo AND d.had_row AND c.post_id = d.id AND c.published_at = d.published_at`);
  // Statistics for the joins below (a temporary table has none until analysed).
  await em.query(`ANALYZE det_post`);
  const [{ n }] = await em.query(`SELECT count(*)::int AS n FROM det_post`);
  mark('analyze');
  const tw = performance.now();
  if (found.ids.length) {
    await em.query(`
      INSERT INTO post_content_checks (post_id, published_at, content_hash, account_id, lexicon_key, wrong, markers, categories, serious, checked_at)
      SELECT x.id, x.published_at, x.content_hash, x.account_id, x.key, x.wrong, x.markers, ARRAY(SELECT jsonb_array_elements_text(x.categories)), x.serious, now()
        FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::int[], $5::text[], $6::jsonb[], $7::jsonb[], $8::jsonb[], $9::boolean[])
             AS x(id, published_at, content_hash, account_id, key, wrong, markers, categories, serious)
      ON CONFLICT (post_id) DO UPDATE SET published_at = EXCLUDED.published_at, content_hash = EXCLUDED.content_hash, account_id = EXCLUDED.account_id,
        lexicon_key = EXCLUDED.lexicon_key, wrong = EXCLUDED.wrong, markers = EXCLUDED.markers, categories = EXCLUDED.categories,
        serious = EXCLUDED.serious, checked_at = EXCLUDED.checked_at`,
    [found.ids, found.months, found.hashes, found.accounts, found.keys, found.wrong, found.markers, found.categories, found.serious]);
  }
  // The clean sets of the accounts looked at in full (not "fast") that had posts to check: the hashes of their clean
  // posts in the window (a post is clean when it has no check row now: the rows of the posts checked again were
  // deleted, those with a finding written — a join to the few rows, not to the list of ids found); hashes of posts
  // that left the window drop out, so a set never outgrows the window. A "fast" account's set is left as it is
  // (det_post holds only its new posts): should its state be voided, the posts checked since are checked again.
  const ts = performance.now();
  if (scanned) {
    await em.query(`
      INSERT INTO content_clean_hashes (account_id, lexicon_key, hashes, checked_at)
      SELECT d.account_id, min(d.key), COALESCE(array_agg(DISTINCT d.content_hash) FILTER (WHERE c.post_id IS NULL), '{}'), now()
        FROM det_post d JOIN det_cacc a ON a.id = d.account_id AND NOT a.fast
        LEFT JOIN post_content_checks c ON c.post_id = d.id AND c.published_at = d.published_at
       GROUP BY d.account_id HAVING bool_or(d.todo)
      ON CONFLICT (account_id) DO UPDATE SET lexicon_key = EXCLUDED.lexicon_key, hashes = EXCLUDED.hashes, checked_at = EXCLUDED.checked_at`);
  }
  // Every account of the run has now a current result for each post of its window: its state records that (see the
  // check of other writers above); unchanged states are not touched (not even locked by the upsert).
  if (!writers) {
    await em.query(`
      INSERT INTO content_scan_state AS s (account_id, lexicon_key, unit_name, field, scanned_through, covered_from, covered_to)
      SELECT id, key, unit_name, field, $2::bigint, since, ${CHECK_INSTANT} FROM det_cacc
       WHERE NOT fast OR (through, covered_from, covered_to, st_unit_name, st_field)
                         IS DISTINCT FROM ($2::bigint, since, ${CHECK_INSTANT}, unit_name, field)
      ON CONFLICT (account_id) DO UPDATE SET lexicon_key = EXCLUDED.lexicon_key, unit_name = EXCLUDED.unit_name, field = EXCLUDED.field,
        scanned_through = EXCLUDED.scanned_through, covered_from = EXCLUDED.covered_from, covered_to = EXCLUDED.covered_to
      WHERE (s.lexicon_key, s.unit_name, s.field, s.scanned_through, s.covered_from, s.covered_to)
            IS DISTINCT FROM (EXCLUDED.lexicon_key, EXCLUDED.unit_name, EXCLUDED.field, EXCLUDED.scanned_through, EXCLUDED.covered_from, EXCLUDED.covered_to)`,
    [asOf, through]);
  }
  if (process.env.CONTENT_PROFILE) {
    console.log(`[content] ${scanned} posts read and checked in ${scanMs} ms (${inWorker ? 'worker' : 'this thread'}: check ${Math.round(checkMs)} ms), ${found.ids.length} with findings, writes ${Math.round(performance.now() - tw)} ms (clean sets ${Math.round(performance.now() - ts)} ms)`);
  }
  mark('writes');
  return { stats: { postsInWindow: n, postsScanned: scanned, scanMs }, maxWindowDays, own, prof, mark };
}

/** Step 3: the three rules' findings into det_hits, from the check rows of det_cacc's windows. */
async function contentFindings(em: EntityManager, asOf: string, maxWindowDays: number, own: string, mark: (name: string) => void): Promise<void> {
  // The posts with a finding in the window, with their results: the check rows of the accounts' windows under their
  // keys (after the scan every post of every window has a current result), each with its post, which must still be
  // the account's own post with text and the checked text (a row of a post moved away or edited is not current) —
  // one primary-key lookup per row (LATERAL: a join to the month-partitioned posts was planned as a hash join over
  // every month). The three rules read this small table only.
  await em.query(`CREATE TEMP TABLE det_found ON COMMIT DROP AS
    SELECT c.post_id AS id, c.published_at, c.account_id, p.title, c.content_hash, c.wrong, c.markers, c.categories, c.serious
      FROM det_cacc a
      JOIN post_content_checks c ON c.account_id = a.id AND c.lexicon_key = a.key AND c.published_at >= a.since
           AND c.published_at < ${CHECK_INSTANT} AND c.published_at >= ${dayStart(String(maxWindowDays))}
      CROSS JOIN LATERAL (SELECT p.title FROM posts p WHERE p.id = c.post_id AND p.published_at = c.published_at
                             AND p.account_id = c.account_id AND p.content_hash = c.content_hash AND ${own}) p`, [asOf]);
  await em.query(`ANALYZE det_found`);
  mark('found');
  const post = (hits: string) => `jsonb_build_object('id', d.id::text, 'title', d.title, 'publishedAt', d.published_at, 'hits', ${hits})`;
  const wrongOf = (sev: string) => `(SELECT jsonb_agg(h) FROM jsonb_array_elements(d.wrong) h WHERE h ->> 'severity' = '${sev}')`;
  for (const [rule, severity, sev] of [[DetectionRule.WRONG_EXPRESSION_SERIOUS, Severity.VETO, 'serious'], [DetectionRule.WRONG_EXPRESSION, Severity.MINOR, 'general']] as const) {
    await em.query(`
      INSERT INTO det_hits ${COLS}
      SELECT ${single(rule, severity)},
             jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'windowDays', min(cp.window_days), 'postCount', count(*),
               'posts', to_jsonb((array_agg(${post(wrongOf(sev))} ORDER BY d.published_at DESC, d.id))[1:20])),
             string_agg(d.id::text || '@' || d.content_hash::text, ',' ORDER BY d.id)
        FROM det_found d JOIN det_acc a ON a.id = d.account_id JOIN det_cpol cp ON cp.prov = a.prov
       WHERE ${sev === 'serious' ? 'd.serious' : `EXISTS (SELECT 1 FROM jsonb_array_elements(d.wrong) h WHERE h ->> 'severity' = 'general')`}
       GROUP BY a.id, a.unit_id, a.platform, a.name, a.handle`, [asOf]);
    mark(rule);
  }
  await em.query(`
    WITH per AS (
      -- per account with an off-mission post: those posts, and all its posts with text in the window (index only)
      SELECT o.account_id, o.off, x.n
        FROM (SELECT account_id, count(*)::int AS off FROM det_found WHERE cardinality(categories) > 0 GROUP BY account_id) o
        JOIN det_cacc a ON a.id = o.account_id
        CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM posts p WHERE p.account_id = a.id AND p.published_at >= a.since AND ${own}) x)
    INSERT INTO det_hits ${COLS}
    SELECT ${single(DetectionRule.OFF_MISSION, Severity.MAJOR)},
           jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'windowDays', min(cp.window_days), 'posts', min(per.n),
             'offMissionPosts', min(per.off), 'share', round(min(per.off)::numeric / min(per.n), 3), 'minShare', min(cp.min_share),
             'minPosts', min(cp.min_posts),
             'categories', (SELECT jsonb_object_agg(cat, k) FROM (SELECT cat, count(*) AS k FROM det_found d2
                              CROSS JOIN unnest(d2.categories) cat WHERE d2.account_id = a.id GROUP BY cat) z),
             'examples', to_jsonb((array_agg(${post(`(SELECT jsonb_agg(m) FROM jsonb_array_elements(d.markers) m WHERE m -> 'exempt' = 'null'::jsonb)`)}
               || jsonb_build_object('categories', to_jsonb(d.categories)) ORDER BY d.published_at DESC, d.id))[1:20])),
           string_agg(d.id::text, ',' ORDER BY d.id)
      FROM per JOIN det_acc a ON a.id = per.account_id JOIN det_cpol cp ON cp.prov = a.prov
      JOIN det_found d ON d.account_id = a.id AND cardinality(d.categories) > 0
     WHERE per.off >= cp.min_posts AND per.off::numeric / per.n >= cp.min_share
     GROUP BY a.id, a.unit_id, a.platform, a.name, a.handle`, [asOf]);
  mark('OFF_MISSION');
}
