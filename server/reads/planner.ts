import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../kernel/context';
import { notFound, parseId } from '../kernel/errors';
import { Unit } from '../units/unit.entity';
import { Account } from '../accounts/account.entity';
import { AccountService } from '../accounts/account-service.entity';
import { AccountStatusChange } from '../accounts/status-change.entity';
import { toStats, type AccountStats } from '../accounts/account-stats';
import { Finding } from '../detection/finding.entity';
import { hydrate, JsonSql } from './json-sql';
import { renderRoot } from './render-sql';
import { RawJson } from '../kernel/raw-json';
import { preparedQuery } from '../db/prepared';
import type { PlannedList } from '../accounts/accounts.service';
import { accountPlan, below, connectionNodePlan, fieldsByName, unitPlan, type AccountPlan, type UnitPlan } from './selection';

/**
 * The read planner: a hot root field (`account`, `unit`, `accounts`, `matrix`) reads what its GraphQL selection asks
 * for in ONE SQL statement, the user's scope inside it, and hands the rows to the request's DataLoaders (`prime`).
 * The field resolvers stay as they are: they find their relation already loaded; a relation the planner does not
 * know (a unit's `region`, an account's `posts`, anything below the planned depth) is loaded by its loader as before.
 */
export const readPlanner = {
  /** Off: every read takes the loader path (tests compare the two). */
  enabled: true,

  /**
   * `account(id)`: the account (NOT_FOUND outside the scope, as `accountsService.byId`) and its planned relations —
   * or, for a direct read over HTTP, the answer as the statement rendered it (a RawJson: server/reads/render-sql.ts).
   */
  async account(ctx: Context, info: GraphQLResolveInfo, id: string): Promise<Account> {
    const accountId = parseId(id, 'accountId');
    // A direct read over HTTP: the statement renders the answer (server/reads/render-sql.ts).
    const render = renderRoot(ctx.em, info, Account, 'r0');
    const plan = render ? null : accountPlan(info, below(info.fieldNodes));
    const q = render?.q ?? new JsonSql(ctx.em);
    const a = render ? 'r0' : q.alias('a');
    const select = render?.select ?? q.account(plan!, a);
    const u = q.alias('u');
    const idParam = q.param(accountId);
    const scope = ctx.scope.raw(u, q.params.length + 1);
    if (scope.value !== null) q.params.push(scope.value);
    const rows = await preparedQuery<{ j: Json | string }>(ctx.em,
      `SELECT ${select} AS j FROM accounts ${a} JOIN units ${u} ON ${u}.id = ${a}.unit_id
        WHERE ${a}.id = ${idParam} AND ${scope.sql}`, q.params);
    if (!rows.length) throw notFound('该账号');
    return plan ? primeAccount(ctx, q, rows[0].j as Json, plan) : new RawJson(rows[0].j as string) as unknown as Account;
  },

  /** `unit(id)` / `unit(code)`: the unit (NOT_FOUND outside the scope, as `unitsService`) and its planned subtree. */
  async unit(ctx: Context, info: GraphQLResolveInfo, by: { id: string } | { code: string }): Promise<Unit> {
    const unitId = 'id' in by ? parseId(by.id, 'unitId') : null;
    const render = renderRoot(ctx.em, info, Unit, 'r0');
    const plan = render ? null : unitPlan(info, below(info.fieldNodes));
    const q = render?.q ?? new JsonSql(ctx.em);
    const u = render ? 'r0' : q.alias('u');
    const select = render?.select ?? q.unit(plan!, u);
    const key = unitId !== null ? `${u}.id = ${q.param(unitId)}` : `${u}.code = ${q.param((by as { code: string }).code)}`;
    const scope = ctx.scope.raw(u, q.params.length + 1);
    if (scope.value !== null) q.params.push(scope.value);
    const rows = await preparedQuery<{ j: Json | string }>(ctx.em,
      `SELECT ${select} AS j FROM units ${u} WHERE ${key} AND ${scope.sql}`, q.params);
    if (!rows.length) throw notFound(unitId !== null ? '该单位' : `单位 ${(by as { code: string }).code}`);
    return plan ? primeUnit(ctx, q, rows[0].j as Json, plan) : new RawJson(rows[0].j as string) as unknown as Unit;
  },

  /**
   * For `accounts(…)`: the JSON column the list statement selects for each row (alias `a`, named parameters) and
   * how to hand its relations to the loaders (null when the nodes ask for no relation), and whether `totalCount`
   * is selected (a later page then reads it in the same statement).
   */
  accountsPage(ctx: Context, info: GraphQLResolveInfo): PlannedList {
    const totalCount = fieldsByName(info, below(info.fieldNodes), 'AccountConnection').has('totalCount');
    const plan = connectionNodePlan(info);
    if (!Object.keys(plan).length) return { nodes: null, totalCount };
    const q = new JsonSql(ctx.em, true);
    return {
      totalCount,
      nodes: { select: q.account(plan, 'a'), params: q.named, attach: (json) => primeAccount(ctx, q, json as Json, plan) },
    };
  },
};


