import { lazy, Suspense, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { Breadcrumb, Card, Col, Row, Space, Statistic, Typography } from 'antd';
import { OverviewMatrixQuery } from './overview-query';
import { useI18n } from '../../i18n';
import { useSession } from '../../auth/session';
import { forgetSeededOverview, seededOverview } from '../../boot-seeded';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { MatrixTable, sumCells } from './MatrixTable';
import { MatrixLegend } from './MatrixLegend';
import { InspectionByRegion } from './InspectionByRegion';

const OverviewCharts = lazy(() => import('./OverviewCharts'));

/**
 * False until `shown` (the matrix) has been drawn and the browser is idle: the inspection panel and the charts
 * (ECharts, its own chunk) come after the matrix instead of delaying it.
 */
function useAfterFirstPaint(shown: boolean): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!shown || ready) return;
    if (typeof requestIdleCallback === 'function') {
      const id = requestIdleCallback(() => setReady(true), { timeout: 500 });
      return () => cancelIdleCallback(id);
    }
    const id = setTimeout(() => setReady(true), 50);
    return () => clearTimeout(id);
  }, [shown, ready]);
  return ready;
}

export default function OverviewPage() {
  const { t, count } = useI18n();
  const { homeRegion } = useSession();
  const params = useParams();
  const navigate = useNavigate();
  const regionCode = params.regionCode ?? homeRegion;
  // The matrix that came with the page (client/src/boot.ts) is read from the cache, not asked for again.
  // When it is still on its way, the screen waits for it (and puts it into the cache) instead of asking again.
  const client = useApolloClient();
  const [boot] = useState(() => seededOverview(regionCode));
  useEffect(forgetSeededOverview, []);
  const [seededRegion, setSeededRegion] = useState(boot === 'seeded' ? regionCode : null);
  const [waiting, setWaiting] = useState(boot !== null && boot !== 'seeded');
  useEffect(() => {
    if (boot === null || boot === 'seeded') return;
    let live = true;
    void boot.then((answer) => {
      if (!live) return;
      if (answer) {
        client.writeQuery({ query: OverviewMatrixQuery, variables: { regionCode: answer.regionCode }, data: answer.data });
        setSeededRegion(answer.regionCode);
      }
      setWaiting(false);
    });
    return () => {
      live = false;
    };
  }, [boot, client]);
  const { data, previousData, loading, error, refetch } = useQuery(OverviewMatrixQuery, {
    variables: { regionCode },
    skip: waiting,
    fetchPolicy: seededRegion === regionCode ? 'cache-first' : 'cache-and-network',
  });
  const matrix = (data ?? previousData)?.matrix;
  const later = useAfterFirstPaint(matrix !== undefined);

  if (error && !matrix) return <ErrorNotice error={error} onRetry={() => void refetch()} />;
  if (!matrix) return <Loading minHeight={320} />;

  const totals = sumCells(matrix.totals);
  const open = (href: string) => navigate(href);
  const chain = [...matrix.region.ancestors, { code: matrix.region.code, name: matrix.region.name }];
  const hasUnitRows = matrix.rows.some((r) => r.kind === 'UNIT');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <nav aria-label={t('overview.breadcrumb')}>
        <Breadcrumb
          items={chain.map((r, i) => ({
            key: r.code,
            title: i === chain.length - 1 ? <span aria-current="page">{r.name}</span> : <Link to={`/overview/${r.code}`}>{r.name}</Link>,
          }))}
        />
      </nav>
      <Space wrap align="baseline" size={16}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {matrix.region.name} · {t('overview.title')}
        </Typography.Title>
        <Link to={`/history?region=${matrix.region.code}`}>{t('history.link')}</Link>
      </Space>
      {error ? <ErrorNotice error={error} onRetry={() => void refetch()} /> : null}
      <Row gutter={[16, 16]}>
        {([
          ['overview.stats.accounts', totals.total],
          ['overview.stats.live', totals.active + totals.suspended],
          ['overview.stats.suspended', totals.suspended],
          ['overview.stats.closed', totals.closed],
        ] as const).map(([key, n]) => (
          <Col key={key} xs={12} md={6}>
            <Card size="small">
              <Statistic title={t(key)} value={n} formatter={(v) => count(Number(v))} />
            </Card>
          </Col>
        ))}
      </Row>
      {totals.total === 0 ? (
        <Card>
          <EmptyState action={<Link to="/import">{t('nav.import')}</Link>}>{t('overview.empty')}</EmptyState>
        </Card>
      ) : (
        <>
          <Row gutter={[16, 16]}>
            <Col xs={24} xxl={16}>
              <Card
                size="small"
                title={t('overview.title')}
                extra={<Typography.Text type="secondary">{hasUnitRows ? t('overview.unitRowHint') : t('overview.drillHint')}</Typography.Text>}
              >
                <MatrixLegend />
                <MatrixTable matrix={matrix} regionCode={matrix.region.code} loading={loading} onOpen={open} />
              </Card>
            </Col>
            <Col xs={24} xxl={8}>
              <Card size="small" title={t('inspection.title')}>
                {later ? <InspectionByRegion regionCode={matrix.region.code} onOpen={open} /> : <Loading />}
              </Card>
            </Col>
          </Row>
          {later ? (
            <Suspense fallback={<Loading />}>
              <OverviewCharts regionCode={matrix.region.code} platforms={matrix.platforms} totals={matrix.totals} byLevel={matrix.byLevel} />
            </Suspense>
          ) : (
            <Loading />
          )}
        </>
      )}
    </Space>
  );
}
