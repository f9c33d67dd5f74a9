import { Link } from 'react-router-dom';
import { Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { graphql } from '../../graphql/generated';
import type { MatrixTable_MatrixFragment, Platform } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { cellTone, type CellCounts } from './matrix-tone';

export const MatrixTableFragment = graphql(`
  fragment MatrixTable_matrix on Matrix {
    platforms
    rows {
      key
      kind
      label
      live
      regionCode
      unitId
      cells {
        platform
        active
        suspended
        closed
        total
      }
      totalCell {
        active
        suspended
        closed
        total
      }
    }
    totals {
      platform
      active
      suspended
      closed
      total
    }
  }
`);

type Row = MatrixTable_MatrixFragment['rows'][number];

/** Where a row leads: a sub-region drills down the matrix, a unit opens in the explorer, the region's own row nowhere. */
export function rowHref(row: Pick<Row, 'kind' | 'regionCode' | 'unitId'>): string | null {
  if (row.kind === 'REGION' && row.regionCode) return `/overview/${row.regionCode}`;
  if (row.kind === 'UNIT' && row.unitId) return `/explorer/units/${row.unitId}`;
  return null;
}

function Cell({ cell, label, platform, problems }: { cell: CellCounts; label: string; platform: string; problems?: number }) {
  const { t, count } = useI18n();
  const tone = cellTone(cell, problems);
  const live = cell.active + cell.suspended;
  const text = t('overview.cellTitle', { label, platform, active: cell.active, suspended: cell.suspended, closed: cell.closed });
  return (
    <span className={`matrix-cell tone-${tone}`} title={text} aria-label={text} data-tone={tone}>
      {cell.total === 0 ? '–' : count(live)}
    </span>
  );
}

export interface MatrixTableProps {
  matrix: MatrixTable_MatrixFragment;
  /** Called with the row's destination when a row (not its link) is clicked. */
  onOpen(href: string): void;
  loading?: boolean;
}

/** Sub-regions (or units) × platforms; each count coloured by the problems in it; rows drill down. */
export function MatrixTable({ matrix, onOpen, loading }: MatrixTableProps) {
  const { t, tx } = useI18n();
  // Platforms nobody in this region uses would only add empty columns at 1366px.
  const platforms = matrix.platforms
    .map((p, i) => ({ p, i }))
    .filter(({ i }) => (matrix.totals[i]?.total ?? 0) > 0);

  const columns: ColumnsType<Row> = [
    {
      key: 'label',
      title: t('overview.rowHeader'),
      fixed: 'left',
      width: 180,
      render: (_, row) => {
        const href = rowHref(row);
        return href ? (
          <Link to={href} onClick={(e) => e.stopPropagation()}>
            {row.label}
          </Link>
        ) : (
          <strong>{row.label}</strong>
        );
      },
    },
    ...platforms.map(({ p, i }) => ({
      key: p,
      title: tx('platform', p),
      align: 'right' as const,
      width: 92,
      render: (_: unknown, row: Row) => <Cell cell={row.cells[i]} label={row.label} platform={tx('platform', p)} />,
    })),
    {
      key: 'total',
      title: t('overview.live'),
      align: 'right',
      width: 96,
      render: (_, row) => <Cell cell={row.totalCell} label={row.label} platform={t('overview.total')} />,
    },
  ];

  return (
    <Table<Row>
      className="matrix-table"
      size="small"
      bordered
      loading={loading}
      rowKey="key"
      columns={columns}
      dataSource={matrix.rows}
      pagination={false}
      scroll={{ x: 'max-content', y: 520 }}
      onRow={(row) => {
        const href = rowHref(row);
        return href ? { className: 'drillable', onClick: () => onOpen(href), 'data-href': href } as React.HTMLAttributes<HTMLElement> : {};
      }}
      summary={() => (
        <Table.Summary fixed="bottom">
          <Table.Summary.Row>
            <Table.Summary.Cell index={0}>
              <strong>{t('overview.totals')}</strong>
            </Table.Summary.Cell>
            {platforms.map(({ p, i }, n) => (
              <Table.Summary.Cell key={p} index={n + 1} align="right">
                <Cell cell={matrix.totals[i]} label={t('overview.totals')} platform={tx('platform', p as Platform)} />
              </Table.Summary.Cell>
            ))}
            <Table.Summary.Cell index={platforms.length + 1} align="right">
              <Cell cell={sumCells(matrix.totals)} label={t('overview.totals')} platform={t('overview.total')} />
            </Table.Summary.Cell>
          </Table.Summary.Row>
        </Table.Summary>
      )}
    />
  );
}

export function sumCells(cells: readonly CellCounts[]): CellCounts {
  return cells.reduce(
    (acc, c) => ({ active: acc.active + c.active, suspended: acc.suspended + c.suspended, closed: acc.closed + c.closed, total: acc.total + c.total }),
    { active: 0, suspended: 0, closed: 0, total: 0 },
  );
}
