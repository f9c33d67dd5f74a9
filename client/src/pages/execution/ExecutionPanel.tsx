import { useState } from 'react';
import { CombinedGraphQLErrors } from '@apollo/client';
import { useMutation } from '@apollo/client/react';
import { Alert, Button, Card, DatePicker, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { PlanActionRowFragment, PlanActionType, PlanStatus, StepKind, StepRowFragment } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { ActionEffect, ACTION_COLOR } from '../plans/ActionsTable';
import { ConfirmStepMutation } from '../plans/plan-documents';
import { NoticeCountdown } from './NoticeCountdown';
import { todayInChina } from './working-days';

/**
 * Steps that must be confirmed first (as the server enforces, server/plans/step-guards.ts): deregistration after
 * migration, and after the notice (shutdown) or after the followers were told where to go (merge).
 */
export function prerequisites(type: PlanActionType, kind: StepKind): StepKind[] {
  if (kind === 'DEREGISTERED') return type === 'SHUTDOWN' ? ['NOTICE_PUBLISHED', 'CONTENT_MIGRATED', 'SERVICES_MIGRATED'] : ['CONTENT_MIGRATED', 'SERVICES_MIGRATED', 'FOLLOWERS_NOTIFIED'];
  if (kind === 'FILING_UPDATED') return ['DEREGISTERED'];
  return [];
}

/** The evidence the server recorded with a step (the notice's link/title and the matched post; a detection run). */
interface Evidence {
  url?: string | null;
  title?: string | null;
  matchedPost?: { id: number; title: string; publishedAt: string } | null;
  detectionRunId?: number | null;
}

/** A confirmed step's evidence and override reason, in words. */
export function StepEvidence({ s }: { s: Pick<StepRowFragment, 'evidence' | 'overrideReason'> }) {
  const { t, date } = useI18n();
  const e = (s.evidence ?? null) as Evidence | null;
  if (!e && !s.overrideReason) return null;
  return (
    <span data-testid="step-evidence">
      {e?.title || e?.url ? (
        <span style={{ display: 'block' }}>
          {t('execution.evidence')}：{e.title ? `「${e.title}」` : null}
          {e.url ? <>{e.title ? ' ' : null}<a href={e.url} target="_blank" rel="noreferrer noopener">{e.url}</a></> : null}
        </span>
      ) : null}
      {e?.matchedPost ? <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>{t('execution.evidenceMatched', { title: e.matchedPost.title, date: date(e.matchedPost.publishedAt) })}</Typography.Text> : null}
      {e?.detectionRunId && !s.overrideReason ? <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>{t('execution.evidenceRun', { id: e.detectionRunId })}</Typography.Text> : null}
      {s.overrideReason ? <Typography.Text style={{ display: 'block', fontSize: 12, color: '#8a5a00' }}>{t('execution.overrideShown')}：{s.overrideReason}</Typography.Text> : null}
    </span>
  );
}

/** True when the server refused a RECTIFIED step because the cited findings are still open (override possible). */
export function needsOverride(error: unknown): boolean {
  if (!CombinedGraphQLErrors.is(error)) return false;
  return error.errors.some((e) => {
    const d = e.extensions?.details as { openFindings?: unknown } | undefined;
    return e.extensions?.code === 'CONFLICT' && Boolean(d && typeof d === 'object' && 'openFindings' in d);
  });
}

/**
 * Execution of a plan, action by action: each step with its date, who confirmed it, what moved, the notice-period
 * countdown before a shutdown's deregistration; a unit's approver confirms a step (with the date it was done).
 */
export function ExecutionPanel({ plan, onChanged }: {
  plan: { id: string; status: PlanStatus; noticeWorkingDays: number; actions: readonly PlanActionRowFragment[]; steps: readonly StepRowFragment[] };
  onChanged(): Promise<unknown>;
}) {
  const { t, tx, date, dateTime } = useI18n();
  const [confirming, setConfirming] = useState<{ step: StepRowFragment; action: PlanActionRowFragment } | null>(null);
  if (!plan.steps.length) {
    return <EmptyState>{plan.status === 'APPROVED' ? t('execution.notStarted') : t('execution.noSteps')}</EmptyState>;
  }
  const today = todayInChina();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {plan.actions.map((a) => {
        const steps = plan.steps.filter((s) => s.action.id === a.id).sort((x, y) => x.seq - y.seq);
        if (!steps.length) return null;
        const done = steps.filter((s) => s.status === 'DONE').length;
        const notice = steps.find((s) => s.kind === 'NOTICE_PUBLISHED');
        return (
          <Card
            key={a.id}
            size="small"
            data-testid={`execution-action-${a.id}`}
            title={<Space><Tag color={ACTION_COLOR[a.type]}>{tx('actionType', a.type)}</Tag><span>{a.account.name}</span><Typography.Text type="secondary">{tx('platform', a.account.platform)} · {a.account.unit.name}</Typography.Text></Space>}
            extra={<Tag color={done === steps.length ? 'green' : 'blue'}>{t('execution.progress', { done, total: steps.length })}</Tag>}
          >
            <div style={{ marginBottom: 8 }}><ActionEffect a={a} /></div>
            <Table<StepRowFragment>
              size="small"
              rowKey="id"
              pagination={false}
              dataSource={steps}
              scroll={{ x: 900 }}
              columns={[
                { key: 'seq', title: '#', width: 40, render: (_, s) => s.seq },
                { key: 'kind', title: t('execution.step'), width: 150, render: (_, s) => tx('step', s.kind) },
                { key: 'status', title: t('execution.status'), width: 90, render: (_, s) => <Tag color={s.status === 'DONE' ? 'green' : 'default'}>{tx('stepStatus', s.status)}</Tag> },
                { key: 'date', title: t('execution.doneOn'), width: 130, render: (_, s) => (s.doneOn ? date(s.doneOn) : '—') },
                {
                  key: 'who',
                  title: t('execution.confirmedBy'),
                  width: 190,
                  render: (_, s) => (s.confirmedByName ? <span>{s.confirmedByName}{s.confirmedUnit ? `（${s.confirmedUnit.name}${s.byDelegation ? ` · ${t('approvals.byDelegation')}` : ''}）` : ''}<br /><Typography.Text type="secondary" style={{ fontSize: 12 }}>{dateTime(s.confirmedAt)}</Typography.Text></span> : '—'),
                },
                {
                  key: 'detail',
                  title: t('execution.detail'),
                  render: (_, s) => (
                    <Space orientation="vertical" size={0}>
                      {s.movedPosts !== null && s.movedPosts !== undefined ? <span>{t('execution.movedPosts', { n: s.movedPosts })}</span> : null}
                      {s.movedServices !== null && s.movedServices !== undefined ? <span>{t('execution.movedServices', { n: s.movedServices })}</span> : null}
                      <StepEvidence s={s} />
                      {s.note ? <span>{t('action.note')}：{s.note}</span> : null}
                      {s.kind === 'DEREGISTERED' && a.type === 'SHUTDOWN' && s.status === 'PENDING' ? (
                        <NoticeCountdown noticeOn={notice?.doneOn} required={plan.noticeWorkingDays} earliestOn={s.earliestOn} today={today} />
                      ) : null}
                    </Space>
                  ),
                },
                {
                  key: 'ops',
                  title: '',
                  width: 130,
                  render: (_, s) => {
                    if (!s.canConfirm) return null; // the server's rule: pending step, executing plan, sponsoring unit's approver or delegate
                    const waiting = prerequisites(a.type, s.kind).filter((k) => steps.find((x) => x.kind === k)?.status !== 'DONE');
                    if (waiting.length) return <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('execution.after', { steps: waiting.map((k) => tx('step', k)).join('、') })}</Typography.Text>;
                    const inNotice = s.kind === 'DEREGISTERED' && a.type === 'SHUTDOWN' && Boolean(s.earliestOn) && today < s.earliestOn!;
                    return (
                      <Button size="small" type="primary" disabled={inNotice} aria-label={`${t('execution.confirm')}：${a.account.name} ${tx('step', s.kind)}`} onClick={() => setConfirming({ step: s, action: a })}>
                        {t('execution.confirm')}
                      </Button>
                    );
                  },
                },
              ]}
            />
          </Card>
        );
      })}
      {confirming ? (
        <ConfirmStepDialog
          step={confirming.step}
          accountName={confirming.action.account.name}
          onCancel={() => setConfirming(null)}
          onDone={async () => {
            setConfirming(null);
            await onChanged();
          }}
        />
      ) : null}
    </Space>
  );
}

