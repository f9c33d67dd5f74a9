import { createHash } from 'node:crypto';

/**
 * Stratified sampling, reproducible from a recorded seed: the population is split into strata (level × platform);
 * inside each stratum the accounts are ordered by sha256(seed:id) and the first ceil(n × ratio) are taken, so every
 * non-empty stratum is represented and the same seed over the same population draws the same accounts.
 */
export function stratifiedSample<T extends { id: number }>(population: readonly T[], ratio: number, seed: string, stratum: (x: T) => string): T[] {
  const strata = new Map<string, { item: T; key: string }[]>();
  for (const item of population) {
    const k = stratum(item);
    let list = strata.get(k);
    if (!list) strata.set(k, (list = []));
    list.push({ item, key: createHash('sha256').update(`${seed}:${item.id}`).digest('hex') });
  }
  const out: T[] = [];
  for (const k of [...strata.keys()].sort()) {
    const list = strata.get(k)!.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.item.id - b.item.id));
    const take = Math.min(list.length, Math.ceil(list.length * ratio - 1e-9));
    for (const x of list.slice(0, take)) out.push(x.item);
  }
  return out.sort((a, b) => a.id - b.id);
}

/** The calendar quarter of a `YYYY-MM-DD` date: its first and last day. */
export function quarterOf(date: string): { start: string; end: string; label: string } {
  const y = Number(date.slice(0, 4));
  const q = Math.floor((Number(date.slice(5, 7)) - 1) / 3);
  const start = `${y}-${String(q * 3 + 1).padStart(2, '0')}-01`;
  const endMonth = q * 3 + 3;
  const last = new Date(Date.UTC(y, endMonth, 0)).getUTCDate();
  return { start, end: `${y}-${String(endMonth).padStart(2, '0')}-${last}`, label: `${y}年第${'一二三四'[q]}季度` };
}
