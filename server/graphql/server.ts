import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { sqlScope } from '../db/sql-counter';
import type { Context } from './context';
import { formatError } from './errors';
import { complexityLimit, depthLimit } from './limits';
import { getSchema } from './schema';
import { sessionGuard } from '../auth/session-guard';

/** Apollo Server with our limits, error mapping and the per-request SQL statement count in `extensions`. */
export async function createApolloServer(_ds: DataSource, config: Config): Promise<ApolloServer<Context>> {
  const schema = await getSchema();
  const server = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: config.nodeEnv !== 'production',
    validationRules: [depthLimit(config.maxDepth)],
    plugins: [
      // No HTTP caching of GraphQL responses here; without it Apollo does not wrap every field resolver (issue 6).
      ApolloServerPluginCacheControlDisabled(),
      sessionGuard(),
      complexityLimit(schema, config.maxComplexity),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ response }) {
              const scope = sqlScope.getStore();
              if (scope && response.body.kind === 'single') {
                response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlStatements: scope.statements };
              }
            },
          };
        },
      },
    ],
  });
  await server.start();
  return server;
}
