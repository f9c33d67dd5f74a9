import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GraphQLError, Kind, parse, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { messageOf, type ErrorCode, type MessageKey, type Params } from '../kernel/errors';
import { RateLimiter, type RateLimitSettings } from './rate-limit';
import { onePerTurn } from './turns';

/**
 * The edge of `/graphql`: cheap checks on the raw request that run BEFORE Apollo parses and validates anything
 * (validation of a large document is quadratic in graphql-js and runs on the only thread). A request is refused
 * here, in well under a millisecond per kilobyte, when its body, document or variables exceed the limits, when an
 * anonymous caller asks for anything but `login` (and introspection outside production), or when an expensive
 * operation exceeds the caller's rate. Apollo then validates with graphql-armor's rules as a second line.
 */
export interface EdgeLimits {
  /** JSON body of `/graphql` (documents and variables). */
  bodyBytes: number;
  /** JSON body of `/graphql/import` (CSV files travel inside the `importCsv` variables). */
  importBodyBytes: number;
  /** Characters of a document (checked before tokenising: the cheapest refusal of a document bomb). */
  maxQueryChars: number;
  /** Lexical tokens of a document. */
  maxTokens: number;
  maxAliases: number;
  maxDirectives: number;
  /** Field selections in a document (fragments counted where spread). */
  maxFields: number;
  /**
   * Selections of one response key in one selection set (fragments merged). graphql-js's OverlappingFieldsCanBeMerged
   * compares every pair of them: 400 × `me { id name }` (within every other limit) took 240 ms of validation.
   */
  maxDuplicateFields: number;
  maxDepth: number;
  /** Nesting of the JSON variables. */
  maxVariableDepth: number;
  /** Fields whose declared complexity is at least this are expensive: rate-limited. */
  expensiveComplexity: number;
  rate: RateLimitSettings;
}

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`环境变量 ${name}=${raw} 无效：应为不小于 ${min} 的整数 (invalid ${name})`);
  return n;
}

/** The limits from the environment (each has a default suited to the client's documents). */
export function edgeLimits(maxDepth: number): EdgeLimits {
  return {
    // Documents (at most 32 KB, below) and their variables: the largest a client sends is a plan drafted from 5,000
    // findings (about 60 KB). 512 KB bounds JSON.parse on the only thread to about 5–17 ms on this 2-core machine; at
    // 2 MB it took 50–83 ms, and a flood of such bodies broke the 100 ms stall bound (CI, 2026-11-29: 123 ms).
    bodyBytes: envInt('GRAPHQL_BODY_LIMIT_BYTES', 512 * 1024, 1024),
    importBodyBytes: envInt('IMPORT_BODY_LIMIT_BYTES', 64 * 1024 * 1024, 1024),
    // The client's largest document (with its fragments) is about 5 KB and 150 tokens.
    maxQueryChars: envInt('GRAPHQL_MAX_QUERY_CHARS', 32 * 1024, 1024),
    maxTokens: envInt('GRAPHQL_MAX_TOKENS', 4000, 100),
    maxAliases: envInt('GRAPHQL_MAX_ALIASES', 30),
    maxDirectives: envInt('GRAPHQL_MAX_DIRECTIVES', 20),
    maxFields: envInt('GRAPHQL_MAX_FIELDS', 800, 10),
    // The client's 60 documents never repeat a key in one selection set (fragments merged).
    maxDuplicateFields: envInt('GRAPHQL_MAX_DUPLICATE_FIELDS', 12, 2),
    maxDepth,
    maxVariableDepth: envInt('GRAPHQL_MAX_VARIABLE_DEPTH', 16, 2),
    expensiveComplexity: envInt('EXPENSIVE_FIELD_COMPLEXITY', 500),
    rate: {
      perUser: envInt('RATE_LIMIT_PER_USER', 30),
      perIp: envInt('RATE_LIMIT_PER_IP', 120),
      windowSeconds: envInt('RATE_LIMIT_WINDOW_SECONDS', 60),
    },
  };
}

