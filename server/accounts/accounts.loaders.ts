import DataLoader from 'dataloader';
import { In, type DataSource } from 'typeorm';
import { manyByKey, oneByKey } from '../graphql/loader-utils';
import { Account } from './account.entity';
import { AccountService } from './account-service.entity';
import { AccountStatusChange } from './status-change.entity';
import { AccountStats, STATS_SQL, toStats } from './account-stats';

export function createAccountLoaders(ds: DataSource) {
  const accounts = ds.getRepository(Account);
  return {
    accountById: new DataLoader<number, Account | null>(async (ids) =>
      oneByKey(ids, await accounts.findBy({ id: In([...ids]) }), (a) => a.id)),
    accountsByUnit: new DataLoader<number, Account[]>(async (ids) =>
      manyByKey(ids, await accounts.find({ where: { unitId: In([...ids]) }, order: { platform: 'ASC', name: 'ASC', id: 'ASC' } }),
        (a) => a.unitId)),
    servicesByAccount: new DataLoader<number, AccountService[]>(async (ids) =>
      manyByKey(ids, await ds.getRepository(AccountService).find({ where: { accountId: In([...ids]) }, order: { id: 'ASC' } }),
        (s) => s.accountId)),
    statusHistoryByAccount: new DataLoader<number, AccountStatusChange[]>(async (ids) =>
      manyByKey(ids, await ds.getRepository(AccountStatusChange).find({ where: { accountId: In([...ids]) }, order: { changedAt: 'ASC', id: 'ASC' } }),
        (h) => h.accountId)),
    statsByAccount: new DataLoader<number, AccountStats | null>(async (ids) => {
      const asOf = new Date();
      const rows: Record<string, unknown>[] = await ds.query(STATS_SQL, [[...ids], asOf]);
      return oneByKey(ids, rows.map((r) => toStats(r, asOf)), (s) => s.accountId);
    }),
  };
}
