import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { manyByKey, oneByKey } from '../graphql/loader-utils';
import { Unit } from './unit.entity';

export function createUnitLoaders(ds: DataSource) {
  const repo = ds.getRepository(Unit);
  return {
    unitById: new DataLoader<number, Unit | null>(async (ids) => oneByKey(ids, await repo.findBy({ id: In([...ids]) }), (u) => u.id)),
    unitsByParent: new DataLoader<number, Unit[]>(async (ids) =>
      manyByKey(ids, await repo.find({ where: { parentId: In([...ids]) }, order: { code: 'ASC' } }), (u) => u.parentId!)),
  };
}
