/**
 * The four read operations of the benchmark, for our API and as the closest equivalent PostGraphile v5 (amber)
 * query. Shared by the runner (bench.ts) and the statement-count test (operations.test.ts).
 *
 * PostGraphile reads the tables and their foreign keys as they are; what our API computes (the matrix counts, the
 * region filter of the account list, the activity statistics) it gets from SQL functions in the schema `pgl_bench`
 * (PGL_FUNCTIONS_SQL) — the way PostGraphile is meant to be extended — running the same SQL as our services.
 */

import { statsSql } from '../../server/accounts/account-stats';

export interface BenchParams {
  /** Province code, e.g. '35', and its `regions.path`, e.g. '/0/35/'. */
  provinceCode: string;
  provincePath: string;
  /** A county-level unit whose subtree is read (operation 4). */
  countyUnitId: number;
  /** An account read in full (operation 3). */
  accountId: number;
}

export interface BenchOperation {
  key: 'matrix' | 'accountsPage' | 'accountFull' | 'unitSubtree';
  label: string;
  ours: { query: string; variables: (p: BenchParams) => Record<string, unknown> };
  postgraphile: { query: string; variables: (p: BenchParams) => Record<string, unknown> };
  /**
   * The physical limit: the same data in ONE hand-written SQL statement, sent straight through `pg` (no HTTP, no
   * GraphQL, no session check) over a pool of the server's size. What no API over this database can beat.
   */
  limit: { sql: string; params: (p: BenchParams) => unknown[] };
}

/** The row key of the matrix: the sub-region of a unit's region below `$1`, or 'self'. */
const MATRIX_KEY = `COALESCE(NULLIF(split_part(substr(u.region_path, length($1) + 1), '/', 1), ''), 'self')`;
const LIMIT_ACCOUNT = (a: string) => `'id', ${a}.id, 'platform', ${a}.platform, 'handle', ${a}.handle, 'name', ${a}.name, 'status', ${a}.status,
  'type', ${a}.type, 'followers', ${a}.followers, 'isMain', ${a}.is_main, 'lastPostAt', ${a}.last_post_at`;
const LIMIT_UNIT = (u: string) => `'id', ${u}.id, 'code', ${u}.code, 'name', ${u}.name, 'kind', ${u}.kind, 'level', ${u}.level, 'depth', ${u}.depth`;

function limitSubtree(levels: number, parent: string): string {
  const u = `u${levels}`;
  const a = `a${levels}`;
  const accounts = `'accounts', (SELECT COALESCE(json_agg(json_build_object(${LIMIT_ACCOUNT(a)}) ORDER BY ${a}.platform, ${a}.name, ${a}.id), '[]')
    FROM accounts ${a} WHERE ${a}.unit_id = ${u}.id)`;
  const children = levels > 0 ? `, 'children', ${limitSubtree(levels - 1, u)}` : '';
  return `(SELECT COALESCE(json_agg(json_build_object(${LIMIT_UNIT(u)}, ${accounts}${children}) ORDER BY ${u}.code), '[]')
    FROM units ${u} WHERE ${u}.parent_id = ${parent}.id)`;
}

const CELL = 'platform active suspended closed total';
const ACCOUNT_ROW = 'id platform handle name status type followers isMain lastPostAt';
const PGL_ACCOUNT_ROW = 'rowId platform handle name status type followers isMain lastPostAt';
const UNIT_ROW = 'id code name kind level depth';
const PGL_UNIT_ROW = 'rowId code name kind level depth';

function subtree(levels: number, unit: string, account: string, children: string, accounts: string, nodes: boolean): string {
  const acc = nodes ? `${accounts} { nodes { ${account} } }` : `${accounts} { ${account} }`;
  let inner = `${unit} ${acc}`;
  for (let i = 0; i < levels; i++) inner = `${unit} ${acc} ${nodes ? `${children} { nodes { ${inner} } }` : `${children} { ${inner} }`}`;
  return inner;
}

