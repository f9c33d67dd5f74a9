import { useMemo } from 'react';
import { Typography } from 'antd';
import { useI18n } from '../../i18n';
import { formatMonthDay } from '../../lib/format';
import EChart, { type ChartOption } from '../../components/EChart';
import { EmptyState } from '../../components/EmptyState';
import { weeklySeries } from './weekly';

/** Posts per week (bars) and reads per week (line) over the last half year, from the fetched posts. */
export default function ActivityChart({ posts, asOf, complete }: { posts: readonly { publishedAt: string; reads: number }[]; asOf: string; complete: boolean }) {
  const { t, count, locale } = useI18n();
  const series = useMemo(() => weeklySeries(posts, asOf, { weeks: 26, complete }), [posts, asOf, complete]);
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 64, top: 32, bottom: 32 },
      xAxis: { type: 'category', data: series.map((w) => formatMonthDay(w.week, locale)) },
      yAxis: [
        { type: 'value', name: t('account.postsPerWeek'), minInterval: 1 },
        { type: 'value', name: t('account.readsPerWeek'), axisLabel: { formatter: (v: number) => count(v) } },
      ],
      series: [
        { type: 'bar', name: t('account.postsPerWeek'), data: series.map((w) => w.posts), itemStyle: { color: '#1d4ed8' } },
        { type: 'line', name: t('account.readsPerWeek'), yAxisIndex: 1, data: series.map((w) => w.reads), itemStyle: { color: '#f59e0b' } },
      ],
    }),
    [series, t, count, locale],
  );
  if (posts.length === 0) return <EmptyState>{t('account.noPosts')}</EmptyState>;
  return (
    <>
      <EChart option={option} label={t('account.activity')} height={260} />
      <Typography.Text type="secondary">{t('account.activityNote', { count: posts.length })}</Typography.Text>
    </>
  );
}
