import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { refreshUnitPaths } from '../units/unit-paths';
import { refreshNormalizedNames } from '../detection/name-normalize';
import type { Context } from '../kernel/context';
import { requireRole } from '../kernel/access';
import { LOCKS, rawClient, transaction } from '../kernel/transaction';
import { Role } from '../common/enums';
import { FILE_NAMES, FILE_SPECS, isFileName, type FileName } from './csv-schema';
import { POSTS_FILE_ACCOUNTS, refreshPostMonths } from '../detection/post-months';
import { primeContentChecks } from '../content/content-prime';
import { checkDate } from '../detection/detection.dates';
import { detectionService } from '../detection/detection.service';
import type { DetectionRun } from '../detection/detection-run.entity';
import { crossCheck, directTable, loadAll, loadDirect, rawSql, stageFile, type Sql, type Staged } from './bulk-load';
import { scopeCheck } from './import-scope';
import { captureChanges, recordImportAudit } from './import-audit';
import type { ProblemSink } from './csv-reader';
import { ImportResult, type ImportFile, type ImportFileCount, type ImportOptions, type ImportProblem } from './import.types';

export { ImportResult, type ImportFile, type ImportFileCount, type ImportOptions, type ImportProblem } from './import.types';

/**
 * CSV import (see the README, "导入格式"): validate everything, then load everything, in one transaction on one
 * connection of the data source's pool. Any problem → rollback, every problem listed, nothing written.
 */

const DEFAULT_MAX_ERRORS = 10_000;
const WORKER_MIN_BYTES = 1 << 20;
const ALLOWED = FILE_NAMES.join('、');

interface Input {
  name: FileName;
  /** Bytes (or characters, for text given in memory). */
  size: number;
  open(): Readable;
}

/** Imports files given in memory (the GraphQL upload). */
export function importFiles(ctx: Context, files: ImportFile[], opts: ImportOptions = {}): Promise<ImportResult> {
  const problems: ImportProblem[] = [];
  const inputs: Input[] = [];
  if (files.length === 0) problems.push(problem('-', 0, '-', `没有提供任何文件；可导入的文件：${ALLOWED}`));
  for (const f of files) {
    const name = path.basename(f.name.replace(/\\/g, '/'));
    if (!isFileName(name)) problems.push(problem(f.name, 0, '-', `不认识的文件名；只接受 ${ALLOWED}`));
    else if (inputs.some((i) => i.name === name)) problems.push(problem(name, 0, '-', '同名文件提供了不止一次'));
    else inputs.push({ name, size: f.content.length, open: () => Readable.from(textChunks(f.content)) });
  }
  return runImport(ctx, inputs, problems, opts);
}

/** Imports the CSV files of a directory, streamed from disk (used by the CLI and the seed). */
export async function importDirectory(ctx: Context, dir: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const problems: ImportProblem[] = [];
  const inputs: Input[] = [];
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch (err) {
    problems.push(problem(dir, 0, '-', `无法读取目录：${(err as NodeJS.ErrnoException).code ?? String(err)}`));
    entries = [];
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || !e.isFile()) continue;
    if (!isFileName(e.name)) problems.push(problem(e.name, 0, '-', `不认识的文件名；只接受 ${ALLOWED}`));
    else {
      const file = path.join(dir, e.name);
      const { size } = await fs.promises.stat(file);
      inputs.push({ name: e.name, size, open: () => fs.createReadStream(file, { highWaterMark: 1 << 20 }) });
    }
  }
  if (entries.length > 0 && inputs.length === 0 && problems.length === 0) {
    problems.push(problem(dir, 0, '-', `目录中没有可导入的文件（${ALLOWED}）`));
  }
  return runImport(ctx, inputs, problems, opts);
}

/** Service entry for GraphQL: the request context first, like every service. Administrators and planners only. */
export const importService = {
  async importCsv(ctx: Context, files: ImportFile[], opts: { dryRun?: boolean; log?: (message: string) => void }): Promise<ImportResult> {
    requireRole(ctx, Role.ADMIN, Role.PLANNER);
    return importFiles(ctx, files, { dryRun: opts.dryRun ?? false, maxErrors: 2_000, log: opts.log });
  },
  /**
   * The CLI's entry: the operator (system context) may import anything; run for a user (`--as`), the same roles and
   * scope as `importCsv` apply.
   */
  async importDirectory(ctx: Context, dir: string, opts: ImportOptions = {}): Promise<ImportResult> {
    if (!ctx.system) requireRole(ctx, Role.ADMIN, Role.PLANNER);
    return importDirectory(ctx, dir, opts);
  },
};

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

