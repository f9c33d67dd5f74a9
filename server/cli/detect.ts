import 'reflect-metadata';
import { createSystemContext } from '../kernel/context';
import { loadConfig } from '../config';
import { openDatabase } from '../registry';
import { RULE_NAMES_ZH, DetectionRule } from '../common/enums';
import { runDetectionProfiled } from '../detection/detection.service';

/**
 * `npm run detect -- [--as-of 2024-06-30] [--region 35] [--full] [--profile]`: one detection run, then its summary.
 * `--full` evaluates every unit of the scope, not only those whose data changed since their last evaluation.
 */
function parseArgs(argv: string[]): { asOf?: string; region?: string; profile?: boolean; full?: boolean } {
  const out: { asOf?: string; region?: string; profile?: boolean; full?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--as-of') out.asOf = value();
    else if (flag === '--region') out.region = value();
    else if (flag === '--profile') out.profile = true;
    else if (flag === '--full') out.full = true;
    else if (flag === '--help' || flag === '-h') {
      console.log('用法: npm run detect -- [--as-of YYYY-MM-DD] [--region 区划代码] [--full 全部重新检查] [--profile]');
      process.exit(0);
    } else throw new Error(`未知参数 ${argv[i]}（可用 --as-of、--region、--full、--profile）(unknown argument)`);
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const db = await openDatabase(loadConfig(), { log: (m) => console.log(m) });
  try {
    const { run, timings, units } = await runDetectionProfiled(createSystemContext(db.dataSource), { asOf: args.asOf, regionCode: args.region, full: args.full });
    console.log(`检查完成：检查日 ${run.asOf}，范围 ${run.regionCode ?? '全国'}，检查账号 ${run.accountsChecked} 个，用时 ${run.durationMs} ms`);
    console.log(units.evaluated === units.total
      ? `重新检查全部 ${units.total} 个单位`
      : `重新检查 ${units.evaluated} 个数据有变化的单位（共 ${units.total} 个；其余单位的数据自上次检查以来未变，其问题沿用并记为本次所见）`);
    console.log(`政策版本 ${JSON.stringify(run.policyVersions)}`);
    console.log(`问题 ${run.found} 个（新发现 ${run.created}，重新打开 ${run.reopened}，自动解决 ${run.resolved}）`);
    for (const rule of Object.values(DetectionRule)) {
      console.log(`  ${rule.padEnd(26)} ${String(run.countsByRule[rule] ?? 0).padStart(7)}  ${RULE_NAMES_ZH[rule]}`);
    }
    if (args.profile) console.log(`各步骤耗时 (ms): ${JSON.stringify(timings)}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error('检查失败 (detection failed):', err instanceof Error ? err.message : err);
  process.exit(1);
});
