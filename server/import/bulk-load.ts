import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { countStatement } from '../db/sql-counter';
import { copyEscape, FILE_SPECS, type FileName, type FileSpec } from './csv-schema';
import { BINARY_COPY_HEADER, microsText, readCsvInto, type ProblemSink, type ReadOutcome } from './csv-reader';
import { readCsvInWorker, type MonthArrays } from './csv-worker';
import { postTotalsUpsert, READ_EDGES } from '../detection/post-months';
import { normalizeName } from '../detection/name-normalize';

/**
 * The database half of the import, on one connection inside one transaction:
 *   stage  — CREATE TEMP TABLE + COPY FROM STDIN of the validated rows (streamed from the CSV reader, in a worker
 *            thread for large files: csv-worker.ts); temporary tables are never WAL-logged (unlogged staging);
 *   check  — the set-based checks that need the whole file or the database (duplicates, references, cycles);
 *   load   — one INSERT ... SELECT ... ON CONFLICT per table; updates only touch rows whose values differ.
 */

export interface Sql {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

const PROFILE = Boolean(process.env.IMPORT_PROFILE);

/** Raw pg on the import's connection; every statement is counted (sql-counter) like TypeORM's. */
export function rawSql(client: PoolClient): Sql {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      countStatement(sql);
      const t = performance.now();
      const res = await client.query(sql, params as unknown[]);
      // IMPORT_PROFILE=1 prints every statement of the import that takes more than 100 ms.
      if (PROFILE && performance.now() - t > 100) console.log(`[import] ${Math.round(performance.now() - t)} ms ${sql.replace(/\s+/g, ' ').slice(0, 160)}`);
      return res.rows as T[];
    },
  };
}

export interface Staged extends ReadOutcome {
  spec: FileSpec;
}

/** `inWorker`: parse and validate in a worker thread (csv-worker.ts), else on this thread — the same checks either way. */
export async function stageFile(client: PoolClient, sql: Sql, name: FileName, source: Readable, sink: ProblemSink, inWorker = false): Promise<Staged> {
  const spec = FILE_SPECS[name];
  const cols = spec.columns.map((c) => `${c.name} ${c.sqlType}`).join(', ');
  const extra = name === 'units.csv' ? ', is_new boolean NOT NULL DEFAULT false' : '';
  await sql.query(`CREATE TEMP TABLE ${spec.stage} (line int NOT NULL, ${cols}${extra}) ON COMMIT DROP`);
  const copySql = `COPY ${spec.stage} (line, ${spec.columns.map((c) => c.name).join(', ')}) FROM STDIN`;
  countStatement(copySql);
  const target = client.query(copyFrom(copySql));
  const outcome = inWorker ? await readCsvInWorker(name, source, target, sink) : await readCsvInto(spec, source, target, sink);
  await sql.query(`ANALYZE ${spec.stage}`);
  return { ...outcome, spec };
}

/** The real table and its columns for a direct load: `account_id`, then the file's columns after platform and handle. */
const DIRECT: Partial<Record<FileName, { table: string; columns: string[]; months: boolean }>> = {
  'posts.csv': { table: 'posts', columns: ['id', 'account_id', 'published_at', 'title', 'original', 'reads', 'content'], months: true },
  'messages.csv': { table: 'messages', columns: ['id', 'account_id', 'received_at', 'replied_at'], months: false },
};

export function directTable(name: FileName): string | null {
  return DIRECT[name]?.table ?? null;
}

/**
 * Loads posts.csv or messages.csv straight into its (empty, indexes and foreign keys dropped) table: parsed and
 * validated in a worker like `stageFile`, the account of each row resolved there from the accounts already loaded,
 * one COPY into the real table — no staging table, no INSERT ... SELECT. For posts, each new month's partition is
 * created between two COPYs before its first row. The caller checks what this cannot: problems reported (cells, unknown
 * accounts) and duplicates (the unique natural key built afterwards) send the import back to the staged path.
 * Afterwards a small `_imp_posts` / `_imp_messages` (platform, handle) of the accounts the file used stands in for the
 * staging table (post rollups, the audit's units).
 */