function problem(file: string, line: number, column: string, message: string): ImportProblem {
  return { file, line, column, message };
}

/** Large strings are handed to the parser in pieces (never splitting a surrogate pair). */
function* textChunks(content: string | Buffer): Generator<string | Buffer> {
  const size = 1 << 16;
  if (Buffer.isBuffer(content)) {
    for (let i = 0; i < content.length; i += size) yield content.subarray(i, i + size);
    return;
  }
  for (let i = 0; i < content.length;) {
    let end = Math.min(i + size, content.length);
    const c = content.charCodeAt(end - 1);
    if (end < content.length && c >= 0xd800 && c <= 0xdbff) end--;
    yield content.slice(i, end);
    i = end;
  }
}

async function runImport(ctx: Context, inputs: Input[], early: ImportProblem[], opts: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const log = opts.log ?? (() => undefined);
  const maxErrors = opts.maxErrors ?? DEFAULT_MAX_ERRORS;
  const dryRun = opts.dryRun ?? false;
  const workerMinBytes = opts.workerMinBytes ?? WORKER_MIN_BYTES;
  // The check date of the content check and detection after the commit (validated before anything is read).
  const asOf = checkDate(opts.checkDate, 'checkDate');
  const problems: ImportProblem[] = [...early];
  let errorCount = early.length;
  const sink: ProblemSink = {
    add(file, line, column, message) {
      errorCount++;
      if (problems.length < maxErrors) problems.push({ file, line, column, message });
    },
  };
  const result = (ok: boolean, counts: ImportFileCount[], statusChanges: number): ImportResult => ({
    ok,
    dryRun,
    errors: ok ? [] : sortProblems(problems).slice(0, maxErrors),
    errorCount: ok ? 0 : errorCount,
    counts,
    statusChanges,
    elapsedMs: Math.round(performance.now() - started),
    detectionRun: null,
  });

  let analyze: string[] = [];
  /** The accounts of the posts written (null: a direct load, every account); undefined: no posts written. */
  let postsOf: number[] | null | undefined;
  // The tables' sizes before the import decide which of them it changed enough to analyse afterwards (analyzeTargets).
  const sizes = dryRun ? new Map<string, number>() : await estimatedRows(ctx, inputs.map((i) => TABLE_OF_FILE[i.name]).filter(Boolean));
  const directFiles = FILE_NAMES.filter((n) => directTable(n) !== null && inputs.some((i) => i.name === n));

  /** One pass over the files; `direct` (posts/messages into their empty tables): null when it must be retried staged. */
  const attempt = async (tx: Context, client: PoolClient, sql: Sql, direct: boolean): Promise<ImportResult | null> => {
    if (direct) {
      // Indexes and foreign keys of the empty targets dropped now (rebuilt after the load); a table with rows → staged.
      for (const name of directFiles) {
        const [{ dropped }] = await sql.query<{ dropped: number }>(`SELECT import_drop_indexes($1) AS dropped`, [directTable(name)]);
        if (dropped === 0) return null;
      }
      // Empty units / accounts lose their secondary indexes too (rebuilt with the others, after paths and names).
      for (const [file, table] of [['units.csv', 'units'], ['accounts.csv', 'accounts']] as const) {
        if (inputs.some((i) => i.name === file)) await sql.query(`SELECT import_drop_indexes($1)`, [table]);
      }
    }
    const staged = new Map<FileName, Staged>();
    for (const name of FILE_NAMES) {
      const input = inputs.find((i) => i.name === name);
      if (!input || (direct && directFiles.includes(name))) continue;
      log(`正在读取并校验 ${name} …`);
      const t = performance.now();
      const s = await stageFile(client, sql, name, input.open(), sink, input.size >= workerMinBytes);
      staged.set(name, s);
      log(`${name}：${s.rows} 行（读取 ${seconds(t)} 秒）`);
    }
    const tCheck = performance.now();
    // Scope: rows (before and after) and references must lie in the caller's scope (unrestricted: no check).
    const checked = [...await crossCheck(sql, staged, maxErrors), ...await scopeCheck(sql, staged, tx.scope, maxErrors)];
    log(`关联、重复与管辖范围检查完成（${seconds(tCheck)} 秒）`);
    for (const { file, problems: found } of checked) {
      errorCount += found[0].total;
      for (const p of found) if (problems.length < maxErrors * 2) problems.push({ file, line: p.line, column: p.col, message: p.msg });
    }
    if (errorCount > 0) {
      if (direct) return null;
      log(`发现 ${errorCount} 个问题，未写入任何数据`);
      throw new Rollback(result(false, [], 0));
    }

    log('校验通过，正在写入 …');
    const tLoad = performance.now();
    const changes = dryRun ? null : await captureChanges(sql, staged);
    // Detection's marks (migrations/1732946800000-IncrementalDetection.ts): the rows written mark their units; a direct
    // load marked every unit already (import_drop_indexes truncated its empty tables), and its writes add no mark per unit.
    const { counts, statusChanges } = await loadAll(sql, staged);
    if (direct) {
      for (const name of directFiles) {
        log(`正在读取、校验并直接写入 ${name} …`);
        const t = performance.now();
        const s = await loadDirect(client, sql, name, inputs.find((i) => i.name === name)!.open(), sink);
        staged.set(name, s);
        counts.set(name, { inserted: s.staged, updated: 0 });
        log(`${name}：${s.rows} 行（读取并写入 ${seconds(t)} 秒）`);
        if (errorCount > 0) return null;
      }
    }
    if (staged.has('units.csv')) await refreshUnitPaths(tx.em);
    // The matrix's maintained counts (migrations/1732946700000-MatrixCounts.ts): the load appended them per statement;
    // one row per key again.
    if ((staged.has('accounts.csv') || staged.has('units.csv')) && !dryRun) await sql.query(`SELECT matrix_counts_compact()`);
    // detection/post-months.ts; a direct load counted its accounts' months in the worker (bulk-load.ts loadPostMonths).
    if (staged.has('posts.csv') && !dryRun && !(direct && directFiles.includes('posts.csv'))) {
      await refreshPostMonths(sql, POSTS_FILE_ACCOUNTS);
      // The accounts whose posts the content check below looks at (a direct load: every account, null).
      const [{ ids }] = await sql.query<{ ids: number[] | null }>(`SELECT COALESCE(array_agg(id), '{}') AS ids FROM (${POSTS_FILE_ACCOUNTS}) x`);
      postsOf = ids;
    }
    // Normalised names are ready before the first detection (which would otherwise compute them for every new account).
    if (staged.has('accounts.csv') && !dryRun) await refreshNormalizedNames(tx.em, null);
    if (direct) {
      const tIndex = performance.now();
      try {
        await sql.query(`SELECT import_restore_indexes()`);
      } catch (err) {
        // A duplicate natural key, or a reference the checks let through: listed (or refused) by the staged path.
        if (['23505', '23503'].includes((err as { code?: string }).code ?? '')) return null;
        throw err;
      }
      log(`索引与外键重建完成（${seconds(tIndex)} 秒）`);
      // The posts of a direct load are analysed after the commit, with the other tables (below). Not inside the
      // transaction: its own inserts count as changes only when it commits, so autovacuum found every month changed
      // since its ANALYZE and analysed each one again right after the import (a national import: some 40 s of a core,
      // during the first detection run). After the commit the ANALYZE reads pages written frozen (COPY … FREEZE): no
      // hint bits to set, where it once took 75.3 s after the commit against 9.6 s inside the transaction.
      if (directFiles.includes('posts.csv') && (staged.get('posts.csv')?.staged ?? 0) > 0 && !dryRun) postsOf = null;
    }
    log(`写入完成（${seconds(tLoad)} 秒）`);
    const fileCounts: ImportFileCount[] = [...staged.values()].map((s) => {
      const c = counts.get(s.spec.name) ?? { inserted: 0, updated: 0 };
      return { file: s.spec.name, rows: s.rows, inserted: c.inserted, updated: c.updated, unchanged: s.staged - c.inserted - c.updated };
    });
    if (dryRun || !changes) throw new Rollback(result(true, fileCounts, statusChanges));
    await recordImportAudit(tx, sql, staged, changes, { files: fileCounts, statusChanges });
    analyze = analyzeTargets(fileCounts, sizes);
    // The tables analysed after the commit: this session's counts of the rows it wrote reach the statistics as it
    // commits (not up to 10 s later), so that ANALYZE, which then resets them, comes after them — else autovacuum
    // counts the whole import as changed since and analyses the tables again (PostgreSQL 15+; before, as it was).
    if (analyze.length) {
      const [{ flush }] = await sql.query<{ flush: boolean }>(`SELECT to_regprocedure('pg_catalog.pg_stat_force_next_flush()') IS NOT NULL AS flush`);
      if (flush) await sql.query(`SELECT pg_stat_force_next_flush()`);
    }
    return result(true, fileCounts, statusChanges);
  };

  try {
    // This month's and next month's partitions of posts exist before the import's transaction starts: creating one
    // locks the table, briefly here rather than for the whole import (months of older data are created inside it).
    if (!dryRun && inputs.some((i) => i.name === 'posts.csv')) {
      await ctx.em.query(`SELECT posts_ensure_months(ARRAY[now(), now() + interval '1 month'])`);
    }
    const outcome = await transaction(ctx, async (tx) => {
      const client = await rawClient<PoolClient>(tx);
      const sql = rawSql(client);
      await sql.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.import]);
      await sql.query(`SET LOCAL work_mem = '128MB'`);
      // Index builds after loading an empty table (import_restore_indexes) sort in memory.
      await sql.query(`SET LOCAL maintenance_work_mem = '256MB'`);
      // What this connection writes goes to the disk as it goes (every 2 MB, sync_file_range), not all at the commit:
      // tables and indexes a load creates are synced by the commit itself (wal_level=minimal) — a 400 MB load's commit
      // 1.5 → 0.3 s; the national one took 3–5 s either way.
      await sql.query(`SET LOCAL backend_flush_after = '2MB'`);

      // Empty posts / messages tables: loaded directly (no staging table) when every check passes; any problem — or a
      // duplicate the unique natural key refuses — rolls that attempt back, and the staged path below runs and
      // reports every problem exactly as it always has. Only for an unrestricted scope (the scope check is set-based
      // over staging tables) and when nothing is wrong before reading.
      if (opts.direct !== false && directFiles.length > 0 && early.length === 0 && tx.scope.unrestricted) {
        await sql.query('SAVEPOINT import_direct');
        const done = await attempt(tx, client, sql, true);
        if (done) return done;
        await sql.query('ROLLBACK TO SAVEPOINT import_direct');
        problems.length = 0;
        errorCount = 0;
        log('直接写入未通过检查，改为经暂存表导入以列出全部问题 (direct load found problems: staged path)');
      }
      return (await attempt(tx, client, sql, false))!;
    });
    if (outcome.ok && !outcome.dryRun) log(`已提交（导入共 ${seconds(started)} 秒）`);
    // Fresh planner statistics for the tables just loaded (detection's plans depend on them right after an import).
    // analyze_imported (migrations/1732940000000-PostsByMonth.ts) runs with the owner's rights: the application role
    // may not ANALYZE before PostgreSQL 17, and autovacuum never analyzes the parent of the partitioned posts table.
    // posts (30 M rows nationally) on one connection, the other tables on another, at the same time.
    const big = analyze.filter((t) => t === 'posts');
    const rest = analyze.filter((t) => t !== 'posts');
    const tAnalyze = performance.now();
    await Promise.all([big, rest].filter((l) => l.length).map((l) => ctx.em.query(`SELECT analyze_imported($1::text[])`, [l])));
    if (analyze.length) log(`统计信息已更新：${analyze.join('、')}（${seconds(tAnalyze)} 秒）`);
    if (outcome.ok && !outcome.dryRun && postsOf !== undefined && opts.checkContent !== false) {
      await checkImportedContent(ctx, asOf, postsOf, log);
      outcome.elapsedMs = Math.round(performance.now() - started);
    }
    const changed = outcome.counts.some((c) => c.inserted + c.updated > 0) || outcome.statusChanges > 0;
    if (outcome.ok && !outcome.dryRun && changed && opts.detect !== false) {
      outcome.detectionRun = await detectImported(ctx, asOf, log);
      outcome.elapsedMs = Math.round(performance.now() - started);
    }
    return outcome;
  } catch (err) {
    if (err instanceof Rollback) return err.result;
    throw err;
  }
}

