import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { manyByKey, oneByKey } from '../kernel/loaders';
import { Unit } from './unit.entity';

/**
 * Hot loaders read with plain SQL and fill the entity class directly: the same rows and order as the repository's
 * `findBy`, without the query builder's per-call work (issue 6: most of a unit-tree request's CPU).
 */
export const UNIT_COLUMNS = `id, code, name, kind, level, parent_id AS "parentId", region_code AS "regionCode",
  supervisor_id AS "supervisorId", path, depth, region_path AS "regionPath"`;

export const toUnit = (row: Record<string, unknown>): Unit => Object.assign(new Unit(), row);

export function createUnitLoaders(em: EntityManager) {
  return {
    unitById: new DataLoader<number, Unit | null>(async (ids) => {
      const rows: Record<string, unknown>[] = await em.query(`SELECT ${UNIT_COLUMNS} FROM units WHERE id = ANY($1::int[])`, [[...ids]]);
      return oneByKey(ids, rows.map(toUnit), (u) => u.id);
    }),
    unitsByParent: new DataLoader<number, Unit[]>(async (ids) => {
      const rows: Record<string, unknown>[] = await em.query(
        `SELECT ${UNIT_COLUMNS} FROM units WHERE parent_id = ANY($1::int[]) ORDER BY code`, [[...ids]]);
      return manyByKey(ids, rows.map(toUnit), (u) => u.parentId!);
    }),
  };
}

export type UnitLoaders = ReturnType<typeof createUnitLoaders>;
declare module '../kernel/loaders' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging: the kernel's Loaders gain these
  interface Loaders extends UnitLoaders {}
}
