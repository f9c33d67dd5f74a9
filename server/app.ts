import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import cookieParser from 'cookie-parser';
import { expressMiddleware } from '@as-integrations/express5';
import type { ApolloServer } from '@apollo/server';
import type { DataSource } from 'typeorm';
import { ROOT, type Config } from './config';
import { sqlScope } from './db/sql-counter';
import { createContext, type Context, type SessionUser } from './kernel/context';
import { schemaParts } from './registry';
import { createApolloServer } from './graphql/server';
import { AUDIT_CSV_PATH, auditCsvHandler } from './audit/audit.csv';

export type Authenticate = (req: express.Request, ds: DataSource, config: Config) => Promise<SessionUser | null>;

export interface App {
  app: express.Express;
  apollo: ApolloServer<Context>;
}

/** The HTTP application: `/graphql`, `/healthz`, and the built client (SPA) from `client/dist`. */
export async function createApp(ds: DataSource, config: Config, authenticate?: Authenticate): Promise<App> {
  const apollo = await createApolloServer(config, schemaParts());
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/healthz', async (_req, res) => {
    try {
      await ds.query('SELECT 1');
      res.json({ ok: true });
    } catch {
      res.status(503).json({ ok: false });
    }
  });
  app.get(AUDIT_CSV_PATH, auditCsvHandler(ds, config, authenticate ?? (async () => null)));
  app.use(
    '/graphql',
    (_req, _res, next) => sqlScope.run({ statements: 0 }, next),
    cookieParser(),
    express.json({ limit: '64mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const user = authenticate ? await authenticate(req, ds, config) : null;
        return createContext(ds, config, user, {
          ip: req.ip,
          userAgent: req.get('user-agent') ?? undefined,
          setCookie: (name, value, opts) => res.cookie(name, value, opts),
          clearCookie: (name) => res.clearCookie(name),
        });
      },
    }),
  );
  const clientDist = path.join(ROOT, 'client', 'dist');
  if (fs.existsSync(path.join(clientDist, 'index.html'))) {
    app.use(express.static(clientDist, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!graphql|healthz).*/, (_req, res) => res.sendFile(path.join(clientDist, 'index.html')));
  } else {
    app.get('/', (_req, res) => res.type('text/plain; charset=utf-8').send('matrix-planner：客户端尚未构建，请运行 npm run build。GraphQL 接口位于 /graphql'));
  }
  return { app, apollo };
}