export const BENCH_OPERATIONS: BenchOperation[] = [
  {
    key: 'matrix',
    label: '(1) matrix of a province',
    ours: {
      query: `query BenchMatrix($code: String!) { matrix(regionCode: $code) { region { code name } platforms
        rows { key label kind regionCode unitId live cells { ${CELL} } totalCell { ${CELL} } } totals { ${CELL} } } }`,
      variables: (p) => ({ code: p.provinceCode }),
    },
    postgraphile: {
      query: `query BenchMatrix($code: String!, $path: String!) {
        regionByCode(code: $code) { code name regionsByParentCode(orderBy: CODE_ASC) { nodes { code name } } }
        pglBenchMatrixCells(regionPath: $path) { nodes { key platform status n } } }`,
      variables: (p) => ({ code: p.provinceCode, path: p.provincePath }),
    },
    limit: {
      // The bench's matrix asks for account counts only (no openFindings): so does the limit, as our planner does.
      sql: `SELECT ${MATRIX_KEY} AS key, a.platform, a.status, count(*)::int AS n
              FROM accounts a JOIN units u ON u.id = a.unit_id WHERE u.region_path LIKE $1 || '%' GROUP BY 1, 2, 3`,
      params: (p) => [p.provincePath],
    },
  },
  {
    key: 'accountsPage',
    label: '(2) 50 accounts by province+platform+status, totalCount',
    ours: {
      query: `query BenchAccounts($filter: AccountFilter!) { accounts(first: 50, filter: $filter) { totalCount
        edges { cursor node { ${ACCOUNT_ROW} unit { id name } } } pageInfo { hasNextPage endCursor } } }`,
      variables: (p) => ({ filter: { regionCode: p.provinceCode, platform: ['WECHAT'], status: ['ACTIVE'] } }),
    },
    postgraphile: {
      query: `query BenchAccounts($path: String!) { pglBenchAccountsInRegion(regionPath: $path, platforms: ["wechat"], statuses: ["active"], first: 50) {
        totalCount edges { cursor node { ${PGL_ACCOUNT_ROW} unitByUnitId { rowId name } } } pageInfo { hasNextPage endCursor } } }`,
      variables: (p) => ({ path: p.provincePath }),
    },
    limit: {
      sql: `SELECT a.id, a.platform, a.handle, a.name, a.status, a.type, a.followers, a.is_main, a.last_post_at,
                   u.id AS unit_id, u.name AS unit_name, count(*) OVER () AS total_count
              FROM accounts a JOIN units u ON u.id = a.unit_id
             WHERE u.region_path LIKE $1 || '%' AND a.unit_id = ANY(ARRAY(SELECT id FROM units WHERE region_path LIKE $1 || '%'))
               AND a.platform = 'wechat' AND a.status = 'active'
             ORDER BY a.name COLLATE pinyin, a.id LIMIT 51`,
      params: (p) => [p.provincePath],
    },
  },
  {
    key: 'accountFull',
    label: '(3) one account in full (stats, findings)',
    ours: {
      query: `query BenchAccount($id: ID!) { account(id: $id) { ${ACCOUNT_ROW} filingNo openedOn interactionEnabled postCount
        unit { id code name } services { id name category } statusHistory { fromStatus toStatus changedAt source }
        stats { lastPostAt daysSinceLastPost postsTotal postsLast30Days postsLast90Days originalsLast30Days originalsLast90Days
          medianReads messagesReceived messagesReplied messagesUnanswered oldestUnansweredAt replyRate medianReplyHours }
        findings { id rule severity status evidence firstSeenAt } } }`,
      variables: (p) => ({ id: String(p.accountId) }),
    },
    postgraphile: {
      query: `query BenchAccount($id: Int!) { accountByRowId(rowId: $id) { ${PGL_ACCOUNT_ROW} filingNo openedOn interactionEnabled postCount
        unitByUnitId { rowId code name } servicesByAccountId { nodes { rowId name category } }
        accountStatusHistoriesByAccountId { nodes { fromStatus toStatus changedAt source } }
        findingAccountsByAccountId { nodes { findingByFindingId { rowId rule severity status evidence firstSeenAt } } } }
        pglBenchAccountStats(accountId: $id) { nodes { lastPostAt postsTotal postsLast30Days postsLast90Days originalsLast30Days originalsLast90Days
          medianReads messagesReceived messagesReplied messagesUnanswered oldestUnansweredAt medianReplyHours } } }`,
      variables: (p) => ({ id: p.accountId }),
    },
    limit: {
      sql: `SELECT json_build_object(${LIMIT_ACCOUNT('a')}, 'filingNo', a.filing_no, 'openedOn', a.opened_on,
                'interactionEnabled', a.interaction_enabled, 'postCount', a.post_count,
                'unit', (SELECT json_build_object('id', u.id, 'code', u.code, 'name', u.name) FROM units u WHERE u.id = a.unit_id),
                'services', (SELECT COALESCE(json_agg(json_build_object('id', s.id, 'name', s.name, 'category', s.category) ORDER BY s.id), '[]')
                               FROM services s WHERE s.account_id = a.id AND s.merged_into_id IS NULL),
                'statusHistory', (SELECT COALESCE(json_agg(json_build_object('fromStatus', h.from_status, 'toStatus', h.to_status,
                                    'changedAt', h.changed_at, 'source', h.source) ORDER BY h.changed_at, h.id), '[]')
                                    FROM account_status_history h WHERE h.account_id = a.id),
                'stats', (SELECT row_to_json(st) FROM (${statsSql('a.id = $1', 'now()')}) st),
                'findings', (SELECT COALESCE(json_agg(json_build_object('id', f.id, 'rule', f.rule, 'severity', f.severity, 'status', f.status,
                               'evidence', f.evidence, 'firstSeenAt', f.first_seen_at) ORDER BY f.severity_rank, f.id DESC), '[]')
                               FROM finding_accounts fa JOIN findings f ON f.id = fa.finding_id
                              WHERE fa.account_id = a.id AND f.status <> 'resolved')) AS account
              FROM accounts a WHERE a.id = $1`,
      params: (p) => [p.accountId],
    },
  },
  {
    key: 'unitSubtree',
    label: '(4) county unit subtree, 3 levels, with accounts',
    ours: {
      query: `query BenchSubtree($id: ID!) { unit(id: $id) { ${subtree(3, UNIT_ROW, ACCOUNT_ROW, 'children', 'accounts', false)} } }`,
      variables: (p) => ({ id: String(p.countyUnitId) }),
    },
    postgraphile: {
      query: `query BenchSubtree($id: Int!) { unitByRowId(rowId: $id) {
        ${subtree(3, PGL_UNIT_ROW, PGL_ACCOUNT_ROW, 'unitsByParentId(orderBy: CODE_ASC)', 'accountsByUnitId(orderBy: [PLATFORM_ASC, NAME_ASC])', true)} } }`,
      variables: (p) => ({ id: p.countyUnitId }),
    },
    limit: {
      sql: `SELECT json_build_object(${LIMIT_UNIT('r')},
                'accounts', (SELECT COALESCE(json_agg(json_build_object(${LIMIT_ACCOUNT('ra')}) ORDER BY ra.platform, ra.name, ra.id), '[]')
                               FROM accounts ra WHERE ra.unit_id = r.id),
                'children', ${limitSubtree(2, 'r')}) AS unit
              FROM units r WHERE r.id = $1`,
      params: (p) => [p.countyUnitId],
    },
  },
];

