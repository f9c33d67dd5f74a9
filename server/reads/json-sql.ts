import type { EntityManager, EntityTarget } from 'typeorm';
import { FindingStatus } from '../common/enums';
import { Unit } from '../units/unit.entity';
import { Account } from '../accounts/account.entity';
import { AccountService } from '../accounts/account-service.entity';
import { AccountStatusChange } from '../accounts/status-change.entity';
import { statsSql } from '../accounts/account-stats';
import { Finding } from '../detection/finding.entity';
import type { AccountPlan, UnitPlan } from './selection';

/**
 * Builds ONE SQL statement for a planned read: each row as `json_build_object` of its entity's columns (keyed by
 * property name), each planned relation as a correlated subquery (`json_agg … ORDER BY` for lists, the way
 * PostGraphile and Join Monster nest them) under a key that starts with `@`. The order of every list is the order
 * its loader gives, so the planned answer is the loader path's answer.
 */
export class JsonSql {
  /** Positional parameters ($1, $2 …) — or, for a TypeORM query builder (`named`), parameters by name. */
  readonly params: unknown[] = [];
  readonly named: Record<string, unknown> = {};
  private aliases = 0;
  private asOfParam: string | null = null;
  /** The instant statistics are computed for (the loader takes `new Date()` when it runs; so does the plan). */
  readonly asOf = new Date();

  constructor(private readonly em: EntityManager, private readonly useNames = false) {}

  param(value: unknown): string {
    if (this.useNames) {
      const name = `plan_p${Object.keys(this.named).length + 1}`;
      this.named[name] = value;
      return `:${name}`;
    }
    this.params.push(value);
    return `$${this.params.length}`;
  }

  alias(prefix: string): string {
    return `${prefix}${++this.aliases}`;
  }

  /** The entity's columns as JSON pairs; `fields`: only those (and the ones the direct reads' relations use). */
  private columns(entity: EntityTarget<object>, alias: string, fields?: ReadonlySet<string>): string {
    const keep = fields ? (c: ColumnInfo) => fields.has(c.property) || ALWAYS.has(c.property) : () => true;
    return columnsOf(this.em, entity).filter(keep).map((c) => `'${c.property}', ${alias}.${c.column}`).join(', ');
  }

  /** The statistics' instant as an SQL expression (one parameter per statement). */
  asOfSql(): string {
    return (this.asOfParam ??= `${this.param(this.asOf)}::timestamptz`);
  }

  unit(plan: UnitPlan, u: string): string {
    const parts = [this.columns(Unit, u, plan.fields)];
    if (plan.children) {
      const c = this.alias('u');
      const r = RELATION_ROWS.children(c, u);
      parts.push(`'@children', (SELECT COALESCE(json_agg(${this.unit(plan.children, c)} ORDER BY ${r.orderBy}), '[]'::json) ${r.from})`);
    }
    if (plan.accounts) {
      const a = this.alias('a');
      const r = RELATION_ROWS.accounts(a, u);
      parts.push(`'@accounts', (SELECT COALESCE(json_agg(${this.account(plan.accounts, a)} ORDER BY ${r.orderBy}), '[]'::json) ${r.from})`);
    }
    return `json_build_object(${parts.join(', ')})`;
  }

  account(plan: AccountPlan, a: string): string {
    const parts = [this.columns(Account, a, plan.fields)];
    if (plan.unit) {
      const u = this.alias('u');
      parts.push(`'@unit', (SELECT ${this.unit(plan.unit, u)} ${RELATION_ROWS.unit(u, a)})`);
    }
    const list = (key: string, entity: EntityTarget<object>, x: string, r: Rows) =>
      parts.push(`'${key}', (SELECT COALESCE(json_agg(json_build_object(${this.columns(entity, x)}) ORDER BY ${r.orderBy}), '[]'::json) ${r.from})`);
    if (plan.services) {
      const s = this.alias('s');
      list('@services', AccountService, s, RELATION_ROWS.services(s, a));
    }
    if (plan.statusHistory) {
      const h = this.alias('h');
      list('@statusHistory', AccountStatusChange, h, RELATION_ROWS.statusHistory(h, a));
    }
    if (plan.stats) {
      const s = this.alias('st');
      parts.push(`'@stats', (SELECT row_to_json(${s}) ${RELATION_ROWS.stats(s, this.alias('o'), a, this.asOfSql())})`);
    }
    if (plan.findings) {
      const f = this.alias('f');
      list('@findings', Finding, f, RELATION_ROWS.findings(f, this.alias('fa'), a));
    }
    return `json_build_object(${parts.join(', ')})`;
  }
}

