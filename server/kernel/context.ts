import type { DataSource, EntityManager } from 'typeorm';
import { loadConfig, type Config } from '../config';
import { createLoaders, type Loaders } from './loaders';
import { Scope } from './scope';

/** The signed-in user, as the services see it. Filled in by auth; null for anonymous requests. */
export interface SessionUser {
  id: number;
  username: string;
  role: string;
  unitId: number | null;
  /** `units.path` of the user's unit: the user sees and acts on this subtree only (null = everything). */
  unitPath: string | null;
  /** The `sessions.id` behind the token (absent for users made up by tests); `logout` revokes it. */
  sessionId?: string;
}

/** What the HTTP layer knows about the request: who called from where, and how to answer with cookies. */
export interface RequestInfo {
  ip?: string;
  userAgent?: string;
  setCookie?: (name: string, value: string, opts: Record<string, unknown>) => void;
  clearCookie?: (name: string) => void;
  /**
   * The answer is written as text by the HTTP layer (kernel/raw-json.ts `stringifyResult`): a planned read may give
   * its root field's value as JSON text its statement rendered (server/reads/render-sql.ts).
   */
  rawJson?: boolean;
}

/**
 * Request context: flows first into every service call (`service.method(ctx, …)`).
 * Inside `transaction(ctx, fn)` the callback receives a context whose `em` and `loaders` are bound to the
 * transaction; outside, they use the data source's pool.
 */
export interface Context {
  readonly ds: DataSource;
  /** The manager to use for every read and write: the data source's, or the transaction's. */
  readonly em: EntityManager;
  readonly config: Config;
  readonly user: SessionUser | null;
  /** What this request may see: the one scope rule (see kernel/scope.ts). */
  readonly scope: Scope;
  readonly loaders: Loaders;
  readonly http?: RequestInfo;
  /** True inside `transaction(ctx, …)`. */
  readonly inTransaction: boolean;
  /** The operator's own work (CLI, start-up, scheduled jobs): no user, no scope limit, audited as `system`. */
  readonly system?: boolean;
}

/**
 * A fresh context for one request (or one CLI run): fresh loaders, the user's scope, no transaction. `em`: the manager
 * its reads outside transactions use — a read replica's for read-only requests (server/db/replication.ts).
 */
export function createContext(ds: DataSource, config: Config, user: SessionUser | null = null, http?: RequestInfo, em: EntityManager = ds.manager): Context {
  return { ds, em, config, user, scope: Scope.of(user), loaders: createLoaders(em), http, inTransaction: false };
}

/**
 * The operator's context: command-line tools run by whoever runs the server, start-up work and scheduled jobs.
 * Sees everything (Scope.ALL); its audit events are written as the `system` actor.
 */
export function createSystemContext(ds: DataSource, config: Config = loadConfig()): Context {
  return { ds, em: ds.manager, config, user: null, scope: Scope.ALL, loaders: createLoaders(ds.manager), inTransaction: false, system: true };
}

/** The same request bound to another manager (a transaction's): loaders are re-created on it. */
export function bindContext(ctx: Context, em: EntityManager): Context {
  return { ...ctx, em, loaders: createLoaders(em), inTransaction: true };
}
