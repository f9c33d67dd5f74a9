import type { MiddlewareFn } from 'type-graphql';
import { catalogued } from '../kernel/errors';
import { badStringReason } from './edge';

/**
 * Global type-graphql middleware: every String (and ID) argument or input field, at any depth, is refused with
 * BAD_USER_INPUT naming the argument when it holds NUL or a lone surrogate — PostgreSQL cannot store the first and
 * UTF-8 cannot encode the second, so either would otherwise surface as an internal error. Runs before the resolver,
 * only for fields with a resolver and arguments (plain object fields are simple resolvers and skip it).
 */
export const rejectBadStrings: MiddlewareFn = ({ args }, next) => {
  const problem = findBadString(args);
  if (problem) {
    throw catalogued('BAD_USER_INPUT', 'input.text', { field: problem.field, reason: problem.reason }, [{ field: problem.field, message: problem.reason }]);
  }
  return next();
};

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
