import 'reflect-metadata';
import { loadConfig } from '../config';
import { openDatabase } from '../registry';

async function main() {
  const db = await openDatabase(loadConfig(), { log: (m) => console.log(m) });
  const pending = await db.dataSource.showMigrations();
  console.log(pending ? '仍有未执行的迁移' : '数据库结构已是最新 (all migrations applied)');
  await db.close();
}
main().catch((err) => {
  console.error('迁移失败 (migration failed):', err instanceof Error ? err.message : err);
  process.exit(1);
});
