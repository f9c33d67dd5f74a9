import { GraphQLError, Kind, type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type GraphQLSchema } from 'graphql';
import { getComplexity, fieldExtensionsEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { ApolloServerPlugin } from '@apollo/server';

/** Validation rule: rejects operations nested deeper than `max` fields (introspection is exempt). */
export function depthLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, sel.selectionSet ? 1 + depthOf(sel.selectionSet, seen) : 1);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel.selectionSet, seen));
        } else if (sel.kind === Kind.FRAGMENT_SPREAD && !seen.has(sel.name.value)) {
          const frag = fragments.get(sel.name.value);
          if (frag) deepest = Math.max(deepest, depthOf(frag.selectionSet, new Set([...seen, sel.name.value])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > max) {
          context.reportError(new GraphQLError(`查询嵌套过深：${depth} 层，最多 ${max} 层 (query depth ${depth} exceeds the maximum of ${max})`,
            { nodes: [node], extensions: { code: 'BAD_USER_INPUT', depth, maxDepth: max } }));
        }
      },
    };
  };
}

/**
 * The cost model: a field costs what its resolver declares next to it (`@Query(…, { complexity: N })`, read by
 * fieldExtensionsEstimator: N + its children) — reports, summaries, the matrix, detection runs, imports and exports
 * declare hundreds to thousands; leaf fields cost 1. Lists cost their page size (`first`, default 20) times their
 * children. Root fields declaring at least EXPENSIVE_FIELD_COMPLEXITY (500) are also rate-limited (edge.ts).
 */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? args.first : undefined;
  if (first !== undefined) return 1 + childComplexity * Math.max(1, first);
  return 1 + childComplexity;
};

const costCache = new WeakMap<DocumentNode, Map<string, number>>();

/** Apollo plugin: rejects operations whose estimated cost exceeds `max` before any resolver runs. */
export function complexityLimit(schema: GraphQLSchema, max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operationName }) {
          // Apollo hands the same parsed document to every request with the same text: its cost is computed once
          // per distinct (operation, variables) and remembered with the document (issue 6).
          const key = `${operationName ?? ''}\u0000${JSON.stringify(request.variables ?? {})}`;
          let costs = costCache.get(document);
          if (!costs) costCache.set(document, (costs = new Map()));
          let cost = costs.get(key);
          if (cost === undefined) {
            try {
              cost = getComplexity({
                schema,
                query: document,
                operationName: operationName ?? undefined,
                variables: request.variables ?? {},
                estimators: [fieldExtensionsEstimator(), pagedEstimator],
              });
            } catch (err) {
              // Variables that do not fit their types (getComplexity coerces them first): a client error, HTTP 400.
              const message = err instanceof GraphQLError ? err.message : String(err);
              throw new GraphQLError(`变量类型不符 (invalid variables): ${message.slice(0, 200)}`,
                { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
            }
            if (costs.size < 100) costs.set(key, cost);
          }
          if (cost > max) {
            // A client error: HTTP 400 (a plugin's error is a 500 unless it says otherwise).
            throw new GraphQLError(`查询过于复杂：估算代价 ${cost}，上限 ${max}；请减少每页条数、别名或嵌套 (query cost ${cost} exceeds ${max})`,
              { extensions: { code: 'BAD_USER_INPUT', cost, maxCost: max, http: { status: 400 } } });
          }
        },
      };
    },
  };
}
