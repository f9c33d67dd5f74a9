import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { App, Button, Card, Col, Input, Popconfirm, Row, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { graphql } from '../../graphql/generated';
import type { ApprovalDecision, ApprovalInboxQuery, MyDecisionsQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { LoadMore } from '../../components/LoadMore';
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

export const MyDecisionsDoc = graphql(`
  query MyDecisions($after: String) {
    myDecisions(first: 100, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          decision
          comment
          decidedAt
          approverName
          byDelegation
          revision
          unit {
            id
            name
          }
          plan {
            id
            title
          }
          action {
            id
            type
            account {
              id
              name
            }
          }
        }
      }
    }
  }
`);

type Req = ApprovalInboxQuery['approvalInbox']['edges'][number]['node'];

/**
 * Requests grouped by plan, then by the unit the approver signs for, then by action: every request is one decision
 * (the approver decides for each unit separately), so the count on top is the number of decision forms below.
 */
export function groupInbox(reqs: readonly Req[]) {
  type UnitGroup = { unit: Req['unit']; byDelegation: boolean; requests: Req[] };
  const plans = new Map<string, { plan: Req['plan']; units: Map<string, UnitGroup>; actions: Req['action'][] }>();
  for (const r of reqs) {
    const p = plans.get(r.plan.id) ?? { plan: r.plan, units: new Map<string, UnitGroup>(), actions: [] };
    const u = p.units.get(r.unit.id) ?? { unit: r.unit, byDelegation: r.viewerSignsByDelegation, requests: [] };
    u.requests.push(r);
    p.units.set(r.unit.id, u);
    if (!p.actions.some((a) => a.id === r.action.id)) p.actions.push(r.action);
    plans.set(r.plan.id, p);
  }
  return [...plans.values()].map((p) => ({ plan: p.plan, actions: p.actions, units: [...p.units.values()] }));
}

/** The approver's inbox (待办, per plan and per unit signed for) and the decisions already taken (已办). */
export default function ApprovalsPage() {
  const { t, count } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'done' ? 'done' : 'pending';
  const inbox = useQuery(ApprovalInboxQueryDoc, { fetchPolicy: 'cache-and-network', notifyOnNetworkStatusChange: true });
  const done = useQuery(MyDecisionsDoc, { fetchPolicy: 'cache-and-network', skip: tab !== 'done' });
  const [decide] = useMutation(DecideApprovalDoc);
  const { message } = App.useApp();
  const reqs = inbox.data?.approvalInbox.edges.map((e) => e.node) ?? [];
  const groups = groupInbox(reqs);
  const unitCount = new Set(reqs.map((r) => r.unit.id)).size;
  const decideRequest = async (requestId: string, decision: ApprovalDecision, comment: string | null) => {
    await decide({ variables: { input: { approvalRequestId: requestId, decision, comment } } });
    message.success(t('approvals.decided'));
    await inbox.refetch();
  };
  const pending = inbox.data?.approvalInbox.totalCount;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('approvals.title')}
        {inbox.data ? <Typography.Text type="secondary" style={{ fontSize: 14, marginInlineStart: 12 }} data-testid="inbox-count">{t('approvals.pendingCount', { n: count(pending) })}</Typography.Text> : null}
      </Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'done' ? { tab: 'done' } : {}, { replace: true })}
        items={[
          {
            key: 'pending',
            label: t('inbox.tabPending', { n: pending === undefined ? '…' : count(pending) }),
            children: (
              <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
                {inbox.error ? <ErrorNotice error={inbox.error} onRetry={() => void inbox.refetch()} /> : null}
                {!inbox.data && !inbox.error ? <Loading /> : null}
                {inbox.data && groups.length === 0 ? <Card><EmptyState>{t('approvals.empty')}</EmptyState></Card> : null}
                {inbox.data && groups.length > 0 ? (
                  <Typography.Text data-testid="inbox-summary">{t('inbox.summary', { n: count(reqs.length), plans: count(groups.length), units: count(unitCount) })}</Typography.Text>
                ) : null}
                {groups.map((g) => (
                  <PlanGroup key={g.plan.id} group={g} onDecide={decideRequest} onRefresh={() => inbox.refetch()} />
                ))}
              </Space>
            ),
          },
          { key: 'done', label: t('inbox.tabDone'), children: <DoneList query={done} /> },
        ]}
      />
    </Space>
  );
}

