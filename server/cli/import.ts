import 'reflect-metadata';
import { createContext, createSystemContext, type Context, type SessionUser } from '../kernel/context';
import fs from 'node:fs';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import { loadConfig } from '../config';
import { openDatabase } from '../registry';
import { importService, type ImportResult } from '../import/import.service';

/**
 * `npm run import -- <dir> [--dry-run] [--no-detect] [--as <username>]`: imports the CSV files of a directory (format:
 * README, "导入格式"), then — unless `--no-detect` — runs detection over what it changed (import.service.ts
 * detectImported). Without `--as` it runs as the operator (no scope limit, audited as `system`); with it, as that user
 * — loaded from the database (unknown or deactivated: refused), with their role and scope, exactly like `importCsv`.
 * Exit codes: 0 imported; 1 the files have problems (each printed as `file:line: column: reason`, nothing written);
 * 2 usage, unknown user, role not allowed, or database failure.
 */
const USAGE = '用法 (usage): npm run import -- <目录> [--dry-run] [--no-detect] [--as <用户名>]';

class UsageError extends Error {}

/** The active user `username` with their unit's path, as the session would carry it; refuses anything else. */
async function loadUser(ctx: Context, username: string): Promise<SessionUser> {
  const rows: { id: number; username: string; role: string; unitId: number | null; unitPath: string | null }[] = await ctx.em.query(
    `SELECT u.id, u.username, u.role, u.unit_id AS "unitId", un.path AS "unitPath"
       FROM users u LEFT JOIN units un ON un.id = u.unit_id
      WHERE u.username = $1 AND u.active`,
    [username],
  );
  const row = rows[0];
  if (!row) throw new UsageError(`用户 ${username} 不存在或已停用 (unknown or inactive user)`);
  // A unit without a computed path would silently mean "no limit": refuse rather than widen the scope.
  if (row.unitId !== null && !row.unitPath) throw new UsageError(`用户 ${username} 的单位没有有效的层级路径 (the user's unit has no path)`);
  return row;
}

function summary(r: ImportResult): string {
  const lines = [
    `${r.dryRun ? '试运行完成（未写入任何数据）' : '导入完成'}，用时 ${(r.elapsedMs / 1000).toFixed(1)} 秒：`,
    ...r.counts.map((c) => `  ${c.file.padEnd(13)} 共 ${c.rows} 行：新增 ${c.inserted}，更新 ${c.updated}，未变 ${c.unchanged}`),
    `  账号状态变更记录 ${r.statusChanges} 条`,
    ...(r.detectionRun ? [`  检查（基准日 ${r.detectionRun.asOf}）：共 ${r.detectionRun.found} 个问题，新增 ${r.detectionRun.created}，已解决 ${r.detectionRun.resolved}`] : []),
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const detect = !args.includes('--no-detect');
  let asUser: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--dry-run' || args[i] === '--no-detect') continue;
    if (args[i] === '--as') {
      asUser = args[++i] ?? '';
      if (!asUser || asUser.startsWith('-')) {
        console.error(`--as 后面需要用户名 (--as needs a username)\n${USAGE}`);
        return 2;
      }
    } else rest.push(args[i]);
  }
  if (rest.length !== 1 || rest[0].startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const dir = path.resolve(rest[0]);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error(`目录不存在：${dir} (no such directory)\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const db = await openDatabase(config, { log: (m) => console.log(m) });
  try {
    let ctx = createSystemContext(db.dataSource, config);
    if (asUser !== null) {
      try {
        ctx = createContext(db.dataSource, config, await loadUser(ctx, asUser), { userAgent: 'npm run import (CLI)' });
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        console.error(err.message);
        return 2;
      }
    }
    let result: ImportResult;
    try {
      result = await importService.importDirectory(ctx, dir, { dryRun, detect, log: (m) => console.log(m) });
    } catch (err) {
      if (err instanceof GraphQLError && err.extensions?.code === 'FORBIDDEN') {
        console.error(err.message);
        return 2;
      }
      throw err;
    }
    if (!result.ok) {
      for (const p of result.errors) console.error(`${p.file}:${p.line}: ${p.column}: ${p.message}`);
      const more = result.errorCount - result.errors.length;
      if (more > 0) console.error(`……另有 ${more} 个问题未列出`);
      console.error(`导入失败：共 ${result.errorCount} 个问题，未写入任何数据 (import failed, nothing written)`);
      return 1;
    }
    console.log(summary(result));
    return 0;
  } finally {
    await db.close();
  }
}

main().then((code) => {
  process.exitCode = code;
}, (err) => {
  console.error('导入出错 (import error):', err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
