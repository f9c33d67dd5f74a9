import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { App, Badge, Button, Card, Form, Input, List, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { WorkOrdersQuery } from '../../graphql/generated/graphql';
import { useI18n, type MessageKey } from '../../i18n';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';

export const WORK_ORDERS_PAGE = 200;
export const NOTIFICATIONS_PAGE = 20;

export const WorkOrdersDocument = graphql(`
  query WorkOrders($status: String, $first: Int, $notifications: Int) {
    workOrders(status: $status, first: $first) {
      id
      title
      rule
      status
      deadline
      workingDaysLeft
      createdAt
      answeredAt
      answerNote
      answerEvidence
      closedAt
      closeReason
      escalatedAt
      escalatedTo {
        id
        name
      }
      findingId
      unit {
        id
        name
      }
    }
    notifications(first: $notifications, unreadOnly: false) {
      id
      kind
      title
      body
      createdAt
      readAt
      workOrderId
    }
  }
`);

export const AnswerWorkOrderDocument = graphql(`
  mutation AnswerWorkOrder($id: ID!, $note: String!, $evidence: String) {
    answerWorkOrder(id: $id, note: $note, evidence: $evidence) {
      id
      status
      answeredAt
      answerNote
      answerEvidence
    }
  }
`);

export const MarkNotificationReadDocument = graphql(`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`);

export const MarkAllNotificationsReadDocument = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`);

type WorkOrder = WorkOrdersQuery['workOrders'][number];

const STATUS_COLOR: Record<string, string> = { open: 'blue', answered: 'cyan', overdue: 'red', escalated: 'volcano', closed: 'default' };
const STATUSES = ['all', 'open', 'answered', 'overdue', 'escalated', 'closed'] as const;

/** The deadline in words: working days left, due today, or overdue by n working days. */
export function dueText(t: (key: MessageKey, vars?: Record<string, string | number>) => string, o: Pick<WorkOrder, 'status' | 'workingDaysLeft'>): string {
  if (o.status === 'closed') return '—';
  if (o.workingDaysLeft < 0) return t('workOrders.overdueBy', { n: -o.workingDaysLeft });
  if (o.workingDaysLeft === 0) return t('workOrders.dueToday');
  return t('workOrders.daysLeft', { n: o.workingDaysLeft });
}

/** 整改工单: the rectification orders of the user's units; a unit's approver answers with a note and evidence. */
export default function WorkOrdersPage() {
  const { t, tx, date, dateTime } = useI18n();
  const { user } = useSession();
  const { message } = App.useApp();
  const mayAnswer = user?.role === 'APPROVER' || user?.role === 'ADMIN';
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('all');
  const [answering, setAnswering] = useState<WorkOrder | null>(null);
  const [form] = Form.useForm<{ note: string; evidence?: string }>();
  const { data, error, loading, refetch } = useQuery(WorkOrdersDocument, {
    variables: { status: status === 'all' ? null : status, first: WORK_ORDERS_PAGE, notifications: NOTIFICATIONS_PAGE },
  });
  const [answer, answerState] = useMutation(AnswerWorkOrderDocument);
  const unread = data?.notifications.filter((n) => !n.readAt).length ?? 0;
  // Reading notifications changes nothing but their read mark: auditors only look.
  const mayRead = Boolean(user) && user?.role !== 'AUDITOR';
  const [markRead, markReadState] = useMutation(MarkNotificationReadDocument);
  const [markAll, markAllState] = useMutation(MarkAllNotificationsReadDocument);
  const readAll = async () => {
    const res = await markAll().catch(() => null);
    if (res?.data) {
      void message.success(t('notifications.markedAll', { n: res.data.markAllNotificationsRead }));
      void refetch();
    }
  };

  const submit = async (v: { note: string; evidence?: string }) => {
    if (!answering) return;
    const res = await answer({ variables: { id: answering.id, note: v.note.trim(), evidence: v.evidence?.trim() || null } }).catch(() => null);
    if (res?.data) {
      void message.success(t('workOrders.answered'));
      setAnswering(null);
      form.resetFields();
      await refetch();
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('workOrders.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{t('workOrders.help')}</Typography.Paragraph>
      <div role="group" aria-label={t('workOrders.filter')} style={{ overflowX: 'auto' }}>
        <Segmented
          value={status}
          onChange={(v) => setStatus(v as (typeof STATUSES)[number])}
          options={STATUSES.map((s) => ({ value: s, label: s === 'all' ? t('workOrders.all') : tx('workOrderStatus', s) }))}
        />
      </div>
      {error ? <ErrorNotice error={error} onRetry={() => void refetch()} /> : null}
      {!data && loading ? <Loading minHeight={200} /> : null}
      {data ? (
        <Card size="small">
          {data.workOrders.length === 0 ? (
            <EmptyState>{t('workOrders.empty')}</EmptyState>
          ) : (
            <Table<WorkOrder>
              size="small"
              rowKey="id"
              dataSource={data.workOrders}
              pagination={{ pageSize: 20, showSizeChanger: false }}
              scroll={{ x: 900 }}
              expandable={{
                rowExpandable: (o) => Boolean(o.answerNote || o.closeReason || o.escalatedTo),
                expandedRowRender: (o) => (
                  <dl className="plain-list" style={{ margin: 0 }}>
                    {o.answerNote ? (
                      <>
                        <dt><strong>{t('workOrders.answer')}</strong>（{dateTime(o.answeredAt)}）</dt>
                        <dd style={{ margin: '0 0 8px' }}>
                          {o.answerNote}
                          {o.answerEvidence ? <div>{t('workOrders.evidence')}：{/^https?:\/\//.test(o.answerEvidence) ? <a href={o.answerEvidence} target="_blank" rel="noreferrer noopener">{o.answerEvidence}</a> : o.answerEvidence}</div> : null}
                        </dd>
                      </>
                    ) : null}
                    {o.escalatedTo ? (
                      <>
                        <dt><strong>{t('workOrders.escalatedTo')}</strong></dt>
                        <dd style={{ margin: '0 0 8px' }}>{o.escalatedTo.name}（{dateTime(o.escalatedAt)}）</dd>
                      </>
                    ) : null}
                    {o.closeReason ? (
                      <>
                        <dt><strong>{t('workOrders.closed')}</strong>（{dateTime(o.closedAt)}）</dt>
                        <dd style={{ margin: 0 }}>{o.closeReason}</dd>
                      </>
                    ) : null}
                  </dl>
                ),
              }}
              columns={[
                { key: 'title', title: t('workOrders.col.title'), width: 240, render: (_, o) => (<><div>{o.title}</div><Typography.Text type="secondary">{tx('rule', o.rule)}</Typography.Text></>) },
                { key: 'unit', title: t('workOrders.col.unit'), width: 180, render: (_, o) => <Link to={`/explorer/units/${o.unit.id}`}>{o.unit.name}</Link> },
                { key: 'status', title: t('workOrders.col.status'), width: 90, render: (_, o) => <Tag color={STATUS_COLOR[o.status] ?? 'default'}>{tx('workOrderStatus', o.status)}</Tag> },
                { key: 'deadline', title: t('workOrders.col.deadline'), width: 110, render: (_, o) => date(o.deadline) },
                {
                  key: 'left',
                  title: t('workOrders.col.left'),
                  width: 120,
                  render: (_, o) => (o.status !== 'closed' && o.workingDaysLeft < 0 ? <Typography.Text type="danger" strong>{dueText(t, o)}</Typography.Text> : dueText(t, o)),
                },
                ...(mayAnswer
                  ? [{
                      key: 'act',
                      title: t('workOrders.col.action'),
                      width: 100,
                      render: (_: unknown, o: WorkOrder) =>
                        o.status === 'closed' ? null : (
                          <Button size="small" onClick={() => { setAnswering(o); form.setFieldsValue({ note: o.answerNote ?? '', evidence: o.answerEvidence ?? '' }); }} aria-label={`${t('workOrders.answerAction')}：${o.title}`}>
                            {o.answeredAt ? t('workOrders.answerAgain') : t('workOrders.answerAction')}
                          </Button>
                        ),
                    }]
                  : []),
              ]}
            />
          )}
        </Card>
      ) : null}
      {data ? (
        <Card
          size="small"
          title={<Space>{t('workOrders.notifications')}<Badge count={unread} overflowCount={99} aria-label={t('workOrders.unread', { n: unread })} /></Space>}
          extra={mayRead && unread > 0 ? <Button size="small" loading={markAllState.loading} onClick={() => void readAll()}>{t('notifications.markAll')}</Button> : null}
        >
          {markReadState.error ? <ErrorNotice error={markReadState.error} /> : null}
          {markAllState.error ? <ErrorNotice error={markAllState.error} /> : null}
          {data.notifications.length === 0 ? (
            <EmptyState>{t('workOrders.noNotifications')}</EmptyState>
          ) : (
            <List
              size="small"
              dataSource={data.notifications}
              renderItem={(n) => (
                <List.Item
                  actions={mayRead && !n.readAt ? [
                    <Button key="read" size="small" type="link" loading={markReadState.loading}
                      aria-label={`${t('notifications.markRead')}：${n.title}`} onClick={() => void markRead({ variables: { id: n.id } }).catch(() => null)}>
                      {t('notifications.markRead')}
                    </Button>,
                  ] : []}
                >
                  <List.Item.Meta
                    title={<Space wrap size={6}>{!n.readAt ? <Tag color="blue">{t('workOrders.new')}</Tag> : null}<span>{n.title}</span><Typography.Text type="secondary">{dateTime(n.createdAt)}</Typography.Text></Space>}
                    description={<span style={{ color: '#4a4a4a' }}>{n.body}</span>}
                  />
                </List.Item>
              )}
            />
          )}
        </Card>
      ) : null}
      <Modal
        open={answering !== null}
        title={answering ? `${t('workOrders.answerTitle')}：${answering.title}` : ''}
        okText={t('workOrders.submit')}
        cancelText={t('findings.cancel')}
        confirmLoading={answerState.loading}
        onOk={() => form.submit()}
        onCancel={() => setAnswering(null)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t('workOrders.answerHelp')}</Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item name="note" label={t('workOrders.note')} rules={[{ required: true, whitespace: true, message: t('workOrders.noteRequired') }]}>
            <Input.TextArea rows={4} maxLength={2000} showCount />
          </Form.Item>
          <Form.Item name="evidence" label={t('workOrders.evidence')} extra={t('workOrders.evidenceHelp')}>
            <Input maxLength={1000} />
          </Form.Item>
        </Form>
        {answerState.error ? <ErrorNotice error={answerState.error} /> : null}
      </Modal>
    </Space>
  );
}
