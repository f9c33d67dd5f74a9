import { Table, Tag, Typography } from 'antd';
import type { ApprovalRequestStatus, PlanDetailQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { EmptyState } from '../../components/EmptyState';

type Plan = PlanDetailQuery['plan'];
type Req = Plan['approvalRequests'][number];

export const REQUEST_COLOR: Record<ApprovalRequestStatus, string> = {
  PENDING: 'processing', APPROVED: 'green', REJECTED: 'red', CHANGES_REQUESTED: 'orange', CANCELLED: 'default',
};

/** The approval requests of the current revision: which unit, why, and what it decided (comment, who, when). */
export function ApprovalRecords({ plan }: { plan: Plan }) {
  const { t, tx, dateTime } = useI18n();
  if (!plan.approvalRequests.length) return <EmptyState>{t('approvals.noneYet')}</EmptyState>;
  const accountOf = new Map(plan.actions.map((a) => [a.id, a]));
  return (
    <Table<Req>
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={plan.approvalRequests}
      scroll={{ x: 1000 }}
      columns={[
        { key: 'action', title: t('action.account'), width: 200, render: (_, r) => { const a = accountOf.get(r.action.id); return a ? `${tx('actionType', a.type)} · ${a.account.name}` : r.action.id; } },
        { key: 'unit', title: t('approvals.unit'), width: 160, render: (_, r) => r.unit.name },
        { key: 'reason', title: t('approvals.why'), render: (_, r) => r.reason },
        {
          key: 'status',
          title: t('approvals.status'),
          width: 110,
          render: (_, r) => (
            <>
              <Tag color={REQUEST_COLOR[r.status]}>{tx('requestStatus', r.status)}</Tag>
              {r.carriedOver ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('approvals.carriedOver')}</Typography.Text> : null}
            </>
          ),
        },
        {
          key: 'decision',
          title: t('approvals.decision'),
          width: 260,
          render: (_, r) => (r.approval ? (
            <span>
              {r.approval.approverName}{r.approval.byDelegation ? `（${t('approvals.byDelegation')}）` : ''} · {dateTime(r.approval.decidedAt)}
              {r.approval.comment ? <><br />{r.approval.comment}</> : null}
            </span>
          ) : '—'),
        },
      ]}
    />
  );
}