interface ConfirmValues {
  date: Dayjs;
  note?: string;
  evidenceTitle?: string;
  evidenceUrl?: string;
  overrideReason?: string;
}

function ConfirmStepDialog({ step, accountName, onCancel, onDone }: { step: StepRowFragment; accountName: string; onCancel(): void; onDone(): Promise<void> }) {
  const { t, tx, date } = useI18n();
  const [form] = Form.useForm<ConfirmValues>();
  const [confirm, state] = useMutation(ConfirmStepMutation);
  const today = dayjs(todayInChina());
  const notice = step.kind === 'NOTICE_PUBLISHED';
  // The override reason of a RECTIFIED step appears once the server said the check still shows the findings open.
  const [askOverride, setAskOverride] = useState(false);
  const blank = (x?: string) => x?.trim() || null;
  return (
    <Modal
      open
      title={t('execution.confirmTitle', { step: tx('step', step.kind), name: accountName })}
      okText={t('execution.confirm')}
      cancelText={t('findings.cancel')}
      confirmLoading={state.loading}
      onCancel={onCancel}
      onOk={async () => {
        let v: ConfirmValues;
        try {
          v = await form.validateFields();
        } catch {
          return;
        }
        const res = await confirm({ variables: {
          stepId: step.id, date: v.date.format('YYYY-MM-DD'), note: blank(v.note),
          evidenceTitle: notice ? blank(v.evidenceTitle) : null, evidenceUrl: notice ? blank(v.evidenceUrl) : null,
          overrideReason: step.kind === 'RECTIFIED' ? blank(v.overrideReason) : null,
        } }).catch((e: unknown) => {
          if (step.kind === 'RECTIFIED' && needsOverride(e)) setAskOverride(true);
          return null;
        });
        if (res?.data) await onDone();
      }}
    >
      {step.kind === 'DEREGISTERED' && step.earliestOn ? (
        <Typography.Paragraph>{t('execution.earliest', { date: date(step.earliestOn) })}</Typography.Paragraph>
      ) : null}
      <Form form={form} layout="vertical" initialValues={{ date: today }}>
        <Form.Item name="date" label={t('execution.doneOn')} rules={[{ required: true, message: t('execution.dateRequired') }]}>
          <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(today, 'day')} allowClear={false} />
        </Form.Item>
        {notice ? (
          <>
            <Form.Item
              name="evidenceTitle"
              label={t('execution.evidenceTitle')}
              extra={t('execution.evidenceTitleHelp')}
              dependencies={['evidenceUrl']}
              rules={[({ getFieldValue }) => ({
                validator: (_, value?: string) => (value?.trim() || (getFieldValue('evidenceUrl') as string | undefined)?.trim()
                  ? Promise.resolve() : Promise.reject(new Error(t('execution.evidenceRequired')))),
              })]}
            >
              <Input maxLength={300} />
            </Form.Item>
            <Form.Item name="evidenceUrl" label={t('execution.evidenceUrl')} rules={[{ pattern: /^\s*https?:\/\/\S+\s*$/i, message: t('execution.evidenceUrlInvalid') }]}>
              <Input maxLength={1000} inputMode="url" />
            </Form.Item>
          </>
        ) : null}
        {step.kind === 'RECTIFIED' && askOverride ? (
          <>
            <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('execution.overrideNeeded')} />
            <Form.Item name="overrideReason" label={t('execution.overrideReason')} extra={t('execution.overrideReasonHelp')}
              rules={[{ required: true, whitespace: true, message: t('execution.overrideReasonHelp') }]}>
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
          </>
        ) : null}
        <Form.Item name="note" label={t('action.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
      {state.error ? <ErrorNotice error={state.error} /> : null}
    </Modal>
  );
}
