import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Alert, App, Button, Card, Descriptions, Input, Modal, Space, Tabs, Tooltip, Typography } from 'antd';
import type { PlanActionRowFragment, PlanDetailQuery, PlanTransition } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { localizeServerMessage } from '../../graphql/errors';
import { ExecutionPanel } from '../execution/ExecutionPanel';
import { AddActionMutation, PlanDetailQuery as PlanDetailDoc, RemoveActionMutation, StartExecutionMutation, SubmitPlanMutation, UpdateActionMutation, WithdrawPlanMutation } from './plan-documents';
import { ActionDialog, actionInput, type ActionValues } from './ActionDialog';
import { ActionsTable } from './ActionsTable';
import { groupIssues } from './issues';
import { PlanStatusTag } from './PlanStatusTag';
import { RevisionHistory } from './RevisionHistory';
import { ApprovalRecords } from './ApprovalRecords';
import { planScope } from './PlansPage';

const ImpactPanel = lazy(() => import('./ImpactPanel'));

type Plan = PlanDetailQuery['plan'];

/**
 * The plan editor: actions with their validation issues beside them (validation re-runs after every edit), impact
 * preview, approvals, execution and revision history; submit, withdraw and start execution.
 */
export default function PlanPage() {
  const { planId = '' } = useParams();
  const { t } = useI18n();
  const q = useQuery(PlanDetailDoc, { variables: { id: planId }, fetchPolicy: 'cache-and-network' });
  if (q.error && !q.data) return <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Loading minHeight={320} tip={t('plan.loading')} />;
  return <PlanEditor plan={q.data.plan} refetch={() => q.refetch()} />;
}

