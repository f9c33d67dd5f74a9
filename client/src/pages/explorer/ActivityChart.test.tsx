// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import ActivityChart, { activityTotals } from './ActivityChart';

const weeks = [
  { weekStart: '2024-06-10', posts: 0, originals: 0, reads: 0 },
  { weekStart: '2024-06-17', posts: 3, originals: 1, reads: 1200 },
  { weekStart: '2024-06-24', posts: 2, originals: 2, reads: 90 },
];

describe('weekly activity chart', () => {
  it('sums the server\'s weekly series', () => {
    expect(activityTotals(weeks)).toEqual({ posts: 5, originals: 3, reads: 1290 });
  });

  it('says when nothing was published in the window instead of drawing an empty chart', () => {
    renderUi(<ActivityChart weeks={weeks.map((w) => ({ ...w, posts: 0, originals: 0, reads: 0 }))} />);
    expect(screen.getByText('最近 3 周没有发布内容。')).toBeTruthy();
    expect(screen.queryByRole('img')).toBeNull();
  });
});
