import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config';
import { createRegionLoaders } from '../regions/regions.loaders';
import { createUnitLoaders } from '../units/units.loaders';
import { createAccountLoaders } from '../accounts/accounts.loaders';
import { createActivityLoaders } from '../accounts/account-activity';
import { createDetectionLoaders } from '../detection/detection.loaders';
import { createPlanLoaders } from '../plans/plans.loaders';

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

export function createLoaders(ds: DataSource) {
  return {
    ...createRegionLoaders(ds),
    ...createUnitLoaders(ds),
    ...createAccountLoaders(ds),
    ...createActivityLoaders(ds),
    ...createDetectionLoaders(ds),
    ...createPlanLoaders(ds),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

/** Request context: flows first into every service call. */
export interface Context {
  ds: DataSource;
  /** The manager to use: the data source's, or a transaction's. */
  em: EntityManager;
  config: Config;
  user: SessionUser | null;
  loaders: Loaders;
  /** Extra per-request values (cookies to set, etc.). */
  http?: { setCookie?: (name: string, value: string, opts: Record<string, unknown>) => void; clearCookie?: (name: string) => void; ip?: string };
}

export function createContext(ds: DataSource, config: Config, user: SessionUser | null = null, http?: Context['http']): Context {
  return { ds, em: ds.manager, config, user, loaders: createLoaders(ds), http };
}

/** `units.path` prefix limiting what this request may see (null: no limit). */
export function scopePath(ctx: Context): string | null {
  return ctx.user?.unitPath ?? null;
}
