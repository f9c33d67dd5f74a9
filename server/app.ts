import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import cookieParser from 'cookie-parser';
import { expressMiddleware } from '@as-integrations/express5';
import type { ApolloServer } from '@apollo/server';
import type { DataSource, EntityManager } from 'typeorm';
import { getOperationAST, parse } from 'graphql';
import { ROOT, type Config } from './config';
import { sqlScope } from './db/sql-counter';
import { createHealthProbe } from './db/health';
import { PRIMARY_COOKIE, primaryCookie, replicaReads, requestManager } from './db/replication';
import { createContext, type Context, type SessionUser } from './kernel/context';
import { schemaParts } from './registry';
import { createApolloServer } from './graphql/server';
import { getSchema } from './graphql/schema';
import { edgeGuard, edgeLimits, jsonErrors, sendError, type EdgeLimits } from './graphql/edge';
import { RateLimiter } from './graphql/rate-limit';
import { graphqlJsonBody, importBody, parseFailed } from './graphql/json-body';
import { anonymousMayRun } from './auth/session-guard';
import { AUDIT_CSV_PATH, auditCsvHandler } from './audit/audit.csv';
import { bulletinsRouter } from './inspections/bulletins.http';
import { exportsRouter } from './export/xlsx-export';
import { parseImportBody, withPrepared } from './import/upload-worker';

/**
 * Read replicas (server/db/replication.ts): a query reads from a replica unless the browser wrote within
 * REPLICA_STICKY_MS; a mutation stays on the primary and (re)sets that sticky cookie.
 */
function readManager(req: express.Request, res: express.Response, ds: DataSource, config: Config): EntityManager {
  const operation = operationType(req);
  if (operation === 'mutation') {
    const sticky = primaryCookie(config.replicaStickyMs);
    res.cookie(PRIMARY_COOKIE, sticky.value, { maxAge: sticky.maxAge, httpOnly: true, sameSite: 'lax', secure: config.nodeEnv === 'production', path: '/' });
  }
  return requestManager(ds, operation, (req.cookies as Record<string, string> | undefined)?.[PRIMARY_COOKIE]);
}

/** query | mutation | subscription of the request's operation (undefined when it cannot tell: the primary then). */
function operationType(req: express.Request): string | undefined {
  const body = (req.method === 'POST' ? req.body : req.query) as { query?: unknown; operationName?: unknown } | undefined;
  if (typeof body?.query !== 'string') return undefined;
  if (!/\b(mutation|subscription)\b/.test(body.query)) return 'query';
  try {
    return getOperationAST(parse(body.query, { noLocation: true }), typeof body.operationName === 'string' ? body.operationName : undefined)?.operation;
  } catch {
    return undefined;
  }
}

export type Authenticate = (req: express.Request, ds: DataSource, config: Config) => Promise<SessionUser | null>;

export interface App {
  app: express.Express;
  apollo: ApolloServer<Context>;
}

/** Imports travel inside GraphQL variables (the whole file): their own path with its own, larger body limit. */
export const IMPORT_PATH = '/graphql/import';
/**
 * `IMPORT_PATH`'s JSON body, read as bytes by express.raw, parsed in a worker thread with its upload files prepared
 * there (for a signed-in caller); the resolvers find them in the request's store (withPrepared). Malformed JSON → 400
 * as express.json answers.
 */
const parseOffThread = (signedIn: (req: express.Request) => Promise<boolean>): express.RequestHandler => (req, _res, next) => {
  if (!Buffer.isBuffer(req.body)) return next();
  const bytes = req.body;
  // An anonymous caller's files are not decoded (the edge guard refuses anything but `login` next).
  signedIn(req).then((prepare) => parseImportBody(bytes, prepare)).then((parsed) => {
    if (!parsed) return next(parseFailed());
    req.body = parsed.body;
    withPrepared(parsed.prepared, next);
  }, next);
};

/** The only operations `IMPORT_PATH` accepts (`importUpload`: bytes as Base64, issue 12). */
const IMPORT_FIELDS = new Set(['mutation.importCsv', 'mutation.importUpload']);

/**
 * The HTTP application: `/graphql` (and `/graphql/import` for the imports only), `/healthz`, and the built client
 * (SPA) from `client/dist`. In front of Apollo: the body limit, then the edge guard (server/graphql/edge.ts) that
 * refuses oversized documents, anonymous calls of anything but `login`, and too frequent expensive operations
 * before any parsing or validation of consequence.
 */
