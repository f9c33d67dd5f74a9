import 'reflect-metadata';
import { createSystemContext } from './kernel/context';
import { loadConfig, ConfigError } from './config';
import { openDatabase } from './registry';
import { createApp } from './app';
import { seedIfEmpty } from './seed/seed-on-start';
import { authenticate } from './auth/authenticate';
import { DEMO_PASSWORD, ensureDemoUsers } from './auth/demo-users';
import { startJobs } from './jobs/runner';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = (m: string) => console.log(`[matrix-planner] ${m}`);
  const db = await openDatabase(config, { log });
  log(config.databaseUrl ? '已连接数据库 (connected to DATABASE_URL)' : `内置 PostgreSQL 已就绪，数据目录 ${config.dataDir}`);
  if (config.seedOnEmpty) await seedIfEmpty(db.dataSource, config, log);
  // Demo users while nobody but the demo admin exists (a first start before the units were seeded creates only admin).
  const [{ others }] = await db.dataSource.query(`SELECT count(*)::int AS others FROM users WHERE username <> 'admin'`);
  if (others === 0) {
    const created = await ensureDemoUsers(createSystemContext(db.dataSource, config), { province: config.seedProvince });
    if (created.length) log(`已创建演示用户 ${created.join(', ')}，密码均为 ${DEMO_PASSWORD}；生产环境请修改或停用 (demo users created)`);
  }
  const { app } = await createApp(db.dataSource, config, authenticate);
  const server = app.listen(config.port, () => {
    log(`服务已启动 (listening): http://localhost:${config.port}/  GraphQL: http://localhost:${config.port}/graphql`);
  });
  // The job queue (weekly detection, reminders, quarterly inspections, re-checks, session clean-up): JOBS=off disables it.
  const jobs = await startJobs(db.dataSource, db.url, config, { log });
  const shutdown = async (signal: string) => {
    log(`收到 ${signal}，正在停止… (shutting down)`);
    server.close();
    await jobs?.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(`[matrix-planner] 配置错误：${err.message}`);
  else console.error('[matrix-planner] 启动失败 (failed to start):', err instanceof Error ? err.message : err);
  process.exit(1);
});
