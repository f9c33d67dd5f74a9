import type { EntityManager } from 'typeorm';
import { DetectionRule, Severity } from '../common/enums';
import { effectiveSettings, type LoadedPolicies } from '../policy/policy.service';
import { CHECK_INSTANT, dayStart } from '../detection/detection.dates';
import { buildLexicon, type Lexicon, type LexiconEdit } from './lexicon';
import { FIELD_PATTERNS } from './lexicon.data';
import { checkPost } from './matcher';

/**
 * The content rules, run by the detection engine after the SQL rules, in its transaction, over det_acc:
 *   1. det_post: the accounts' own posts with text (migrated archives and title-only posts excluded) in the province's
 *      window (content.windowDays before D), each marked to check or not: a post is checked again only when its text
 *      (content hash) or its lexicon key (the province's lexicon version, the unit's field) differs from its last check;
 *   2. those posts are checked in JS (matcher.ts) in batches — a weekly run touches a week of posts; the few with a
 *      finding are written to post_content_checks (one INSERT), the clean ones are remembered as their account's set
 *      of clean content hashes (content_clean_hashes, one INSERT … SELECT for all accounts);
 *   3. three set-based INSERTs into det_hits: WRONG_EXPRESSION_SERIOUS (veto), WRONG_EXPRESSION (deduction),
 *      OFF_MISSION (share of off-mission posts among the posts with text over the policy threshold), one finding per account, evidence = the
 *      posts with their spans, wrong and right forms, categories.
 */

const BATCH = 5000;
const ACCOUNT = `jsonb_build_object('id', a.id, 'name', a.name, 'platform', a.platform, 'handle', a.handle)`;
const COLS = `(rule, severity, subject_key, unit_id, account_id, platforms, account_ids, suggested_main_id, evidence, hash_basis)`;
const single = (rule: DetectionRule, severity: Severity) =>
  `'${rule}', '${severity}', '${rule}:' || a.id, a.unit_id, a.id, ARRAY[a.platform], ARRAY[a.id], NULL::int`;

/** The unit's field in SQL (same patterns as unitField()). */
const FIELD_SQL = `CASE ${FIELD_PATTERNS.map(([f, re]) => `WHEN un.name ~ '${re}' THEN '${f}'`).join(' ')} ELSE '-' END`;

export interface ContentScanStats {
  postsInWindow: number;
  postsScanned: number;
  scanMs: number;
}

export async function loadLexiconEdits(em: EntityManager): Promise<LexiconEdit[]> {
  const rows: { region_code: string; version: number; op: LexiconEdit['op']; term: string; entry: LexiconEdit['entry'] }[] = await em.query(
    `SELECT region_code, version, op, term, entry FROM content_lexicon_edits ORDER BY region_code, version`);
  return rows.map((r) => ({ regionCode: r.region_code, version: r.version, op: r.op, term: r.term, entry: r.entry }));
}

