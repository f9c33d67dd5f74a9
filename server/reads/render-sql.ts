import {
  GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLString, isEnumType, isLeafType, isListType, isNonNullType, isObjectType,
  type FieldNode, type GraphQLField, type GraphQLLeafType, type GraphQLObjectType, type GraphQLOutputType,
} from 'graphql';
import type { EntityManager, EntityTarget } from 'typeorm';
import { Unit } from '../units/unit.entity';
import { Account } from '../accounts/account.entity';
import { AccountService } from '../accounts/account-service.entity';
import { AccountStatusChange } from '../accounts/status-change.entity';
import { STATS_COLUMN_TYPES } from '../accounts/account-stats';
import { accountFieldsSql } from '../accounts/account-fields';
import { Finding } from '../detection/finding.entity';
import { JsonSql, RELATION_ROWS } from './json-sql';

/**
 * Planned reads whose statement renders the whole answer (issue 14). For a direct read (server/reads/direct.ts) of
 * `account(id)` or `unit(id | code)` over HTTP, the statement builds the root field's JSON text itself — keys in
 * graphql-js's order (aliases, fragments, @skip/@include, merged fields), every leaf written as its GraphQL type's
 * `serialize` writes it, relations as correlated subqueries in their loaders' order — and the server writes that text
 * into the answer unparsed (kernel/raw-json.ts). Node no longer parses the statement's JSON, builds entities, walks
 * them or serializes them again: the subtree of the benchmark is ≈200 objects per request.
 *
 * What it cannot write exactly as graphql-js would is declined before the statement runs (`CannotRender`: a field
 * with a resolver it does not know, a column type it has no rule for) — the planner then reads objects as before —
 * or, when it depends on a row (a null in a non-null position, a value an enum or a scalar refuses), rendered as
 * the marker RENDER_ABORT: an answer containing it is thrown away and graphql-js executes the operation (the marker
 * inside a string would only cost that detour). `tests/graph/planner.test.ts` compares the answers with the loader
 * path's on fixed and generated documents.
 */
export const RENDER_ABORT = '@@render-abort@@';