/** A GraphQL-shaped error body, as Apollo answers, with the HTTP status that fits a client error. */
export function sendError(res: Response, status: number, code: ErrorCode | string, key: MessageKey, params: Params = {}, extra: Record<string, unknown> = {}): void {
  if (!res.headersSent) {
    res.status(status).type('application/json').json({ errors: [{ message: messageOf(key, params), extensions: { code, messageKey: key, params, ...extra } }] });
  }
}

/**
 * Express error handler for `/graphql` and everything else: body-parser failures and any other error become JSON
 * (no HTML page, stack or path in any mode). Too large → 413, malformed → 400, the rest → 500 without details.
 */
export function jsonErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  const e = err as { type?: string; status?: number; statusCode?: number; limit?: number };
  const status = e.status ?? e.statusCode ?? 500;
  if (e.type === 'entity.too.large' || status === 413) {
    return sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'http.tooLarge', { limit: Math.round((e.limit ?? 0) / 1024) });
  }
  if (status >= 400 && status < 500) return sendError(res, status, 'BAD_REQUEST', 'http.badRequest');
  console.error('[http] unexpected error:', err);
  sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string may not enter the system (NUL, lone surrogates), or null. */
export function badStringReason(s: string): string | null {
  if (s.includes('\u0000')) return '含有空字符 (NUL)';
  if (LONE_SURROGATE.test(s)) return '含有不成对的代理字符 (lone surrogate)';
  return null;
}

/**
 * Whether a JSON value nests deeper than `max` (iterative: a 20,000-deep value must not overflow the stack). Two flat
 * arrays and for…in instead of a tuple per node: 60,000 small objects took 170 ms with tuples, under 10 ms now.
 */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  let seen = 0;
  while (values.length) {
    const v = values.pop();
    const d = depths.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max || ++seen > 100_000) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const c: unknown = v[i];
        if (c !== null && typeof c === 'object') { values.push(c); depths.push(d + 1); }
      }
    } else {
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const c = o[k];
        if (c !== null && typeof c === 'object') { values.push(c); depths.push(d + 1); }
      }
    }
  }
  return false;
}

export interface Shape { aliases: number; directives: number; fields: number; depth: number; duplicates: number }

/**
 * Counts aliases, directives and field selections of a document, its deepest operation and the most selections of one
 * response key in one (merged) selection set — fragments inlined where spread. Stops early once over `maxFields`.
 */
export function documentShape(doc: DocumentNode, limits: Pick<EdgeLimits, 'maxFields'>): Shape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const shape: Shape = { aliases: 0, directives: 0, fields: 0, depth: 0, duplicates: 0 };
  /** `keys`: response keys of the merged selection set being walked (inline fragments and spreads share it). */
  const walk = (set: SelectionSetNode, depth: number, seen: ReadonlySet<string>, keys: Map<string, number>) => {
    for (const sel of set.selections) {
      if (shape.fields > limits.maxFields) return; // bounded work: already over
      shape.directives += sel.directives?.length ?? 0;
      if (sel.kind === Kind.FIELD) {
        shape.fields++;
        if (sel.alias) shape.aliases++;
        const key = sel.alias?.value ?? sel.name.value;
        const n = (keys.get(key) ?? 0) + 1;
        keys.set(key, n);
        if (n > shape.duplicates) shape.duplicates = n;
        const d = sel.name.value.startsWith('__') ? depth : depth + 1;
        shape.depth = Math.max(shape.depth, d);
        if (sel.selectionSet) walk(sel.selectionSet, d, seen, new Map());
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, depth, seen, keys);
      } else if (!seen.has(sel.name.value)) {
        const frag = fragments.get(sel.name.value);
        if (frag) walk(frag.selectionSet, depth, new Set([...seen, sel.name.value]), keys);
      }
    }
  };
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) shape.directives += d.directives?.length ?? 0;
    if (d.kind === Kind.OPERATION_DEFINITION) walk(d.selectionSet, 0, new Set(), new Map());
  }
  return shape;
}