export async function loadDirect(client: PoolClient, sql: Sql, name: FileName, source: Readable, sink: ProblemSink): Promise<Staged> {
  const spec = FILE_SPECS[name];
  const d = DIRECT[name]!;
  const accounts = await sql.query<{ platform: string; handle: string; id: number }>(`SELECT platform, handle, id FROM accounts`);
  const keys = accounts.map((a) => `${a.platform}\u0000${copyEscape(a.handle)}`);
  // Ids numbered by the worker from the sequence's next value (nobody else can insert: the table is locked since
  // import_drop_indexes), the sequence set past them afterwards — no nextval() per row.
  const seq = `pg_get_serial_sequence('public.${d.table}', 'id')`;
  const [{ first }] = await sql.query<{ first: string }>(`SELECT nextval(${seq}) AS first`);
  // Binary COPY (csv-reader.ts DirectLoad.binary): each stream begins with its header. FREEZE: the table was emptied
  // by this (sub)transaction (import_drop_indexes), so the rows go in frozen and their pages all-visible — no heap
  // visit for an index-only scan, no hint bits to set, nothing for a vacuum to freeze later
  // (migrations/1732947300000-ImportFreezesPosts.ts). A partitioned table takes no FREEZE: posts go into each month's
  // partition, one COPY per chunk of a month's rows (csv-reader.ts DirectLoad.byMonth).
  const copyInto = (rel: string) => `COPY ${rel} (${d.columns.join(', ')}) FROM STDIN WITH (FORMAT binary, FREEZE)`;
  const openCopy = (rel: string) => {
    const copySql = copyInto(rel);
    countStatement(copySql);
    const stream = client.query(copyFrom(copySql));
    stream.write(BINARY_COPY_HEADER);
    return stream;
  };
  // A month's partition (posts_default for a month without one), with INSERT on it for the application role until
  // import_restore_indexes: by month index (year × 12 + month - 1).
  const partitions = new Map<number, string>();
  const openMonth = async (monthIndex: number) => {
    let rel = partitions.get(monthIndex);
    if (rel === undefined) {
      const month = `${Math.floor(monthIndex / 12)}-${String((monthIndex % 12) + 1).padStart(2, '0')}-01 00:00:00+08:00`;
      [{ rel }] = await sql.query<{ rel: string }>(`SELECT import_copy_target($1::timestamptz, current_user) AS rel`, [month]);
      partitions.set(monthIndex, rel);
    }
    return openCopy(rel);
  };
  // The first problem settles it (the staged path will run and list them all): stop reading the file.
  let failed = false;
  const watched: ProblemSink = {
    add(file, line, column, message) {
      failed = true;
      sink.add(file, line, column, message);
    },
  };
  const outcome = await readCsvInWorker(name, source, d.months ? null : openCopy(d.table), watched, {
    stop: () => failed,
    binary: true,
    keys,
    ids: accounts.map((a) => a.id),
    firstId: Number(first),
    readEdges: d.months ? READ_EDGES : undefined,
    // Posts: each new month's partition created before its first rows are copied (no COPY open meanwhile).
    month: d.months
      ? async (month) => {
        await sql.query(`SELECT posts_ensure_months(ARRAY[$1::timestamptz])`, [month]);
      }
      : undefined,
    open: d.months ? openMonth : undefined,
  });
  if (outcome.staged > 0) await sql.query(`SELECT setval(${seq}, $1)`, [Number(first) + outcome.staged - 1]);
  if (outcome.months) await loadPostMonths(client, sql, outcome.months, outcome.latest.ids);
  const { latest } = outcome;
  await sql.query(`CREATE TEMP TABLE ${spec.stage} ON COMMIT DROP AS SELECT platform, handle FROM accounts WHERE id = ANY($1::int[])`, [latest.ids]);
  if (d.months && outcome.staged > 0) {
    // accounts.post_count / last_post_at from what the worker counted (the table was empty: its rows are the file's),
    // instead of a pass over every post loaded (refreshPostRollups, the staged path's way).
    await sql.query(`
      UPDATE accounts a SET last_post_at = r.last, post_count = r.n
        FROM unnest($1::int[], $2::timestamptz[], $3::int[]) r(id, last, n)
       WHERE a.id = r.id AND (a.last_post_at, a.post_count) IS DISTINCT FROM (r.last, r.n)`, [latest.ids, latest.at, latest.n]);
  }
  return { rows: outcome.rows, staged: outcome.staged, present: outcome.present, headerOk: outcome.headerOk, spec };
}

