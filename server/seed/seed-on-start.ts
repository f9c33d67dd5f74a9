import { createSystemContext } from '../kernel/context';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { seedDemo } from './seed';
import { runDetection } from '../detection/detection.service';

/** Seeds the demo province on first start, when the database holds no units; later starts do nothing. */
export async function seedIfEmpty(ds: DataSource, config: Config, log: (m: string) => void): Promise<void> {
  const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM units');
  if (n > 0) return;
  log(`数据库为空：正在生成演示数据（省份 ${config.seedProvince}，首次启动约需一两分钟）…`);
  const t = performance.now();
  const s = await seedDemo(ds, { province: config.seedProvince, log });
  const c = s.counts;
  // Planners start from findings: the seed's import already evaluated every unit (its own detection run, as of the
  // seed's check date); a run per province then finds nothing due and records the province's own run, so its
  // planners, approvers and auditors see it as their last run.
  const ctx = createSystemContext(ds, config);
  for (const province of s.provinces) {
    const run = await runDetection(ctx, { asOf: s.asOf, regionCode: province });
    log(`已完成首次检查（${province}，${run.durationMs} 毫秒）：发现 ${run.found} 个问题`);
  }
  log(`演示数据就绪（基准日 ${s.asOf}，共用时 ${((performance.now() - t) / 1000).toFixed(1)} 秒）：${c.units} 个单位、${c.accounts} 个账号、${c.posts} 条发布、${c.messages} 条留言、${c.services} 项服务`);
}
