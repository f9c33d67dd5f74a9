import { notFound } from './errors';

/**
 * THE scope rule — the only implementation. A user sees and acts on the subtree of their unit: every unit whose
 * materialised `units.path` starts with the path of the user's unit (`/1/5/` ⊂ `/1/`). An unscoped user (a national
 * administrator) and the operator's own CLI runs see everything; an anonymous request sees nothing.
 *
 * Services use it three ways: `contains(path)` for one object in memory, `sql(alias)` for a WHERE fragment on a
 * units table alias, `require(unit, what)` to answer NOT_FOUND for anything outside (never reveal it exists).
 */
export class Scope {
  private constructor(
    /** `units.path` prefix (null: no limit). */
    readonly prefix: string | null,
    /** False for anonymous requests: they see nothing at all. */
    readonly any: boolean,
  ) {}

  static of(user: { unitPath: string | null } | null | undefined): Scope {
    return user ? new Scope(user.unitPath ?? null, true) : Scope.NONE;
  }

  /** Everything: the national administrator, the operator's CLI, scheduled system jobs. */
  static readonly ALL = new Scope(null, true);
  /** Nothing: anonymous. */
  static readonly NONE = new Scope(null, false);

  static ofPath(path: string): Scope {
    return new Scope(path, true);
  }

  /** No limit at all. */
  get unrestricted(): boolean {
    return this.any && this.prefix === null;
  }

  /** Whether the unit with this `units.path` lies in the scope. */
  contains(unitPath: string | null | undefined): boolean {
    if (!this.any) return false;
    if (this.prefix === null) return true;
    return typeof unitPath === 'string' && unitPath.startsWith(this.prefix);
  }

  /** Whether the unit lies on the way to the scope or inside it (an ancestor of the user's unit, or a unit below). */
  touches(unitPath: string | null | undefined): boolean {
    if (!this.any) return false;
    if (this.prefix === null) return true;
    return typeof unitPath === 'string' && (unitPath.startsWith(this.prefix) || this.prefix.startsWith(unitPath));
  }

  /** The unit (anything with a `path`), or NOT_FOUND naming `what` when it is missing or outside the scope. */
  require<T extends { path: string }>(unit: T | null | undefined, what: string): T {
    if (!unit || !this.contains(unit.path)) throw notFound(what);
    return unit;
  }

  /**
   * A WHERE fragment for a query builder: "the units row `alias` lies in the scope" (`TRUE`/`FALSE` when there is
   * nothing to bind). Named parameter `:scope_prefix` — or `name` when several scopes meet in one query.
   */
  sql(alias: string, name = 'scope_prefix'): { sql: string; params: Record<string, unknown> } {
    if (!this.any) return { sql: 'FALSE', params: {} };
    if (this.prefix === null) return { sql: 'TRUE', params: {} };
    return { sql: `${alias}.path LIKE :${name}`, params: { [name]: `${likeEscape(this.prefix)}%` } };
  }

  /**
   * The same for raw SQL with positional parameters: `${alias}.path LIKE $n` and the value to pass as `$n`.
   * `index` is the parameter's number; `value` is null when the fragment binds nothing (then do not push it).
   */
  raw(alias: string, index: number): { sql: string; value: string | null } {
    if (!this.any) return { sql: 'FALSE', value: null };
    if (this.prefix === null) return { sql: 'TRUE', value: null };
    return { sql: `${alias}.path LIKE $${index}`, value: `${likeEscape(this.prefix)}%` };
  }
}

/** Escapes LIKE wildcards (`\`, `%`, `_`) so user text matches literally (PostgreSQL's default escape is `\`). */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
