import { Link } from 'react-router-dom';
import { Table, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { graphql } from '../../graphql/generated';
import type { MatrixTable_MatrixFragment, Platform } from '../../graphql/generated/graphql';
import { useI18n, type I18n } from '../../i18n';
import { cellTone, findingsPerLive, type CellCounts } from './matrix-tone';

/** @codegen A fragment other documents spread by name; this call registers it with the codegen. */
export const MatrixTableFragment = graphql(`
  fragment MatrixTable_matrix on Matrix {
    platforms
    openFindings
    rows {
      key
      kind
      label
      live
      openFindings
      regionCode
      unitId
      cells {
        platform
        active
        suspended
        closed
        total
        openFindings
      }
      totalCell {
        active
        suspended
        closed
        total
        openFindings
      }
    }
    totals {
      platform
      active
      suspended
      closed
      total
      openFindings
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

/** The numbers behind a cell's colour, in words (tooltip and accessible name). */
export function cellText(t: I18n['t'], cell: CellCounts, label: string, platform: string): string {
  const ratio = findingsPerLive(cell);
  const vars = { label, platform, active: cell.active, suspended: cell.suspended, closed: cell.closed, findings: cell.openFindings };
  return ratio === null ? t('overview.cellTitleNoLive', vars) : t('overview.cellTitle', { ...vars, ratio: ratio.toFixed(2) });
}

/**
 * A count with its numbers in words. Platform cells are coloured by open findings per live account; the 在用账号
 * column (`neutral`) is a quantity, not a problem, and stays uncoloured.
 */
function Cell({ cell, label, platform, neutral }: { cell: CellCounts; label: string; platform: string; neutral?: boolean }) {
  const { t, count } = useI18n();
  const tone = neutral ? 'total' : cellTone(cell);
  const live = cell.active + cell.suspended;
  const text = cellText(t, cell, label, platform);
  return (
    <Tooltip title={text} mouseEnterDelay={0.3}>
      <span className={`matrix-cell tone-${tone}`} aria-label={text} data-tone={tone} data-findings={cell.openFindings}>
        {cell.total === 0 ? '–' : count(live)}
      </span>
    </Tooltip>
  );
}

/** The findings list filtered to a region's open findings. */
export function findingsHref(regionCode: string): string {
  return `/findings?region=${encodeURIComponent(regionCode)}&status=OPEN`;
}

function FindingsCount({ n, href }: { n: number; href: string | null }) {
  const { t, count } = useI18n();
  if (!href || n === 0) return <span className="findings-count">{count(n)}</span>;
  return (
    <Link to={href} className="findings-count" onClick={(e) => e.stopPropagation()} aria-label={t('overview.openFindingsLink', { count: n })}>
      {count(n)}
    </Link>
  );
}

export interface MatrixTableProps {
  matrix: MatrixTable_MatrixFragment;
  /** The matrix's region: the summary row's findings count opens its findings. */
  regionCode?: string;
  /** Called with the row's destination when a row (not its link) is clicked. */
  onOpen(href: string): void;
  loading?: boolean;
}

/**
 * Sub-regions (or units) × platforms; each live count coloured by the open findings per live account in it (tooltip
 * and accessible name give the numbers); rows drill down; the findings column opens the region's findings.
 */
export function MatrixTable({ matrix, onOpen, loading, regionCode }: MatrixTableProps) {
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
      width: 150,
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
      // Condensed: the short name in the header, the full name on hover and for screen readers.
      title: <abbr title={tx('platform', p)} style={{ textDecoration: 'none' }}>{tx('platformShort', p)}</abbr>,
      align: 'right' as const,
      width: 64,
      render: (_: unknown, row: Row) => <Cell cell={row.cells[i]} label={row.label} platform={tx('platform', p)} />,
    })),
    {
      key: 'total',
      title: t('overview.live'),
      align: 'right',
      fixed: 'right',
      width: 84,
      render: (_, row) => <Cell cell={row.totalCell} label={row.label} platform={t('overview.total')} neutral />,
    },
    {
      key: 'findings',
      title: t('overview.openFindings'),
      align: 'right',
      fixed: 'right',
      width: 84,
      render: (_, row) => <FindingsCount n={row.openFindings} href={row.kind === 'REGION' && row.regionCode ? findingsHref(row.regionCode) : null} />,
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
              <Cell cell={{ ...sumCells(matrix.totals), openFindings: matrix.openFindings }} label={t('overview.totals')} platform={t('overview.total')} neutral />
            </Table.Summary.Cell>
            <Table.Summary.Cell index={platforms.length + 2} align="right">
              <FindingsCount n={matrix.openFindings} href={regionCode ? findingsHref(regionCode) : null} />
            </Table.Summary.Cell>
          </Table.Summary.Row>
        </Table.Summary>
      )}
    />
  );
}

/**
 * Sums account counts. `openFindings` is summed too, which over-counts findings spanning several platforms: use
 * the server's row/column/grand totals (`openFindings` of the row, the totals or the matrix) where they exist.
 */
export function sumCells(cells: readonly CellCounts[]): CellCounts {
  return cells.reduce(
    (acc, c) => ({
      active: acc.active + c.active, suspended: acc.suspended + c.suspended, closed: acc.closed + c.closed, total: acc.total + c.total,
      openFindings: acc.openFindings + c.openFindings,
    }),
    { active: 0, suspended: 0, closed: 0, total: 0, openFindings: 0 },
  );
}
