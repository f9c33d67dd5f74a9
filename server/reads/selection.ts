import {
  getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, isAbstractType, isObjectType, Kind,
  type FieldNode, type GraphQLResolveInfo, type SelectionNode, type SelectionSetNode,
} from 'graphql';

/**
 * What the planner reads from a GraphQL selection: for each relation it knows, whether it is selected and what is
 * selected below it. Scalars need no plan (every column of a row is read); relations the planner does not know are
 * left to their field resolvers and loaders.
 */
export interface UnitPlan {
  children?: UnitPlan;
  accounts?: AccountPlan;
  /** Direct reads only (server/reads/direct.ts): the fields selected on the object — its other columns are not read. */
  fields?: ReadonlySet<string>;
}

export interface AccountPlan {
  fields?: ReadonlySet<string>;
  unit?: UnitPlan;
  services?: true;
  statusHistory?: true;
  stats?: true;
  findings?: true;
}

/**
 * Set on the `info` of a root field that server/reads/direct.ts resolves: the answer is serialized from the planner's
 * objects alone, so the planner reads only the selected columns and primes no loader with those partial objects.
 */
export const DIRECT_READ: unique symbol = Symbol('direct read');

export function isDirectRead(info: GraphQLResolveInfo): boolean {
  return (info as unknown as Record<symbol, unknown>)[DIRECT_READ] === true;
}

/** Deeper relations than this are left to the loaders (the document depth limit is 10 anyway). */
const MAX_PLAN_DEPTH = 8;

/** The fields of `sets` (merged: fragments, inline fragments, @skip/@include) that apply to the object type `typeName`, by field name. */
export function fieldsByName(info: GraphQLResolveInfo, sets: readonly (SelectionSetNode | undefined)[], typeName: string): Map<string, FieldNode[]> {
  const out = new Map<string, FieldNode[]>();
  const visit = (selections: readonly SelectionNode[]) => {
    for (const sel of selections) {
      if (!included(info, sel)) continue;
      if (sel.kind === Kind.FIELD) {
        const list = out.get(sel.name.value);
        if (list) list.push(sel);
        else out.set(sel.name.value, [sel]);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (applies(info, sel.typeCondition?.name.value, typeName)) visit(sel.selectionSet.selections);
      } else {
        const fragment = info.fragments[sel.name.value];
        if (fragment && applies(info, fragment.typeCondition.name.value, typeName)) visit(fragment.selectionSet.selections);
      }
    }
  };
  for (const set of sets) if (set) visit(set.selections);
  return out;
}

/** The selection sets below the fields `nodes` (one field may be asked for several times, under aliases). */
export function below(nodes: readonly FieldNode[] | undefined): (SelectionSetNode | undefined)[] {
  return (nodes ?? []).map((n) => n.selectionSet);
}

function included(info: GraphQLResolveInfo, node: SelectionNode): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, info.variableValues);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues);
  return include?.if !== false;
}

function applies(info: GraphQLResolveInfo, condition: string | undefined, typeName: string): boolean {
  if (!condition || condition === typeName) return true;
  const cond = info.schema.getType(condition);
  const type = info.schema.getType(typeName);
  return Boolean(cond && type && isAbstractType(cond) && isObjectType(type) && info.schema.isSubType(cond, type));
}

export function unitPlan(info: GraphQLResolveInfo, sets: readonly (SelectionSetNode | undefined)[], depth = 0): UnitPlan {
  const plan: UnitPlan = {};
  if (depth >= MAX_PLAN_DEPTH) return plan;
  const fields = fieldsByName(info, sets, 'Unit');
  if (isDirectRead(info)) plan.fields = new Set(fields.keys());
  if (fields.has('children') || fields.has('childCount')) plan.children = unitPlan(info, below(fields.get('children')), depth + 1);
  if (fields.has('accounts')) plan.accounts = accountPlan(info, below(fields.get('accounts')), depth + 1);
  return plan;
}

export function accountPlan(info: GraphQLResolveInfo, sets: readonly (SelectionSetNode | undefined)[], depth = 0): AccountPlan {
  const plan: AccountPlan = {};
  if (depth >= MAX_PLAN_DEPTH) return plan;
  const fields = fieldsByName(info, sets, 'Account');
  if (isDirectRead(info)) plan.fields = new Set(fields.keys());
  if (fields.has('unit')) plan.unit = unitPlan(info, below(fields.get('unit')), depth + 1);
  for (const f of ['services', 'statusHistory', 'stats', 'findings'] as const) if (fields.has(f)) plan[f] = true;
  return plan;
}

/** The Account plan of a connection's nodes (`edges { node { … } }`). */
export function connectionNodePlan(info: GraphQLResolveInfo): AccountPlan {
  const edges = fieldsByName(info, below(info.fieldNodes), info.returnType.toString().replace(/!$/, '')).get('edges');
  const edgeType = `${info.returnType.toString().replace(/Connection!?$/, '')}Edge`;
  return accountPlan(info, below(fieldsByName(info, below(edges), edgeType).get('node')));
}

/** Whether any field named `name` is selected anywhere below the root field, leaving out the subtrees of `except`. */
export function selectsAnywhere(info: GraphQLResolveInfo, name: string, except: readonly string[] = []): boolean {
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): boolean => {
    for (const sel of set?.selections ?? []) {
      if (!included(info, sel)) continue;
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value === name) return true;
        if (!except.includes(sel.name.value) && walk(sel.selectionSet)) return true;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (walk(sel.selectionSet)) return true;
      } else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        if (walk(info.fragments[sel.name.value]?.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((n) => walk(n.selectionSet));
}
