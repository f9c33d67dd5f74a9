import { useMemo } from 'react';
import { useQuery } from '@apollo/client/react';
import { Link } from 'react-router-dom';
import { Card, Col, Row } from 'antd';
import { graphql } from '../../graphql/generated';
import type { Platform } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import EChart, { type ChartOption } from '../../components/EChart';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import type { CellCounts } from './matrix-tone';

/** Live (not deregistered) accounts per unit level in the region: five counts in one request. */
export const AccountsByLevelQuery = graphql(`
  query AccountsByLevel($regionCode: String!) {
    province: accounts(filter: { regionCode: $regionCode, level: [PROVINCE], status: [ACTIVE, SUSPENDED] }, first: 1) {
      totalCount
    }
    city: accounts(filter: { regionCode: $regionCode, level: [CITY], status: [ACTIVE, SUSPENDED] }, first: 1) {
      totalCount
    }
    county: accounts(filter: { regionCode: $regionCode, level: [COUNTY], status: [ACTIVE, SUSPENDED] }, first: 1) {
      totalCount
    }
    township: accounts(filter: { regionCode: $regionCode, level: [TOWNSHIP], status: [ACTIVE, SUSPENDED] }, first: 1) {
      totalCount
    }
  }
`);

/** Open findings by rule in the region (all rules, zero counts included). */
export const FindingsByRuleQuery = graphql(`
  query OverviewFindingsByRule($regionCode: String!) {
    findingSummary(regionCode: $regionCode) {
      open
      byRule {
        key
        label
        open
      }
    }
  }
`);

const COLORS = { active: '#2e7d32', suspended: '#f59e0b', closed: '#9e9e9e', level: '#1d4ed8' };

export default function OverviewCharts({ regionCode, platforms, totals }: { regionCode: string; platforms: readonly Platform[]; totals: readonly (CellCounts & { platform?: Platform | null })[] }) {
  const { t, tx, count } = useI18n();
  const levels = useQuery(AccountsByLevelQuery, { variables: { regionCode } });
  const findings = useQuery(FindingsByRuleQuery, { variables: { regionCode } });

  const platformOption = useMemo<ChartOption>(() => {
    const used = platforms.map((p, i) => ({ p, c: totals[i] })).filter((x) => x.c && x.c.total > 0);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 48 },
      xAxis: { type: 'category', data: used.map((x) => tx('platform', x.p)), axisLabel: { interval: 0, rotate: used.length > 6 ? 30 : 0 } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => count(v) } },
      series: (['active', 'suspended', 'closed'] as const).map((s) => ({
        type: 'bar' as const,
        name: t(`status.${s.toUpperCase() as 'ACTIVE' | 'SUSPENDED' | 'CLOSED'}`),
        stack: 'status',
        itemStyle: { color: COLORS[s] },
        data: used.map((x) => x.c[s]),
      })),
    };
  }, [platforms, totals, t, tx, count]);

  const levelOption = useMemo<ChartOption | null>(() => {
    const d = levels.data;
    if (!d) return null;
    const rows = (['PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP'] as const).map((l) => ({ l, n: d[l.toLowerCase() as 'province'].totalCount }));
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: 'category', data: rows.map((r) => tx('level', r.l)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => count(v) } },
      series: [{ type: 'bar', name: t('overview.stats.live'), itemStyle: { color: COLORS.level }, label: { show: true, position: 'top', formatter: (p) => count(Number(p.value)) }, data: rows.map((r) => r.n) }],
    };
  }, [levels.data, t, tx, count]);

  const ruleOption = useMemo<ChartOption | null>(() => {
    const rows = findings.data?.findingSummary.byRule;
    if (!rows) return null;
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 160, right: 40, top: 8, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => tx('rule', r.key)) },
      series: [{ type: 'bar', name: t('findingStatus.OPEN'), itemStyle: { color: '#c62828' }, label: { show: true, position: 'right' }, data: rows.map((r) => r.open) }],
    };
  }, [findings.data, t, tx]);

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24}>
        <Card size="small" title={t('findings.byRule')} extra={<Link to="/findings">{t('nav.findings')}</Link>}>
          {findings.error ? (
            <ErrorNotice error={findings.error} onRetry={() => void findings.refetch()} />
          ) : ruleOption ? (
            <EChart option={ruleOption} label={t('findings.byRule')} height={260} />
          ) : (
            <Loading minHeight={260} />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={14}>
        <Card size="small" title={t('overview.byPlatform')}>
          <EChart option={platformOption} label={t('overview.byPlatform')} />
        </Card>
      </Col>
      <Col xs={24} lg={10}>
        <Card size="small" title={t('overview.byLevel')}>
          {levels.error ? (
            <ErrorNotice error={levels.error} onRetry={() => void levels.refetch()} />
          ) : levelOption ? (
            <EChart option={levelOption} label={t('overview.byLevel')} />
          ) : (
            <Loading minHeight={280} />
          )}
        </Card>
      </Col>
    </Row>
  );
}
