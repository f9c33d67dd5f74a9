import { ApolloServer } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Config } from '../config';
import { sqlScope } from '../db/sql-counter';
import type { Context } from '../kernel/context';
import { messageOf } from '../kernel/errors';
import { stringifyResult } from '../kernel/raw-json';
import { formatError } from './format-error';
import { complexityLimit, depthLimit } from './limits';
import { edgeLimits, type EdgeLimits } from './edge';
import { getSchema, type Resolvers } from './schema';

export interface SchemaParts {
  /** Every resolver class (server/registry.ts). */
  resolvers: Resolvers;
  /** Plugins that see each operation before it runs (the session guard of auth; reads answered without execution). */
  guards: ApolloServerPlugin<Context>[];
}

/** Apollo Server with our limits, error mapping and the per-request SQL statement count in `extensions`. */
export async function createApolloServer(config: Config, parts: SchemaParts, limits: EdgeLimits = edgeLimits(config.maxDepth)): Promise<ApolloServer<Context>> {
  const schema = await getSchema(parts.resolvers);
  const production = config.nodeEnv === 'production';
  // graphql-armor: the same limits as the edge guard (server/graphql/edge.ts), enforced again inside Apollo for
  // requests that do not come through HTTP (executeOperation) and as a second line; its depth-based cost model is
  // off: our cost model weighs fields (server/graphql/limits.ts). No "Did you mean …" suggestions in production.
  const armor = new ApolloArmor({
    maxTokens: { n: limits.maxTokens, errorMessage: messageOf('limit.tokens', { max: limits.maxTokens }) },
    maxAliases: { n: limits.maxAliases, errorMessage: messageOf('limit.aliases', { max: limits.maxAliases }) },
    maxDirectives: { n: limits.maxDirectives, errorMessage: messageOf('limit.directives', { max: limits.maxDirectives }) },
    // Depth: our own rule below (BAD_USER_INPUT naming the depth), the same count as the edge guard's.
    maxDepth: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  }).protect();
  const server = new ApolloServer<Context>({
    schema,
    formatError: (formatted, error) => formatError(formatted, error, { production }),
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // JSON.stringify, but a planned read's answer rendered by its statement is written as it is (kernel/raw-json.ts).
    stringifyResult,
    introspection: !production,
    validationRules: [...armor.validationRules, depthLimit(limits.maxDepth)],
    plugins: [
      // No HTTP caching of GraphQL responses here; without it Apollo does not wrap every field resolver (issue 6).
      ApolloServerPluginCacheControlDisabled(),
      ...armor.plugins,
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