type Decided = MyDecisionsQuery['myDecisions']['edges'][number]['node'];

/** 已办: what I decided, or what was decided for a unit I sign for — date, unit, decision, comment. */
function DoneList({ query }: { query: ReturnType<typeof useQuery<MyDecisionsQuery>> }) {
  const { t, tx, count, dateTime } = useI18n();
  const rows = query.data?.myDecisions.edges.map((e) => e.node) ?? [];
  if (query.error) return <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />;
  if (!query.data) return <Loading />;
  if (!rows.length) return <Card><EmptyState>{t('inbox.doneEmpty')}</EmptyState></Card>;
  const columns: TableColumnsType<Decided> = [
    { key: 'date', title: t('inbox.col.date'), render: (_, r) => dateTime(r.decidedAt), width: 170 },
    { key: 'plan', title: t('inbox.col.plan'), render: (_, r) => <Link to={`/plans/${r.plan.id}`}><bdi>{r.plan.title}</bdi></Link> },
    { key: 'unit', title: t('inbox.col.unit'), render: (_, r) => <><bdi>{r.unit.name}</bdi>{r.byDelegation ? <Tag style={{ marginInlineStart: 4 }}>{t('approvals.byDelegation')}</Tag> : null}</> },
    { key: 'action', title: t('inbox.col.action'), render: (_, r) => <><Tag color={ACTION_COLOR[r.action.type]}>{tx('actionType', r.action.type)}</Tag><bdi>{r.action.account.name}</bdi></> },
    { key: 'decision', title: t('inbox.col.decision'), render: (_, r) => <Tag color={r.decision === 'APPROVE' ? 'green' : r.decision === 'REJECT' ? 'red' : 'orange'}>{tx('decision', r.decision)}</Tag> },
    { key: 'comment', title: t('inbox.col.comment'), render: (_, r) => r.comment ?? '—' },
    { key: 'approver', title: t('inbox.col.approver'), render: (_, r) => r.approverName },
  ];
  return (
    <Card size="small" title={t('inbox.doneCount', { n: count(query.data.myDecisions.totalCount) })}>
      <Table<Decided> rowKey="id" size="small" columns={columns} dataSource={rows} pagination={false} scroll={{ x: 'max-content' }} data-testid="done-list" />
      <LoadMore field="myDecisions" connection={query.data.myDecisions} loading={query.loading} fetchMore={query.fetchMore as never} />
    </Card>
  );
}

function PlanGroup({ group, onDecide, onRefresh }: {
  group: ReturnType<typeof groupInbox>[number];
  onDecide(requestId: string, decision: ApprovalDecision, comment: string | null): Promise<void>;
  onRefresh(): Promise<unknown>;
}) {
  const { t, dateTime } = useI18n();
  const { plan } = group;
  const current = plan.revisions.find((r) => r.number === plan.revision);
  const previous = plan.revisions.find((r) => r.number === plan.revision - 1);
  const names = accountNames(group.actions);
  return (
    <Card
      title={<span><Link to={`/plans/${plan.id}`}><bdi>{plan.title}</bdi></Link> <Tag>{t('approvals.revisionN', { n: plan.revision })}</Tag></span>}
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
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        {group.units.map((u) => (
          <UnitGroup key={u.unit.id} planId={plan.id} group={u} onDecide={onDecide} onRefresh={onRefresh} />
        ))}
      </Space>
    </Card>
  );
}

