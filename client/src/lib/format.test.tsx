// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { formatCount, formatDate, formatDateTime, formatDateTimeSeconds, formatPercent } from './format';

describe('formatCount (万 / 亿 as Chinese officials write them)', () => {
  it('keeps small numbers whole, with thousands separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(9876)).toBe('9,876');
  });
  it('switches to 万 at ten thousand, one decimal, no trailing .0', () => {
    expect(formatCount(10_000)).toBe('1万');
    expect(formatCount(123_456)).toBe('12.3万');
    expect(formatCount(178_700)).toBe('17.9万');
    expect(formatCount(12_345_678)).toBe('1235万');
  });
  it('switches to 亿 at a hundred million', () => {
    expect(formatCount(150_000_000)).toBe('1.5亿');
  });
  it('keeps the sign and shows a dash for missing values', () => {
    expect(formatCount(-25_000)).toBe('-2.5万');
    expect(formatCount(null)).toBe('—');
  });
  it('uses K-free grouping and M in English', () => {
    expect(formatCount(123_456, 'en')).toBe('123,456');
    expect(formatCount(2_500_000, 'en')).toBe('2.5M');
  });
});

describe('dates in Asia/Shanghai', () => {
  it('formats a local date as 2024年6月30日', () => {
    expect(formatDate('2024-06-30')).toBe('2024年6月30日');
    expect(formatDate('2024-06-30', 'en')).toBe('30 Jun 2024');
  });
  it('takes the Shanghai calendar day of an instant (16:30 UTC is the next morning in Beijing)', () => {
    expect(formatDate('2024-06-30T16:30:00Z')).toBe('2024年7月1日');
    expect(formatDateTime('2024-06-30T16:30:00Z')).toBe('2024年7月1日 00:30');
  });
  it('shows a dash for nothing and for garbage', () => {
    expect(formatDate(null)).toBe('—');
    expect(formatDate('not a date')).toBe('—');
  });
});

describe('formatPercent', () => {
  it('prints pass rates like the provincial bulletins', () => {
    expect(formatPercent(0.9792)).toBe('97.92%');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('formatDateTimeSeconds', () => {
  it('shows Beijing time to the second whatever the browser zone', () => {
    expect(formatDateTimeSeconds('2024-06-30T16:05:07Z')).toBe('2024年7月1日 00:05:07');
    expect(formatDateTimeSeconds('2024-06-30T16:05:07Z', 'en')).toBe('1 Jul 2024 00:05:07');
  });
});
