import 'reflect-metadata';
import { createSystemContext } from '../kernel/context';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { ensureDemoUsers } from '../auth/demo-users';
import { importDirectory } from '../import/import.service';
import { dayStartMs, shanghaiDay } from './csv-writer';
import { generateDemoCsv, type GenerateOptions, type Planted, type SeedCounts } from './generator';

export { generateDemoCsv, MANIFEST_FILE, type GenerateOptions, type Planted, type SeedCounts } from './generator';

export interface SeedOptions extends GenerateOptions {
  /** Keep the generated CSV directory (default: removed after a successful import). */
  keepFiles?: boolean;
  /** Run detection over the imported data as of its check date (the import's own step; default true). */
  detect?: boolean;
}

export interface SeedSummary {
  /** Check date the data is relative to (YYYY-MM-DD, Asia/Shanghai). */
  asOf: string;
  scale: 'province' | 'national';
  provinces: string[];
  city: string | null;
  counts: SeedCounts;
  planted: Planted[];
  decoys: Planted[];
  generateMs: number;
  importMs: number;
  /** Where the CSV files are (removed unless `keepFiles`). */
  dir: string;
  /** Demo users created by `ensureDemoUsers` (empty when they already existed). */
  demoUsers: string[];
}

export class SeedError extends Error {}

/**
 * Generates the demo dataset (CSV files in a temp directory, see generator.ts) and imports it with the regular
 * import (all or nothing; re-importing the same files changes nothing), then creates the demo users.
 */
export async function seedDemo(ds: DataSource, opts: SeedOptions = {}): Promise<SeedSummary> {
  const log = opts.log ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-seed-'));
  let ok = false;
  try {
    const gen = await generateDemoCsv(dir, opts);
    const c = gen.counts;
    log(`演示数据已生成（${(gen.generateMs / 1000).toFixed(1)} 秒）：${c.units} 个单位、${c.accounts} 个账号、${c.posts} 条发布、${c.messages} 条留言、${c.services} 项服务；正在导入 …`);
    const t = performance.now();
    const result = await importDirectory(createSystemContext(ds), dir, { log: (m) => log(`  导入：${m}`), checkDate: gen.asOf, detect: opts.detect });
    if (!result.ok) {
      const first = result.errors.slice(0, 10).map((p) => `${p.file}:${p.line}: ${p.column}: ${p.message}`).join('\n');
      throw new SeedError(`演示数据导入失败（${result.errorCount} 个问题），文件保留在 ${dir}：\n${first}`);
    }
    const importMs = Math.round(performance.now() - t);
    log(`导入完成（${(importMs / 1000).toFixed(1)} 秒）`);
    const demoUsers = await ensureDemoUsers(createSystemContext(ds), { province: gen.provinces.length === 1 ? gen.provinces[0] : (opts.province ?? '35') });
    if (demoUsers.length) log(`已创建演示用户：${demoUsers.join(', ')}`);
    ok = true;
    return { asOf: gen.asOf, scale: gen.scale, provinces: gen.provinces, city: gen.city, counts: gen.counts, planted: gen.planted, decoys: gen.decoys,
      generateMs: gen.generateMs, importMs, dir, demoUsers };
  } finally {
    if (ok && !opts.keepFiles) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The check date of demo data already in the database: the province portal posts every day up to the day before
 * the check date, so re-running the seed with that date re-imports identical rows (nothing is duplicated).
 */
export async function seededAsOf(ds: DataSource, province: string): Promise<Date | null> {
  const [row] = await ds.query(
    `SELECT max(p.published_at) AS last FROM posts p JOIN accounts a ON a.id = p.account_id WHERE a.platform = 'website' AND a.handle = $1`,
    [`${province}_gov`],
  );
  if (!row?.last) return null;
  return new Date(dayStartMs(shanghaiDay(new Date(row.last).getTime()) + 1));
}

/**
 * Tables holding demo data: the account graph and everything that references it (found through foreign keys, and the
 * references kept by triggers: migrations/1732947100000-StatementReferences.ts).
 */
export async function resetDemoData(ds: DataSource, log: (m: string) => void = () => undefined): Promise<string[]> {
  const fks: { child: string; parent: string }[] = await ds.query(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema() AND c.conrelid <> c.confrelid
     UNION
     SELECT child, parent FROM statement_references`,
  );
  const closure = new Set(['units', 'accounts', 'services', 'posts', 'messages', 'account_status_history']);
  for (let grew = true; grew;) {
    grew = false;
    for (const fk of fks) {
      if (closure.has(fk.parent) && !closure.has(fk.child)) {
        closure.add(fk.child);
        grew = true;
      }
    }
  }
  // Children before parents.
  const order: string[] = [];
  const visit = (t: string, seen: Set<string>) => {
    if (order.includes(t) || seen.has(t)) return;
    seen.add(t);
    for (const fk of fks) if (fk.parent === t && closure.has(fk.child)) visit(fk.child, seen);
    order.push(t);
  };
  for (const t of [...closure].sort()) visit(t, new Set());
  // Tables nobody references and that do not refuse TRUNCATE (posts, messages …) are truncated — fast, and no dead
  // rows left for the foreign-key checks of the DELETEs that follow; the rest are deleted children first, so
  // append-only tables (approvals) refuse the reset when they hold rows.
  const guarded: { t: string }[] = await ds.query(
    `SELECT DISTINCT tgrelid::regclass::text AS t FROM pg_trigger WHERE NOT tgisinternal AND (tgtype & 32) <> 0`);
  const refuses = new Set(guarded.map((g) => g.t));
  const truncate = order.filter((t) => !refuses.has(t) && !fks.some((fk) => fk.parent === t));
  const remove = order.filter((t) => !truncate.includes(t));
  log(`重置：清空 ${truncate.join(', ')}；删除 ${remove.join(', ')} 中的全部数据（一个事务内）`);
  try {
    await ds.transaction(async (em) => {
      if (truncate.length) await em.query(`TRUNCATE ${truncate.join(', ')}`);
      for (const t of remove) await em.query(`DELETE FROM ${t}`);
    });
  } catch (err) {
    throw new SeedError(`无法重置：${err instanceof Error ? err.message : String(err)}。库中有只可追加的记录（审批/审计）时不能清空；请改用新的数据库（删除数据目录或换一个 DATABASE_URL）。`);
  }
  return order;
}
