import {
  getArgumentValues, getDirectiveValues, getVariableValues, GraphQLIncludeDirective, GraphQLSkipDirective, isAbstractType, isLeafType, isListType,
  isNonNullType, isObjectType, Kind, typeFromAST,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLObjectType,
  type GraphQLOutputType, type GraphQLResolveInfo, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { Context } from '../kernel/context';
import type { Account } from '../accounts/account.entity';
import { accountFields } from '../accounts/account-fields';
import type { Unit } from '../units/unit.entity';
import { pickAccounts, plannedAccountsOf, plannedChildrenOf, plannedPartsOf, readPlanner } from './planner';
import { DIRECT_READ } from './selection';
import { RENDER, RENDER_ABORT, type RenderSelection } from './render-sql';
import { RawJson } from '../kernel/raw-json';

/**
 * Planned reads answered without graphql-js's field-by-field execution (issue 14: the subtree and the full account
 * spent most of their time resolving some 200 objects' fields through promises and resolver wrappers).
 *
 * For a query whose only root field is a planned one (`account`, `unit`, `accounts`, `matrix`), and whose every selected field
 * is either a plain property (no resolver: the default resolver would read the property), a relation the planner
 * read (below), or `__typename`, this Apollo plugin runs the root field's own resolver — the same code as always:
 * argument checks, scope, the one planned statement, NOT_FOUND — and then walks the selection synchronously over
 * the objects the planner built, serializing every leaf with its GraphQL type's own `serialize`, keys in the order
 * graphql-js would give them (fragments, inline fragments, @skip/@include, aliases, merged fields).
 *
 * Whenever anything is not exactly what graphql-js would answer — a field it does not know, an error from the root
 * resolver, a relation the planner did not read (too deep), a null in a non-null position, a value a scalar refuses —
 * it answers nothing and Apollo executes the operation as usual (the root statement then runs again; that only
 * happens on errors and for documents outside what is listed here). `tests/graph/planner.test.ts` compares both
 * paths on fixed and generated documents.
 */

const MISS: unique symbol = Symbol('not planned');
type Relation = (source: never, args: Record<string, unknown>) => unknown;

/** The relations answered from what the planner read — the field resolvers give the same (they read the primed loaders). */
const RELATIONS: Record<string, Record<string, Relation>> = {
  Unit: {
    children: (u: Unit) => plannedChildrenOf(u) ?? MISS,
    childCount: (u: Unit) => plannedChildrenOf(u)?.length ?? MISS,
    accounts: (u: Unit, args) => {
      const all = plannedAccountsOf(u);
      return all ? pickAccounts(all, args.platform as string[] | null | undefined, args.status as string[] | null | undefined) : MISS;
    },
  },
  Account: {
    unit: (a: Account) => plannedPartsOf(a)?.unit ?? MISS,
    services: (a: Account) => plannedPartsOf(a)?.services ?? MISS,
    statusHistory: (a: Account) => plannedPartsOf(a)?.statusHistory ?? MISS,
    stats: (a: Account) => plannedPartsOf(a)?.stats ?? MISS,
    findings: (a: Account) => plannedPartsOf(a)?.findings ?? MISS,
    platformName: (a: Account) => accountFields.platformName(a),
    filed: (a: Account) => accountFields.filed(a),
  },
};

/** Root fields whose resolvers use the read planner (the matrix: its rows and cells are plain objects). */
const ROOTS = new Set(['account', 'unit', 'accounts', 'matrix']);
/** Root fields whose statement renders the whole answer when the HTTP layer writes it (server/reads/render-sql.ts). */
const RENDERED = new Set(['account', 'unit']);

class Abort extends Error {}
const ABORT = new Abort('not answerable directly');

type Fields = Map<string, FieldNode[]>;

interface Run {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Sub-selections per object type and field-node list (graphql-js memoizes the same way). */
  collected: WeakMap<readonly FieldNode[], Map<string, Fields>>;
  /** A relation's arguments per field node (the same for every object of a list: coerced once). */
  args: WeakMap<FieldNode, Record<string, unknown>>;
  /** Plain fields of the root object that held a promise (a connection's lazy `totalCount`), awaited up front. */
  awaited: Map<string, unknown>;
  root: unknown;
}

function collect(run: Run, type: GraphQLObjectType, sets: readonly (SelectionSetNode | undefined)[], out: Fields = new Map(), seen = new Set<string>()): Fields {
  for (const set of sets) {
    for (const sel of set?.selections ?? []) {
      if (getDirectiveValues(GraphQLSkipDirective, sel, run.variables)?.if === true) continue;
      if (getDirectiveValues(GraphQLIncludeDirective, sel, run.variables)?.if === false) continue;
      if (sel.kind === Kind.FIELD) {
        const key = sel.alias?.value ?? sel.name.value;
        const list = out.get(key);
        if (list) list.push(sel);
        else out.set(key, [sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (matches(run, sel.typeCondition ? typeFromAST(run.schema, sel.typeCondition) : undefined, type, !sel.typeCondition)) {
          collect(run, type, [sel.selectionSet], out, seen);
        }
      } else {
        const name = sel.name.value;
        if (seen.has(name)) continue;
        seen.add(name);
        const fragment = run.fragments[name];
        if (fragment && matches(run, typeFromAST(run.schema, fragment.typeCondition), type, false)) collect(run, type, [fragment.selectionSet], out, seen);
      }
    }
  }
  return out;
}

function matches(run: Run, condition: unknown, type: GraphQLObjectType, none: boolean): boolean {
  if (none || condition === type) return true;
  return Boolean(condition && isAbstractType(condition) && run.schema.isSubType(condition, type));
}

function subfields(run: Run, type: GraphQLObjectType, nodes: readonly FieldNode[]): Fields {
  let byType = run.collected.get(nodes);
  if (!byType) run.collected.set(nodes, (byType = new Map()));
  let fields = byType.get(type.name);
  if (!fields) byType.set(type.name, (fields = collect(run, type, nodes.map((n) => n.selectionSet))));
  return fields;
}

/** Whether every field below `nodes` (of object type `type`) is a plain property, a planned relation or __typename. */
function supported(run: Run, type: GraphQLObjectType, nodes: readonly FieldNode[], depth: number): boolean {
  if (depth > 12) return false;
  for (const [, fieldNodes] of subfields(run, type, nodes)) {
    const name = fieldNodes[0].name.value;
    if (name === '__typename') continue;
    const def = type.getFields()[name];
    if (!def) return false;
    const plain = !def.resolve && def.args.length === 0;
    if (!plain && !RELATIONS[type.name]?.[name]) return false;
    const inner = namedOutput(def.type);
    if (isLeafType(inner)) continue;
    if (!isObjectType(inner) || !supported(run, inner, fieldNodes, depth + 1)) return false;
  }
  return true;
}

const NO_ARGS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

function argumentsOf(run: Run, def: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
  let args = run.args.get(node);
  if (!args) run.args.set(node, (args = getArgumentValues(def, node, run.variables)));
  return args;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

function namedOutput(type: GraphQLOutputType): GraphQLOutputType {
  let t = type;
  while (isNonNullType(t) || isListType(t)) t = t.ofType;
  return t;
}

function complete(run: Run, type: GraphQLOutputType, nodes: readonly FieldNode[], value: unknown): unknown {
  if (isNonNullType(type)) {
    const v = complete(run, type.ofType, nodes, value);
    if (v === null) throw ABORT; // graphql-js would report an error here: let it
    return v;
  }
  if (value === null || value === undefined) return null;
  if (isListType(type)) {
    if (!Array.isArray(value)) throw ABORT;
    return value.map((item) => complete(run, type.ofType, nodes, item));
  }
  if (isLeafType(type)) {
    const out = type.serialize(value); // throws for a value the scalar or enum refuses: graphql-js would report it
    if (out === null || out === undefined) throw ABORT;
    return out;
  }
  if (isObjectType(type)) {
    if (type.isTypeOf) throw ABORT; // not used by these types; graphql-js would call it
    const out: Record<string, unknown> = {};
    for (const [key, fieldNodes] of subfields(run, type, nodes)) {
      const name = fieldNodes[0].name.value;
      if (name === '__typename') {
        out[key] = type.name;
        continue;
      }
      const def = type.getFields()[name];
      let v: unknown;
      if (!def.resolve) {
        v = value === run.root && run.awaited.has(name) ? run.awaited.get(name) : (value as Record<string, unknown>)[name];
        if (typeof v === 'function' || isThenable(v)) throw ABORT;
      } else {
        const relation = RELATIONS[type.name]?.[name];
        if (!relation) throw ABORT;
        v = relation(value as never, def.args.length ? argumentsOf(run, def, fieldNodes[0]) : NO_ARGS);
        if (v === MISS) throw ABORT;
      }
      out[key] = complete(run, def.type, fieldNodes, v);
    }
    return out;
  }
  throw ABORT;
}

/**
 * How many operations were answered directly (of which rendered by their statement), and how many were tried and left
 * to graphql-js (tests, the bench).
 */
export const directStats = { answered: 0, rendered: 0, declined: 0 };

/** The data of the operation answered directly, or null (execute it as usual). */
export async function answerDirectly(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown> | undefined, ctx: Context): Promise<Record<string, unknown> | null> {
  if (!readPlanner.enabled || operation.operation !== 'query') return null;
  const queryType = schema.getQueryType();
  if (!queryType) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return null;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const run: Run = { schema, fragments, variables: coerced.coerced, collected: new WeakMap(), args: new WeakMap(), awaited: new Map(), root: undefined };
  const roots = [...collect(run, queryType, [operation.selectionSet])].filter(([, n]) => n[0].name.value !== '__typename');
  if (roots.length !== 1) return null;
  const [key, nodes] = roots[0];
  const name = nodes[0].name.value;
  if (!ROOTS.has(name)) return null;
  const def: GraphQLField<unknown, unknown> | undefined = queryType.getFields()[name];
  if (!def?.resolve) return null;
  const returnType = namedOutput(def.type);
  if (!isObjectType(returnType) || !supported(run, returnType, nodes, 0)) return null;
  const info: GraphQLResolveInfo = {
    fieldName: name, fieldNodes: nodes, returnType: def.type, parentType: queryType, path: { prev: undefined, key, typename: queryType.name },
    schema, fragments, rootValue: undefined, operation, variableValues: run.variables,
  };
  // The planner reads only the selected columns and primes no loader (server/reads/selection.ts: DIRECT_READ).
  Object.defineProperty(info, DIRECT_READ, { value: true });
  // Over HTTP, `account` and `unit` have their statement render the answer (server/reads/render-sql.ts).
  if (ctx.http?.rawJson && RENDERED.has(name)) {
    const selection: RenderSelection = { fields: (type, n) => subfields(run, type, n), args: (d, node) => argumentsOf(run, d, node) };
    Object.defineProperty(info, RENDER, { value: selection });
  }
  try {
    const args = getArgumentValues(def, nodes[0], run.variables);
    const value = await def.resolve(undefined, args, ctx, info);
    const rendered = value instanceof RawJson;
    // A row the statement could not write as graphql-js would (a null where the schema forbids it …): execute.
    if (rendered && value.text.includes(RENDER_ABORT)) throw ABORT;
    // graphql-js awaits a promise found in a plain field (e.g. `totalCount`): so do we, for the root object's fields.
    if (!rendered && value && typeof value === 'object') {
      run.root = value;
      for (const [, fieldNodes] of subfields(run, returnType, nodes)) {
        const field = fieldNodes[0].name.value;
        const def2 = returnType.getFields()[field];
        if (!def2 || def2.resolve) continue;
        const v = (value as Record<string, unknown>)[field];
        if (isThenable(v)) run.awaited.set(field, await v);
      }
    }
    const data: Record<string, unknown> = {};
    for (const [k, n] of collect(run, queryType, [operation.selectionSet])) {
      data[k] = k !== key ? (n[0].name.value === '__typename' ? queryType.name : undefined)
        : rendered ? value : complete(run, def.type, nodes, value);
    }
    directStats.answered++;
    if (rendered) directStats.rendered++;
    return data;
  } catch {
    directStats.declined++;
    return null; // an error, or something graphql-js would answer differently: it executes the operation
  }
}

/** The Apollo plugin (server/registry.ts): after the guards and limits (didResolveOperation), before execution. */
export function directReads(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ schema, document, operation, request, contextValue }): Promise<GraphQLResponse | null> {
          if (!operation) return null;
          const data = await answerDirectly(schema, document, operation, request.variables, contextValue);
          if (!data) return null;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data } } };
        },
      };
    },
  };
}
