import type { DataSource } from 'typeorm';
import { AccountType, Level, Platform, UnitKind } from '../../server/common/enums';
import { makeAccounts, makePosts, makeUnits, type AccountSpec } from '../support/factories';

/** Check date of the plan tests (detection runs as of this day). */
export const D = '2024-06-30';

export function daysBefore(n: number, from = D): string {
  return new Date(Date.parse(`${from}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
}

const bj = (date: string) => `${date}T12:00:00+08:00`;

/** Healthy activity: posts in most weeks of the last 90 days, well read. */
const HEALTHY = Array.from({ length: 14 }, (_, i) => bj(daysBefore(2 + i * 6)));

/**
 * A small province with the problems a plan answers:
 * - 福州市公安局 (ga3501): three WeChat accounts — ga_main (main), ga_bm (redundant, 2 services, one clashing by name
 *   with the main's), ga_old (redundant and a zombie);
 * - 福州市司法局 (sf3501): WeChat 「福州市司法局」 and Weibo 「福州司法在线」 (names inconsistent);
 * - 鼓楼区人民政府 (gov350102, county): its only new-media account gl_fabu is a zombie (closing it is not allowed),
 *   plus the county portal gl_web;
 * - 鼓楼区司法局 (sf350102): gls_old on Weibo is a zombie with a service and old posts;
 * - 厦门市教育局 (jy3502): jy_2 is a redundant WeChat account with a service.
 * Every government has a portal website (platform `website`).
 */
export async function makePlanWorld(ds: DataSource) {
  const units = await makeUnits(ds, [
    { code: 'gov35', name: '福建省人民政府', level: Level.PROVINCE, region: '35' },
    { code: 'gov3501', name: '福州市人民政府', level: Level.CITY, region: '3501', parent: 'gov35', supervisor: 'gov35' },
    { code: 'gov3502', name: '厦门市人民政府', level: Level.CITY, region: '3502', parent: 'gov35', supervisor: 'gov35' },
    { code: 'ga3501', name: '福州市公安局', kind: UnitKind.DEPARTMENT, level: Level.CITY, region: '3501', parent: 'gov3501', supervisor: 'gov3501' },
    { code: 'sf3501', name: '福州市司法局', kind: UnitKind.DEPARTMENT, level: Level.CITY, region: '3501', parent: 'gov3501', supervisor: 'gov3501' },
    { code: 'gov350102', name: '鼓楼区人民政府', level: Level.COUNTY, region: '350102', parent: 'gov3501', supervisor: 'gov3501' },
    { code: 'sf350102', name: '鼓楼区司法局', kind: UnitKind.DEPARTMENT, level: Level.COUNTY, region: '350102', parent: 'gov350102', supervisor: 'gov350102' },
    { code: 'jy3502', name: '厦门市教育局', kind: UnitKind.DEPARTMENT, level: Level.CITY, region: '3502', parent: 'gov3502', supervisor: 'gov3502' },
  ]);
  const specs: (AccountSpec & { posts: string[]; reads?: number })[] = [
    { unit: 'gov35', handle: 'fj_web', name: '福建省人民政府网', platform: Platform.WEBSITE, isMain: true, followers: 0, posts: HEALTHY },
    { unit: 'gov35', handle: 'fj_fabu', name: '福建发布', isMain: true, followers: 2_000_000, posts: HEALTHY },
    { unit: 'gov3501', handle: 'fz_web', name: '福州市人民政府网', platform: Platform.WEBSITE, isMain: true, followers: 0, posts: HEALTHY },
    { unit: 'gov3501', handle: 'fz_fabu', name: '福州发布', isMain: true, followers: 800_000, posts: HEALTHY },
    { unit: 'gov3502', handle: 'xm_web', name: '厦门市人民政府网', platform: Platform.WEBSITE, isMain: true, followers: 0, posts: HEALTHY },
    { unit: 'gov3502', handle: 'xm_fabu', name: '厦门发布', isMain: true, followers: 700_000, posts: HEALTHY },
    { unit: 'ga3501', handle: 'ga_main', name: '福州公安', isMain: true, followers: 300_000, posts: HEALTHY },
    { unit: 'ga3501', handle: 'ga_bm', name: '福州公安便民', followers: 20_000, type: AccountType.BOTH, posts: HEALTHY.slice(0, 4) },
    { unit: 'ga3501', handle: 'ga_old', name: '福州公安旧号', followers: 500, posts: [bj('2023-01-05'), bj('2023-02-01'), bj('2023-03-01')] },
    { unit: 'sf3501', handle: 'sf_wx', name: '福州市司法局', isMain: true, followers: 90_000, posts: HEALTHY },
    { unit: 'sf3501', handle: 'sf_wb', name: '福州司法在线', platform: Platform.WEIBO, isMain: true, followers: 30_000, posts: HEALTHY },
    { unit: 'gov350102', handle: 'gl_web', name: '鼓楼区人民政府网', platform: Platform.WEBSITE, isMain: true, followers: 0, posts: HEALTHY, reads: 5000 },
    { unit: 'gov350102', handle: 'gl_fabu', name: '鼓楼发布', isMain: true, followers: 40_000, posts: [bj('2024-01-10'), bj('2024-02-01')] },
    { unit: 'sf350102', handle: 'gls_main', name: '鼓楼区司法局', isMain: true, followers: 9_000, posts: HEALTHY, reads: 5000 },
    { unit: 'sf350102', handle: 'gls_old', name: '鼓楼普法', platform: Platform.WEIBO, followers: 800, posts: [bj('2023-11-01'), bj('2023-12-01'), bj('2023-12-20')] },
    { unit: 'jy3502', handle: 'jy_main', name: '厦门教育', isMain: true, followers: 150_000, posts: HEALTHY },
    { unit: 'jy3502', handle: 'jy_2', name: '厦门教育服务', followers: 12_000, posts: HEALTHY.slice(0, 3) },
  ];
  const accounts = await makeAccounts(ds, specs);
  for (const s of specs) await makePosts(ds, accounts[s.handle], s.posts, { reads: s.reads ?? 5000 });
  const services: [string, string, string][] = [
    ['ga_main', '户籍查询', '查询'], ['ga_main', '出入境预约', '预约'],
    ['ga_bm', '交通违法查询', '查询'], ['ga_bm', '户籍查询', '查询'],
    ['gls_old', '法律援助预约', '预约'],
    ['jy_2', '学位申请', '办理'],
  ];
  await ds.query(`INSERT INTO services (account_id, name, category) SELECT * FROM unnest($1::int[], $2::text[], $3::text[])`,
    [services.map((s) => accounts[s[0]]), services.map((s) => s[1]), services.map((s) => s[2])]);
  return { units, accounts };
}