/** The root fields an operation selects (through fragments). */
export function rootFields(operation: OperationDefinitionNode, doc: DocumentNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const names: string[] = [];
  const walk = (set: SelectionSetNode, seen: ReadonlySet<string>) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) names.push(sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) walk(sel.selectionSet, seen);
      else if (!seen.has(sel.name.value)) {
        const frag = fragments.get(sel.name.value);
        if (frag) walk(frag.selectionSet, new Set([...seen, sel.name.value]));
      }
    }
  };
  walk(operation.selectionSet, new Set());
  return names;
}

/** Root fields (`query.x`, `mutation.y`) whose declared complexity marks them as expensive. */
export function expensiveRootFields(schema: GraphQLSchema, threshold: number): Set<string> {
  const out = new Set<string>();
  for (const [kind, type] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const f of Object.values(type?.getFields() ?? {})) {
      const c = f.extensions?.complexity;
      if (typeof c === 'number' && c >= threshold) out.add(`${kind}.${f.name}`);
    }
  }
  return out;
}

export interface EdgeCaller { userId: number | null }

export interface EdgeOptions {
  limits: EdgeLimits;
  schema: GraphQLSchema;
  /** Who calls (authentication runs once here; the Apollo context reuses `res.locals.caller`). */
  identify(req: Request): Promise<EdgeCaller>;
  /** May an anonymous caller run these root fields (`query.x`, `mutation.login`)? */
  anonymousMayRun(fields: string[]): boolean;
  /** Only these root fields (`mutation.importCsv`) on this path; undefined = any. */
  onlyFields?: ReadonlySet<string>;
  limiter?: RateLimiter;
}

type OperationRequest = { query?: unknown; variables?: unknown; operationName?: unknown };

/** The request body of a GraphQL POST (or the query string of a GET); null when it is not one; undefined for other requests. */
function operationRequest(req: Request): OperationRequest | null | undefined {
  if (req.method === 'POST') return req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : null;
  if (req.method === 'GET' && typeof req.query.query === 'string') {
    let variables: unknown;
    try {
      variables = typeof req.query.variables === 'string' ? JSON.parse(req.query.variables) : undefined;
    } catch {
      variables = Symbol('malformed');
    }
    return { query: req.query.query, variables, operationName: req.query.operationName };
  }
  return undefined;
}

/** Parsed documents kept per guard: at most this many, each of at most this many characters (memory stays small). */
const PARSED_MAX = 200;
const PARSED_MAX_CHARS = 8 * 1024;
/**
 * A document longer than this that is not among those kept is parsed in a turn of its own (./turns.ts): parsing the
 * 47 KB alias bombs of the flood test took 5–15 ms each, and eight of them arriving together stalled the loop for the sum.
 */
const OWN_TURN_CHARS = 8 * 1024;

type ParsedDocument = { doc: DocumentNode; shape: ReturnType<typeof documentShape> };

