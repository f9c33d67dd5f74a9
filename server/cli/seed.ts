import 'reflect-metadata';
import path from 'node:path';
import { loadConfig } from '../config';
import { openDatabase } from '../registry';
import { shanghaiDay, dayStartMs } from '../seed/csv-writer';
import { generateDemoCsv, type GenerateOptions } from '../seed/generator';
import { resetDemoData, seedDemo, seededAsOf } from '../seed/seed';

/**
 * `npm run seed -- [--province 35] [--city 3501] [--scale national] [--as-of 2024-06-30] [--reset] [--out <dir>] [--keep]`
 *   --out <dir>  only write the CSV files (+ .seed-manifest.json) into <dir>; no database (benchmarks use this)
 *   --reset      delete the account graph and everything that references it first (printed), then seed
 *   --keep       keep the generated CSV directory after importing
 * Without --reset on a database that already holds the demo data, the seed re-imports with the same check date,
 * so nothing is duplicated.
 */
const USAGE = '用法 (usage): npm run seed -- [--province 35] [--city 3501] [--scale province|national] [--as-of YYYY-MM-DD] [--reset] [--out <目录>] [--keep]';

function parseArgs(argv: string[]) {
  const o: { province?: string; city?: string; scale?: 'province' | 'national'; asOf?: Date; reset: boolean; keep: boolean; out?: string } = { reset: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} 需要一个值\n${USAGE}`);
      return v;
    };
    if (a === '--province') {
      o.province = value();
      if (!/^\d{2}$/.test(o.province)) throw new Error(`--province ${o.province} 无效：应为两位省级代码，如 35`);
    } else if (a === '--city') {
      o.city = value();
      if (!/^\d{4}$/.test(o.city)) throw new Error(`--city ${o.city} 无效：应为四位市级代码，如 3501`);
    } else if (a === '--scale') {
      const s = value();
      if (s !== 'province' && s !== 'national') throw new Error(`--scale ${s} 无效：应为 province 或 national`);
      o.scale = s;
    } else if (a === '--as-of') {
      const s = value();
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
      if (!m || !d || d.toISOString().slice(0, 10) !== s) throw new Error(`--as-of ${s} 无效：格式应为 YYYY-MM-DD`);
      o.asOf = new Date(dayStartMs(shanghaiDay(d.getTime() + 8 * 3_600_000)));
    } else if (a === '--reset') o.reset = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--out') o.out = path.resolve(value());
    else throw new Error(`未知参数 ${a}\n${USAGE}`);
  }
  if (o.city && o.province && !o.city.startsWith(o.province)) throw new Error(`--city ${o.city} 不属于 --province ${o.province}`);
  if (o.city && !o.province) o.province = o.city.slice(0, 2);
  return o;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const log = (m: string) => console.log(m);
  const gen: GenerateOptions = { province: args.province, city: args.city, scale: args.scale, asOf: args.asOf, log };
  if (args.out) {
    const r = await generateDemoCsv(args.out, gen);
    const c = r.counts;
    console.log(`已写出 ${args.out}（基准日 ${r.asOf}，${(r.generateMs / 1000).toFixed(1)} 秒）：units ${c.units}，accounts ${c.accounts}，posts ${c.posts}，messages ${c.messages}，services ${c.services}；合计 ${c.units + c.accounts + c.posts + c.messages + c.services} 行`);
    for (const p of r.planted) console.log(`  ${p.rule.padEnd(26)} ${p.handles.length}`);
    return 0;
  }
  const config = loadConfig();
  const db = await openDatabase(config, { log, role: 'owner' }); // resetting data is the operator's work: as the owner, not matrix_app
  try {
    if (args.reset) await resetDemoData(db.dataSource, log);
    else if (!gen.asOf) {
      const existing = await seededAsOf(db.dataSource, args.scale === 'national' ? '11' : (args.province ?? config.seedProvince));
      if (existing) {
        gen.asOf = existing;
        log(`库中已有演示数据（基准日 ${new Date(existing.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)}）：按同一基准日重新导入，不会产生重复；要按今天重新生成请加 --reset`);
      }
    }
    gen.province ??= config.seedProvince;
    const s = await seedDemo(db.dataSource, { ...gen, keepFiles: args.keep });
    const c = s.counts;
    console.log(`完成（基准日 ${s.asOf}；生成 ${(s.generateMs / 1000).toFixed(1)} 秒，导入 ${(s.importMs / 1000).toFixed(1)} 秒）：${c.units} 个单位、${c.accounts} 个账号、${c.posts} 条发布、${c.messages} 条留言、${c.services} 项服务`);
    for (const p of s.planted) console.log(`  ${p.rule.padEnd(26)} ${p.handles.length}`);
    if (args.keep) console.log(`CSV 文件保留在 ${s.dir}`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then((code) => {
  process.exitCode = code;
}, (err) => {
  console.error('生成演示数据失败 (seed failed):', err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
