import { Link } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { graphql } from '../../graphql/generated';
import type { OverviewInspectionQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';

/** The check date of the latest detection run (the bulletin is computed for that date when there is one). */
export const LatestRunQuery = graphql(`
  query OverviewLatestRun {
    detectionRuns(first: 1) {
      id
      asOf
    }
  }
`);

export const OverviewInspectionDocument = graphql(`
  query OverviewInspection($regionCode: String!, $asOf: String) {
    inspectionReport(regionCode: $regionCode, asOf: $asOf, failuresLimit: 1) {
      regionCode
      asOf
      checked
      failed
      passRate
      byRegion {
        key
        label
        checked
        failed
        passRate
      }
    }
  }
`);

type Group = OverviewInspectionQuery['inspectionReport']['byRegion'][number];

/** Where a bulletin row leads: a sub-region to its own overview (as the matrix rows do); the region's own row nowhere. */
export function inspectionRowHref(group: Pick<Group, 'key'>): string | null {
  return group.key === 'self' ? null : `/overview/${group.key}`;
}

/** Rows worth showing: sub-regions with accounts checked (the others are counted in a note). */
export function checkedGroups(groups: readonly Group[]): { shown: Group[]; hidden: number } {
  const shown = groups.filter((g) => g.checked > 0);
  return { shown, hidden: groups.length - shown.length };
}

const rate = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${r.toFixed(2)}%`);

/**
 * Inspection pass rate by sub-region, as in the provincial bulletins: accounts checked, failed, pass rate (passed /
 * checked). The check date is the latest detection run's, else today. Rows drill down like the matrix.
 */
export function InspectionByRegion({ regionCode, onOpen }: { regionCode: string; onOpen(href: string): void }) {
  const { t, count } = useI18n();
  const runs = useQuery(LatestRunQuery);
  const asOf = runs.data?.detectionRuns[0]?.asOf ?? null;
  const report = useQuery(OverviewInspectionDocument, { variables: { regionCode, asOf }, skip: !runs.data && !runs.error });

  const error = runs.error ?? report.error;
  if (error) return <ErrorNotice error={error} onRetry={() => void (runs.error ? runs.refetch() : report.refetch())} />;
  const data = (report.data ?? report.previousData)?.inspectionReport;
  if (!data) return <Loading minHeight={200} />;
  const { shown, hidden } = checkedGroups(data.byRegion);

  const columns: ColumnsType<Group> = [
    {
      key: 'label',
      title: t('inspection.region'),
      render: (_, g) => {
        const href = inspectionRowHref(g);
        return href ? <Link to={href} onClick={(e) => e.stopPropagation()}>{g.label}</Link> : <strong>{g.label}</strong>;
      },
    },
    { key: 'checked', title: t('inspection.checked'), align: 'right', width: 72, render: (_, g) => count(g.checked) },
    { key: 'failed', title: t('inspection.failed'), align: 'right', width: 72, render: (_, g) => count(g.failed) },
    {
      key: 'rate',
      title: t('inspection.passRate'),
      align: 'right',
      width: 88,
      render: (_, g) => (
        <span aria-label={t('inspection.rowTitle', { label: g.label, checked: g.checked, failed: g.failed, rate: rate(g.passRate) })}>
          {rate(g.passRate)}
        </span>
      ),
    },
  ];

  return (
    <>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t(asOf ? 'inspection.asOfRun' : 'inspection.asOfToday', { date: data.asOf })}
      </Typography.Paragraph>
      <Table<Group>
        className="inspection-table"
        size="small"
        rowKey="key"
        loading={report.loading}
        columns={columns}
        dataSource={shown}
        pagination={false}
        scroll={{ y: 440 }}
        locale={{ emptyText: t('inspection.none') }}
        onRow={(g) => {
          const href = inspectionRowHref(g);
          return href ? ({ className: 'drillable', onClick: () => onOpen(href), 'data-href': href } as React.HTMLAttributes<HTMLElement>) : {};
        }}
        summary={() => (
          <Table.Summary fixed="bottom">
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <strong>{t('overview.total')}</strong>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">{count(data.checked)}</Table.Summary.Cell>
              <Table.Summary.Cell index={2} align="right">{count(data.failed)}</Table.Summary.Cell>
              <Table.Summary.Cell index={3} align="right">
                <strong>{rate(data.passRate)}</strong>
              </Table.Summary.Cell>
            </Table.Summary.Row>
          </Table.Summary>
        )}
      />
      {hidden > 0 ? (
        <Typography.Text type="secondary">{t('inspection.hiddenRegions', { count: hidden })}</Typography.Text>
      ) : null}
    </>
  );
}
