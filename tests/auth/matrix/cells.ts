import type { GqlResult } from '../../support/graphql';
import type { MatrixWorld, Role6, Side } from './fixture';

/**
 * The vocabulary of the authorization matrix.
 * - ALLOW: no error, or a domain error that is not about authorization (BAD_USER_INPUT, CONFLICT, …);
 * - SEES / HIDDEN: for lists and aggregates, no error and the target object is / is not in the answer;
 * - FORBIDDEN, NOT_FOUND, UNAUTHENTICATED: the error code;
 * - REFUSED: an answer that refuses the work in its own terms (importCsv: ok=false with rows outside the scope);
 * - INVALID / ERROR: never expected — the cell's own input was wrong, or the server failed.
 */
export type Outcome = 'ALLOW' | 'SEES' | 'HIDDEN' | 'FORBIDDEN' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'REFUSED' | 'INVALID' | 'ERROR';
export type Expected = Outcome | readonly Outcome[];

/** Refused in any way: FORBIDDEN, NOT_FOUND, or refused in the answer. */
export const DENY: readonly Outcome[] = ['FORBIDDEN', 'NOT_FOUND', 'REFUSED'];

export interface Prepared {
  vars: Record<string, unknown>;
  /** The id of the object a list or aggregate is checked for (with `sees`). */
  target?: string | number;
}

export interface Entry {
  /** The operation document: the minimal selection. */
  doc: string;
  /** Sides the operation is tried on (default inside and outside). */
  sides?: Side[];
  /** Builds the variables for a side (runs before every cell: mutations get fresh objects). */
  prepare(w: MatrixWorld, side: Side, role: Role6): Promise<Prepared>;
  /** Lists and aggregates: whether the answer shows the target object (then the outcome is SEES / HIDDEN). */
  sees?(data: Record<string, any>, target: Prepared['target'], w: MatrixWorld): boolean;
  /** Answers that carry their own refusal (e.g. importCsv's problem list). */
  classify?(data: Record<string, any>): Outcome | undefined;
  /** The outcome the rules call for. */
  expect(role: Role6, side: Side): Expected;
}

const DOMAIN_CODES = new Set(['BAD_USER_INPUT', 'CONFLICT', 'GRAPHQL_VALIDATION_FAILED', 'TOO_MANY_ATTEMPTS']);

/** The outcome of one run, and what it was (for the failure message). */
export function classify(entry: Entry, res: GqlResult, prepared: Prepared, w: MatrixWorld): { outcome: Outcome; detail: string } {
  const err = res.errors?.[0];
  if (err) {
    const code = String(err.extensions?.code ?? 'UNKNOWN');
    const detail = `${code}: ${err.message}`;
    if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' || code === 'NOT_FOUND') return { outcome: code, detail };
    if (code === 'GRAPHQL_VALIDATION_FAILED') return { outcome: 'INVALID', detail };
    if (DOMAIN_CODES.has(code)) return { outcome: 'ALLOW', detail };
    return { outcome: 'ERROR', detail };
  }
  const data = res.data ?? {};
  const own = entry.classify?.(data);
  if (own) return { outcome: own, detail: JSON.stringify(data).slice(0, 300) };
  if (entry.sees) {
    const seen = entry.sees(data, prepared.target, w);
    return { outcome: seen ? 'SEES' : 'HIDDEN', detail: `target ${prepared.target} ${seen ? 'present' : 'absent'}` };
  }
  return { outcome: 'ALLOW', detail: 'ok' };
}

export function matches(expected: Expected, actual: Outcome): boolean {
  return typeof expected === 'string' ? expected === actual : expected.includes(actual);
}

// ---- The rules, as expectation builders ----

const signedIn = (role: Role6) => role !== 'anonymous';

/** Reference data and one's own session: every signed-in role, whatever the side. */
export const openToAll = () => (role: Role6): Expected => (signedIn(role) ? 'ALLOW' : 'UNAUTHENTICATED');

/** A read of one object: in scope ALLOW, outside NOT_FOUND; the national admin sees everything. */
export const readOne = () => (role: Role6, side: Side): Expected => {
  if (!signedIn(role)) return 'UNAUTHENTICATED';
  if (role === 'NATIONAL_ADMIN' || side === 'inside' || side === 'below') return 'ALLOW';
  return 'NOT_FOUND';
};

/**
 * A list or an aggregate: the target shows when it is in scope and is absent otherwise. `outside` may also be
 * answered NOT_FOUND where the argument itself names something outside (an aggregate over an outside region).
 */
export const listOf = (opts: { roles?: Role6[]; outside?: Expected } = {}) => (role: Role6, side: Side): Expected => {
  if (!signedIn(role)) return 'UNAUTHENTICATED';
  if (opts.roles && !opts.roles.includes(role)) return 'FORBIDDEN';
  if (role === 'NATIONAL_ADMIN' || side === 'inside') return 'SEES';
  return opts.outside ?? 'HIDDEN';
};

/**
 * A mutation for `roles`: allowed inside the scope, refused outside (FORBIDDEN or NOT_FOUND); other roles FORBIDDEN;
 * auditors FORBIDDEN (read-only); the national admin may whatever ADMIN may, anywhere.
 */
export const write = (roles: Role6[], opts: { outside?: Expected } = {}) => (role: Role6, side: Side): Expected => {
  if (!signedIn(role)) return 'UNAUTHENTICATED';
  if (role === 'AUDITOR') return 'FORBIDDEN';
  if (role === 'NATIONAL_ADMIN') return roles.includes('ADMIN') || roles.includes('NATIONAL_ADMIN') ? 'ALLOW' : 'FORBIDDEN';
  if (!roles.includes(role)) return side === 'inside' ? 'FORBIDDEN' : ['FORBIDDEN', 'NOT_FOUND'];
  return side === 'inside' ? 'ALLOW' : (opts.outside ?? DENY);
};