/**
 * Functions PostGraphile exposes as `matrixCells`, `accountsInRegion` and `accountStats`: the same SQL our matrix
 * service, account filter and statistics loader run (server/matrix/matrix.service.ts, accounts.service.ts,
 * account-stats.ts). Only created in the benchmark database.
 */
export const PGL_FUNCTIONS_SQL = `
CREATE SCHEMA IF NOT EXISTS pgl_bench;
-- The references detection writes in bulk are kept by statement triggers, not foreign keys
-- (migrations/1732947100000-StatementReferences.ts): PostGraphile is told them as smart tags, so its relations
-- (an account's findings through finding_accounts) are the ones a foreign key would give.
DO $tags$
DECLARE r record;
BEGIN
  FOR r IN SELECT child, string_agg(format('@foreignKey (%I) references %I (id)', child_column, parent), E'\\n' ORDER BY name) AS tags
             FROM public.statement_references GROUP BY child LOOP
    EXECUTE format('COMMENT ON TABLE public.%I IS %L', r.child, r.tags);
  END LOOP;
END $tags$;
CREATE OR REPLACE FUNCTION pgl_bench.matrix_cells(region_path text)
RETURNS TABLE (key text, platform text, status text, n int) LANGUAGE sql STABLE AS $$
  SELECT COALESCE(NULLIF(split_part(substr(u.region_path, length(matrix_cells.region_path) + 1), '/', 1), ''), 'self'),
         a.platform, a.status, count(*)::int
    FROM public.accounts a JOIN public.units u ON u.id = a.unit_id
   WHERE u.region_path LIKE matrix_cells.region_path || '%'
   GROUP BY 1, 2, 3
$$;
CREATE OR REPLACE FUNCTION pgl_bench.accounts_in_region(region_path text, platforms text[], statuses text[])
RETURNS SETOF public.accounts LANGUAGE sql STABLE AS $$
  SELECT a.* FROM public.accounts a JOIN public.units u ON u.id = a.unit_id
   WHERE u.region_path LIKE accounts_in_region.region_path || '%' AND a.platform = ANY (platforms) AND a.status = ANY (statuses)
   ORDER BY a.name, a.id
$$;
CREATE OR REPLACE FUNCTION pgl_bench.account_stats(account_id int)
RETURNS TABLE (last_post_at timestamptz, posts_total int, posts_last30_days int, posts_last90_days int, originals_last30_days int,
               originals_last90_days int, median_reads float8, messages_received int, messages_replied int, messages_unanswered int,
               oldest_unanswered_at timestamptz, median_reply_hours float8) LANGUAGE sql STABLE AS $$
  SELECT a.last_post_at, a.post_count,
         COALESCE(p.posts30, 0)::int, COALESCE(p.posts90, 0)::int, COALESCE(p.orig30, 0)::int, COALESCE(p.orig90, 0)::int,
         p.median_reads, COALESCE(m.received, 0)::int, COALESCE(m.replied, 0)::int, COALESCE(u.unanswered, 0)::int, u.oldest,
         m.median_reply_hours
    FROM public.accounts a
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE published_at > now() - interval '30 days') AS posts30,
             count(*) FILTER (WHERE published_at > now() - interval '90 days') AS posts90,
             count(*) FILTER (WHERE original AND published_at > now() - interval '30 days') AS orig30,
             count(*) FILTER (WHERE original AND published_at > now() - interval '90 days') AS orig90,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY reads) AS median_reads
        FROM public.posts WHERE posts.account_id = a.id AND published_at > now() - interval '365 days' AND published_at <= now()
    ) p ON true
    LEFT JOIN LATERAL (
      SELECT count(*) AS received, count(replied_at) AS replied,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM replied_at - received_at) / 3600.0)
               FILTER (WHERE replied_at IS NOT NULL) AS median_reply_hours
        FROM public.messages WHERE messages.account_id = a.id AND received_at > now() - interval '365 days' AND received_at <= now()
    ) m ON true
    LEFT JOIN LATERAL (
      SELECT count(*) AS unanswered, min(received_at) AS oldest
        FROM public.messages WHERE messages.account_id = a.id AND replied_at IS NULL AND received_at <= now()
    ) u ON true
   WHERE a.id = account_stats.account_id
$$;
`;