function PlanEditor({ plan, refetch }: { plan: Plan; refetch(): Promise<unknown> }) {
  const { t, dateTime, count } = useI18n();
  const { message } = App.useApp();
  const client = useApolloClient();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'actions';
  // What the user may do comes from the server's lifecycle table (plans/plan-states.ts), never from role names here.
  const editable = plan.viewerCanEdit;
  const presetAccount = params.get('add');
  const [dialog, setDialog] = useState<{ action: PlanActionRowFragment | null; preset?: Partial<ActionValues> } | null>(
    editable && presetAccount ? { action: null, preset: { accountId: presetAccount, findingIds: params.get('cite')?.split(',').filter(Boolean) ?? [] } } : null);
  const [working, setWorking] = useState<string | null>(null);
  const [editError, setEditError] = useState<unknown>(null);
  const [addAction] = useMutation(AddActionMutation);
  const [updateAction] = useMutation(UpdateActionMutation);
  const [removeAction] = useMutation(RemoveActionMutation);
  const issues = useMemo(() => groupIssues(plan.validation, plan.actions.map((a) => a.id)), [plan.validation, plan.actions]);

  /** Every edit is followed by fresh validation (and impact, when shown): the page stays usable meanwhile. */
  const revalidate = async () => {
    setWorking(t('plan.validating'));
    try {
      await Promise.all([refetch(), client.refetchQueries({ include: ['PlanImpact'] })]);
    } finally {
      setWorking(null);
    }
  };
  const edit = async (what: string, fn: () => Promise<unknown>) => {
    setWorking(what);
    setEditError(null);
    try {
      await fn();
    } finally {
      await revalidate();
    }
  };

  const saveAction = async (v: ActionValues) => {
    const input = actionInput(v);
    const current = dialog?.action;
    await edit(t('plan.saving'), async () => {
      if (!current) {
        await addAction({ variables: { planId: plan.id, input, expectedVersion: plan.version } });
      } else if (current.type !== v.type || current.account.id !== v.accountId) {
        // Type and account are fixed on the server: replace the action.
        const rm = await removeAction({ variables: { actionId: current.id, expectedVersion: plan.version } });
        await addAction({ variables: { planId: plan.id, input, expectedVersion: rm.data?.removeAction.version ?? null } });
      } else {
        const { type: _type, accountId: _account, ...rest } = input;
        await updateAction({ variables: { actionId: current.id, input: rest, expectedVersion: plan.version } });
      }
    });
    setDialog(null);
    if (params.get('add')) {
      const next = new URLSearchParams(params);
      next.delete('add');
      next.delete('cite');
      setParams(next, { replace: true });
    }
    message.success(t('plan.saved'));
  };

  const setTab = (key: string) => {
    const next = new URLSearchParams(params);
    next.set('tab', key);
    setParams(next, { replace: true });
  };
  const sentBack = plan.approvals.filter((a) => a.revision === plan.revision && a.decision !== 'APPROVE');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small">
        <Space style={{ width: '100%', justifyContent: 'space-between', flexWrap: 'wrap' }} align="start">
          <div>
            <Link to="/plans">← {t('plans.listTitle')}</Link>
            <Typography.Title level={3} style={{ margin: '4px 0 8px' }}>
              <bdi>{plan.title}</bdi> <PlanStatusTag status={plan.status} />
            </Typography.Title>
          </div>
          <PlanButtons plan={plan} errors={issues.errorCount} onChanged={revalidate} busy={Boolean(working)} />
        </Space>
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
          <Descriptions.Item label={t('plans.scope')}>{planScope(plan)}</Descriptions.Item>
          <Descriptions.Item label={t('plans.author')}>{plan.authorName}</Descriptions.Item>
          <Descriptions.Item label={t('plans.revision')}>{t('plan.revisionVersion', { r: plan.revision, v: plan.version })}</Descriptions.Item>
          <Descriptions.Item label={t('plans.updated')}>{dateTime(plan.updatedAt)}</Descriptions.Item>
        </Descriptions>
        {plan.description ? <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{plan.description}</Typography.Paragraph> : null}
      </Card>
      {sentBack.length && (plan.status === 'CHANGES_REQUESTED' || plan.status === 'REJECTED') ? (
        <Alert
          type={plan.status === 'REJECTED' ? 'error' : 'warning'}
          showIcon
          title={t(plan.status === 'REJECTED' ? 'plan.rejectedBy' : 'plan.changesRequestedBy')}
          description={<ul className="plain-list">{sentBack.map((a) => <li key={a.id}>{a.unit.name} · {a.approverName}：{a.comment}</li>)}</ul>}
        />
      ) : null}
      {working ? <div role="status" aria-live="polite"><Loading minHeight={24} tip={working} /></div> : null}
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'actions',
            label: t('plan.tabActions', { n: plan.actions.length }),
            children: (
              <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
                <ValidationSummary errors={issues.errorCount} warnings={issues.warningCount} planIssues={[...issues.plan.errors, ...issues.plan.warnings]} />
                {editError ? <ErrorNotice error={editError} /> : null}
                <Card
                  size="small"
                  title={t('plan.actions')}
                  extra={editable ? (
                    <Space>
                      <Button onClick={() => void revalidate()} disabled={Boolean(working)}>{t('plan.validate')}</Button>
                      <Button type="primary" onClick={() => setDialog({ action: null })} disabled={Boolean(working)}>{t('action.add')}</Button>
                    </Space>
                  ) : null}
                >
                  {plan.actions.length === 0 ? (
                    <EmptyState>{editable ? t('plan.noActionsEditable') : t('plan.noActions')}</EmptyState>
                  ) : (
                    <ActionsTable
                      actions={plan.actions}
                      issues={issues}
                      editable={editable}
                      busy={Boolean(working)}
                      onEdit={(a) => setDialog({ action: a })}
                      onRemove={(a) => void edit(t('plan.saving'), () => removeAction({ variables: { actionId: a.id, expectedVersion: plan.version } })).catch(setEditError)}
                    />
                  )}
                </Card>
              </Space>
            ),
          },
          {
            key: 'impact',
            label: t('plan.tabImpact'),
            children: tab === 'impact' ? (
              <Suspense fallback={<Loading tip={t('impact.computing')} />}>
                <ImpactPanel planId={plan.id} version={plan.version} />
              </Suspense>
            ) : null,
          },
          {
            key: 'approvals',
            label: t('plan.tabApprovals', { n: count(plan.approvalRequests.length) }),
            children: <ApprovalRecords plan={plan} />,
          },
          {
            key: 'execution',
            label: t('plan.tabExecution'),
            children: <ExecutionPanel plan={plan} onChanged={revalidate} />,
          },
          {
            key: 'revisions',
            label: t('plan.tabRevisions', { n: plan.revisions.length }),
            children: <RevisionHistory revisions={plan.revisions} actions={plan.actions} />,
          },
        ]}
      />
      {dialog ? (
        <ActionDialog
          action={dialog.action}
          preset={dialog.preset}
          regionCode={plan.scopeRegion?.code}
          onCancel={() => setDialog(null)}
          onSave={saveAction}
        />
      ) : null}
    </Space>
  );
}

