import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { catalogued } from '../kernel/errors';
import { badStringReason } from './edge';

/**
 * Every String (and ID) argument or input field, at any depth, is refused with BAD_USER_INPUT naming the argument when
 * it holds NUL or a lone surrogate — PostgreSQL cannot store the first and UTF-8 cannot encode the second, so either
 * would otherwise surface as an internal error. Runs before the resolver (and before type-graphql's validation).
 */
function requireGoodStrings(args: unknown): void {
  const problem = findBadString(args);
  if (problem) {
    throw catalogued('BAD_USER_INPUT', 'input.text', { field: problem.field, reason: problem.reason }, [{ field: problem.field, message: problem.reason }]);
  }
}

/**
 * The check above, put by the schema builder (server/graphql/schema.ts) in front of every field
 * that takes arguments — and only those: as a type-graphql global middleware it had run, through two async closures, on
 * every field with a resolver, arguments or not (every unit's `children` of a subtree: issue 14). Synchronous: a
 * field whose resolver answers synchronously stays synchronous. Returns the schema it changed.
 */
export function guardStringArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.length) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        requireGoodStrings(args);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/** The first string in `value` (walked iteratively, bounded) that may not enter the system, with its path. */
export function findBadString(value: unknown, root = ''): { field: string; reason: string } | null {
  const stack: [unknown, string][] = [[value, root]];
  let visited = 0;
  while (stack.length && visited++ < 200_000) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      const reason = badStringReason(v);
      if (reason) return { field: at || 'value', reason };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const keyReason = badStringReason(k);
        if (keyReason) return { field: at || 'value', reason: keyReason };
        stack.push([child, at ? `${at}.${k}` : k]);
      }
    }
  }
  return null;
}