/** A relation's rows: `FROM … WHERE …` and the order of its list. */
export interface Rows { from: string; orderBy: string }

/**
 * The rows of each planned relation, in its loader's order — one definition for the planner's JSON above and the
 * answers rendered by the statement (server/reads/render-sql.ts). Arguments: the relation's alias(es), then its parent's.
 */
export const RELATION_ROWS = {
  children: (c: string, u: string): Rows => ({ from: `FROM units ${c} WHERE ${c}.parent_id = ${u}.id`, orderBy: `${c}.code` }),
  /** `where`: more conditions (`Unit.accounts(platform, status)`), each starting with AND. */
  accounts: (a: string, u: string, where = ''): Rows =>
    ({ from: `FROM accounts ${a} WHERE ${a}.unit_id = ${u}.id${where}`, orderBy: `${a}.platform, ${a}.name, ${a}.id` }),
  unit: (u: string, a: string): string => `FROM units ${u} WHERE ${u}.id = ${a}.unit_id`,
  services: (s: string, a: string): Rows =>
    ({ from: `FROM services ${s} WHERE ${s}.account_id = ${a}.id AND ${s}.merged_into_id IS NULL`, orderBy: `${s}.id` }),
  statusHistory: (h: string, a: string): Rows =>
    ({ from: `FROM account_status_history ${h} WHERE ${h}.account_id = ${a}.id`, orderBy: `${h}.changed_at, ${h}.id` }),
  findings: (f: string, fa: string, a: string): Rows => ({
    from: `FROM finding_accounts ${fa} JOIN findings ${f} ON ${f}.id = ${fa}.finding_id
       WHERE ${fa}.account_id = ${a}.id AND ${f}.status <> '${FindingStatus.RESOLVED}'`,
    orderBy: `${f}.severity_rank, ${f}.id DESC`,
  }),
  /** The statistics of account `a` as row `s` (the statistics' own alias `a` would hide an outer `a`: its id goes in through `o`). */
  stats: (s: string, o: string, a: string, asOf: string): string =>
    `FROM (SELECT ${a}.id AS account_id) ${o} CROSS JOIN LATERAL (${statsSql(`a.id = ${o}.account_id`, asOf)}) ${s}`,
};

interface ColumnInfo { property: string; column: string; convert: (v: unknown) => unknown }

/**
 * Read even when not selected: the id; what `platformName`, `filed` and `Unit.accounts(platform, status)` use; the
 * accounts list's sort keys (its cursors are made from them: accounts.service.ts SORTS).
 */
const ALWAYS = new Set(['id', 'platform', 'status', 'filingNo', 'name', 'followers', 'lastPostAt']);

const columnCache = new WeakMap<object, ColumnInfo[]>();

/** The entity's columns as TypeORM reads them: timestamps as Date, bigint as string, dates as 'YYYY-MM-DD'. */
function columnsOf(em: EntityManager, entity: EntityTarget<object>): ColumnInfo[] {
  const key = entity as object;
  let cols = columnCache.get(key);
  if (!cols) {
    cols = em.connection.getMetadata(entity).columns.map((c) => {
      const type = typeof c.type === 'string' ? c.type : '';
      const convert = type === 'timestamptz' || type === 'timestamp' || type === 'timestamp with time zone'
        ? (v: unknown) => (v === null ? null : new Date(v as string))
        : type === 'bigint' ? (v: unknown) => (v === null ? null : String(v)) : (v: unknown) => v;
      return { property: c.propertyName, column: c.databaseName, convert };
    });
    columnCache.set(key, cols);
  }
  return cols;
}

/** A row of `json_build_object` as the entity TypeORM would have given (relations under `@` keys are left out). */
export function hydrate<T extends object>(em: EntityManager, entity: new () => T, json: Record<string, unknown>): T {
  const out = new entity() as Record<string, unknown>;
  for (const c of columnsOf(em, entity)) out[c.property] = c.convert(json[c.property] ?? null);
  return out as T;
}
