import { Link } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { Card, Space, Tag, Timeline, Typography } from 'antd';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { PlanStatusTag } from '../plans/PlanStatusTag';
import { AccountTimelineQuery } from './audit-documents';

const DECISION_COLOR: Record<string, string> = { ACTION_APPROVED: 'green', PLAN_APPROVED: 'green', ACTION_REJECTED: 'red', PLAN_REJECTED: 'red', ACTION_CHANGES_REQUESTED: 'orange' };

/** An account's whole story, oldest first: plan events, who approved, steps confirmed, status changes. */
export function AccountTimeline({ accountId }: { accountId: string }) {
  const { t, tx, dateTime } = useI18n();
  const q = useQuery(AccountTimelineQuery, { variables: { accountId } });
  if (q.error) return <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Loading />;
  const { account, accountTimeline } = q.data;
  const planTitle = new Map(account.plans.map((p) => [p.id, p.title]));
  return (
    <Card
      size="small"
      data-testid="account-timeline"
      title={<span>{t('audit.timelineOf')} <Link to={`/explorer/accounts/${account.id}`}>{account.name}</Link> <Typography.Text type="secondary">{tx('platform', account.platform)} · {account.unit.name}</Typography.Text> <Tag>{tx('status', account.status)}</Tag></span>}
    >
      {account.plans.length ? (
        <Typography.Paragraph>
          {t('audit.plansOfAccount')}：
          {account.plans.map((p) => <span key={p.id} style={{ marginInlineEnd: 12 }}><Link to={`/plans/${p.id}`}>{p.title}</Link> <PlanStatusTag status={p.status} /></span>)}
        </Typography.Paragraph>
      ) : null}
      {accountTimeline.length === 0 ? (
        <EmptyState>{t('audit.timelineEmpty')}</EmptyState>
      ) : (
        <Timeline
          items={accountTimeline.map((e, i) => {
            const ev = e.auditEvent;
            const s = e.statusChange;
            return {
              key: ev?.id ?? s?.id ?? i,
              color: ev ? DECISION_COLOR[ev.action] ?? 'blue' : 'gray',
              children: (
                <Space orientation="vertical" size={0}>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>{dateTime(e.at)}</Typography.Text>
                  {ev ? (
                    <span>
                      <strong>{tx('auditAction', ev.action)}</strong> · {ev.actorName}{ev.actorRole ? `（${tx('role', ev.actorRole)}）` : ''}
                      {ev.planId ? <> · <Link to={`/plans/${ev.planId}`}>{planTitle.get(ev.planId) ?? ev.planTitle ?? t('audit.plan')}</Link></> : null}
                      {ev.comment ? <div style={{ fontSize: 13 }}>{ev.comment}</div> : null}
                    </span>
                  ) : s ? (
                    <span>
                      <strong>{t('audit.statusChange')}</strong>：{s.fromStatus ? tx('status', s.fromStatus) : '—'} → {tx('status', s.toStatus)}
                      {s.reason ? <div style={{ fontSize: 13 }}>{s.reason}</div> : null}
                    </span>
                  ) : null}
                </Space>
              ),
            };
          })}
        />
      )}
    </Card>
  );
}