/**
 * The maintained months (detection/post-months.ts) of the accounts of a direct load, from the worker's counts instead
 * of a pass over every post loaded: the table was empty, so the file's rows are all their posts (own posts: imported
 * rows have no origin). Month rows replaced, totals upserted from them, as `refreshPostMonths` does.
 */
async function loadPostMonths(client: PoolClient, sql: Sql, m: MonthArrays, accountIds: number[]): Promise<void> {
  await sql.query(`DELETE FROM account_post_months WHERE account_id = ANY($1::int[])`, [accountIds]);
  const copySql = `COPY account_post_months (account_id, month, posts, originals, last_post_at, reads_below) FROM STDIN`;
  countStatement(copySql);
  const target = client.query(copyFrom(copySql));
  let buf = '';
  for (let slot = 0; slot < m.count; slot++) {
    const o = slot * m.width;
    const month = m.ints[o + 1];
    const below: number[] = [];
    for (let i = 4; i < m.width; i++) below.push(m.ints[o + i]);
    buf += `${m.ints[o]}\t${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}-01\t${m.ints[o + 2]}\t${m.ints[o + 3]}\t${microsText(m.last[slot])}\t{${below.join(',')}}\n`;
    if (buf.length >= 1 << 20) {
      if (!target.write(buf)) await new Promise<void>((r) => target.once('drain', () => r()));
      buf = '';
    }
  }
  target.end(buf);
  await finished(target);
  await sql.query(postTotalsUpsert('SELECT unnest($1::int[])'), [accountIds]);
}

export interface SqlProblem {
  line: number;
  col: string;
  msg: string;
  total: number;
}

/** One check: `select` yields (line, col, msg) per problem; at most `limit` of them come back, each with the total. */
export function checkQuery(sql: Sql, select: string, limit: number, params: unknown[] = []): Promise<SqlProblem[]> {
  return sql.query<SqlProblem>(`SELECT line, col, msg, count(*) OVER ()::int AS total FROM (${select}) p ORDER BY line LIMIT ${limit}`, params);
}

