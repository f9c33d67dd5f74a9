import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Config } from '../config';
import { sqlScope } from '../db/sql-counter';
import type { Context } from '../kernel/context';
import { formatError } from './format-error';
import { complexityLimit, depthLimit } from './limits';
import { getSchema, type Resolvers } from './schema';

export interface SchemaParts {
  /** Every resolver class (server/registry.ts). */
  resolvers: Resolvers;
  /** Plugins that see each operation before it runs (the session guard of auth). */
  guards: ApolloServerPlugin<Context>[];
}

/** Apollo Server with our limits, error mapping and the per-request SQL statement count in `extensions`. */
export async function createApolloServer(config: Config, parts: SchemaParts): Promise<ApolloServer<Context>> {
  const schema = await getSchema(parts.resolvers);
  const server = new ApolloServer<Context>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: config.nodeEnv !== 'production',
    validationRules: [depthLimit(config.maxDepth)],
    plugins: [
      // No HTTP caching of GraphQL responses here; without it Apollo does not wrap every field resolver (issue 6).
      ApolloServerPluginCacheControlDisabled(),
      ...parts.guards,
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
