import type { ApolloServer } from '@apollo/server';
import type { DataSource } from 'typeorm';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp, type Authenticate } from '../../server/app';
import type { Config } from '../../server/config';
import { createContext, type Context, type SessionUser } from '../../server/kernel/context';
import { createApolloServer } from '../../server/graphql/server';
import { schemaParts } from '../../server/registry';
import { sqlScope } from '../../server/db/sql-counter';
import { stringifyResult } from '../../server/kernel/raw-json';
import { Role } from '../../server/common/enums';
import { authenticate as realAuthenticate } from '../../server/auth/authenticate';
import { appDataSource } from './db';

/**
 * The user `exec` runs as unless told otherwise: an ADMIN with no unit limit. A matching `users` row (id 0, no valid
 * password) is inserted when the harness starts, so foreign keys to users(id) hold. Pass `null` for anonymous.
 */
export const TEST_ADMIN: SessionUser = { id: 0, username: 'test-admin', role: Role.ADMIN, unitId: null, unitPath: null };

export async function ensureTestAdmin(ds: DataSource): Promise<void> {
  await ds.query(
    `INSERT INTO users (id, username, display_name, password_hash, role, unit_id) VALUES (0, 'test-admin', '测试管理员', '!', 'ADMIN', NULL)
     ON CONFLICT DO NOTHING`);
}

export interface GqlResult<T = Record<string, any>> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, any> }[];
  /** SQL statements the operation issued (from the server's own counter). */
  sqlStatements: number;
}

/** Resolver-level harness: `server.executeOperation` with a fresh context (fresh loaders) per call. */
export async function createGraphqlHarness(owner: DataSource, config: Config) {
  const server: ApolloServer<Context> = await createApolloServer(config, schemaParts());
  await ensureTestAdmin(owner);
  // The operations run as the application's role `matrix_app`, as the server does (tests/support/db.ts).
  const ds = appDataSource(owner);
  return {
    server,
    async exec<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, user: SessionUser | null = TEST_ADMIN): Promise<GqlResult<T>> {
      const scope = { statements: 0 };
      // As over HTTP: the answer is written by the server's stringifyResult (a planned read may render it in SQL:
      // server/reads/render-sql.ts) and read back as a client reads it.
      const res = await sqlScope.run(scope, () =>
        server.executeOperation({ query, variables }, { contextValue: createContext(ds, config, user, { rawJson: true }) }));
      if (res.body.kind !== 'single') throw new Error('unexpected incremental response');
      const { data, errors } = JSON.parse(stringifyResult(res.body.singleResult)) as { data?: T | null; errors?: GqlResult['errors'] };
      return { data: (data ?? undefined) as T | undefined, errors, sqlStatements: scope.statements };
    },
    stop: () => server.stop(),
  };
}

/**
 * Real HTTP server on a free port, for anything involving login, cookies or headers. Uses the real session
 * authentication unless another `authenticate` is given: log in (or use tests/support/auth.ts) to get a token.
 */
export async function startHttp(ds: DataSource, config: Config, authenticate: Authenticate = realAuthenticate) {
  // The application runs as `matrix_app`, as the server does (tests/support/db.ts); fixtures keep the owner's `ds`.
  const { app, apollo } = await createApp(appDataSource(ds), config, authenticate);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async post(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResult & { extensions?: { sqlStatements?: number } } };
    },
    async close() {
      await new Promise((r) => server.close(r));
      await apollo.stop();
    },
  };
}