/** Runs the content rules over det_acc into det_hits (see above). $1 of the queries is the check date. */
export async function runContentRules(em: EntityManager, asOf: string, policies: LoadedPolicies): Promise<ContentScanStats> {
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
  await em.query(`DROP TABLE IF EXISTS det_cpol, det_post, det_text, det_found`);
  await em.query(`CREATE TEMP TABLE det_cpol ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(prov text, enabled boolean, window_days int, min_share numeric, min_posts int, lexicon_key text)`, [JSON.stringify(pol)]);
  // Only posts with text are checked (a title-only post has nothing a reader could misread beyond a headline, and a
  // province's posts are mostly title-only): the partial index posts_with_content keeps their cost near zero.
  // A post is to be checked (todo) when its check row is stale (hash or key changed), or when it has none and its hash
  // is not in its account's set of clean hashes for the account's current key (content_clean_hashes: a clean result
  // depends only on the text and the key; migrations/1732943500000-ContentCleanHashes.ts).
  // Two tables from one read of posts: det_post, narrow (every post in the window: what the rules and the clean sets
  // join), and det_text, the texts of the posts to check only (what the scan reads) — the joins and the statistics
  // never wade through the copied texts.
  await em.query(`CREATE TEMP TABLE det_post (id bigint, published_at timestamptz, content_hash uuid, account_id int, prov text, key text,
    had_row boolean, todo boolean, title text) ON COMMIT DROP`);
  await em.query(`CREATE TEMP TABLE det_text (id bigint, published_at timestamptz, content_hash uuid, prov text, key text, title text, content text)
    ON COMMIT DROP`);
  await em.query(`
    WITH acc AS MATERIALIZED (
      SELECT a.id, a.prov, cp.lexicon_key || ':' || ${FIELD_SQL} AS key, ${dayStart('cp.window_days')} AS since
        FROM det_acc a JOIN det_cpol cp ON cp.prov = a.prov AND cp.enabled JOIN units un ON un.id = a.unit_id),
    clean AS MATERIALIZED (
      SELECT s.account_id, h.hash FROM acc JOIN content_clean_hashes s ON s.account_id = acc.id AND s.lexicon_key = acc.key
       CROSS JOIN LATERAL unnest(s.hashes) h(hash)),
    w AS MATERIALIZED (
      SELECT p.id, p.published_at, p.content_hash, p.account_id, acc.prov, acc.key, t.had_row, t.todo, p.title,
             CASE WHEN t.todo THEN p.content END AS content
        FROM acc
        JOIN posts p ON p.account_id = acc.id AND p.published_at >= acc.since AND p.published_at < ${CHECK_INSTANT}
             AND p.published_at >= ${dayStart(String(maxWindowDays))}
             AND p.origin_account_id IS NULL AND p.content IS NOT NULL
        LEFT JOIN post_content_checks c ON c.post_id = p.id AND c.published_at = p.published_at
        LEFT JOIN clean cl ON cl.account_id = p.account_id AND cl.hash = p.content_hash
        CROSS JOIN LATERAL (SELECT c.post_id IS NOT NULL AS had_row,
          CASE WHEN c.post_id IS NOT NULL THEN c.content_hash IS DISTINCT FROM p.content_hash OR c.lexicon_key IS DISTINCT FROM acc.key
               ELSE cl.hash IS NULL END AS todo) t),
    txt AS (INSERT INTO det_text SELECT id, published_at, content_hash, prov, key, title, content FROM w WHERE todo)
    INSERT INTO det_post SELECT id, published_at, content_hash, account_id, prov, key, had_row, todo, CASE WHEN todo OR had_row THEN title END FROM w`,
  [asOf]);
  mark('window');
  // Statistics for the joins below (a temporary table has none until analysed).
  await em.query(`ANALYZE det_post`);
  const [{ n }] = await em.query(`SELECT count(*)::int AS n FROM det_post`);
  mark('analyze');

  // The scan: batches read from det_text (the texts were copied by the window query: a join back to the
  // month-partitioned posts per batch was planned as a scan of every month, 1.2 s).
  // Only posts with a finding (a wrong expression or an off-mission category) get a check row — a few in a thousand;
  // the clean ones are remembered in their account's set of clean hashes, written in one statement after the scan.
  const t0 = performance.now();
  const phases = { read: 0, check: 0 };
  // Stale rows of posts to rescan go first (their post may now be clean); queued on the connection before the reads.
  const stale = em.query(`DELETE FROM post_content_checks c USING det_post d
    WHERE d.todo AND d.had_row AND c.post_id = d.id AND c.published_at = d.published_at`);
  // (Pending statements are awaited below; should matching throw first, their failure is not left unhandled.)
  stale.catch(() => undefined);
  let scanned = 0;
  const found = { ids: [] as string[], months: [] as string[], hashes: [] as (string | null)[], keys: [] as string[], wrong: [] as string[],
    markers: [] as string[], categories: [] as string[], serious: [] as boolean[] };
  type Row = { id: string; published_at: string; content_hash: string | null; title: string; content: string | null; prov: string; key: string };
  // One pass over det_text through a cursor (no index, no sort); the next batch is fetched before this one is
  // checked: PostgreSQL reads it while Node matches.
  await em.query(`DECLARE det_text_cursor NO SCROLL CURSOR FOR
    SELECT d.id, d.published_at::text AS published_at, d.content_hash, d.title, d.content, d.prov, d.key FROM det_text d`);
  const read = (): Promise<Row[]> => em.query(`FETCH ${BATCH} FROM det_text_cursor`);
  let next = read();
  next.catch(() => undefined);
  for (;;) {
    const tr = performance.now();
    const batch = await next;
    phases.read += performance.now() - tr;
    if (!batch.length) break;
    next = batch.length === BATCH ? read() : Promise.resolve([]);
    next.catch(() => undefined);
    const tc = performance.now();
    for (const r of batch) {
      const field = r.key.slice(r.key.lastIndexOf(':') + 1);
      const c = checkPost(lexicons.get(r.prov)!, r.title, r.content, field === '-' ? null : (field as never));
      if (!c.wrong.length && !c.categories.length) continue;
      found.ids.push(r.id);
      found.months.push(r.published_at);
      found.hashes.push(r.content_hash);
      found.keys.push(r.key);
      found.wrong.push(JSON.stringify(c.wrong));
      found.markers.push(JSON.stringify(c.markers));
      found.categories.push(JSON.stringify(c.categories));
      found.serious.push(c.serious);
    }
    phases.check += performance.now() - tc;
    scanned += batch.length;
  }
  await em.query(`CLOSE det_text_cursor`);
  const tw = performance.now();
  await stale;
  if (found.ids.length) {
    await em.query(`
      INSERT INTO post_content_checks (post_id, published_at, content_hash, lexicon_key, wrong, markers, categories, serious, checked_at)
      SELECT x.id, x.published_at, x.content_hash, x.key, x.wrong, x.markers, ARRAY(SELECT jsonb_array_elements_text(x.categories)), x.serious, now()
        FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::boolean[])
             AS x(id, published_at, content_hash, key, wrong, markers, categories, serious)
      ON CONFLICT (post_id) DO UPDATE SET published_at = EXCLUDED.published_at, content_hash = EXCLUDED.content_hash, lexicon_key = EXCLUDED.lexicon_key, wrong = EXCLUDED.wrong,
        markers = EXCLUDED.markers, categories = EXCLUDED.categories, serious = EXCLUDED.serious, checked_at = EXCLUDED.checked_at`,
    [found.ids, found.months, found.hashes, found.keys, found.wrong, found.markers, found.categories, found.serious]);
  }
  // The clean sets of the accounts that had posts to check: the hashes of their clean posts in the window (a post is
  // clean when it was checked now without a finding, or was not to check and has no row); hashes of posts that left
  // the window drop out, so a set never outgrows the window.
  const ts = performance.now();
  if (scanned) {
    await em.query(`
      INSERT INTO content_clean_hashes (account_id, lexicon_key, hashes, checked_at)
      SELECT d.account_id, min(d.key), COALESCE(array_agg(DISTINCT d.content_hash) FILTER (WHERE CASE WHEN d.todo THEN f.id IS NULL ELSE NOT d.had_row END), '{}'), now()
        FROM det_post d LEFT JOIN unnest($1::bigint[]) f(id) ON f.id = d.id
       WHERE d.account_id IN (SELECT account_id FROM det_post WHERE todo)
       GROUP BY d.account_id
      ON CONFLICT (account_id) DO UPDATE SET lexicon_key = EXCLUDED.lexicon_key, hashes = EXCLUDED.hashes, checked_at = EXCLUDED.checked_at`,
    [found.ids]);
  }
  if (process.env.CONTENT_PROFILE) {
    console.log(`[content] ${scanned} posts: read ${Math.round(phases.read)} ms, check ${Math.round(phases.check)} ms, ${found.ids.length} with findings, writes ${Math.round(performance.now() - tw)} ms (clean sets ${Math.round(performance.now() - ts)} ms)`);
  }
  const scanMs = Math.round(performance.now() - t0);
  mark('scan');

  // The posts with a finding in the window, with their results (after the scan every row of det_post's posts is
  // current): the three rules read this small table only. Their titles come from det_post (it carries the title of
  // every post to check or with a check row) — no join back to the month-partitioned posts, which the planner did as
  // a hash join over every month (0.15–0.7 s).
  await em.query(`CREATE TEMP TABLE det_found ON COMMIT DROP AS
    SELECT d.id, d.published_at, d.account_id, d.title, c.content_hash, c.wrong, c.markers, c.categories, c.serious
      FROM det_post d JOIN post_content_checks c ON c.post_id = d.id AND c.published_at = d.published_at`);
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
      SELECT d.account_id, count(*)::int AS n,
             (SELECT count(*)::int FROM det_found f WHERE f.account_id = d.account_id AND cardinality(f.categories) > 0) AS off
        FROM det_post d WHERE d.account_id IN (SELECT account_id FROM det_found WHERE cardinality(categories) > 0) GROUP BY d.account_id)
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
  if (process.env.CONTENT_PROFILE) console.log(`[content] phases: ${prof.map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
  return { postsInWindow: n, postsScanned: scanned, scanMs };
}