/** Runs every cross-row check for the staged files; returns problems (at most `limit` per check) with totals. */
export async function crossCheck(sql: Sql, staged: Map<FileName, Staged>, limit: number): Promise<{ file: FileName; problems: SqlProblem[] }[]> {
  const out: { file: FileName; problems: SqlProblem[] }[] = [];
  const has = (f: FileName) => staged.has(f);
  const run = async (file: FileName, select: string) => {
    const problems = await checkQuery(sql, select, limit);
    if (problems.length) out.push({ file, problems });
  };
  const accountMissing = (stage: string) => `
    SELECT s.line, 'handle' AS col, format('账号 %s:%s 不存在（既不在 accounts.csv 中，也不在数据库中）', s.platform, s.handle) AS msg
      FROM ${stage} s
     WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.platform = s.platform AND a.handle = s.handle)
       ${has('accounts.csv') ? 'AND NOT EXISTS (SELECT 1 FROM _imp_accounts x WHERE x.platform = s.platform AND x.handle = s.handle)' : ''}`;
  const duplicates = (stage: string, key: string[], col: string, what: string) => `
    SELECT s.line, '${col}' AS col, format('${what}（%s）与第 %s 行重复', concat_ws(' / ', ${key.map((k) => `s.${k}`).join(', ')}), d.first) AS msg
      FROM ${stage} s JOIN (SELECT ${key.join(', ')}, min(line) AS first FROM ${stage} GROUP BY ${key.join(', ')} HAVING count(*) > 1) d
        USING (${key.join(', ')})
     WHERE s.line > d.first`;
  // Only called when units.csv is staged.
  const unitMissing = (col: string, what: string) => `
    SELECT s.line, '${col}' AS col, format('${what} %s 不存在（既不在 units.csv 中，也不在数据库中）', s.${col}) AS msg
      FROM _imp_units s
     WHERE s.${col} IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM units u WHERE u.code = s.${col})
       AND NOT EXISTS (SELECT 1 FROM _imp_units x WHERE x.code = s.${col})`;

  const units = staged.get('units.csv');
  if (units?.headerOk) {
    await run('units.csv', duplicates('_imp_units', ['code'], 'code', '单位代码'));
    if (units.present.has('parent_code')) {
      await run('units.csv', unitMissing('parent_code', '上级单位'));
      await run('units.csv', `
        WITH RECURSIVE eff AS (
          (SELECT DISTINCT ON (code) code, parent_code FROM _imp_units ORDER BY code, line)
          UNION ALL
          SELECT u.code, p.code FROM units u LEFT JOIN units p ON p.id = u.parent_id
           WHERE NOT EXISTS (SELECT 1 FROM _imp_units x WHERE x.code = u.code)
        ), tree AS (
          SELECT e.code FROM eff e WHERE e.parent_code IS NULL OR NOT EXISTS (SELECT 1 FROM eff p WHERE p.code = e.parent_code)
          UNION
          SELECT e.code FROM eff e JOIN tree t ON e.parent_code = t.code
        )
        SELECT s.line, 'parent_code' AS col,
               format('上级单位关系形成循环：%s 的上级链（经由 %s）最终回到自身或进入循环', s.code, s.parent_code) AS msg
          FROM _imp_units s
         WHERE s.parent_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tree t WHERE t.code = s.code)`);
    }
    if (units.present.has('supervisor_code')) await run('units.csv', unitMissing('supervisor_code', '主管单位'));
    if (units.present.has('region_code')) {
      await run('units.csv', `
        SELECT s.line, 'region_code' AS col, format('行政区划代码 %s 不存在', s.region_code) AS msg
          FROM _imp_units s WHERE s.region_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = s.region_code)`);
    }
  }
  const accounts = staged.get('accounts.csv');
  if (accounts?.headerOk) {
    await run('accounts.csv', duplicates('_imp_accounts', ['platform', 'handle'], 'handle', '账号（平台 + 账号标识）'));
    await run('accounts.csv', `
      SELECT s.line, 'unit_code' AS col, format('主办单位 %s 不存在（既不在 units.csv 中，也不在数据库中）', s.unit_code) AS msg
        FROM _imp_accounts s
       WHERE s.unit_code IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM units u WHERE u.code = s.unit_code)
         ${has('units.csv') ? 'AND NOT EXISTS (SELECT 1 FROM _imp_units x WHERE x.code = s.unit_code)' : ''}`);
  }
  if (staged.get('services.csv')?.headerOk) {
    await run('services.csv', duplicates('_imp_services', ['platform', 'handle', 'name'], 'name', '同一账号的同名服务'));
    await run('services.csv', accountMissing('_imp_services'));
  }
  if (staged.get('posts.csv')?.headerOk) {
    await run('posts.csv', duplicates('_imp_posts', ['platform', 'handle', 'published_at', 'title'], 'title', '同一账号、同一发布时间、同一标题的内容'));
    await run('posts.csv', accountMissing('_imp_posts'));
  }
  if (staged.get('messages.csv')?.headerOk) {
    await run('messages.csv', duplicates('_imp_messages', ['platform', 'handle', 'received_at'], 'received_at', '同一账号、同一收到时间的留言'));
    await run('messages.csv', accountMissing('_imp_messages'));
  }
  return out;
}

export interface LoadCounts {
  inserted: number;
  updated: number;
}

const IMPORT_REASON = 'CSV 导入';