/**
 * The content check of the posts just written (content/content-prime.ts), in a transaction of its own, for today's
 * check date (what a detection run checks next). The import has committed: should the
 * check fail, the data stay imported and the next detection run checks those posts itself (it would have anyway).
 */
async function checkImportedContent(ctx: Context, asOf: string, accountIds: number[] | null, log: (message: string) => void): Promise<void> {
  if (accountIds?.length === 0) return;
  const t = performance.now();
  try {
    const stats = await transaction(ctx, (tx) => primeContentChecks(tx.em, asOf, accountIds));
    log(`内容预检完成：检查 ${stats.postsScanned} 条发布（${seconds(t)} 秒）`);
  } catch (err) {
    // The person importing reads the progress log: a plain sentence; the cause goes to the server's log.
    console.error('[import] content check failed:', err);
    log('内容预检未完成，下次检测时补做 (content check left to the next detection run)');
  }
}

/**
 * Detection right after the import's commit (and its ANALYZE and content check), over the importer's region — the
 * whole database for the operator — through the same entry as a planner's run (detectionService.run: the same roles as
 * the import, scope and audit). Incremental (server/detection/incremental.ts): the rows the import wrote marked their
 * units (a direct load, every unit), so only those are evaluated and the findings match what was just imported; the
 * next run (the weekly job, a planner's) finds nothing due. Should it fail, the data stay imported and that next run
 * evaluates those units itself.
 */