export async function createApp(ds: DataSource, config: Config, authenticate?: Authenticate,
  opts: { limits?: Partial<EdgeLimits> } = {}): Promise<App> {
  const limits: EdgeLimits = { ...edgeLimits(config.maxDepth), ...opts.limits };
  const parts = schemaParts();
  const apollo = await createApolloServer(config, parts, limits);
  const schema = await getSchema(parts.resolvers);
  const production = config.nodeEnv === 'production';
  const authenticateOnce = async (req: express.Request, res: express.Response): Promise<SessionUser | null> => {
    if (!('user' in res.locals)) res.locals.user = authenticate ? await authenticate(req, ds, config) : null;
    return res.locals.user as SessionUser | null;
  };
  const limiter = new RateLimiter(limits.rate);
  const guard = (onlyFields?: ReadonlySet<string>) => edgeGuard({
    limits,
    schema,
    limiter,
    onlyFields,
    identify: async (req) => {
      const user = await authenticateOnce(req, req.res!);
      return { userId: user ? user.id : null };
    },
    anonymousMayRun: (fields) => anonymousMayRun(fields, { introspection: !production }),
  });
  const replicated = replicaReads(ds) !== null;
  const graphql = expressMiddleware(apollo, {
    context: async ({ req, res }) => {
      const user = await authenticateOnce(req, res);
      return createContext(ds, config, user, {
        ip: req.ip,
        userAgent: req.get('user-agent') ?? undefined,
        setCookie: (name, value, cookieOpts) => res.cookie(name, value, cookieOpts),
        clearCookie: (name) => res.clearCookie(name),
        rawJson: true,
      }, replicated ? readManager(req, res, ds, config) : ds.manager);
    },
  });

  const app = express();
  app.disable('x-powered-by');
  // No ETag on answers sent by `res.send` (GraphQL, JSON errors): a SHA-1 of every answer (an 18 KB subtree: ≈1 % of
  // the server's CPU under load) for a validator no GraphQL POST uses. Static files keep theirs (express.static).
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  const healthy = createHealthProbe(ds);
  app.get('/healthz', async (_req, res) => {
    try {
      await healthy();
      res.json({ ok: true });
    } catch {
      res.status(503).json({ ok: false });
    }
  });
  app.get(AUDIT_CSV_PATH, auditCsvHandler(ds, config, authenticate ?? (async () => null)));
  app.use(bulletinsRouter(ds, config, authenticate ?? (async () => null)));
  app.use(exportsRouter(ds, config, authenticate ?? (async () => null)));
  const counted: express.RequestHandler = (_req, _res, next) => sqlScope.run({ statements: 0 }, next);
  // The import path's body (up to 64 MB) is read as bytes (json-body.ts importBody), bounded by its limit (413
  // beyond), and parsed — with the files' Base64 decoded — in a worker thread (server/import/upload-worker.ts), never
  // on the event loop.
  app.use(IMPORT_PATH, counted, cookieParser(), importBody(limits.importBodyBytes),
    parseOffThread(async (req) => (await authenticateOnce(req, req.res!)) !== null),
    guard(IMPORT_FIELDS), graphql);
  app.use('/graphql', counted, cookieParser(), ...graphqlJsonBody(limits.bodyBytes), guard(), graphql);
  app.use('/graphql', (_req: express.Request, res: express.Response) => sendError(res, 405, 'BAD_REQUEST', 'http.badRequest'));
  const clientDist = path.join(ROOT, 'client', 'dist');
  if (fs.existsSync(path.join(clientDist, 'index.html'))) {
    // Vite's chunks carry their content hash in the name: cached for a year, never revalidated. index.html (which
    // names them) is revalidated on every visit, so a new build is picked up at once.
    // A browser that accepts gzip gets the copy the build compressed (client/scripts/precompress.ts).
    const assets = path.join(clientDist, 'assets');
    app.use('/assets', (req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !/^\/[\w.-]+\.(js|css)$/.test(req.path)) return next();
      const gz = path.join(assets, `${req.path.slice(1)}.gz`);
      if (!fs.existsSync(gz)) return next();
      res.setHeader('Vary', 'Accept-Encoding');
      if (!/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return next();
      res.setHeader('Content-Encoding', 'gzip');
      res.type(path.extname(req.path));
      res.sendFile(gz, { immutable: true, maxAge: '365d' });
    });
    app.use('/assets', express.static(assets, { index: false, immutable: true, maxAge: '365d' }));
    app.use(express.static(clientDist, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!graphql|healthz).*/, (_req, res) => res.sendFile(path.join(clientDist, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } }));
  } else {
    app.get('/', (_req, res) => res.type('text/plain; charset=utf-8').send('matrix-planner：客户端尚未构建，请运行 npm run build。GraphQL 接口位于 /graphql'));
  }
  // Every error (malformed JSON, too large a body, anything unexpected) answers JSON: no HTML page, stack or path.
  app.use(jsonErrors);
  return { app, apollo };
}