/** Writes the staged (and fully checked) files into the real tables. Returns counts per file and status changes. */
export async function loadAll(sql: Sql, staged: Map<FileName, Staged>): Promise<{ counts: Map<FileName, LoadCounts>; statusChanges: number; postsInserted: number }> {
  const counts = new Map<FileName, LoadCounts>();
  let statusChanges = 0;
  const units = staged.get('units.csv');
  if (units) counts.set('units.csv', await loadUnits(sql, units.present));
  const accounts = staged.get('accounts.csv');
  if (accounts) {
    const r = await loadAccounts(sql, accounts.present);
    counts.set('accounts.csv', r);
    statusChanges = r.statusChanges;
  }
  if (staged.has('services.csv')) {
    const present = staged.get('services.csv')!.present;
    counts.set('services.csv', await upsertCounted(sql, `
      INSERT INTO services (account_id, name${present.has('category') ? ', category' : ''})
      SELECT a.id, s.name${present.has('category') ? ', s.category' : ''}
        FROM _imp_services s JOIN accounts a ON a.platform = s.platform AND a.handle = s.handle
      ON CONFLICT (account_id, name) ${present.has('category')
        ? 'DO UPDATE SET category = EXCLUDED.category WHERE services.category IS DISTINCT FROM EXCLUDED.category'
        : 'DO NOTHING'}
      RETURNING (xmax = 0) AS inserted`));
  }
  let postsInserted = 0;
  if (staged.has('posts.csv')) {
    const r = await loadPosts(sql, staged.get('posts.csv')!.present.has('content'));
    counts.set('posts.csv', r);
    postsInserted = r.inserted;
    if (r.inserted > 0) await refreshPostRollups(sql);
  }
  if (staged.has('messages.csv')) {
    const present = staged.get('messages.csv')!.present;
    const cols = present.has('replied_at') ? ', replied_at' : '';
    const select = `SELECT a.id, s.received_at${present.has('replied_at') ? ', s.replied_at' : ''}
        FROM _imp_messages s JOIN accounts a ON a.platform = s.platform AND a.handle = s.handle`;
    // An empty table is loaded without its secondary indexes (built once afterwards), and without conflicts to check.
    const [{ dropped }] = await sql.query<{ dropped: number }>(`SELECT import_drop_indexes('messages') AS dropped`);
    if (dropped > 0) {
      const [{ n }] = await sql.query<{ n: number }>(`WITH ins AS (INSERT INTO messages (account_id, received_at${cols}) ${select} RETURNING 1)
        SELECT count(*)::int AS n FROM ins`);
      await sql.query(`SELECT import_restore_indexes()`);
      counts.set('messages.csv', { inserted: n, updated: 0 });
    } else {
      counts.set('messages.csv', await upsertCounted(sql, `
        INSERT INTO messages (account_id, received_at${cols})
        ${select}
        ON CONFLICT (account_id, received_at) ${present.has('replied_at')
          ? 'DO UPDATE SET replied_at = EXCLUDED.replied_at WHERE messages.replied_at IS DISTINCT FROM EXCLUDED.replied_at'
          : 'DO NOTHING'}
        RETURNING (xmax = 0) AS inserted`));
    }
  }
  return { counts, statusChanges, postsInserted };
}

/**
 * Posts (a table partitioned by month: migrations/1732940000000-PostsByMonth.ts). The months of the file get their
 * partitions first. Into an empty table the rows go with a plain INSERT, its secondary indexes dropped before and
 * built once after; otherwise rows equal to the stored ones are left alone (neither locked nor rewritten), rows that
 * differ are updated, new ones inserted. The optional `content` column: when present, a post's text is stored (and
 * replaced when it differs); when absent, stored texts are left alone.
 */
