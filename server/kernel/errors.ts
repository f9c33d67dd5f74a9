import { GraphQLError } from 'graphql';

/**
 * The error catalogue. Every error a person reads has a code (what the client does with it), a message key (what
 * it says, in Chinese and English — the client renders the key in the user's language) and parameters. The
 * `message` carries the Chinese text with the English in brackets for scripts and logs. No database ids, field
 * names of tables or stack traces in any of them.
 */
export type ErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT'
  /** Too many failed logins: `extensions.retryAfterSeconds` says how long to wait. */
  | 'TOO_MANY_ATTEMPTS'
  /** Too many expensive operations (detection runs, imports, reports, exports): `extensions.retryAfterSeconds`. */
  | 'TOO_MANY_REQUESTS'
  /** The request body exceeds the limit of its path (HTTP 413). */
  | 'PAYLOAD_TOO_LARGE';

export const ERROR_CODES: readonly ErrorCode[] = ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'TOO_MANY_ATTEMPTS',
  'TOO_MANY_REQUESTS', 'PAYLOAD_TOO_LARGE'];

interface Message { zh: string; en: string }

/** Message keys → texts with `{param}` placeholders. */
export const MESSAGES = {
  'auth.required': { zh: '请先登录', en: 'please log in' },
  'auth.forbidden': { zh: '无权执行此操作', en: 'forbidden' },
  'auth.role': { zh: '无权执行此操作：需要{roles}角色', en: 'forbidden: requires {rolesEn}' },
  'auth.readOnly': { zh: '审计员只能查看，不能修改数据', en: 'forbidden: auditors are read-only' },
  'scope.notFound': { zh: '未找到{what}', en: 'not found' },
  'scope.outside': { zh: '{what}不在您的管辖范围内', en: 'forbidden: outside your scope' },
  'input.invalid': { zh: '输入有误：{detail}', en: 'invalid input' },
  'input.id': { zh: '{field} 无效：{value} 不是有效的编号', en: 'invalid {field}' },
  'input.date': { zh: '{field} 无效：{value} 不是 YYYY-MM-DD 格式的日期', en: 'invalid date' },
  'input.dateFuture': { zh: '{field} 不能晚于今天（{today}）', en: 'date in the future' },
  'input.pageSize': { zh: 'first 应在 1 到 {max} 之间，收到 {value}', en: 'page size must be 1..{max}' },
  'input.cursor': { zh: '游标 after 无效，请从第一页重新查询', en: 'invalid cursor' },
  'input.region': { zh: '未找到行政区划 {code}', en: 'unknown region' },
  'input.text': { zh: '{field} 无效：{reason}', en: 'invalid {field}: NUL or lone surrogate characters' },
  'input.variables': { zh: '变量应为 JSON 对象', en: 'variables must be a JSON object' },
  'input.variablesDepth': { zh: '变量嵌套过深，最多 {max} 层', en: 'variables nested deeper than {max} levels' },
  'limit.queryChars': { zh: '查询文本过长：最多 {max} KB', en: 'document longer than {max} KB' },
  'limit.tokens': { zh: '查询过长：最多 {max} 个词法单元', en: 'document exceeds {max} tokens' },
  'limit.fields': { zh: '查询字段过多：最多 {max} 个', en: 'document selects more than {max} fields' },
  'limit.duplicateFields': { zh: '同一字段在一个选择集中重复过多：最多 {max} 次', en: 'a field repeated more than {max} times in one selection set' },
  'limit.aliases': { zh: '查询别名过多：最多 {max} 个', en: 'document uses more than {max} aliases' },
  'limit.directives': { zh: '查询指令过多：最多 {max} 个', en: 'document uses more than {max} directives' },
  'limit.depth': { zh: '查询嵌套过深：{depth} 层，最多 {max} 层', en: 'query depth {depth} exceeds the maximum of {max}' },
  'limit.rate': { zh: '操作过于频繁，请 {seconds} 秒后再试', en: 'too many requests: retry in {seconds} s' },
  'http.tooLarge': { zh: '请求内容过大：此接口最多 {limit} KB；大文件请用 /graphql/import 或命令行 npm run import', en: 'payload too large: at most {limit} KB here' },
  'http.badRequest': { zh: '请求格式有误：应为 JSON 格式的 GraphQL 请求', en: 'malformed request: expected a JSON GraphQL request' },
  'http.importOnly': { zh: '此接口只接受导入（importCsv、importUpload）', en: 'this path accepts only importCsv and importUpload' },
  'state.conflict': { zh: '{detail}', en: 'conflict' },
  'internal': { zh: '服务器内部错误，请稍后重试或联系管理员', en: 'internal server error' },
} satisfies Record<string, Message>;

export type MessageKey = keyof typeof MESSAGES;
export type Params = Record<string, string | number>;

export interface FieldProblem {
  field: string;
  message: string;
}

function fill(text: string, params: Params): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

/** The catalogue's message for a key, in Chinese with the English in brackets. */
export function messageOf(key: MessageKey, params: Params = {}): string {
  const m: Message = MESSAGES[key];
  return `${fill(m.zh, params)} (${fill(m.en, params)})`;
}

/** An error from the catalogue. */
export function catalogued(code: ErrorCode, key: MessageKey, params: Params = {}, details?: FieldProblem[] | Record<string, unknown>): GraphQLError {
  return new GraphQLError(messageOf(key, params), { extensions: { code, messageKey: key, params, ...(details ? { details } : {}) } });
}

/** An error with a message written for the case (Chinese first, English in brackets). */
export function appError(code: ErrorCode, message: string, details?: FieldProblem[] | Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(details ? { details } : {}) } });
}

export const badInput = (message: string, details?: FieldProblem[] | Record<string, unknown>) => appError('BAD_USER_INPUT', message, details);
export const notFound = (what: string) => catalogued('NOT_FOUND', 'scope.notFound', { what });
export const forbidden = (message = messageOf('auth.forbidden')) => appError('FORBIDDEN', message);
export const unauthenticated = () => catalogued('UNAUTHENTICATED', 'auth.required');
export const conflict = (message: string, details?: Record<string, unknown>) => appError('CONFLICT', message, details);

/**
 * Parses a GraphQL ID argument into a positive integer id, or throws BAD_USER_INPUT naming the argument. Only plain
 * decimal digits are ids ("1e3", "0x10", " 7" are not).
 */
export function parseId(value: string | number | null | undefined, field = 'id'): number {
  const text = typeof value === 'number' ? String(value) : value;
  const n = typeof text === 'string' && /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n > 2147483647) {
    throw catalogued('BAD_USER_INPUT', 'input.id', { field, value: String(value).slice(0, 40) }, [{ field, message: '应为正整数编号' }]);
  }
  return n;
}
