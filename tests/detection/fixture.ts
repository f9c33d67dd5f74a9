import type { DataSource } from 'typeorm';
import { AccountStatus, AccountType, Level, Platform, UnitKind } from '../../server/common/enums';
import { makeAccounts, makePosts, makeUnits, type AccountSpec } from '../support/factories';

/** Check date of the detection tests and helpers for Beijing-time instants relative to it. */
export const D = '2024-06-30';

/** `YYYY-MM-DD` n calendar days before D. */
export function daysBefore(n: number, from = D): string {
  const t = Date.parse(`${from}T00:00:00Z`) - n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** An instant in Beijing time: `bj('2024-06-17')` = 2024-06-17 12:00:00 +08:00. */
export function bj(date: string, time = '12:00:00'): string {
  return `${date}T${time}+08:00`;
}

/** Units: Fujian province government, Fuzhou and Xiamen city governments, a Gulou (Fuzhou) county department, a township. */
export async function makeTree(ds: DataSource) {
  return makeUnits(ds, [
    { code: 'gov35', name: '福建省人民政府', level: Level.PROVINCE, region: '35' },
    { code: 'gov3501', name: '福州市人民政府', level: Level.CITY, region: '3501', parent: 'gov35' },
    { code: 'gov3502', name: '厦门市人民政府', level: Level.CITY, region: '3502', parent: 'gov35' },
    { code: 'dep350102', name: '鼓楼区司法局', level: Level.COUNTY, kind: UnitKind.DEPARTMENT, region: '350102', parent: 'gov3501' },
    { code: 'gov350102', name: '鼓楼区人民政府', level: Level.COUNTY, region: '350102', parent: 'gov3501' },
    { code: 'dep350203', name: '思明区公安分局', level: Level.COUNTY, kind: UnitKind.DEPARTMENT, region: '350203', parent: 'gov3502' },
  ]);
}

/** Accounts with posts: `posts` are Beijing-time instants. */
export async function makeAccountsWithPosts(ds: DataSource, specs: (AccountSpec & { posts?: string[]; reads?: number; original?: boolean })[]) {
  const ids = await makeAccounts(ds, specs);
  for (const s of specs) {
    await makePosts(ds, ids[s.handle], s.posts ?? [], { reads: s.reads, original: s.original });
  }
  return ids;
}

export { AccountStatus, AccountType, Level, Platform, UnitKind };