async function loadPosts(sql: Sql, withContent: boolean): Promise<LoadCounts> {
  await sql.query(`SELECT posts_ensure_months(ARRAY(
    SELECT DISTINCT date_trunc('month', published_at AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' FROM _imp_posts))`);
  const cols = withContent ? ['original', 'reads', 'content'] : ['original', 'reads'];
  const tuple = (t: string) => `(${cols.map((c) => `${t}.${c}`).join(', ')})`;
  const [{ dropped }] = await sql.query<{ dropped: number }>(`SELECT import_drop_indexes('posts') AS dropped`);
  // Whether any account of the file has posts already (a re-import); a first import skips the comparisons.
  const [{ known }] = dropped > 0 ? [{ known: false }] : await sql.query<{ known: boolean }>(`
    SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT platform, handle FROM _imp_posts) k
                     JOIN accounts a ON a.platform = k.platform AND a.handle = k.handle
                    WHERE EXISTS (SELECT 1 FROM posts p WHERE p.account_id = a.id)) AS known`);
  const from = `_imp_posts s JOIN accounts a ON a.platform = s.platform AND a.handle = s.handle`;
  if (!known) {
    const [{ n }] = await sql.query<{ n: number }>(`
      WITH ins AS (
        INSERT INTO posts (account_id, published_at, title, ${cols.join(', ')})
        SELECT a.id, s.published_at, s.title, ${cols.map((c) => `s.${c}`).join(', ')} FROM ${from}
        RETURNING 1)
      SELECT count(*)::int AS n FROM ins`);
    if (dropped > 0) await sql.query(`SELECT import_restore_indexes()`);
    return { inserted: n, updated: 0 };
  }
  // One pass over the stored posts finds the rows that are new or differ; unchanged rows are neither locked nor rewritten.
  await sql.query(`
    CREATE TEMP TABLE _imp_posts_diff ON COMMIT DROP AS
    SELECT a.id AS account_id, s.published_at, s.title, ${cols.map((c) => `s.${c}`).join(', ')}, p.id AS post_id
      FROM ${from}
      LEFT JOIN posts p ON p.account_id = a.id AND p.published_at = s.published_at AND md5(p.title) = md5(s.title)
     WHERE p.id IS NULL OR ${tuple('p')} IS DISTINCT FROM ${tuple('s')}`);
  const [{ n: updated }] = await sql.query<{ n: number }>(`
    WITH up AS (
      UPDATE posts p SET ${cols.map((c) => `${c} = d.${c}`).join(', ')}
        FROM _imp_posts_diff d
       WHERE d.post_id IS NOT NULL AND p.id = d.post_id AND p.published_at = d.published_at
      RETURNING 1)
    SELECT count(*)::int AS n FROM up`);
  const [{ n: inserted }] = await sql.query<{ n: number }>(`
    WITH ins AS (
      INSERT INTO posts (account_id, published_at, title, ${cols.join(', ')})
      SELECT account_id, published_at, title, ${cols.join(', ')} FROM _imp_posts_diff WHERE post_id IS NULL
      RETURNING 1)
    SELECT count(*)::int AS n FROM ins`);
  await sql.query(`DROP TABLE _imp_posts_diff`);
  return { inserted, updated };
}

async function upsertCounted(sql: Sql, upsert: string): Promise<LoadCounts> {
  const [r] = await sql.query<LoadCounts>(`
    WITH up AS (${upsert})
    SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM up`);
  return r;
}

/** Units: insert the new codes, then one UPDATE sets every column (parents and supervisors resolved by code). */
async function loadUnits(sql: Sql, present: Set<string>): Promise<LoadCounts> {
  await sql.query(`UPDATE _imp_units s SET is_new = NOT EXISTS (SELECT 1 FROM units u WHERE u.code = s.code)`);
  const [{ inserted }] = await sql.query<{ inserted: number }>(`
    WITH ins AS (
      INSERT INTO units (code, name, kind, level, region_code, path)
      SELECT code, name, kind, level, region_code, '' FROM _imp_units WHERE is_new
      RETURNING 1)
    SELECT count(*)::int AS inserted FROM ins`);
  const sets = ['name = s.name', 'kind = s.kind', 'level = s.level'];
  const cur = ['u.name', 'u.kind', 'u.level'];
  const next = ['s.name', 's.kind', 's.level'];
  if (present.has('region_code')) { sets.push('region_code = s.region_code'); cur.push('u.region_code'); next.push('s.region_code'); }
  if (present.has('parent_code')) { sets.push('parent_id = p.id'); cur.push('u.parent_id'); next.push('p.id'); }
  if (present.has('supervisor_code')) { sets.push('supervisor_id = sv.id'); cur.push('u.supervisor_id'); next.push('sv.id'); }
  const [{ updated }] = await sql.query<{ updated: number }>(`
    WITH upd AS (
      UPDATE units u SET ${sets.join(', ')}, updated_at = now()
        FROM _imp_units s
        LEFT JOIN units p ON p.code = s.parent_code
        LEFT JOIN units sv ON sv.code = s.supervisor_code
       WHERE u.code = s.code AND (${cur.join(', ')}) IS DISTINCT FROM (${next.join(', ')})
      RETURNING s.is_new)
    SELECT count(*) FILTER (WHERE NOT is_new)::int AS updated FROM upd`);
  return { inserted, updated };
}

