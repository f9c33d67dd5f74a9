import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../registry';
import { verifyAuditChain } from '../db/audit-chain';

/**
 * `npm run audit:verify`: recomputes the audit hash chain and reports any row changed, removed or inserted after the
 * fact (exit code 1). Prints the head (last chain number and hash): keep it elsewhere (a ticket, a mail) to detect a
 * rewrite of the whole chain later.
 */
async function main(): Promise<void> {
  const db = await openDatabase(loadConfig(), { log: () => undefined });
  try {
    const report = await verifyAuditChain(db.dataSource);
    if (report.problems.length) {
      console.error(`审计链校验失败：${report.problems.length} 处问题 (audit chain BROKEN)`);
      const what = { hash: '内容与哈希不符 (content changed)', link: '与前一条的链接断开 (link broken)', gap: '序号缺失 (rows removed)', unchained: '未入链 (not chained)' };
      for (const p of report.problems) console.error(`  第 ${p.chainNo ?? '-'} 条 (event ${p.id})：${what[p.problem]}`);
      process.exitCode = 1;
    } else {
      console.log(`审计链完好：${report.rows} 条 (audit chain intact: ${report.rows} rows)`);
    }
    if (report.head) console.log(`链头 (head): #${report.head.chainNo} ${report.head.hash}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error('审计链校验出错 (audit:verify failed):', err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
