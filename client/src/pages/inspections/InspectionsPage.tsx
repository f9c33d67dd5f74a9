import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { App, Button, Card, Form, InputNumber, Space, Table, Tag, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { InspectionsQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';

/** Stored inspections shown at once (each with its frozen report's totals). */
export const INSPECTIONS_PAGE = 20;

export const InspectionsDocument = graphql(`
  query Inspections($regionCode: String, $first: Int) {
    inspections(regionCode: $regionCode, first: $first) {
      id
      regionCode
      regionName
      asOf
      periodStart
      periodEnd
      sampleRatio
      population
      sampled
      createdAt
      createdByName
      report(failuresLimit: 1) {
        checked
        failed
        passRate
        websiteChecked
        websiteFailed
        websitePassRate
      }
      bulletin {
        id
        title
        createdAt
        xlsxUrl
        docxUrl
      }
    }
  }
`);

export const CreateInspectionDocument = graphql(`
  mutation CreateInspection($regionCode: String!, $sampleRatio: Float) {
    createInspection(regionCode: $regionCode, sampleRatio: $sampleRatio) {
      id
    }
  }
`);

export const CreateBulletinDocument = graphql(`
  mutation CreateBulletin($inspectionId: ID!) {
    createBulletin(inspectionId: $inspectionId) {
      id
      title
      xlsxUrl
      docxUrl
    }
  }
`);

type Inspection = InspectionsQuery['inspections'][number];

/** A pass rate as the bulletin prints it (a percentage with two decimals); no accounts checked → —. */
export function rate(passRate: number | null | undefined): string {
  return passRate === null || passRate === undefined ? '—' : `${passRate.toFixed(2)}%`;
}

/** 检查批次与通报: the stored quarterly inspections of the user's region, a new one (planners), its bulletin and downloads. */
export default function InspectionsPage() {
  const { t, count, date, dateTime } = useI18n();
  const { user, homeRegion } = useSession();
  const { message } = App.useApp();
  const mayWrite = user?.role === 'PLANNER' || user?.role === 'ADMIN';
  const [ratio, setRatio] = useState<number | null>(null);
  const { data, error, refetch, loading } = useQuery(InspectionsDocument, { variables: { regionCode: homeRegion, first: INSPECTIONS_PAGE } });
  const [create, creating] = useMutation(CreateInspectionDocument);
  const [bulletin, bulletining] = useMutation(CreateBulletinDocument);

  const doCreate = async () => {
    const res = await create({ variables: { regionCode: homeRegion, sampleRatio: ratio === null ? null : ratio / 100 } }).catch(() => null);
    if (res?.data) {
      void message.success(t('inspections.created'));
      await refetch();
    }
  };
  const doBulletin = async (id: string) => {
    const res = await bulletin({ variables: { inspectionId: id } }).catch(() => null);
    if (res?.data) {
      void message.success(t('inspections.bulletinCreated'));
      await refetch();
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('inspections.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('inspections.help')}
        {user && user.role !== 'APPROVER' ? <> <Link to="/history">{t('history.link')}</Link></> : null}
      </Typography.Paragraph>
      {mayWrite ? (
        <Card size="small" title={t('inspections.new')}>
          <Form layout="inline" onFinish={() => void doCreate()} style={{ rowGap: 8 }}>
            <Form.Item label={t('inspections.sampleRatio')} htmlFor="inspection-ratio" extra={t('inspections.sampleRatioHelp')}>
              <InputNumber id="inspection-ratio" min={10} max={100} step={5} value={ratio} onChange={(v) => setRatio(v)} suffix="%" style={{ width: 120 }} />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={creating.loading}>
                {t('inspections.create')}
              </Button>
            </Form.Item>
          </Form>
          {creating.error ? <ErrorNotice error={creating.error} /> : null}
        </Card>
      ) : null}
      {bulletining.error ? <ErrorNotice error={bulletining.error} /> : null}
      {error ? <ErrorNotice error={error} onRetry={() => void refetch()} /> : null}
      {!data && loading ? <Loading minHeight={200} /> : null}
      {data ? (
        <Card size="small">
          {data.inspections.length === 0 ? (
            <EmptyState>{mayWrite ? t('inspections.emptyPlanner') : t('inspections.empty')}</EmptyState>
          ) : (
            <Table<Inspection>
              size="small"
              rowKey="id"
              dataSource={data.inspections}
              pagination={false}
              scroll={{ x: 960 }}
              columns={[
                {
                  key: 'period',
                  title: t('inspections.period'),
                  fixed: 'left',
                  width: 150,
                  render: (_, i) => (
                    <>
                      <div>{i.regionName}</div>
                      <Typography.Text type="secondary">
                        {date(i.periodStart)} – {date(i.periodEnd)}
                      </Typography.Text>
                    </>
                  ),
                },
                { key: 'ratio', title: t('inspections.sampleRatio'), width: 90, align: 'right', render: (_, i) => `${Math.round(i.sampleRatio * 100)}%` },
                { key: 'sampled', title: t('inspections.sampled'), width: 110, align: 'right', render: (_, i) => `${count(i.sampled)} / ${count(i.population)}` },
                { key: 'checked', title: t('inspections.checked'), width: 80, align: 'right', render: (_, i) => count(i.report.checked) },
                { key: 'failed', title: t('inspections.failed'), width: 80, align: 'right', render: (_, i) => count(i.report.failed) },
                { key: 'rate', title: t('inspections.passRate'), width: 110, align: 'right', render: (_, i) => rate(i.report.passRate) },
                {
                  key: 'web',
                  title: t('inspections.websitePassRate'),
                  width: 130,
                  align: 'right',
                  render: (_, i) => (i.report.websiteChecked ? `${rate(i.report.websitePassRate)}（${count(i.report.websiteFailed)}/${count(i.report.websiteChecked)}）` : '—'),
                },
                { key: 'by', title: t('inspections.createdBy'), width: 150, render: (_, i) => `${i.createdByName} · ${dateTime(i.createdAt)}` },
                {
                  key: 'bulletin',
                  title: t('inspections.bulletin'),
                  width: 200,
                  render: (_, i) =>
                    i.bulletin ? (
                      <Space orientation="vertical" size={2}>
                        <span>{i.bulletin.title}</span>
                        <Space wrap size={8}>
                          <a href={i.bulletin.xlsxUrl} download aria-label={`${t('inspections.downloadXlsx')}：${i.bulletin.title}`}>
                            {t('inspections.downloadXlsx')}
                          </a>
                          <a href={i.bulletin.docxUrl} download aria-label={`${t('inspections.downloadDocx')}：${i.bulletin.title}`}>
                            {t('inspections.downloadDocx')}
                          </a>
                        </Space>
                      </Space>
                    ) : mayWrite ? (
                      <Button size="small" loading={bulletining.loading} onClick={() => void doBulletin(i.id)}>
                        {t('inspections.createBulletin')}
                      </Button>
                    ) : (
                      <Tag>{t('inspections.noBulletin')}</Tag>
                    ),
                },
              ]}
            />
          )}
        </Card>
      ) : null}
    </Space>
  );
}
