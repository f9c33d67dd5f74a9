import 'reflect-metadata';
import cluster from 'node:cluster';
import http from 'node:http';
import { createSystemContext } from './kernel/context';
import { loadConfig, ConfigError, type Config } from './config';
import { openDatabase } from './registry';
import { createApp } from './app';
import { seedIfEmpty } from './seed/seed-on-start';
import { authenticate } from './auth/authenticate';
import { DEMO_PASSWORD, ensureDemoUsers } from './auth/demo-users';
import { startJobs } from './jobs/runner';

/**
 * The server. With WEB_WORKERS=N > 1 (node cluster) this process is the cluster's primary: it prepares the database
 * ONCE (migrations, grants, seed, demo users), runs the job queue ONCE, then forks N HTTP workers that share the port
 * (the primary accepts connections and hands them out round-robin). Sessions live in the database (`sessions`,
 * signed tokens with SESSION_SECRET), so a login on one worker is valid on every other. Each response says which
 * worker answered (`X-Worker-Id`). A worker that dies is replaced.
 */
const WORKER_INDEX = 'MP_WORKER_INDEX';
const log = (m: string) => console.log(`[matrix-planner${cluster.isWorker ? ` w${process.env[WORKER_INDEX]}` : ''}] ${m}`);

/** Migrations, seed and demo users: once per start, by the single process or the cluster's primary. */
async function prepare(config: Config) {
  const db = await openDatabase(config, { log });
  log(config.databaseUrl ? '已连接数据库 (connected to DATABASE_URL)' : `内置 PostgreSQL 已就绪，数据目录 ${config.dataDir}`);
  if (config.replicaUrls.length) log(`只读副本 ${config.replicaUrls.length} 个：查询读副本，写入与事务走主库 (read replicas: ${config.replicaUrls.length})`);
  if (config.seedOnEmpty) await seedIfEmpty(db.dataSource, config, log);
  // Demo users while nobody but the demo admin exists (a first start before the units were seeded creates only admin).
  const [{ others }] = await db.dataSource.query(`SELECT count(*)::int AS others FROM users WHERE username <> 'admin'`);
  if (others === 0) {
    const created = await ensureDemoUsers(createSystemContext(db.dataSource, config), { province: config.seedProvince });
    if (created.length) log(`已创建演示用户 ${created.join(', ')}，密码均为 ${DEMO_PASSWORD}；生产环境请修改或停用 (demo users created)`);
  }
  return db;
}

function listeningMessage(config: Config, workers: number): string {
  return `服务已启动 (listening): http://localhost:${config.port}/  GraphQL: http://localhost:${config.port}/graphql`
    + (workers > 1 ? `  (${workers} 个工作进程 / workers)` : '');
}

/** An HTTP server for the app; `workerId` adds the `X-Worker-Id` header. */
async function serve(db: Awaited<ReturnType<typeof openDatabase>>, config: Config, workerId?: string): Promise<http.Server> {
  const { app } = await createApp(db.dataSource, config, authenticate);
  const server = http.createServer(workerId === undefined ? app : (req, res) => {
    res.setHeader('X-Worker-Id', workerId);
    app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  return server;
}

/** One process: prepare, serve, run the jobs. */
async function single(config: Config): Promise<void> {
  const db = await prepare(config);
  const server = await serve(db, config);
  log(listeningMessage(config, 1));
  // The job queue (weekly detection, reminders, quarterly inspections, re-checks, session clean-up): JOBS=off disables it.
  const jobs = await startJobs(db.dataSource, db.url, config, { log });
  onShutdown(async () => {
    server.close();
    await jobs?.stop();
    await db.close();
  });
}

/** The cluster's primary: prepare once, fork the workers, run the jobs once; no HTTP of its own. */
async function primary(config: Config): Promise<void> {
  const db = await prepare(config);
  let stopping = false;
  let listening = 0;
  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX]: String(index) });
    worker.on('listening', () => {
      if (++listening === config.webWorkers) log(listeningMessage(config, config.webWorkers));
    });
    worker.on('exit', (code, signal) => {
      listening--;
      if (stopping || code === 0) return; // stopped on purpose (Ctrl-C reaches the workers too)
      log(`工作进程 ${index} 异常退出 (${signal ?? code})，正在重启 (worker ${index} died; restarting)`);
      setTimeout(() => { if (!stopping) fork(index); }, 1000);
    });
  };
  for (let i = 0; i < config.webWorkers; i++) fork(i);
  const jobs = await startJobs(db.dataSource, db.url, config, { log });
  onShutdown(async () => {
    stopping = true;
    const exited = Object.values(cluster.workers ?? {}).map((w) => new Promise((r) => {
      if (!w || w.isDead()) return r(undefined);
      w.once('exit', r);
      w.process.kill('SIGTERM');
    }));
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 10_000))]);
    await jobs?.stop();
    await db.close();
  });
}

/** An HTTP worker: joins the prepared database (no migrations, seed or jobs) and serves the shared port. */
async function worker(config: Config): Promise<void> {
  const db = await openDatabase(config, { log, prepare: false });
  const server = await serve(db, config, process.env[WORKER_INDEX] ?? String(cluster.worker?.id));
  onShutdown(async () => {
    await new Promise((r) => server.close(r));
    await db.close();
  });
}

function onShutdown(stop: () => Promise<void>): void {
  let once = false;
  const shutdown = async (signal: string) => {
    if (once) return;
    once = true;
    if (!cluster.isWorker) log(`收到 ${signal}，正在停止… (shutting down)`);
    await stop().catch((err) => log(`停止时出错 (error while stopping): ${err instanceof Error ? err.message : err}`));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (cluster.isWorker) return worker(config);
  if (config.webWorkers > 1) return primary(config);
  return single(config);
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(`[matrix-planner] 配置错误：${err.message}`);
  else console.error('[matrix-planner] 启动失败 (failed to start):', err instanceof Error ? err.message : err);
  process.exit(1);
});
