import { GraphQLError, Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { Role } from '../common/enums';
import type { Context } from '../kernel/context';

/**
 * The one place where "every operation but `login` requires a session" is enforced: an Apollo plugin that looks at
 * the root fields of the resolved operation before any resolver runs. Anonymous requests may only call
 * `Mutation.login` (and introspection, which Apollo itself disables in production). Auditors may run no mutation
 * other than their own session's. Services still check roles and scope themselves (`server/auth/authorize.ts`).
 * Errors keep HTTP status 200 so clients read `extensions.code` as for any other GraphQL error.
 */
const PUBLIC_ROOT_FIELDS = new Set(['mutation.login']);
const AUDITOR_MUTATIONS = new Set(['login', 'logout']);

/**
 * May an anonymous caller run these root fields (`mutation.login`, `query.__schema`)? Only `login`, plus
 * introspection when it is enabled (outside production). The HTTP edge guard asks this before Apollo parses or
 * validates anything of consequence; the plugin below asks the same for operations that do not come over HTTP.
 */
export function anonymousMayRun(fields: readonly string[], opts: { introspection: boolean }): boolean {
  return fields.every((f) => PUBLIC_ROOT_FIELDS.has(f) || f.endsWith('.__typename')
    || (opts.introspection && (f === 'query.__schema' || f === 'query.__type')));
}

export function rootFieldNames(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): string[] {
  const names: string[] = [];
  const walk = (set: SelectionSetNode, seen: Set<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) names.push(sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, seen);
      else if (sel.kind === Kind.FRAGMENT_SPREAD && !seen.has(sel.name.value)) {
        const frag = fragments.get(sel.name.value);
        if (frag) walk(frag.selectionSet, new Set([...seen, sel.name.value]));
      }
    }
  };
  walk(operation.selectionSet, new Set());
  return names;
}

export function sessionGuard(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (!operation) return; // Apollo rejects a document without a (matching) operation on its own
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
          const kind = operation.operation;
          const fields = rootFieldNames(operation, fragments);
          const user = contextValue.user;
          if (!user) {
            const open = fields.every((f) => f.startsWith('__') || PUBLIC_ROOT_FIELDS.has(`${kind}.${f}`));
            if (!open) {
              throw new GraphQLError('请先登录，或登录已过期请重新登录 (authentication required)', {
                extensions: { code: 'UNAUTHENTICATED', http: { status: 200 } },
              });
            }
            return;
          }
          if (kind === 'mutation' && user.role === Role.AUDITOR) {
            const denied = fields.filter((f) => !f.startsWith('__') && !AUDITOR_MUTATIONS.has(f));
            if (denied.length) {
              throw new GraphQLError(`审计员只能查看，不能修改数据（${denied.join('、')}） (forbidden: auditors are read-only)`, {
                extensions: { code: 'FORBIDDEN', http: { status: 200 } },
              });
            }
          }
        },
      };
    },
  };
}
