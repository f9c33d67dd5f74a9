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
 *      window (content.windowDays before D), with the hash and lexicon key they were last checked with;
 *   2. the posts whose hash or key changed (new, edited, or the province's lexicon / the unit's field changed) are
 *      checked in JS (matcher.ts) in batches and their results upserted into post_content_checks — a weekly run
 *      touches a week of posts;
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
  await em.query(`DROP TABLE IF EXISTS det_cpol, det_post`);
  await em.query(`CREATE TEMP TABLE det_cpol ON COMMIT DROP AS SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(prov text, enabled boolean, window_days int, min_share numeric, min_posts int, lexicon_key text)`, [JSON.stringify(pol)]);
  // Only posts with text are checked (a title-only post has nothing a reader could misread beyond a headline, and a
  // province's posts are mostly title-only): the partial index posts_with_content keeps their cost near zero.
  await em.query(`
    CREATE TEMP TABLE det_post ON COMMIT DROP AS
    WITH acc AS MATERIALIZED (
      SELECT a.id, a.prov, cp.lexicon_key || ':' || ${FIELD_SQL} AS key, ${dayStart('cp.window_days')} AS since
        FROM det_acc a JOIN det_cpol cp ON cp.prov = a.prov AND cp.enabled JOIN units un ON un.id = a.unit_id)
    SELECT p.id, p.published_at, p.content_hash, p.account_id, acc.prov, acc.key, t.todo,
           CASE WHEN t.todo THEN p.title END AS title, CASE WHEN t.todo THEN p.content END AS content
      FROM acc
      JOIN posts p ON p.account_id = acc.id AND p.published_at >= acc.since AND p.published_at < ${CHECK_INSTANT}
           AND p.origin_account_id IS NULL AND p.content IS NOT NULL
      LEFT JOIN post_content_checks c ON c.post_id = p.id
      CROSS JOIN LATERAL (SELECT c.post_id IS NULL OR c.content_hash IS DISTINCT FROM p.content_hash OR c.lexicon_key IS DISTINCT FROM acc.key AS todo) t`, [asOf]);
  // posts is partitioned by month (migrations/1732940000000-PostsByMonth.ts): joins back to it carry published_at, so
  // each lookup reads one partition.
  await em.query(`CREATE INDEX ON det_post (id) WHERE todo`);
  // Statistics for the rule queries' joins back to posts (a temporary table has none until analysed).
  await em.query(`ANALYZE det_post`);
  const [{ n }] = await em.query(`SELECT count(*)::int AS n FROM det_post`);

  // The scan: batches read by a keyset cursor over det_post's todo rows (their text was copied into det_post by the
  // window query: a join back to the month-partitioned posts per batch was planned as a scan of every month, 1.2 s); each batch's results are written while the
  // next batch is read and checked (the connection queues the statements; Node matches while PostgreSQL writes).
  // The upsert takes everything from its parameters (hash and month come with the read): no join back to posts.
  const t0 = performance.now();
  const phases = { read: 0, check: 0 };
  let scanned = 0;
  let after = '0';
  let writing: Promise<unknown> = Promise.resolve();
  for (;;) {
    const tr = performance.now();
    const batch: { id: string; published_at: string; content_hash: string | null; title: string; content: string | null; prov: string; key: string }[] = await em.query(`
      SELECT d.id, d.published_at::text AS published_at, d.content_hash, d.title, d.content, d.prov, d.key
        FROM det_post d WHERE d.todo AND d.id > $1::bigint ORDER BY d.id LIMIT ${BATCH}`, [after]);
    phases.read += performance.now() - tr;
    if (!batch.length) break;
    const tc = performance.now();
    const ids: string[] = [];
    const months: string[] = [];
    const hashes: (string | null)[] = [];
    const keys: string[] = [];
    const wrong: string[] = [];
    const markers: string[] = [];
    const categories: string[] = [];
    const serious: boolean[] = [];
    for (const r of batch) {
      const field = r.key.slice(r.key.lastIndexOf(':') + 1);
      const c = checkPost(lexicons.get(r.prov)!, r.title, r.content, field === '-' ? null : (field as never));
      ids.push(r.id);
      months.push(r.published_at);
      hashes.push(r.content_hash);
      keys.push(r.key);
      wrong.push(c.wrong.length ? JSON.stringify(c.wrong) : '[]');
      markers.push(c.markers.length ? JSON.stringify(c.markers) : '[]');
      categories.push(JSON.stringify(c.categories));
      serious.push(c.serious);
    }
    phases.check += performance.now() - tc;
    await writing;
    writing = em.query(`
      INSERT INTO post_content_checks (post_id, published_at, content_hash, lexicon_key, wrong, markers, categories, serious, checked_at)
      SELECT x.id, x.published_at, x.content_hash, x.key, x.wrong, x.markers, ARRAY(SELECT jsonb_array_elements_text(x.categories)), x.serious, now()
        FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::boolean[])
             AS x(id, published_at, content_hash, key, wrong, markers, categories, serious)
      ON CONFLICT (post_id) DO UPDATE SET published_at = EXCLUDED.published_at, content_hash = EXCLUDED.content_hash, lexicon_key = EXCLUDED.lexicon_key, wrong = EXCLUDED.wrong,
        markers = EXCLUDED.markers, categories = EXCLUDED.categories, serious = EXCLUDED.serious, checked_at = EXCLUDED.checked_at`,
    [ids, months, hashes, keys, wrong, markers, categories, serious]);
    scanned += batch.length;
    after = batch[batch.length - 1].id;
  }
  const tw = performance.now();
  await writing;
  if (process.env.CONTENT_PROFILE) {
    console.log(`[content] ${scanned} posts: read ${Math.round(phases.read)} ms, check ${Math.round(phases.check)} ms, last write ${Math.round(performance.now() - tw)} ms`);
  }
  const scanMs = Math.round(performance.now() - t0);

  const post = (hits: string) => `jsonb_build_object('id', p.id::text, 'title', p.title, 'publishedAt', p.published_at, 'hits', ${hits})`;
  const wrongOf = (sev: string) => `(SELECT jsonb_agg(h) FROM jsonb_array_elements(c.wrong) h WHERE h ->> 'severity' = '${sev}')`;
  for (const [rule, severity, sev] of [[DetectionRule.WRONG_EXPRESSION_SERIOUS, Severity.VETO, 'serious'], [DetectionRule.WRONG_EXPRESSION, Severity.MINOR, 'general']] as const) {
    await em.query(`
      INSERT INTO det_hits ${COLS}
      SELECT ${single(rule, severity)},
             jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'windowDays', min(cp.window_days), 'postCount', count(*),
               'posts', to_jsonb((array_agg(${post(wrongOf(sev))} ORDER BY p.published_at DESC, p.id))[1:20])),
             string_agg(p.id::text || '@' || c.content_hash::text, ',' ORDER BY p.id)
        FROM det_post d JOIN post_content_checks c ON c.post_id = d.id JOIN posts p ON p.id = d.id AND p.published_at = d.published_at
        JOIN det_acc a ON a.id = d.account_id JOIN det_cpol cp ON cp.prov = a.prov
       WHERE ${sev === 'serious' ? 'c.serious' : `EXISTS (SELECT 1 FROM jsonb_array_elements(c.wrong) h WHERE h ->> 'severity' = 'general')`}
       GROUP BY a.id, a.unit_id, a.platform, a.name, a.handle`, [asOf]);
  }
  await em.query(`
    WITH per AS (
      SELECT d.account_id, count(*)::int AS n, count(*) FILTER (WHERE cardinality(c.categories) > 0)::int AS off
        FROM det_post d JOIN post_content_checks c ON c.post_id = d.id GROUP BY d.account_id)
    INSERT INTO det_hits ${COLS}
    SELECT ${single(DetectionRule.OFF_MISSION, Severity.MAJOR)},
           jsonb_build_object('account', ${ACCOUNT}, 'checkDate', $1::date, 'windowDays', min(cp.window_days), 'posts', min(per.n),
             'offMissionPosts', min(per.off), 'share', round(min(per.off)::numeric / min(per.n), 3), 'minShare', min(cp.min_share),
             'minPosts', min(cp.min_posts),
             'categories', (SELECT jsonb_object_agg(cat, k) FROM (SELECT cat, count(*) AS k FROM det_post d2 JOIN post_content_checks c2 ON c2.post_id = d2.id
                              CROSS JOIN unnest(c2.categories) cat WHERE d2.account_id = a.id GROUP BY cat) z),
             'examples', to_jsonb((array_agg(${post(`(SELECT jsonb_agg(m) FROM jsonb_array_elements(c.markers) m WHERE m -> 'exempt' = 'null'::jsonb)`)}
               || jsonb_build_object('categories', to_jsonb(c.categories)) ORDER BY p.published_at DESC, p.id))[1:20])),
           string_agg(p.id::text, ',' ORDER BY p.id)
      FROM per JOIN det_acc a ON a.id = per.account_id JOIN det_cpol cp ON cp.prov = a.prov
      JOIN det_post d ON d.account_id = a.id JOIN post_content_checks c ON c.post_id = d.id AND cardinality(c.categories) > 0
      JOIN posts p ON p.id = d.id AND p.published_at = d.published_at
     WHERE per.off >= cp.min_posts AND per.off::numeric / per.n >= cp.min_share
     GROUP BY a.id, a.unit_id, a.platform, a.name, a.handle`, [asOf]);
  return { postsInWindow: n, postsScanned: scanned, scanMs };
}
