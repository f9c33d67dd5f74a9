// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { NoticeCountdown } from './NoticeCountdown';
import { noticeCountdown, workingDaysBetween } from './working-days';

describe('notice-period countdown (working days)', () => {
  it('counts working days as the server does: weekends excluded, the notice day itself not counted', () => {
    // Monday 2024-07-01 → Friday 2024-07-19 is 14 working days; Monday 2024-07-22 is the 15th.
    expect(workingDaysBetween('2024-07-01', '2024-07-19')).toBe(14);
    expect(workingDaysBetween('2024-07-01', '2024-07-22')).toBe(15);
    expect(workingDaysBetween('2024-07-05', '2024-07-07')).toBe(0); // Friday → Sunday
    expect(workingDaysBetween('2024-07-10', '2024-07-01')).toBe(0);
  });

  it('without the server date, estimates the earliest day; with it, counts down to the server date', () => {
    expect(noticeCountdown('2024-07-01', 15, '2024-07-01')).toEqual({ passed: 0, required: 15, left: 15, earliest: '2024-07-22', open: false });
    expect(noticeCountdown('2024-07-01', 15, '2024-07-19')).toMatchObject({ passed: 14, left: 1, open: false });
    expect(noticeCountdown('2024-07-01', 15, '2024-07-22')).toMatchObject({ passed: 15, left: 0, open: true });
    expect(noticeCountdown('2024-07-01', 15, '2024-08-30')).toMatchObject({ passed: 15, left: 0, open: true });
    // A holiday the server knows pushes the date out: 2024-07-23 instead of the 22nd.
    expect(noticeCountdown('2024-07-01', 15, '2024-07-22', '2024-07-23')).toMatchObject({ left: 1, earliest: '2024-07-23', open: false });
    // Over a weekend: Saturday, earliest Monday → still one working day to wait.
    expect(noticeCountdown('2024-07-01', 15, '2024-07-20')).toMatchObject({ left: 1, open: false });
  });

  it('says how many working days are left and from when deregistration may be confirmed', () => {
    renderUi(<NoticeCountdown noticeOn="2024-07-01" required={15} earliestOn="2024-07-22" today="2024-07-10" />);
    const s = screen.getByTestId('notice-countdown');
    expect(s.getAttribute('data-left')).toBe('8');
    expect(s.textContent).toBe('公告期还剩 8 个工作日，2024年7月22日 起可注销 已过 7/15 个工作日');
  });

  it('says when the period is over, and what to do before the notice is out', () => {
    renderUi(<NoticeCountdown noticeOn="2024-07-01" required={15} earliestOn="2024-07-22" today="2024-07-22" />);
    expect(screen.getByTestId('notice-countdown').textContent).toContain('公告期已满（2024年7月22日 起可注销）');
    renderUi(<NoticeCountdown noticeOn={null} required={15} today="2024-07-22" />);
    expect(screen.getByText('须先发布停更公告，公告期 15 个工作日')).toBeTruthy();
  });
});
