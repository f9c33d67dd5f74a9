import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useLazyQuery } from '@apollo/client/react';
import dayjs, { type Dayjs } from 'dayjs';
import { Button, Card, DatePicker, Form, Input, Space, Table, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { MatrixAsOfQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';

export const MatrixAsOfDocument = graphql(`
  query MatrixAsOf($regionCode: String!, $a: String!, $b: String!) {
    a: matrixAsOf(regionCode: $regionCode, date: $a) {
      date
      live
      total
      openFindings
      region { code name }
      rows { key label live openFindings totalCell { closed } }
    }
    b: matrixAsOf(regionCode: $regionCode, date: $b) {
      date
      live
      total
      openFindings
      rows { key label live openFindings totalCell { closed } }
    }
  }
`);

type Side = MatrixAsOfQuery['a'];
interface Line { key: string; label: string; liveA: number; liveB: number; closedA: number; closedB: number; findingsA: number; findingsB: number }

/** The rows of both dates, matched by key (a row present on one date only counts 0 on the other). */
export function compareRows(a: Pick<Side, 'rows'>, b: Pick<Side, 'rows'>): Line[] {
  const lines = new Map<string, Line>();
  const line = (key: string, label: string) => {
    let l = lines.get(key);
    if (!l) lines.set(key, (l = { key, label, liveA: 0, liveB: 0, closedA: 0, closedB: 0, findingsA: 0, findingsB: 0 }));
    return l;
  };
  for (const r of a.rows) Object.assign(line(r.key, r.label), { liveA: r.live, closedA: r.totalCell.closed, findingsA: r.openFindings });
  for (const r of b.rows) Object.assign(line(r.key, r.label), { liveB: r.live, closedB: r.totalCell.closed, findingsB: r.openFindings });
  return [...lines.values()];
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const FMT = 'YYYY-MM-DD';

/** 历史对比: the matrix of a region on two dates side by side (time travel from the status history). */
export default function HistoryPage() {
  const { t, count } = useI18n();
  const { homeRegion } = useSession();
  const [params] = useSearchParams();
  const [region, setRegion] = useState(params.get('region') ?? homeRegion);
  const [dates, setDates] = useState<[Dayjs, Dayjs]>([dayjs().subtract(1, 'year').startOf('month'), dayjs()]);
  const [load, { data, loading, error, refetch }] = useLazyQuery(MatrixAsOfDocument);
  const compare = () => void load({ variables: { regionCode: region.trim(), a: dates[0].format(FMT), b: dates[1].format(FMT) } });
  const lines = data?.a && data.b ? compareRows(data.a, data.b) : [];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>{t('history.title')}</Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{t('history.help')}</Typography.Paragraph>
      <Card size="small">
        <Form layout="inline" onFinish={compare}>
          <Form.Item label={t('history.region')} htmlFor="history-region">
            <Input id="history-region" value={region} placeholder={t('history.regionHint')} onChange={(e) => setRegion(e.target.value)} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item label={t('history.from')} htmlFor="history-a">
            <DatePicker id="history-a" value={dates[0]} allowClear={false} disabledDate={(d) => d.isAfter(dayjs(), 'day')}
              onChange={(d) => d && setDates([d, dates[1]])} />
          </Form.Item>
          <Form.Item label={t('history.to')} htmlFor="history-b">
            <DatePicker id="history-b" value={dates[1]} allowClear={false} disabledDate={(d) => d.isAfter(dayjs(), 'day')}
              onChange={(d) => d && setDates([dates[0], d])} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={loading} disabled={!region.trim()}>{t('history.compare')}</Button>
          </Form.Item>
        </Form>
      </Card>
      {error ? <ErrorNotice error={error} onRetry={() => void refetch()} /> : null}
      {data?.a && data.b ? (
        <Card size="small" title={`${data.a.region.name}（${data.a.region.code}）`}
          extra={(
            <Space wrap>
              {[data.a.date, data.b.date].map((d) => (
                <a key={d} href={`/api/export/matrix.xlsx?regionCode=${encodeURIComponent(data.a.region.code)}&date=${d}`} download>
                  {t('history.export', { date: d })}
                </a>
              ))}
            </Space>
          )}>
          <Typography.Paragraph role="status">
            {t('history.summary', { a: data.a.date, b: data.b.date, liveA: count(data.a.live), liveB: count(data.b.live), change: signed(data.b.live - data.a.live) })}
          </Typography.Paragraph>
          <Table<Line>
            size="small"
            rowKey="key"
            dataSource={lines}
            pagination={false}
            scroll={{ x: 760 }}
            summary={() => (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}><strong>{t('history.total')}</strong></Table.Summary.Cell>
                <Table.Summary.Cell index={1} align="right">{count(data.a.live)}</Table.Summary.Cell>
                <Table.Summary.Cell index={2} align="right">{count(data.b.live)}</Table.Summary.Cell>
                <Table.Summary.Cell index={3} align="right">{signed(data.b.live - data.a.live)}</Table.Summary.Cell>
                <Table.Summary.Cell index={4} align="right">{count(data.a.total - data.a.live)}</Table.Summary.Cell>
                <Table.Summary.Cell index={5} align="right">{count(data.b.total - data.b.live)}</Table.Summary.Cell>
                <Table.Summary.Cell index={6} align="right">{count(data.a.openFindings)}</Table.Summary.Cell>
                <Table.Summary.Cell index={7} align="right">{count(data.b.openFindings)}</Table.Summary.Cell>
              </Table.Summary.Row>
            )}
            columns={[
              { key: 'row', title: t('history.col.row'), dataIndex: 'label', width: 180 },
              { key: 'liveA', title: `${t('history.col.liveA')} ${data.a.date}`, align: 'right', render: (_, l) => count(l.liveA) },
              { key: 'liveB', title: `${t('history.col.liveB')} ${data.b.date}`, align: 'right', render: (_, l) => count(l.liveB) },
              { key: 'change', title: t('history.col.change'), align: 'right',
                render: (_, l) => <Typography.Text type={l.liveB < l.liveA ? 'success' : l.liveB > l.liveA ? 'warning' : undefined}>{signed(l.liveB - l.liveA)}</Typography.Text> },
              { key: 'closedA', title: t('history.col.closedA'), align: 'right', render: (_, l) => count(l.closedA) },
              { key: 'closedB', title: t('history.col.closedB'), align: 'right', render: (_, l) => count(l.closedB) },
              { key: 'findingsA', title: t('history.col.findingsA'), align: 'right', render: (_, l) => count(l.findingsA) },
              { key: 'findingsB', title: t('history.col.findingsB'), align: 'right', render: (_, l) => count(l.findingsB) },
            ]}
          />
        </Card>
      ) : !loading ? <EmptyState>{t('history.empty')}</EmptyState> : null}
    </Space>
  );
}
