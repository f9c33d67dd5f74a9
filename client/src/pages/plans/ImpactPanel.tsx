import { useMemo } from 'react';
import { useQuery } from '@apollo/client/react';
import { Alert, Card, Col, Row, Statistic, Typography } from 'antd';
import type { Level, Platform, PlanImpactQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import EChart, { type ChartOption } from '../../components/EChart';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import { PLATFORM_ORDER } from '../../components/AccountsTable';
import { PlanImpactQuery as PlanImpactDoc } from './plan-documents';

type Impact = PlanImpactQuery['plan']['impact'];
const LEVELS: Level[] = ['NATIONAL', 'PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP'];
const BEFORE = '#94a3b8';
const AFTER = '#1d4ed8';

/** Sums the before/after rows by level or by platform, in the usual order, leaving out empty groups. */
export function sumImpact<K extends 'level' | 'platform'>(rows: Impact['byLevelPlatform'], key: K, order: readonly (K extends 'level' ? Level : Platform)[]) {
  const m = new Map<string, { before: number; after: number }>();
  for (const r of rows) {
    const k = r[key] as string;
    const cur = m.get(k) ?? { before: 0, after: 0 };
    cur.before += r.before;
    cur.after += r.after;
    m.set(k, cur);
  }
  return order.filter((k) => m.has(k)).map((k) => ({ key: k, ...m.get(k)! }));
}

const FROZEN_ON = ['submitted', 'approved', 'rejected', 'changes_requested'] as const;

/**
 * Which figures these are: the live preview of an editable plan, or those frozen with a revision (at submission or
 * at an approval) — what the approvers saw.
 */
export function ImpactBasis({ impact }: { impact: Pick<Impact, 'revision' | 'frozenAt' | 'frozenOn'> }) {
  const { t, dateTime } = useI18n();
  if (impact.revision === null || impact.revision === undefined) {
    return <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="impact-basis" data-frozen="false" title={t('impact.live')} />;
  }
  const on = FROZEN_ON.find((k) => k === impact.frozenOn);
  return (
    <Alert type="success" showIcon style={{ marginBottom: 12 }} data-testid="impact-basis" data-frozen="true" data-revision={impact.revision}
      title={t('impact.frozen', { revision: impact.revision, on: on ? t(`impact.frozenOn.${on}`) : '', time: impact.frozenAt ? dateTime(impact.frozenAt) : '—' })} />
  );
}

/**
 * Impact of a plan: accounts by level and platform before/after, followers and services kept, pass rates. The server
 * gives the live preview while the plan is editable, afterwards the figures frozen with the current revision.
 */
export default function ImpactPanel({ planId, version }: { planId: string; version: number }) {
  const { t, tx, count, percent } = useI18n();
  // `version` in the variables' cache key is not needed: the editor refetches this query after every edit.
  const q = useQuery(PlanImpactDoc, { variables: { id: planId }, fetchPolicy: 'cache-and-network' });
  const impact = q.data?.plan.impact;
  const stale = q.data && q.data.plan.version !== version;

  const bar = (title: string, groups: { key: string; before: number; after: number }[], prefix: string): ChartOption => ({
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 44, right: 12, top: 32, bottom: 40 },
    xAxis: { type: 'category', data: groups.map((g) => tx(prefix, g.key)), axisLabel: { interval: 0, rotate: groups.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', name: title, nameTextStyle: { align: 'left' }, minInterval: 1 },
    series: [
      { type: 'bar', name: t('impact.before'), data: groups.map((g) => g.before), itemStyle: { color: BEFORE } },
      { type: 'bar', name: t('impact.after'), data: groups.map((g) => g.after), itemStyle: { color: AFTER } },
    ],
  });

  const byLevel = useMemo(() => (impact ? bar(t('impact.accounts'), sumImpact(impact.byLevelPlatform, 'level', LEVELS), 'level') : null), [impact, t]); // eslint-disable-line react-hooks/exhaustive-deps -- `bar` is a pure helper re-created each render; the chart depends only on impact and t
  const byPlatform = useMemo(() => (impact ? bar(t('impact.accounts'), sumImpact(impact.byLevelPlatform, 'platform', PLATFORM_ORDER), 'platform') : null), [impact, t]); // eslint-disable-line react-hooks/exhaustive-deps -- as above
  const resolved = useMemo<ChartOption | null>(() => (impact ? {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 150, right: 24, top: 8, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: impact.findingsResolvedByRule.map((r) => tx('rule', r.rule)) },
    series: [{ type: 'bar', name: t('impact.findingsResolved'), data: impact.findingsResolvedByRule.map((r) => r.count), itemStyle: { color: '#2e7d32' } }],
  } : null), [impact, t, tx]);
  const rates = useMemo<ChartOption | null>(() => (impact ? {
    tooltip: { trigger: 'axis', valueFormatter: (v) => percent(Number(v)) },
    grid: { left: 48, right: 12, top: 16, bottom: 24 },
    xAxis: { type: 'category', data: [t('impact.before'), t('impact.after')] },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => percent(v) } },
    series: [{ type: 'bar', name: t('impact.passRate'), barWidth: 48, data: [
      { value: impact.passRateBefore ?? 0, itemStyle: { color: BEFORE } }, { value: impact.passRateAfter ?? 0, itemStyle: { color: AFTER } }] }],
  } : null), [impact, t, percent]);

  if (q.error) return <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />;
  if (!impact) return <Loading tip={t('impact.computing')} />;
  const servicesOk = impact.servicesKept >= impact.servicesBefore;
  const followersRatio = impact.followersBefore ? impact.followersAfter / impact.followersBefore : null;
  const stats: [string, React.ReactNode, string?][] = [
    [t('impact.accountsStat'), `${count(impact.accountsBefore)} → ${count(impact.accountsAfter)}`],
    [t('impact.followersKept'), followersRatio === null ? '—' : percent(followersRatio), `${count(impact.followersAfter)} / ${count(impact.followersBefore)}`],
    [t('impact.servicesKept'), percent(impact.servicesKeptRatio), `${count(impact.servicesKept)} / ${count(impact.servicesBefore)}`],
    [t('impact.postsKept'), `${count(impact.postsKept)} / ${count(impact.postsBefore)}`],
    [t('impact.findingsResolved'), count(impact.findingsResolved)],
    [t('impact.passRate'), `${percent(impact.passRateBefore)} → ${percent(impact.passRateAfter)}`],
  ];
  return (
    <div aria-busy={q.loading} data-testid="impact-panel">
      {stale || q.loading ? <div role="status" style={{ marginBottom: 8 }}><Typography.Text type="secondary">{t('impact.computing')}</Typography.Text></div> : null}
      <ImpactBasis impact={impact} />
      {!servicesOk ? <Alert type="error" showIcon role="alert" style={{ marginBottom: 12 }} title={t('impact.servicesLost', { n: impact.servicesBefore - impact.servicesKept })} /> : null}
      <Row gutter={[12, 12]}>
        {stats.map(([label, value, sub]) => (
          <Col key={label} xs={12} md={8} xl={4}>
            <Card size="small">
              <Statistic title={label} value={value as string} styles={{ content: { fontSize: 20 } }} />
              {sub ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{sub}</Typography.Text> : null}
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('impact.byLevel')}>{byLevel ? <EChart option={byLevel} label={t('impact.byLevel')} height={260} /> : null}</Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('impact.byPlatform')}>{byPlatform ? <EChart option={byPlatform} label={t('impact.byPlatform')} height={260} /> : null}</Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('impact.resolvedByRule')}>
            {impact.findingsResolvedByRule.length && resolved ? <EChart option={resolved} label={t('impact.resolvedByRule')} height={220} /> : <Typography.Text type="secondary">{t('impact.noneResolved')}</Typography.Text>}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t('impact.passRateTitle')}>
            {rates ? <EChart option={rates} label={t('impact.passRateTitle')} height={190} /> : null}
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: 0 }}>{impact.passRateMethod}</Typography.Paragraph>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
