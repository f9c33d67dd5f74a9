import { useEffect, useRef } from 'react';
import { useQuery } from '@apollo/client/react';
import { Card, Progress, Space, Table, Tag, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { JobRunsQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';

export const JOB_RUNS_PAGE = 100;
/** While a run is going, the list asks again every few seconds. */
export const POLL_MS = 5000;

export const JobRunsDocument = graphql(`
  query JobRuns($first: Int) {
    jobRuns(first: $first) {
      id
      task
      taskName
      regionCode
      status
      progress
      attempt
      maxAttempts
      startedAt
      finishedAt
      message
      error
    }
  }
`);

type JobRun = JobRunsQuery['jobRuns'][number];
const STATUS_COLOR: Record<string, string> = { running: 'processing', succeeded: 'success', failed: 'error' };

/** 定时任务: the latest runs of the scheduled jobs, with status, progress, attempts and errors. */
export default function JobsPage() {
  const { t, tx, dateTime } = useI18n();
  const { data, error, loading, refetch } = useQuery(JobRunsDocument, { variables: { first: JOB_RUNS_PAGE } });
  const running = data?.jobRuns.some((r) => r.status === 'running') ?? false;
  // Poll only while something runs (useQuery's pollInterval would poll for ever).
  usePoll(running, () => void refetch());
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('jobs.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{t('jobs.help')}</Typography.Paragraph>
      {error ? <ErrorNotice error={error} onRetry={() => void refetch()} /> : null}
      {!data && loading ? <Loading minHeight={200} /> : null}
      {data ? (
        <Card size="small">
          {data.jobRuns.length === 0 ? (
            <EmptyState>{t('jobs.empty')}</EmptyState>
          ) : (
            <Table<JobRun>
              size="small"
              rowKey="id"
              dataSource={data.jobRuns}
              pagination={{ pageSize: 20, showSizeChanger: false }}
              scroll={{ x: 860 }}
              columns={[
                { key: 'task', title: t('jobs.col.task'), width: 160, render: (_, r) => (<><div>{r.taskName}</div><Typography.Text type="secondary">{r.regionCode ?? t('jobs.national')}</Typography.Text></>) },
                { key: 'status', title: t('jobs.col.status'), width: 90, render: (_, r) => <Tag color={STATUS_COLOR[r.status] ?? 'default'}>{tx('jobStatus', r.status)}</Tag> },
                {
                  key: 'progress',
                  title: t('jobs.col.progress'),
                  width: 140,
                  render: (_, r) => (
                    <Progress
                      percent={r.progress}
                      size="small"
                      status={r.status === 'failed' ? 'exception' : r.status === 'running' ? 'active' : 'normal'}
                      aria-label={`${t('jobs.col.progress')} ${r.progress}%`}
                    />
                  ),
                },
                { key: 'attempt', title: t('jobs.col.attempt'), width: 80, align: 'right', render: (_, r) => `${r.attempt} / ${r.maxAttempts}` },
                { key: 'started', title: t('jobs.col.started'), width: 140, render: (_, r) => dateTime(r.startedAt) },
                { key: 'finished', title: t('jobs.col.finished'), width: 140, render: (_, r) => (r.finishedAt ? dateTime(r.finishedAt) : '—') },
                {
                  key: 'msg',
                  title: t('jobs.col.result'),
                  width: 260,
                  render: (_, r) => (r.error ? <Typography.Text type="danger">{r.error}</Typography.Text> : (r.message ?? '—')),
                },
              ]}
            />
          )}
        </Card>
      ) : null}
    </Space>
  );
}

function usePoll(active: boolean, tick: () => void) {
  const ref = useRef(tick);
  useEffect(() => {
    ref.current = tick;
  });
  useEffect(() => {
    if (!active) return;
    const id = window.setInterval(() => ref.current(), POLL_MS);
    return () => window.clearInterval(id);
  }, [active]);
}