const ACCOUNT_OPTIONAL = ['filing_no', 'opened_on', 'followers', 'interaction_enabled', 'is_main', 'closed_on', 'filing_status', 'filing_changed_on'];

/** Accounts: status history for changed statuses, then one upsert (history rows for new accounts in the same statement). */
async function loadAccounts(sql: Sql, present: Set<string>): Promise<LoadCounts & { statusChanges: number }> {
  const changed = await sql.query<{ n: number }>(`
    WITH h AS (
      INSERT INTO account_status_history (account_id, from_status, to_status, source, reason)
      SELECT a.id, a.status, s.status, 'import', $1
        FROM _imp_accounts s JOIN accounts a ON a.platform = s.platform AND a.handle = s.handle
       WHERE a.status IS DISTINCT FROM s.status
      RETURNING 1)
    SELECT count(*)::int AS n FROM h`, [IMPORT_REASON]);
  const optional = ACCOUNT_OPTIONAL.filter((c) => present.has(c));
  const cols = ['name', 'unit_id', 'type', 'status', ...optional];
  // Each name's normalised form (detection/name-normalize.ts) written with the row: a row written without it is
  // "stale" and enters the partial index of stale names, and the refresh that follows leaves that entry dead until a
  // vacuum — after a national import, 181,063 dead entries that every detection run's probe of that index walked
  // (80–98 ms a run, national or one province, in the bench right after its import).
  const names = (await sql.query<{ name: string }>(`SELECT DISTINCT name FROM _imp_accounts`)).map((x) => x.name);
  const [r] = await sql.query<LoadCounts & { created: number }>(`
    WITH nn AS (SELECT * FROM unnest($2::text[], $3::text[]) AS nn(name, norm)),
    up AS (
      INSERT INTO accounts (platform, handle, ${cols.join(', ')}, name_normalized, name_normalized_from)
      SELECT s.platform, s.handle, s.name, u.id, s.type, s.status${optional.map((c) => `, s.${c}`).join('')}, nn.norm, nn.name
        FROM _imp_accounts s JOIN units u ON u.code = s.unit_code LEFT JOIN nn ON nn.name = s.name
      ON CONFLICT (platform, handle) DO UPDATE SET ${cols.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now(),
        name_normalized = EXCLUDED.name_normalized, name_normalized_from = EXCLUDED.name_normalized_from
       WHERE (${cols.map((c) => `accounts.${c}`).join(', ')}) IS DISTINCT FROM (${cols.map((c) => `EXCLUDED.${c}`).join(', ')})
      RETURNING id, status, (xmax = 0) AS inserted
    ), h AS (
      INSERT INTO account_status_history (account_id, from_status, to_status, source, reason)
      SELECT id, NULL, status, 'import', $1 FROM up WHERE inserted
      RETURNING 1)
    SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated,
           (SELECT count(*)::int FROM h) AS created
      FROM up`, [IMPORT_REASON, names, names.map(normalizeName)]);
  return { inserted: r.inserted, updated: r.updated, statusChanges: changed[0].n + r.created };
}

/** `last_post_at` / `post_count` of every account that appears in posts.csv, in one statement. */
async function refreshPostRollups(sql: Sql): Promise<void> {
  await sql.query(`
    UPDATE accounts a SET last_post_at = r.last, post_count = r.n
      FROM (SELECT p.account_id, max(p.published_at) AS last, count(*)::int AS n
              FROM posts p
             WHERE p.origin_account_id IS NULL -- migrated posts are the receiving account's archive, not its own activity
               AND p.account_id IN (SELECT a2.id FROM accounts a2 JOIN (SELECT DISTINCT platform, handle FROM _imp_posts) k
                                       ON a2.platform = k.platform AND a2.handle = k.handle)
             GROUP BY p.account_id) r
     WHERE a.id = r.account_id AND (a.last_post_at, a.post_count) IS DISTINCT FROM (r.last, r.n)`);
}
