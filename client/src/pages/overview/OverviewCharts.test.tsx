// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { levelSeries, type LevelRow } from './OverviewCharts';
import type { Platform } from '../../graphql/generated/graphql';

const cell = (platform: Platform, active: number, suspended = 0, closed = 0) => ({
  __typename: 'MatrixCell' as const, platform, active, suspended, closed, total: active + suspended + closed, openFindings: 0,
});
const row = (level: LevelRow['level'], cells: ReturnType<typeof cell>[]): LevelRow =>
  ({ level, live: 0, openFindings: 0, cells });

describe('accounts by level and platform', () => {
  it('stacks live accounts per platform for each level, leaving out platforms with no live account', () => {
    const platforms: Platform[] = ['WECHAT', 'WEIBO', 'DOUYIN'];
    const s = levelSeries(platforms, [
      row('PROVINCE', [cell('WECHAT', 3), cell('WEIBO', 1, 1), cell('DOUYIN', 0, 0, 2)]),
      row('COUNTY', [cell('WECHAT', 10, 2, 5), cell('WEIBO', 0), cell('DOUYIN', 0, 0, 1)]),
    ]);
    expect(s.levels).toEqual(['PROVINCE', 'COUNTY']);
    expect(s.series.map((x) => [x.platform, x.data])).toEqual([['WECHAT', [3, 12]], ['WEIBO', [2, 0]]]);
  });
});
