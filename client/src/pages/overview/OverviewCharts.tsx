import { useMemo } from 'react';
import { useQuery } from '@apollo/client/react';
import { Link } from 'react-router-dom';
import { Card, Col, Row } from 'antd';
import { graphql } from '../../graphql/generated';
import type { OverviewMatrixQuery, Platform } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import EChart, { type ChartOption } from '../../components/EChart';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';
import type { CellCounts } from './matrix-tone';

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

const COLORS = { active: '#2e7d32', suspended: '#f59e0b', closed: '#9e9e9e' };
/** One colour per platform (in Platform order), distinguishable side by side in a stack. */
const PLATFORM_COLORS = ['#1d4ed8', '#c2410c', '#0f766e', '#7c3aed', '#b45309', '#db2777', '#15803d', '#475569', '#0891b2', '#a16207'];

export type LevelRow = OverviewMatrixQuery['matrix']['byLevel'][number];

/**
 * Live accounts per unit level, stacked by platform (platforms without a live account at any level are left out).
 * Exported for tests: the ECharts canvas cannot be inspected.
 */
export function levelSeries(platforms: readonly Platform[], byLevel: readonly LevelRow[]) {
  const live = (c: LevelRow['cells'][number]) => c.active + c.suspended;
  const used = platforms.map((p, i) => ({ p, i })).filter(({ i }) => byLevel.some((l) => live(l.cells[i]) > 0));
  return {
    levels: byLevel.map((l) => l.level),
    series: used.map(({ p, i }) => ({ platform: p, data: byLevel.map((l) => live(l.cells[i])), color: PLATFORM_COLORS[i % PLATFORM_COLORS.length] })),
  };
}

export default function OverviewCharts({ regionCode, platforms, totals, byLevel }: {
  regionCode: string;
  platforms: readonly Platform[];
  totals: readonly (CellCounts & { platform?: Platform | null })[];
  byLevel: readonly LevelRow[];
}) {
  const { t, tx, count } = useI18n();
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

  const levelOption = useMemo<ChartOption>(() => {
    const { levels, series } = levelSeries(platforms, byLevel);
    const findings = byLevel.map((l) => l.openFindings);
    return {
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        // The stack's total and the level's open findings under the per-platform counts.
        formatter: (params) => {
          const list = Array.isArray(params) ? params : [params];
          const i = list[0]?.dataIndex ?? 0;
          const lines = list.filter((p) => Number(p.value) > 0).map((p) => `${p.marker ?? ''}${p.seriesName}：${count(Number(p.value))}`);
          const level = byLevel[i];
          return [
            `<strong>${tx('level', levels[i])}</strong>`,
            ...lines,
            t('overview.byLevelTotal', { live: count(level?.live ?? 0), findings: count(findings[i] ?? 0) }),
          ].join('<br/>');
        },
      },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 48, right: 16, top: 32, bottom: 32 },
      xAxis: { type: 'category', data: levels.map((l) => tx('level', l)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => count(v) } },
      series: series.map((s) => ({ type: 'bar' as const, name: tx('platform', s.platform), stack: 'live', itemStyle: { color: s.color }, data: s.data })),
    };
  }, [platforms, byLevel, t, tx, count]);

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
          <EChart option={levelOption} label={t('overview.byLevel')} />
        </Card>
      </Col>
    </Row>
  );
}