async function detectImported(ctx: Context, asOf: string, log: (message: string) => void): Promise<DetectionRun | null> {
  const t = performance.now();
  log('正在检查导入的数据 …');
  try {
    const run = await detectionService.run(ctx, asOf, null);
    log(`检查完成（${seconds(t)} 秒）：共 ${run.found} 个问题，新增 ${run.created}，重新打开 ${run.reopened}，已解决 ${run.resolved}`);
    return run;
  } catch (err) {
    console.error('[import] detection failed:', err);
    log('导入后的检查未完成，下次检查时补做 (detection left to the next run)');
    return null;
  }
}

/** Thrown inside the import's transaction to roll it back and answer with `result` (problems found, or a dry run). */
class Rollback {
  constructor(readonly result: ImportResult) {}
}

const TABLE_OF_FILE: Record<string, string> = {
  'units.csv': 'units', 'accounts.csv': 'accounts', 'services.csv': 'services', 'posts.csv': 'posts', 'messages.csv': 'messages',
};

/**
 * Share of a table's rows (as estimated before the import) an import must insert or update for the table to be
 * analysed afterwards — autovacuum's own default (autovacuum_analyze_scale_factor), which also takes care of the
 * partitions and tables below it. Without it, every import touching posts analysed the whole table: 500 posts of one
 * account imported into the national database (30.9 M posts) took 1.1 s and then waited 18.1 s (cold; ≈6 s warm)
 * for an ANALYZE of posts that changed nothing a plan depends on.
 */
