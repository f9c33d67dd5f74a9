import type { EntityManager } from 'typeorm';

/**
 * Per-request DataLoaders. The kernel knows none of them: each feature declares its loaders by augmenting this
 * interface and registers their factory once at start-up (`registerLoaders`); `createLoaders` builds a fresh set
 * per request — or per transaction, bound to the transaction's manager.
 *
 *   declare module '../kernel/loaders' { interface Loaders extends UnitLoaders {} }
 *   registerLoaders(createUnitLoaders);
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by every feature (declaration merging)
export interface Loaders {}

type Factory = (em: EntityManager) => object;
const factories = new Set<Factory>();

export function registerLoaders(factory: Factory): void {
  factories.add(factory);
}

export function createLoaders(em: EntityManager): Loaders {
  const loaders: Record<string, unknown> = {};
  for (const f of factories) Object.assign(loaders, f(em));
  return loaders as unknown as Loaders;
}

/** DataLoader batch helpers: results in key order, exactly one per key. */
export function oneByKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map<K, V>();
  for (const r of rows) map.set(keyOf(r), r);
  return keys.map((k) => map.get(k) ?? null);
}

export function manyByKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const map = new Map<K, V[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  return keys.map((k) => map.get(k) ?? []);
}
