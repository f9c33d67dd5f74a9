import DataLoader from 'dataloader';
import { In, type EntityManager } from 'typeorm';
import { manyByKey, oneByKey } from '../kernel/loaders';
import { Account } from './account.entity';
import { AccountService } from './account-service.entity';
import { AccountStatusChange } from './status-change.entity';
import { AccountStats, STATS_SQL, toStats } from './account-stats';

/** The entity's columns as its properties (`opened_on` as text, YYYY-MM-DD, as TypeORM gives a date column). */
export const ACCOUNT_COLUMNS = `id, platform, handle, name, unit_id AS "unitId", type, status, filing_no AS "filingNo",
  opened_on::text AS "openedOn", closed_on::text AS "closedOn", filing_status AS "filingStatus",
  filing_changed_on::text AS "filingChangedOn", followers, interaction_enabled AS "interactionEnabled", is_main AS "isMain",
  last_post_at AS "lastPostAt", post_count AS "postCount", updated_at AS "updatedAt"`;

export const toAccount = (row: Record<string, unknown>): Account => Object.assign(new Account(), row);

export function createAccountLoaders(em: EntityManager) {
  return {
    // Hot loaders: plain SQL into the entity class, same rows and order as the repository (issue 6).
    accountById: new DataLoader<number, Account | null>(async (ids) => {
      const rows: Record<string, unknown>[] = await em.query(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ANY($1::int[])`, [[...ids]]);
      return oneByKey(ids, rows.map(toAccount), (a) => a.id);
    }),
    accountsByUnit: new DataLoader<number, Account[]>(async (ids) => {
      const rows: Record<string, unknown>[] = await em.query(
        `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE unit_id = ANY($1::int[]) ORDER BY platform, name, id`, [[...ids]]);
      return manyByKey(ids, rows.map(toAccount), (a) => a.unitId);
    }),
    // A service merged into an equal one of the account (plans: services merged, not duplicated) is not listed twice.
    servicesByAccount: new DataLoader<number, AccountService[]>(async (ids) =>
      manyByKey(ids, await em.getRepository(AccountService).createQueryBuilder('s')
        .where('s.account_id IN (:...ids)', { ids: [...ids] }).andWhere('s.merged_into_id IS NULL').orderBy('s.id', 'ASC').getMany(),
      (s) => s.accountId)),
    statusHistoryByAccount: new DataLoader<number, AccountStatusChange[]>(async (ids) =>
      manyByKey(ids, await em.getRepository(AccountStatusChange).find({ where: { accountId: In([...ids]) }, order: { changedAt: 'ASC', id: 'ASC' } }),
        (h) => h.accountId)),
    statsByAccount: new DataLoader<number, AccountStats | null>(async (ids) => {
      const asOf = new Date();
      const rows: Record<string, unknown>[] = await em.query(STATS_SQL, [[...ids], asOf]);
      return oneByKey(ids, rows.map((r) => toStats(r, asOf)), (s) => s.accountId);
    }),
  };
}

export type AccountLoaders = ReturnType<typeof createAccountLoaders>;
declare module '../kernel/loaders' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging: the kernel's Loaders gain these
  interface Loaders extends AccountLoaders {}
}
