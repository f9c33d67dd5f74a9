import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Typed errors with a message a civil servant can act on. `details` carries structured lists (field problems). */
export type ErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT'
  /** Too many failed logins: `extensions.retryAfterSeconds` says how long to wait. */
  | 'TOO_MANY_ATTEMPTS';

export interface FieldProblem {
  field: string;
  message: string;
}

export function appError(code: ErrorCode, message: string, details?: FieldProblem[] | Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(details ? { details } : {}) } });
}

export const badInput = (message: string, details?: FieldProblem[] | Record<string, unknown>) => appError('BAD_USER_INPUT', message, details);
export const notFound = (what: string) => appError('NOT_FOUND', `未找到${what} (not found)`);
export const forbidden = (message = '无权执行此操作 (forbidden)') => appError('FORBIDDEN', message);
export const unauthenticated = (message = '请先登录 (please log in)') => appError('UNAUTHENTICATED', message);
export const conflict = (message: string, details?: Record<string, unknown>) => appError('CONFLICT', message, details);

/** Parses a GraphQL ID argument into a positive integer id, or throws BAD_USER_INPUT naming the argument. */
export function parseId(value: string | number | null | undefined, field = 'id'): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || value === '' || !Number.isSafeInteger(n) || n <= 0 || n > 2147483647) {
    throw badInput(`${field} 无效：${String(value)} 不是有效的编号 (invalid ${field})`, [{ field, message: '应为正整数编号' }]);
  }
  return n;
}

const KNOWN = new Set(['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'TOO_MANY_ATTEMPTS', 'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * Apollo `formatError`: known errors pass through (without stack traces); argument validation becomes
 * BAD_USER_INPUT with the fields named; anything unexpected is logged and replaced by a plain message.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
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
    message: '服务器内部错误，请稍后重试或联系管理员 (internal server error)',
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