const ANALYZE_SHARE = 0.1;

/** Estimated rows of each table (pg_class.reltuples; a partitioned table: the sum of its partitions'); 0 when never counted. */
async function estimatedRows(ctx: Context, tables: string[]): Promise<Map<string, number>> {
  const rows: { t: string; n: number }[] = await ctx.em.query(`
    SELECT t, GREATEST(CASE WHEN c.relkind = 'p'
                            THEN (SELECT COALESCE(sum(GREATEST(p.reltuples, 0)), 0) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid)
                            ELSE c.reltuples END, 0)::float8 AS n
      FROM unnest($1::text[]) t JOIN pg_class c ON c.oid = to_regclass('public.' || t)`, [tables]);
  return new Map(rows.map((r) => [r.t, Number(r.n)]));
}

/**
 * The tables to analyse after the import: those of its files it changed by at least ANALYZE_SHARE of their rows (a
 * table empty or never counted: any row) — and with posts the maintained months of the accounts' posts (both load
 * paths write them): the first detection after a large import must not plan them without statistics.
 */
function analyzeTargets(counts: ImportFileCount[], sizes: Map<string, number>): string[] {
  const tables: string[] = [];
  for (const c of counts) {
    const table = TABLE_OF_FILE[c.file];
    const written = c.inserted + c.updated;
    if (table && written > 0 && written >= ANALYZE_SHARE * (sizes.get(table) ?? 0)) tables.push(table);
  }
  return tables.includes('posts') ? [...tables, 'account_post_months', 'account_post_totals'] : tables;
}

function sortProblems(list: ImportProblem[]): ImportProblem[] {
  const fileRank = (f: string) => {
    const i = (FILE_NAMES as readonly string[]).indexOf(f);
    return i === -1 ? -1 : i;
  };
  const colRank = (f: string, c: string) => {
    const spec = isFileName(f) ? FILE_SPECS[f] : undefined;
    const i = spec ? spec.columns.findIndex((x) => x.name === c) : -1;
    return i === -1 ? -1 : i;
  };
  return [...list].sort((a, b) => fileRank(a.file) - fileRank(b.file) || a.file.localeCompare(b.file) || a.line - b.line
    || colRank(a.file, a.column) - colRank(b.file, b.column));
}
