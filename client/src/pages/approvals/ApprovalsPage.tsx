import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { App, Button, Card, Col, Input, Popconfirm, Row, Space, Tag, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { ApprovalDecision, ApprovalInboxQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { ActionEffect, ACTION_COLOR, ProtectedBadge, ProtectionNote } from '../plans/ActionsTable';
import { accountNames, ChangesList } from '../plans/RevisionHistory';
import { asSnapshot, diffSnapshots } from '../plans/revision-diff';
import { DecisionForm } from './DecisionForm';

export const ApprovalInboxQueryDoc = graphql(`
  query ApprovalInbox($after: String) {
    approvalInbox(first: 100, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          reason
          revision
          createdAt
          canDecide
          viewerSignsByDelegation
          unit {
            id
            name
          }
          plan {
            id
            title
            revision
            status
            authorName
            submittedAt
            description
            revisions {
              id
              number
              comment
              submittedAt
              submittedByName
              snapshot
            }
          }
          action {
            ...PlanActionRow
          }
        }
      }
    }
  }
`);

export const DecideApprovalDoc = graphql(`
  mutation DecideApproval($input: DecideApprovalInput!) {
    decideApproval(input: $input) {
      plan {
        id
        status
        version
      }
      approvals {
        id
        decision
      }
    }
  }
`);

type Req = ApprovalInboxQuery['approvalInbox']['edges'][number]['node'];

/** Requests grouped by plan, then by action (one decision answers every request of an action in my scope). */
export function groupInbox(reqs: readonly Req[]) {
  const plans = new Map<string, { plan: Req['plan']; actions: Map<string, { action: Req['action']; requests: Req[] }> }>();
  for (const r of reqs) {
    const p = plans.get(r.plan.id) ?? { plan: r.plan, actions: new Map() };
    const a = p.actions.get(r.action.id) ?? { action: r.action, requests: [] };
    a.requests.push(r);
    p.actions.set(r.action.id, a);
    plans.set(r.plan.id, p);
  }
  return [...plans.values()];
}

/** The approver's inbox: per plan what changed since the last revision; per action what happens, to which account, why. */
export default function ApprovalsPage() {
  const { t, count } = useI18n();
  const inbox = useQuery(ApprovalInboxQueryDoc, { fetchPolicy: 'cache-and-network', notifyOnNetworkStatusChange: true });
  const [decide] = useMutation(DecideApprovalDoc);
  const { message } = App.useApp();
  const reqs = inbox.data?.approvalInbox.edges.map((e) => e.node) ?? [];
  const groups = groupInbox(reqs);
  const decideAction = async (actionId: string, decision: ApprovalDecision, comment: string | null) => {
    await decide({ variables: { input: { actionId, decision, comment } } });
    message.success(t('approvals.decided'));
    await inbox.refetch();
  };
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('approvals.title')}
        {inbox.data ? <Typography.Text type="secondary" style={{ fontSize: 14, marginInlineStart: 12 }}>{t('approvals.pendingCount', { n: count(inbox.data.approvalInbox.totalCount) })}</Typography.Text> : null}
      </Typography.Title>
      {inbox.error ? <ErrorNotice error={inbox.error} onRetry={() => void inbox.refetch()} /> : null}
      {!inbox.data && !inbox.error ? <Loading /> : null}
      {inbox.data && groups.length === 0 ? <Card><EmptyState>{t('approvals.empty')}</EmptyState></Card> : null}
      {groups.map((g) => (
        <PlanGroup key={g.plan.id} group={g} onDecide={decideAction} onRefresh={() => inbox.refetch()} />
      ))}
    </Space>
  );
}

