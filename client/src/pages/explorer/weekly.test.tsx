// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { weekStart, weeklySeries } from './weekly';

describe('weeklySeries', () => {
  it('starts weeks on Monday in Shanghai time', () => {
    // Sunday 2024-06-30 20:00 UTC is Monday 2024-07-01 04:00 in Beijing.
    expect(new Date(weekStart('2024-06-30T20:00:00Z')).toISOString().slice(0, 10)).toBe('2024-07-01');
    expect(new Date(weekStart('2024-06-30T10:00:00Z')).toISOString().slice(0, 10)).toBe('2024-06-24');
  });

  it('counts posts and sums reads per week, with empty weeks as zero', () => {
    const posts = [
      { publishedAt: '2024-06-24T02:00:00Z', reads: 100 },
      { publishedAt: '2024-06-26T02:00:00Z', reads: 50 },
      { publishedAt: '2024-06-11T02:00:00Z', reads: 7 },
    ];
    const s = weeklySeries(posts, '2024-06-28T00:00:00Z', { weeks: 4 });
    expect(s).toEqual([
      { week: '2024-06-03', posts: 0, reads: 0 },
      { week: '2024-06-10', posts: 1, reads: 7 },
      { week: '2024-06-17', posts: 0, reads: 0 },
      { week: '2024-06-24', posts: 2, reads: 150 },
    ]);
  });

  it('drops weeks the fetched page does not fully cover when the page is incomplete', () => {
    const posts = [
      { publishedAt: '2024-06-25T02:00:00Z', reads: 1 },
      { publishedAt: '2024-06-12T02:00:00Z', reads: 1 }, // oldest fetched: its week (06-10) may be partial
    ];
    const s = weeklySeries(posts, '2024-06-28T00:00:00Z', { weeks: 8, complete: false });
    expect(s.map((w) => w.week)).toEqual(['2024-06-17', '2024-06-24']);
  });
});
