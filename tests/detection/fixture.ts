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

/** D 00:00 in Beijing, the instant the demo data is seeded as of. */
export const D_INSTANT = new Date(`${D}T00:00:00+08:00`);

/** The demo data of Fuzhou (city 3501 of Fujian) seeded as of D: a few thousand accounts with a year of posts. */
export async function seedDemoCity(ds: DataSource): Promise<void> {
  const { seedDemo } = await import('../../server/seed/seed');
  await seedDemo(ds, { province: '35', city: '3501', asOf: D_INSTANT });
}

/**
 * 200 posts of 3 reads each written by hand into the 75 days before D of the first active publishing township account (by id),
 * and its own-post rollups (`post_count`, `last_post_at`) set to match, its maintained months left as they were:
 * stale until a detection run, and a LOW_VALUE subject by its posts. Returns the account's id.
 */
export async function writePostsByHand(ds: DataSource): Promise<number> {
  const [acc] = await ds.query(`
    SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id
     WHERE u.level = 'township' AND a.status = 'active' AND a.type = 'publishing' AND a.platform NOT IN ('miniprogram', 'app')
       AND a.post_count > 0 ORDER BY a.id LIMIT 1`);
  await ds.query(`
    INSERT INTO posts (account_id, published_at, title, original, reads)
    SELECT $1, $2::timestamptz - g * interval '9 hours', '手写 ' || (g % 10), false, 3 FROM generate_series(1, 200) g`, [acc.id, D_INSTANT]);
  await ds.query(`
    UPDATE accounts a SET last_post_at = s.last, post_count = s.n
      FROM (SELECT max(published_at) AS last, count(*)::int AS n FROM posts WHERE account_id = $1 AND origin_account_id IS NULL) s
     WHERE a.id = $1`, [acc.id]);
  return acc.id as number;
}

export { AccountStatus, AccountType, Level, Platform, UnitKind };
