import { useMemo } from 'react';
import { Typography } from 'antd';
import { useI18n } from '../../i18n';
import { formatMonthDay } from '../../lib/format';
import EChart, { type ChartOption } from '../../components/EChart';
import { EmptyState } from '../../components/EmptyState';

/** One week of `Account.activity` (weeks start on Monday, Beijing time; computed by the server). */
export interface WeekPoint {
  weekStart: string;
  posts: number;
  originals: number;
  reads: number;
}

export function activityTotals(weeks: readonly WeekPoint[]) {
  return weeks.reduce((t, w) => ({ posts: t.posts + w.posts, originals: t.originals + w.originals, reads: t.reads + w.reads }), { posts: 0, originals: 0, reads: 0 });
}

/** Posts (with originals) per week as bars and reads per week as a line, oldest week first. */
export default function ActivityChart({ weeks }: { weeks: readonly WeekPoint[] }) {
  const { t, count, locale } = useI18n();
  const totals = useMemo(() => activityTotals(weeks), [weeks]);
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 64, top: 32, bottom: 32 },
      xAxis: { type: 'category', data: weeks.map((w) => formatMonthDay(w.weekStart, locale)) },
      yAxis: [
        { type: 'value', name: t('account.postsPerWeek'), minInterval: 1 },
        { type: 'value', name: t('account.readsPerWeek'), axisLabel: { formatter: (v: number) => count(v) } },
      ],
      series: [
        { type: 'bar', name: t('account.postsPerWeek'), data: weeks.map((w) => w.posts), itemStyle: { color: '#1d4ed8' } },
        { type: 'bar', name: t('account.originalsPerWeek'), data: weeks.map((w) => w.originals), itemStyle: { color: '#60a5fa' } },
        { type: 'line', name: t('account.readsPerWeek'), yAxisIndex: 1, data: weeks.map((w) => w.reads), itemStyle: { color: '#f59e0b' } },
      ],
    }),
    [weeks, t, count, locale],
  );
  if (totals.posts === 0) return <EmptyState>{t('account.noPostsInWindow', { weeks: weeks.length })}</EmptyState>;
  return (
    <>
      <EChart option={option} label={t('account.activity')} height={260} />
      <Typography.Text type="secondary">
        {t('account.activityWindow', { weeks: weeks.length, posts: count(totals.posts), originals: count(totals.originals) })}
      </Typography.Text>
    </>
  );
}