/** What the renderer needs of the GraphQL selection (server/reads/direct.ts gives it). */
export interface RenderSelection {
  /** The response keys of an object of `type` selected by `nodes`, each with its field nodes, in graphql-js's order. */
  fields(type: GraphQLObjectType, nodes: readonly FieldNode[]): ReadonlyMap<string, readonly FieldNode[]>;
  /** A field's arguments, coerced. */
  args(def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown>;
}

/** Set on the `info` of a root field that server/reads/direct.ts answers over HTTP: render the answer if possible. */
export const RENDER: unique symbol = Symbol('render the answer');

export function renderSelectionOf(info: object): RenderSelection | undefined {
  return (info as Record<symbol, RenderSelection | undefined>)[RENDER];
}

/** The selection asks for something the statement cannot render exactly: read objects instead. */
export class CannotRender extends Error {}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ABORT = lit(RENDER_ABORT);

/** A column as SQL: its expression over the row's alias, its SQL type, whether it is an array. */
interface Col { sql: string; type: string; array: boolean }

/** A row the renderer reads plain fields from: an entity's row under an alias, or the statistics' columns. */
interface Row { alias: string; col(property: string): Col | undefined }

const TEXT = new Set(['text', 'varchar', 'character varying', 'char', 'character']);
const INT = new Set(['int', 'integer', 'int4', 'smallint', 'int2']);
const BIGINT = new Set(['bigint', 'int8']);
const FLOAT = new Set(['float8', 'double precision', 'float', 'real', 'float4', 'numeric', 'decimal']);

/**
 * A non-null leaf as graphql-js would write it, or null (no rule for this pair of types). Floats: PostgreSQL writes
 * the shortest exact digits as JavaScript does, in plain notation from 1e-4 to 1e15 (beyond, the notations differ:
 * declined per row).
 */
function leaf(type: GraphQLLeafType, col: Col, e: string): string | null {
  const t = col.type;
  if (isEnumType(type)) {
    if (!TEXT.has(t)) return null;
    const whens: string[] = [];
    for (const v of type.getValues()) {
      if (typeof v.value !== 'string') return null;
      whens.push(`WHEN ${lit(v.value)} THEN ${lit(JSON.stringify(v.name))}`);
    }
    return `CASE ${e} ${whens.join(' ')} ELSE ${ABORT} END`;
  }
  switch (type) {
    case GraphQLString:
    case GraphQLID:
      return TEXT.has(t) || INT.has(t) || BIGINT.has(t) ? `to_json(${e}::text)::text` : null;
    case GraphQLInt:
      return INT.has(t) ? `${e}::text` : BIGINT.has(t) ? `${e}::int::text` : null;
    case GraphQLFloat:
      if (INT.has(t) || BIGINT.has(t)) return `${e}::text`;
      return FLOAT.has(t) ? `CASE WHEN ${e} = 0 THEN '0' WHEN abs(${e}::float8) >= 1e-4 AND abs(${e}::float8) < 1e15 THEN ${e}::float8::text ELSE ${ABORT} END` : null;
    case GraphQLBoolean:
      return t === 'boolean' || t === 'bool' ? `CASE WHEN ${e} THEN 'true' ELSE 'false' END` : null;
  }
  switch (type.name) {
    case 'DateTimeISO': // Date.prototype.toISOString: milliseconds (truncated, as a Date holds them), UTC
      return t === 'timestamptz' || t === 'timestamp with time zone'
        ? `CASE WHEN ${e} >= '0001-01-01Z' AND ${e} < '10000-01-01Z' THEN '"' || to_char(${e} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"' ELSE ${ABORT} END`
        : null;
    case 'LocalDate':
      return t === 'date' ? `CASE WHEN ${e} >= '0001-01-01' AND ${e} < '10000-01-01' THEN '"' || to_char(${e}, 'YYYY-MM-DD') || '"' ELSE ${ABORT} END` : null;
    case 'JSONObject': // the same members; PostgreSQL's spacing and number forms, which parse to the same values
      return t === 'jsonb' ? `CASE WHEN jsonb_typeof(${e}) = 'object' THEN ${e}::text ELSE ${ABORT} END` : null;
    default:
      return null;
  }
}

/** `e` (a value that may be SQL NULL) written by `write`, or null/ABORT for NULL as the GraphQL type allows. */
function orNull(e: string, nullable: boolean, write: string): string {
  return `CASE WHEN ${e} IS NULL THEN ${nullable ? `'null'` : ABORT} ELSE ${write} END`;
}

/** A list of rendered items (`item` over the rows of `from … ORDER BY`): '[…]', '[]' when there are none. */
function list(item: string, from: string, orderBy: string): string {
  return `COALESCE((SELECT '[' || string_agg(${item}, ',' ORDER BY ${orderBy}) || ']' ${from}), '[]')`;
}

type Relation = (r: SqlRenderer, row: Row, def: GraphQLField<unknown, unknown>, nodes: readonly FieldNode[]) => string;

/** Fields with a resolver that the statement renders — the same rows, in the same order, as the planner and the loaders. */
const RELATIONS: Record<string, Record<string, Relation>> = {
  Unit: {
    children: (r, u, def, nodes) => {
      const c = r.q.alias('ru');
      const rows = RELATION_ROWS.children(c, u.alias);
      return list(r.object(def.type, nodes, r.entityRow(Unit, c)), rows.from, rows.orderBy);
    },
    childCount: (r, u) => `(SELECT count(*) ${RELATION_ROWS.children(r.q.alias('ru'), u.alias).from})::text`,
    accounts: (r, u, def, nodes) => {
      const a = r.q.alias('ra');
      const args = r.sel.args(def, nodes[0]);
      let where = '';
      for (const k of ['platform', 'status'] as const) {
        const values = args[k] as string[] | null | undefined;
        if (values?.length) where += ` AND ${a}.${k} = ANY(${r.q.param(values)}::text[])`;
      }
      const rows = RELATION_ROWS.accounts(a, u.alias, where);
      return list(r.object(def.type, nodes, r.entityRow(Account, a)), rows.from, rows.orderBy);
    },
  },
  Account: {
    unit: (r, a, def, nodes) => {
      const u = r.q.alias('ru');
      return `COALESCE((SELECT ${r.object(def.type, nodes, r.entityRow(Unit, u))} ${RELATION_ROWS.unit(u, a.alias)}), ${ABORT})`;
    },
    services: (r, a, def, nodes) => {
      const s = r.q.alias('rs');
      const rows = RELATION_ROWS.services(s, a.alias);
      return list(r.object(def.type, nodes, r.entityRow(AccountService, s)), rows.from, rows.orderBy);
    },
    statusHistory: (r, a, def, nodes) => {
      const h = r.q.alias('rh');
      const rows = RELATION_ROWS.statusHistory(h, a.alias);
      return list(r.object(def.type, nodes, r.entityRow(AccountStatusChange, h)), rows.from, rows.orderBy);
    },
    findings: (r, a, def, nodes) => {
      const f = r.q.alias('rf');
      const rows = RELATION_ROWS.findings(f, r.q.alias('rfa'), a.alias);
      return list(r.object(def.type, nodes, r.entityRow(Finding, f)), rows.from, rows.orderBy);
    },
    stats: (r, a, def, nodes) => {
      const asOf = r.q.asOfSql();
      const s = r.q.alias('rst');
      const row: Row = {
        alias: s,
        col: (p) => p === 'asOf' ? { sql: asOf, type: 'timestamptz', array: false }
          : Object.hasOwn(STATS_COLUMN_TYPES, p) ? { sql: `${s}."${p}"`, type: STATS_COLUMN_TYPES[p], array: false } : undefined,
      };
      return `COALESCE((SELECT ${r.object(def.type, nodes, row)} ${RELATION_ROWS.stats(s, r.q.alias('ro'), a.alias, asOf)}), ${ABORT})`;
    },
    platformName: (r, a, def) => r.value(def.type, { sql: accountFieldsSql.platformName(a.alias), type: 'text', array: false }),
    filed: (r, a, def) => r.value(def.type, { sql: accountFieldsSql.filed(a.alias), type: 'boolean', array: false }),
  },
};

/** Builds the rendering expression of one planned statement; parameters and aliases come from the statement's JsonSql. */
export class SqlRenderer {
  constructor(private readonly em: EntityManager, readonly q: JsonSql, readonly sel: RenderSelection) {}

