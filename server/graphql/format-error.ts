import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES, messageOf, type FieldProblem } from '../kernel/errors';

const KNOWN = new Set<string>([...ERROR_CODES, 'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/** graphql-js's "Did you mean …?" hints name fields and types a caller did not ask for: not in production. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Apollo `formatError`: known errors pass through (without stack traces); argument validation becomes
 * BAD_USER_INPUT with the fields named; anything unexpected is logged and replaced by a plain message.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, opts: { production?: boolean } = {}): GraphQLFormattedError {
  if (opts.production) formatted = { ...formatted, message: formatted.message.replace(SUGGESTION, '') };
  const code = formatted.extensions?.code as string | undefined;
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  const validation = (original as { extensions?: { validationErrors?: unknown[] } })?.extensions?.validationErrors;
  if (Array.isArray(validation)) {
    const details = flattenValidation(validation as ValidationErrorLike[]);
    return {
      message: `输入有误：${details.map((d) => `${d.field}：${d.message}`).join('；')} (invalid input)`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT', details },
    };
  }
  // Depth and cost limits: Apollo reports them as validation failures; to the user they are bad input.
  if (formatted.extensions && ('maxDepth' in formatted.extensions || 'maxCost' in formatted.extensions)) {
    const { stacktrace: _s, ...ext } = formatted.extensions;
    return { ...formatted, extensions: { ...ext, code: 'BAD_USER_INPUT' } };
  }
  if (code && KNOWN.has(code)) {
    const { stacktrace: _s, ...ext } = formatted.extensions ?? {};
    return { ...formatted, extensions: ext };
  }
  console.error('[graphql] unexpected error:', original);
  return {
    message: messageOf('internal'),
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

interface ValidationErrorLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationErrorLike[];
}

function flattenValidation(errors: ValidationErrorLike[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const msg of Object.values(e.constraints ?? {})) out.push({ field, message: msg });
    if (e.children?.length) out.push(...flattenValidation(e.children, field));
  }
  return out;
}