/** Errors block submission; the summary says so, and lists the issues that concern the whole plan. */
export function ValidationSummary({ errors, warnings, planIssues }: { errors: number; warnings: number; planIssues: { message: string; severity: string }[] }) {
  const { t, locale } = useI18n();
  return (
    <Alert
      type={errors ? 'error' : warnings ? 'warning' : 'success'}
      showIcon
      data-testid="validation-summary"
      title={errors ? t('validation.hasErrors', { errors, warnings }) : warnings ? t('validation.onlyWarnings', { warnings }) : t('validation.valid')}
      description={planIssues.length ? <ul className="plain-list">{planIssues.map((i, k) => <li key={k}>{localizeServerMessage(i.message, locale)}</li>)}</ul> : undefined}
    />
  );
}

function PlanButtons({ plan, errors, busy, onChanged }: { plan: Plan; errors: number; busy: boolean; onChanged(): Promise<void> }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [submit, submitState] = useMutation(SubmitPlanMutation);
  const [withdraw, withdrawState] = useMutation(WithdrawPlanMutation);
  const [start, startState] = useMutation(StartExecutionMutation);
  const [asking, setAsking] = useState<'submit' | 'withdraw' | null>(null);
  const [comment, setComment] = useState('');
  const may = (transition: PlanTransition) => plan.availableTransitions.includes(transition);
  if (!may('SUBMIT') && !may('WITHDRAW') && !may('START_EXECUTION')) return null;
  const error = submitState.error ?? withdrawState.error ?? startState.error;
  const run = async (fn: () => Promise<unknown>, done: string) => {
    const ok = await fn().then(() => true, () => false);
    setAsking(null);
    setComment('');
    await onChanged();
    if (ok) message.success(done);
  };
  return (
    <Space orientation="vertical" align="end">
      <Space wrap>
        {may('SUBMIT') ? (
          <Tooltip title={errors ? t('plan.submitBlocked', { n: errors }) : undefined}>
            <Button type="primary" disabled={busy || errors > 0} onClick={() => setAsking('submit')}>{plan.status === 'CHANGES_REQUESTED' ? t('plan.resubmit') : t('plan.submit')}</Button>
          </Tooltip>
        ) : null}
        {may('START_EXECUTION') ? (
          <Button type="primary" loading={startState.loading} disabled={busy} onClick={() => void run(() => start({ variables: { id: plan.id, expectedVersion: plan.version } }), t('plan.started'))}>
            {t('plan.startExecution')}
          </Button>
        ) : null}
        {may('WITHDRAW') ? (
          <Button danger disabled={busy} onClick={() => setAsking('withdraw')}>{t('plan.withdraw')}</Button>
        ) : null}
      </Space>
      {error ? <div style={{ maxWidth: 520 }}><ErrorNotice error={error} /></div> : null}
      <Modal
        open={asking !== null}
        title={asking === 'submit' ? t('plan.submitTitle') : t('plan.withdrawTitle')}
        okText={asking === 'submit' ? t('plan.submit') : t('plan.withdraw')}
        okButtonProps={{ danger: asking === 'withdraw' }}
        cancelText={t('findings.cancel')}
        confirmLoading={submitState.loading || withdrawState.loading}
        onCancel={() => setAsking(null)}
        onOk={() => void (asking === 'submit'
          ? run(() => submit({ variables: { id: plan.id, expectedVersion: plan.version, comment: comment.trim() || null } }), t('plan.submitted'))
          : run(() => withdraw({ variables: { id: plan.id, expectedVersion: plan.version, comment: comment.trim() || null } }), t('plan.withdrawn')))}
      >
        <Typography.Paragraph>{asking === 'submit' ? t('plan.submitHelp') : t('plan.withdrawHelp')}</Typography.Paragraph>
        <label htmlFor="plan-comment">{t('plan.comment')}</label>
        <Input.TextArea id="plan-comment" rows={3} maxLength={1000} value={comment} onChange={(e) => setComment(e.target.value)} />
      </Modal>
    </Space>
  );
}