/** The express middleware doing the cheap checks (see the file comment). */
export function edgeGuard(opts: EdgeOptions): RequestHandler {
  const { limits } = opts;
  const expensive = expensiveRootFields(opts.schema, limits.expensiveComplexity);
  const limiter = opts.limiter ?? new RateLimiter(limits.rate);
  // Documents that parsed, with their shape, by their text: clients send the same few documents again and again.
  const parsed = new Map<string, ParsedDocument>();
  return (req, res, next) => {
    const body = operationRequest(req);
    if (body === undefined) return next(); // GET without a query: Apollo's landing page / CSRF answer
    if (body === null) return sendError(res, 400, 'BAD_REQUEST', 'http.badRequest');
    const { query, variables } = body;
    if (typeof query !== 'string') return next(); // Apollo answers "query missing" (400) itself
    if (typeof variables === 'symbol' || (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables)))) {
      return sendError(res, 400, 'BAD_USER_INPUT', 'input.variables');
    }
    if (variables && jsonDepthExceeds(variables, limits.maxVariableDepth)) {
      return sendError(res, 400, 'BAD_USER_INPUT', 'input.variablesDepth', { max: limits.maxVariableDepth });
    }
    if (query.length > limits.maxQueryChars) {
      return sendError(res, 400, 'GRAPHQL_VALIDATION_FAILED', 'limit.queryChars', { max: Math.round(limits.maxQueryChars / 1024) });
    }
    const cached = parsed.get(query);
    if (cached || query.length <= OWN_TURN_CHARS) return checkDocument(req, res, next, body, query, cached);
    onePerTurn(() => {
      // Outside express's own call now: an unexpected throw must become its error answer, not an uncaught exception.
      try {
        checkDocument(req, res, next, body, query, undefined);
      } catch (err) {
        next(err);
      }
    });
  };

  /** The document's checks: parsed (unless `known`), its shape against the limits, who may run its root fields. */
  function checkDocument(req: Request, res: Response, next: NextFunction, body: OperationRequest, query: string, known: ParsedDocument | undefined): void {
    if (!known) {
      let doc: DocumentNode;
      try {
        doc = parse(query, { maxTokens: limits.maxTokens, noLocation: true });
      } catch (err) {
        // graphql-js: "Document contains more that N tokens" (sic)
        if (err instanceof GraphQLError && /contains more th\w+ \d+ tokens/i.test(err.message)) {
          return sendError(res, 400, 'GRAPHQL_VALIDATION_FAILED', 'limit.tokens', { max: limits.maxTokens });
        }
        return next(); // a syntax error: Apollo reports it with its location (400 GRAPHQL_PARSE_FAILED)
      }
      known = { doc, shape: documentShape(doc, limits) };
      if (query.length <= PARSED_MAX_CHARS) {
        if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
        parsed.set(query, known);
      }
    }
    const { doc, shape } = known;
    if (shape.fields > limits.maxFields) return sendError(res, 400, 'GRAPHQL_VALIDATION_FAILED', 'limit.fields', { max: limits.maxFields });
    if (shape.duplicates > limits.maxDuplicateFields) {
      return sendError(res, 400, 'GRAPHQL_VALIDATION_FAILED', 'limit.duplicateFields', { max: limits.maxDuplicateFields });
    }
    if (shape.aliases > limits.maxAliases) return sendError(res, 400, 'GRAPHQL_VALIDATION_FAILED', 'limit.aliases', { max: limits.maxAliases });
    if (shape.directives > limits.maxDirectives) return sendError(res, 400, 'GRAPHQL_VALIDATION_FAILED', 'limit.directives', { max: limits.maxDirectives });
    if (shape.depth > limits.maxDepth) return sendError(res, 400, 'BAD_USER_INPUT', 'limit.depth', { depth: shape.depth, max: limits.maxDepth });
    const operations = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const name = typeof body.operationName === 'string' ? body.operationName : undefined;
    const operation = name ? operations.find((o) => o.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
    if (!operation) return next(); // Apollo answers a missing or ambiguous operation (400)
    const fields = rootFields(operation, doc).map((f) => `${operation.operation}.${f}`);
    if (opts.onlyFields && !fields.every((f) => opts.onlyFields!.has(f))) {
      return sendError(res, 400, 'BAD_REQUEST', 'http.importOnly');
    }
    opts.identify(req).then((caller) => {
      res.locals.caller = caller;
      if (caller.userId === null && !opts.anonymousMayRun(fields)) {
        // Status 200 like every other GraphQL error of a well-formed request: the client reads extensions.code.
        return sendError(res, 200, 'UNAUTHENTICATED', 'auth.required');
      }
      if (fields.some((f) => expensive.has(f))) {
        const retryAfterSeconds = limiter.check(caller.userId, req.ip);
        if (retryAfterSeconds > 0) {
          res.setHeader('Retry-After', String(retryAfterSeconds));
          return sendError(res, 429, 'TOO_MANY_REQUESTS', 'limit.rate', { seconds: retryAfterSeconds }, { retryAfterSeconds });
        }
      }
      next();
    }, next);
  }
}
