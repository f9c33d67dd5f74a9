import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Config } from '../config';
import { startEmbedded, type EmbeddedHandle } from './embedded';
import { CountingLogger } from './sql-counter';

export interface Database {
  dataSource: DataSource;
  url: string;
  embedded: EmbeddedHandle | null;
  close(): Promise<void>;
}

function parallelWorkers(): number {
  const n = Number(process.env.PG_PARALLEL_WORKERS ?? 0);
  return Number.isInteger(n) && n >= 0 && n <= 64 ? n : 0;
}

/** What TypeORM needs to know of the application: its entities and migrations (listed by server/registry.ts). */
export interface DataModel {
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

export function createDataSource(model: DataModel, url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: model.entities,
    migrations: model.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logger: new CountingLogger(process.env.LOG_SQL === '1'),
    maxQueryExecutionTime: 2000,
    invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' },
    // No parallel query plans: a request is one small query on one core; parallel workers cost more to start than
    // they save and, under concurrency, take the cores other requests need (issue 6: a province's matrix 9 → 6 ms
    // alone, and throughput at 32 connections up). Set PG_PARALLEL_WORKERS to allow them (e.g. for ad-hoc CLIs).
    extra: { max: poolSize, application_name: 'matrix-planner', options: `-c max_parallel_workers_per_gather=${parallelWorkers()}` },
  });
}

/**
 * Opens the configured database: `DATABASE_URL` if set, otherwise the embedded PostgreSQL under the data directory
 * (started here, or joined if the server or another CLI already runs it). Runs pending migrations.
 */
export async function openDatabase(model: DataModel, config: Config, opts: { log?: (m: string) => void; migrate?: boolean } = {}): Promise<Database> {
  const log = opts.log ?? (() => undefined);
  let embedded: EmbeddedHandle | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbedded({ dir: path.join(config.dataDir, 'pg'), port: config.embeddedPort, log });
    url = embedded.url;
  }
  const dataSource = createDataSource(model, url, config.dbPoolSize);
  try {
    await dataSource.initialize();
    if (opts.migrate !== false) await runMigrations(dataSource, log);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  return {
    dataSource,
    url,
    embedded,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** Applies pending migrations; an advisory lock keeps concurrent starters (server + CLI) from racing. */
export async function runMigrations(ds: DataSource, log: (m: string) => void = () => undefined): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7310001)');
    const done = await ds.runMigrations({ transaction: 'each' });
    for (const m of done) log(`已执行迁移 ${m.name} (migration applied)`);
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7310001)').catch(() => undefined);
    await runner.release();
  }
}