/** The requests of one plan that the approver decides for one unit: each decision says the unit it is made for. */
function UnitGroup({ planId, group, onDecide, onRefresh }: {
  planId: string;
  group: ReturnType<typeof groupInbox>[number]['units'][number];
  onDecide(requestId: string, decision: ApprovalDecision, comment: string | null): Promise<void>;
  onRefresh(): Promise<unknown>;
}) {
  const { t, tx } = useI18n();
  const [decide] = useMutation(DecideApprovalDoc);
  const [progress, setProgress] = useState<string | null>(null);
  const [bulkError, setBulkError] = useState<unknown>(null);
  const [bulkComment, setBulkComment] = useState('');
  const unitName = group.unit.name;
  const decidable = group.requests.filter((r) => r.canDecide);
  const headingId = `inbox-unit-${planId}-${group.unit.id}`;
  const approveAll = async () => {
    setBulkError(null);
    try {
      for (const [i, r] of decidable.entries()) {
        setProgress(t('approvals.approvingN', { i: i + 1, n: decidable.length }));
        await decide({ variables: { input: { approvalRequestId: r.id, decision: 'APPROVE', comment: bulkComment.trim() || null } } });
      }
    } catch (e) {
      setBulkError(e);
    } finally {
      setProgress(null);
      await onRefresh();
    }
  };
  return (
    <section aria-labelledby={headingId} data-testid={`inbox-unit-${group.unit.id}`}>
      <Typography.Title level={4} id={headingId} style={{ fontSize: 16 }}>
        {t('inbox.forUnit', { unit: '\u2068' + unitName + '\u2069', n: group.requests.length })}
        {group.byDelegation ? <Tag style={{ marginInlineStart: 8 }}>{t('approvals.byDelegation')}</Tag> : null}
      </Typography.Title>
      {decidable.length > 1 ? (
        <Space wrap style={{ marginBottom: 12 }}>
          <label htmlFor={`bulk-${planId}-${group.unit.id}`}>{t('approvals.comment')}</label>
          <Input id={`bulk-${planId}-${group.unit.id}`} style={{ width: 280, maxWidth: '100%' }} value={bulkComment} onChange={(e) => setBulkComment(e.target.value)} maxLength={1000} />
          <Popconfirm title={t('inbox.approveAllForConfirm', { unit: unitName, n: decidable.length })} okText={t('approvals.approveAll')} cancelText={t('findings.cancel')} onConfirm={() => void approveAll()}>
            <Button loading={Boolean(progress)}>{t('inbox.approveAllFor', { unit: unitName })}</Button>
          </Popconfirm>
          {progress ? <span role="status">{progress}</span> : null}
        </Space>
      ) : null}
      {bulkError ? <ErrorNotice error={bulkError} /> : null}
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {group.requests.map((r) => {
          const a = r.action;
          return (
            <Card key={r.id} size="small" data-testid={`inbox-action-${a.id}`} title={<Space wrap><Tag color={ACTION_COLOR[a.type]}>{tx('actionType', a.type)}</Tag><bdi>{a.account.name}</bdi><ProtectedBadge reasons={a.protectedReasons} /><Typography.Text type="secondary">{tx('platform', a.account.platform)} · <bdi>{a.account.unit.name}</bdi></Typography.Text></Space>}>
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
                    <strong>{t('approvals.signingFor')}</strong>：<Tag color="blue"><bdi>{unitName}</bdi>{r.viewerSignsByDelegation ? ` · ${t('approvals.byDelegation')}` : ''}</Tag>
                  </Typography.Paragraph>
                  <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
                    {t('approvals.why')}：{r.reason}
                  </Typography.Paragraph>
                </Col>
                <Col xs={24} xl={10}>
                  <DecisionForm idPrefix={`decide-${r.id}`} unitName={unitName} disabled={Boolean(progress) || !r.canDecide} onDecide={(d, c) => onDecide(r.id, d, c)} />
                </Col>
              </Row>
            </Card>
          );
        })}
      </Space>
    </section>
  );
}
