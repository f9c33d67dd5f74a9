import DataLoader from 'dataloader';
import { In, type EntityManager } from 'typeorm';
import { manyByKey } from '../kernel/loaders';
import { Region } from './region.entity';

/**
 * Regions are reference data: the real divisions, written only by the migration that loads them. Every process keeps
 * what it has read (at most the ≈45,000 divisions), so a request that names a region costs no SQL after the first
 * time (issue 6: two statements fewer for a matrix or a filtered account list). Unknown codes are not kept.
 */
const byCodeCache = new Map<string, Region>();
const childrenCache = new Map<string, Region[]>();

export function createRegionLoaders(em: EntityManager) {
  const repo = em.getRepository(Region);
  return {
    regionByCode: new DataLoader<string, Region | null>(async (codes) => {
      const missing = codes.filter((c) => !byCodeCache.has(c));
      if (missing.length) for (const r of await repo.findBy({ code: In(missing) })) byCodeCache.set(r.code, r);
      return codes.map((c) => byCodeCache.get(c) ?? null);
    }),
    regionsByParent: new DataLoader<string, Region[]>(async (codes) => {
      const missing = codes.filter((c) => !childrenCache.has(c));
      if (missing.length) {
        const found = manyByKey(missing, await repo.find({ where: { parentCode: In(missing) }, order: { code: 'ASC' } }), (r) => r.parentCode!);
        missing.forEach((c, i) => {
          childrenCache.set(c, found[i]);
          for (const r of found[i]) byCodeCache.set(r.code, r);
        });
      }
      return codes.map((c) => childrenCache.get(c)!);
    }),
  };
}

export type RegionLoaders = ReturnType<typeof createRegionLoaders>;
declare module '../kernel/loaders' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging: the kernel's Loaders gain these
  interface Loaders extends RegionLoaders {}
}