function PlanGroup({ group, onDecide, onRefresh }: {
  group: ReturnType<typeof groupInbox>[number];
  onDecide(actionId: string, decision: ApprovalDecision, comment: string | null): Promise<void>;
  onRefresh(): Promise<unknown>;
}) {
  const { t, tx, dateTime } = useI18n();
  const { plan } = group;
  const [decide] = useMutation(DecideApprovalDoc);
  const [progress, setProgress] = useState<string | null>(null);
  const [bulkError, setBulkError] = useState<unknown>(null);
  const [bulkComment, setBulkComment] = useState('');
  const actions = [...group.actions.values()];
  const decidable = actions.filter((a) => a.requests.some((r) => r.canDecide));
  const current = plan.revisions.find((r) => r.number === plan.revision);
  const previous = plan.revisions.find((r) => r.number === plan.revision - 1);
  const names = accountNames(actions.map((a) => a.action));
  const approveAll = async () => {
    setBulkError(null);
    try {
      for (const [i, a] of decidable.entries()) {
        setProgress(t('approvals.approvingN', { i: i + 1, n: decidable.length }));
        await decide({ variables: { input: { actionId: a.action.id, decision: 'APPROVE', comment: bulkComment.trim() || null } } });
      }
    } catch (e) {
      setBulkError(e);
    } finally {
      setProgress(null);
      await onRefresh();
    }
  };
  return (
    <Card
      title={<span><Link to={`/plans/${plan.id}`}>{plan.title}</Link> <Tag>{t('approvals.revisionN', { n: plan.revision })}</Tag></span>}
      extra={<Typography.Text type="secondary">{plan.authorName} · {dateTime(plan.submittedAt)}</Typography.Text>}
      data-testid={`inbox-plan-${plan.id}`}
    >
      {current?.comment ? <Typography.Paragraph>{t('revision.comment')}：{current.comment}</Typography.Paragraph> : null}
      <Card size="small" type="inner" title={t('approvals.changesSince')} style={{ marginBottom: 12 }}>
        {previous ? (
          <ChangesList changes={diffSnapshots(asSnapshot(previous.snapshot), asSnapshot(current?.snapshot))} names={names} />
        ) : (
          <Typography.Text type="secondary">{t('approvals.firstRevision')}</Typography.Text>
        )}
      </Card>
      {decidable.length > 1 ? (
        <Space wrap style={{ marginBottom: 12 }}>
          <label htmlFor={`bulk-${plan.id}`}>{t('approvals.comment')}</label>
          <Input id={`bulk-${plan.id}`} style={{ width: 280 }} value={bulkComment} onChange={(e) => setBulkComment(e.target.value)} maxLength={1000} />
          <Popconfirm title={t('approvals.approveAllConfirm', { n: decidable.length })} okText={t('approvals.approveAll')} cancelText={t('findings.cancel')} onConfirm={() => void approveAll()}>
            <Button loading={Boolean(progress)}>{t('approvals.approveAll')}</Button>
          </Popconfirm>
          {progress ? <span role="status">{progress}</span> : null}
        </Space>
      ) : null}
      {bulkError ? <ErrorNotice error={bulkError} /> : null}
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {actions.map(({ action: a, requests }) => (
          <Card key={a.id} size="small" data-testid={`inbox-action-${a.id}`} title={<Space><Tag color={ACTION_COLOR[a.type]}>{tx('actionType', a.type)}</Tag><span>{a.account.name}</span><ProtectedBadge reasons={a.protectedReasons} /><Typography.Text type="secondary">{tx('platform', a.account.platform)} · {a.account.unit.name}</Typography.Text></Space>}>
            <Row gutter={16}>
              <Col xs={24} xl={14}>
                <Typography.Paragraph style={{ marginBottom: 4 }}><strong>{t('approvals.whatHappens')}</strong>：<ActionEffect a={a} /></Typography.Paragraph>
                <Typography.Paragraph style={{ marginBottom: 4 }}><strong>{t('approvals.whyAction')}</strong>：</Typography.Paragraph>
                {a.findings.length ? (
                  <ul style={{ marginTop: 0 }}>{a.findings.map((f) => <li key={f.id}>{tx('rule', f.rule)}：{f.summary}</li>)}</ul>
                ) : <Typography.Paragraph type="secondary">{a.note ?? t('approvals.noCitations')}</Typography.Paragraph>}
                {a.protectedReasons.length || a.overrideReason ? (
                  <Typography.Paragraph style={{ marginBottom: 4 }} data-testid={`inbox-protection-${a.id}`}><ProtectionNote a={a} /></Typography.Paragraph>
                ) : null}
                <Typography.Paragraph style={{ marginBottom: 4 }} data-testid={`inbox-signing-${a.id}`}>
                  <strong>{t('approvals.signingFor')}</strong>：{requests.filter((r) => r.canDecide).map((r) => (
                    <Tag key={r.id} color="blue">{r.unit.name}{r.viewerSignsByDelegation ? ` · ${t('approvals.byDelegation')}` : ''}</Tag>
                  ))}
                </Typography.Paragraph>
                <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
                  {t('approvals.askedOf')}：{requests.map((r) => `${r.unit.name}（${r.reason}）`).join('；')}
                </Typography.Paragraph>
              </Col>
              <Col xs={24} xl={10}>
                <DecisionForm idPrefix={`decide-${a.id}`} disabled={Boolean(progress) || !requests.some((r) => r.canDecide)} onDecide={(d, c) => onDecide(a.id, d, c)} />
              </Col>
            </Row>
          </Card>
        ))}
      </Space>
    </Card>
  );
}
