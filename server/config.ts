import path from 'node:path';

/** Project root (works from `server/` under ts and from `dist/server/` after tsc). */
export const ROOT = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

export interface Config {
  port: number;
  /** Explicit server; when unset the embedded PostgreSQL under `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort: number;
  nodeEnv: string;
  sessionSecret: string;
  maxPageSize: number;
  maxDepth: number;
  maxComplexity: number;
  seedOnEmpty: boolean;
  seedProvince: string;
  dbPoolSize: number;
  /** Read replicas (streaming standbys of `databaseUrl`): reads of GraphQL queries go there (server/db/replication.ts). */
  replicaUrls: string[];
  /** How long a verified session may be answered from this process's memory (0: every request asks the database). */
  sessionCacheMs: number;
  /** After a mutation, the same browser's reads stay on the primary this long (read-your-writes across requests). */
  replicaStickyMs: number;
  /** HTTP worker processes sharing `port` (node cluster, server/main.ts); 1 = no cluster. */
  webWorkers: number;
}

class ConfigError extends Error {}

function int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`环境变量 ${name}=${raw} 无效：应为 ${min}–${max} 之间的整数 (invalid ${name}: expected an integer ${min}–${max})`);
  }
  return n;
}

function bool(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(`环境变量 ${name}=${raw} 无效：应为 true/false (invalid ${name})`);
}

/** Reads and validates the environment once. */
export function loadConfig(): Config {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL 必须以 postgres:// 开头 (DATABASE_URL must be a postgres:// URL)`);
  }
  const nodeEnv = process.env.NODE_ENV ?? 'development';
  const sessionSecret = process.env.SESSION_SECRET ?? 'matrix-planner-dev-secret-change-me-in-production';
  if (nodeEnv === 'production' && !process.env.SESSION_SECRET) {
    throw new ConfigError('生产环境必须设置 SESSION_SECRET (SESSION_SECRET is required in production)');
  }
  const seedProvince = process.env.SEED_PROVINCE ?? '35';
  if (!/^\d{2}$/.test(seedProvince)) throw new ConfigError(`SEED_PROVINCE=${seedProvince} 无效：应为两位省级代码，如 35`);
  return {
    port: int('PORT', 4000, 0, 65535),
    databaseUrl,
    dataDir: path.resolve(ROOT, process.env.DATA_DIR ?? '.data'),
    embeddedPort: int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
    nodeEnv,
    sessionSecret,
    maxPageSize: int('MAX_PAGE_SIZE', 100, 1, 10000),
    maxDepth: int('MAX_QUERY_DEPTH', 10, 2, 50),
    maxComplexity: int('MAX_QUERY_COMPLEXITY', 20000, 10),
    seedOnEmpty: bool('SEED_ON_EMPTY', true),
    seedProvince,
    dbPoolSize: int('DB_POOL_SIZE', 10, 1, 200),
    replicaUrls: replicaUrls(databaseUrl),
    replicaStickyMs: int('REPLICA_STICKY_MS', 10_000, 0, 3_600_000),
    sessionCacheMs: int('SESSION_CACHE_MS', 60_000, 0, 3_600_000),
    webWorkers: int('WEB_WORKERS', 1, 1, 64),
  };
}

/** `DATABASE_REPLICA_URLS`: comma-separated postgres:// URLs of streaming standbys; they need `DATABASE_URL`. */
function replicaUrls(databaseUrl: string | undefined): string[] {
  const urls = (process.env.DATABASE_REPLICA_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    if (!/^postgres(ql)?:\/\//.test(u)) throw new ConfigError(`DATABASE_REPLICA_URLS 中的 ${u.replace(/:[^:@/]*@/, ':***@')} 无效：应为 postgres:// 地址 (replica URLs must be postgres:// URLs)`);
  }
  if (urls.length && !databaseUrl) throw new ConfigError('设置 DATABASE_REPLICA_URLS 时必须同时设置 DATABASE_URL（主库）(DATABASE_REPLICA_URLS needs DATABASE_URL, the primary)');
  return urls;
}

export { ConfigError };
