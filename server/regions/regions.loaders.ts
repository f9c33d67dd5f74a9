import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { manyByKey, oneByKey } from '../graphql/loader-utils';
import { Region } from './region.entity';

export function createRegionLoaders(ds: DataSource) {
  const repo = ds.getRepository(Region);
  return {
    regionByCode: new DataLoader<string, Region | null>(async (codes) =>
      oneByKey(codes, await repo.findBy({ code: In([...codes]) }), (r) => r.code)),
    regionsByParent: new DataLoader<string, Region[]>(async (codes) =>
      manyByKey(codes, await repo.find({ where: { parentCode: In([...codes]) }, order: { code: 'ASC' } }), (r) => r.parentCode!)),
  };
}
