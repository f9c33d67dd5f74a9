import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Card, Form, Input, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { JobRunsQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { useSession } from '../../auth/session';

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
      done
      total
      phase
      requestedBy
      attempt
      maxAttempts
      startedAt
      finishedAt
      message
      error
    }
  }
`);

export const RunJobNowDocument = graphql(`
  mutation RunJobNow($task: String!, $regionCode: String) {
    runJobNow(task: $task, regionCode: $regionCode) {
      task
      queued
      message
    }
  }
`);

/** The scheduled tasks an administrator may run now (regional: detection, inspections; the others national). */
export const TASKS = ['detection', 'inspections', 'reminders', 'recheck', 'sessions'] as const;

type JobRun = JobRunsQuery['jobRuns'][number];
const STATUS_COLOR: Record<string, string> = { running: 'processing', succeeded: 'success', failed: 'error' };

/** 定时任务: the latest runs of the scheduled jobs, with status, progress, attempts and errors. */
export default function JobsPage() {
  const { t, tx, dateTime } = useI18n();
  const { data, error, loading, refetch } = useQuery(JobRunsDocument, { variables: { first: JOB_RUNS_PAGE } });
  const { user } = useSession();
  const [queued, setQueued] = useState(false);
  const running = (data?.jobRuns.some((r) => r.status === 'running') ?? false) || queued;
  // Poll only while something runs or was just queued (useQuery's pollInterval would poll for ever).
  usePoll(running, () => {
    void refetch();
    setQueued(false);
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('jobs.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{t('jobs.help')}</Typography.Paragraph>
      {user?.role === 'ADMIN' ? <RunNow onQueued={() => setQueued(true)} onDone={() => void refetch()} /> : null}
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
                {
                  key: 'task',
                  title: t('jobs.col.task'),
                  width: 160,
                  render: (_, r) => (
                    <>
                      <div>{r.taskName}</div>
                      <Typography.Text type="secondary">{r.regionCode ?? t('jobs.national')}</Typography.Text>
                      {r.requestedBy ? <div><Typography.Text type="secondary">{t('jobs.requestedBy', { name: r.requestedBy })}</Typography.Text></div> : null}
                    </>
                  ),
                },
                { key: 'status', title: t('jobs.col.status'), width: 90, render: (_, r) => <Tag color={STATUS_COLOR[r.status] ?? 'default'}>{tx('jobStatus', r.status)}</Tag> },
                {
                  key: 'progress',
                  title: t('jobs.col.progress'),
                  width: 140,
                  render: (_, r) => (
                    <>
                      <Progress
                        percent={r.progress}
                        size="small"
                        status={r.status === 'failed' ? 'exception' : r.status === 'running' ? 'active' : 'normal'}
                        aria-label={`${t('jobs.col.progress')} ${r.progress}%`}
                      />
                      {r.total ? (
                        <Typography.Text type="secondary">
                          {t('jobs.doneOf', { done: r.done ?? 0, total: r.total })}
                          {r.phase && r.status === 'running' ? ` · ${t('jobs.col.phase')} ${r.phase}` : ''}
                        </Typography.Text>
                      ) : null}
                    </>
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

/** Administrators run a task now (scoped on the server: regional tasks within their region, national tasks national). */
function RunNow({ onQueued, onDone }: { onQueued: () => void; onDone: () => void }) {
  const { t, tx } = useI18n();
  const [task, setTask] = useState<string>('detection');
  const [region, setRegion] = useState('');
  const [run, { data, loading, error, reset }] = useMutation(RunJobNowDocument);
  const submit = async () => {
    reset();
    const res = await run({ variables: { task, regionCode: region.trim() || null } }).catch(() => null);
    if (res?.data?.runJobNow.queued) onQueued();
    else if (res?.data) onDone();
  };
  const result = data?.runJobNow;
  return (
    <Card size="small" title={t('jobs.runNow')}>
      <Form layout="inline" onFinish={() => void submit()}>
        <Form.Item label={t('jobs.runNowTask')} htmlFor="run-now-task">
          <Select id="run-now-task" value={task} onChange={setTask} style={{ width: 200 }}
            options={TASKS.map((code) => ({ value: code, label: tx('jobTask', code) }))} />
        </Form.Item>
        <Form.Item label={t('jobs.runNowRegion')} htmlFor="run-now-region">
          <Input id="run-now-region" value={region} onChange={(e) => setRegion(e.target.value)} style={{ width: 120 }}
            disabled={task !== 'detection' && task !== 'inspections'} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={loading}>{t('jobs.runNow')}</Button>
        </Form.Item>
      </Form>
      {error ? <div style={{ marginTop: 8 }}><ErrorNotice error={error} /></div> : null}
      {result ? (
        <Alert style={{ marginTop: 8 }} type="success" showIcon role="status"
          title={result.queued ? t('jobs.runNowQueued') : t('jobs.runNowDone', { message: result.message ?? '' })} />
      ) : null}
    </Card>
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