type Json = Record<string, unknown>;

/**
 * The relations the planner read for a unit object, kept with the object itself (it is this request's own): the
 * field resolvers answer from them synchronously — no DataLoader promise and tick per unit (issue 14).
 */
// Kept on the objects under symbols (not in WeakMaps): cheaper to set and to collect for a few hundred objects.
const CHILDREN: unique symbol = Symbol('planned children');
const ACCOUNTS: unique symbol = Symbol('planned accounts');
const PARTS: unique symbol = Symbol('planned parts');
type PlannedUnit = Unit & { [CHILDREN]?: Unit[]; [ACCOUNTS]?: Account[] };
type PlannedAccount = Account & { [PARTS]?: PlannedAccountParts };

/** What the planner read for an account object: its unit, services, status history, statistics and findings. */
export interface PlannedAccountParts {
  unit?: Unit;
  services?: AccountService[];
  statusHistory?: AccountStatusChange[];
  stats?: AccountStats;
  findings?: Finding[];
}

/** The relations of `account` the planner read (undefined: none; the loaders answer). */
export function plannedPartsOf(account: Account): PlannedAccountParts | undefined {
  return (account as PlannedAccount)[PARTS];
}

/** `Unit.accounts(platform, status)`: the unit's accounts kept when they match the optional filters. */
export function pickAccounts(all: Account[], platform?: readonly string[] | null, status?: readonly string[] | null): Account[] {
  return !platform?.length && !status?.length ? all
    : all.filter((a) => (!platform?.length || platform.includes(a.platform)) && (!status?.length || status.includes(a.status)));
}

/** The children of `unit` as the planner read them, or undefined (not planned: the loader answers). */
export function plannedChildrenOf(unit: Unit): Unit[] | undefined {
  return (unit as PlannedUnit)[CHILDREN];
}

/** The accounts of `unit` as the planner read them, or undefined (not planned: the loader answers). */
export function plannedAccountsOf(unit: Unit): Account[] | undefined {
  return (unit as PlannedUnit)[ACCOUNTS];
}

/**
 * The objects of a planned row. With `plan.fields` (a direct read: only the selected columns were read) no loader is
 * primed — a loader must never hand a partial object to another part of the request.
 */
function primeUnit(ctx: Context, q: JsonSql, json: Json, plan: UnitPlan): Unit {
  const unit = hydrate(ctx.em, Unit, json);
  const prime = !plan.fields;
  if (prime) ctx.loaders.unitById.prime(unit.id, unit);
  if (plan.children) {
    const children = (json['@children'] as Json[]).map((c) => primeUnit(ctx, q, c, plan.children!));
    if (prime) ctx.loaders.unitsByParent.prime(unit.id, children);
    (unit as PlannedUnit)[CHILDREN] = children;
  }
  if (plan.accounts) {
    const accounts = (json['@accounts'] as Json[]).map((a) => primeAccount(ctx, q, a, plan.accounts!));
    if (prime) ctx.loaders.accountsByUnit.prime(unit.id, accounts);
    (unit as PlannedUnit)[ACCOUNTS] = accounts;
  }
  return unit;
}

function primeAccount(ctx: Context, q: JsonSql, json: Json, plan: AccountPlan): Account {
  const account = hydrate(ctx.em, Account, json);
  const parts: PlannedAccountParts = {};
  if (plan.unit && json['@unit']) parts.unit = primeUnit(ctx, q, json['@unit'] as Json, plan.unit);
  if (plan.services) parts.services = (json['@services'] as Json[]).map((s) => hydrate(ctx.em, AccountService, s));
  if (plan.statusHistory) parts.statusHistory = (json['@statusHistory'] as Json[]).map((h) => hydrate(ctx.em, AccountStatusChange, h));
  if (plan.stats && json['@stats']) {
    const s = json['@stats'] as Json;
    const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
    parts.stats = toStats({ ...s, lastPostAt: date(s.lastPostAt), oldestUnansweredAt: date(s.oldestUnansweredAt) }, q.asOf);
  }
  if (plan.findings) parts.findings = (json['@findings'] as Json[]).map((f) => hydrate(ctx.em, Finding, f));
  if (!plan.fields) {
    const l = ctx.loaders;
    l.accountById.prime(account.id, account);
    if (parts.services) l.servicesByAccount.prime(account.id, parts.services);
    if (parts.statusHistory) l.statusHistoryByAccount.prime(account.id, parts.statusHistory);
    if (parts.stats) l.statsByAccount.prime(account.id, parts.stats);
    if (parts.findings) l.findingsByAccount.prime(account.id, parts.findings);
  }
  (account as PlannedAccount)[PARTS] = parts;
  return account;
}