  entityRow(entity: EntityTarget<object>, alias: string): Row {
    const columns = this.em.connection.getMetadata(entity).columns;
    return {
      alias,
      col: (property) => {
        const c = columns.find((x) => x.propertyName === property && !x.relationMetadata);
        if (!c) return undefined;
        // As the driver names it (a generated id's type is given as `Number`: 'integer').
        return { sql: `${alias}.${c.databaseName}`, type: this.em.connection.driver.normalizeType(c), array: c.isArray };
      },
    };
  }

  /** The JSON text of an object of `type` (a relation's type: through non-null and list) in `row`, with the fields `nodes` select. */
  object(type: GraphQLOutputType, nodes: readonly FieldNode[], row: Row): string {
    const t = named(type);
    if (!isObjectType(t) || t.isTypeOf) throw new CannotRender();
    const parts: string[] = [];
    let text = '{';
    for (const [key, fieldNodes] of this.sel.fields(t, nodes)) {
      text += `${parts.length || text.length > 1 ? ',' : ''}${JSON.stringify(key)}:`;
      const name = fieldNodes[0].name.value;
      if (name === '__typename') {
        text += JSON.stringify(t.name);
        continue;
      }
      const def = t.getFields()[name];
      if (!def) throw new CannotRender();
      let value: string;
      if (def.resolve) {
        const relation = RELATIONS[t.name]?.[name];
        if (!relation) throw new CannotRender();
        value = relation(this, row, def, fieldNodes);
      } else {
        if (def.args.length) throw new CannotRender();
        const col = row.col(name);
        if (!col) throw new CannotRender();
        value = this.value(def.type, col);
      }
      parts.push(lit(text), `(${value})`);
      text = '';
    }
    parts.push(lit(`${text}}`));
    return parts.join(' || ');
  }

  /** A plain value of GraphQL type `type` from the column `col`: leaves and lists of leaves (array columns). */
  value(type: GraphQLOutputType, col: Col): string {
    const nullable = !isNonNullType(type);
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) {
      if (!col.array) throw new CannotRender();
      const x = this.q.alias('rx');
      const o = this.q.alias('ro');
      const item = this.value(inner.ofType, { sql: x, type: col.type, array: false });
      return orNull(col.sql, nullable, list(item, `FROM unnest(${col.sql}) WITH ORDINALITY AS t${x}(${x}, ${o})`, o));
    }
    if (col.array || !isLeafType(inner)) throw new CannotRender();
    const write = leaf(inner, col, col.sql);
    if (write === null) throw new CannotRender();
    return orNull(col.sql, nullable, write);
  }
}

/** The object type of a relation (through non-null and list). */
function named(type: GraphQLOutputType): GraphQLOutputType {
  let t = type;
  while (isNonNullType(t) || isListType(t)) t = t.ofType;
  return t;
}

/**
 * For a root field to be rendered (RENDER on its `info`): the SELECT expression of its answer over the row `alias` of
 * `entity`, with the JsonSql holding its parameters (the statement's key and scope follow them). Null: not to be
 * rendered, or the selection cannot be (the planner reads objects, with a JsonSql of its own).
 */
export function renderRoot(em: EntityManager, info: { returnType: GraphQLOutputType; fieldNodes: readonly FieldNode[] },
  entity: EntityTarget<object>, alias: string): { q: JsonSql; select: string } | null {
  const sel = renderSelectionOf(info);
  if (!sel) return null;
  const q = new JsonSql(em);
  const r = new SqlRenderer(em, q, sel);
  try {
    return { q, select: r.object(info.returnType, info.fieldNodes, r.entityRow(entity, alias)) };
  } catch (e) {
    if (e instanceof CannotRender) return null;
    throw e;
  }
}
