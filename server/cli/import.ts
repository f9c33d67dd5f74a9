import 'reflect-metadata';
import { createSystemContext } from '../kernel/context';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { openDatabase } from '../registry';
import { importDirectory, type ImportResult } from '../import/import.service';

/**
 * `npm run import -- <dir> [--dry-run]`: imports the CSV files of a directory (format: README, "导入格式").
 * Exit codes: 0 imported; 1 the files have problems (each printed as `file:line: column: reason`, nothing written);
 * 2 usage or database failure.
 */
const USAGE = '用法 (usage): npm run import -- <目录> [--dry-run]';

function summary(r: ImportResult): string {
  const lines = [
    `${r.dryRun ? '试运行完成（未写入任何数据）' : '导入完成'}，用时 ${(r.elapsedMs / 1000).toFixed(1)} 秒：`,
    ...r.counts.map((c) => `  ${c.file.padEnd(13)} 共 ${c.rows} 行：新增 ${c.inserted}，更新 ${c.updated}，未变 ${c.unchanged}`),
    `  账号状态变更记录 ${r.statusChanges} 条`,
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const rest = args.filter((a) => a !== '--dry-run');
  if (rest.length !== 1 || rest[0].startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const dir = path.resolve(rest[0]);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error(`目录不存在：${dir} (no such directory)\n${USAGE}`);
    return 2;
  }
  const db = await openDatabase(loadConfig(), { log: (m) => console.log(m) });
  try {
    const result = await importDirectory(createSystemContext(db.dataSource), dir, { dryRun, log: (m) => console.log(m) });
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
