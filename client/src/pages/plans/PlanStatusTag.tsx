import { Tag } from 'antd';
import type { PlanStatus } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';

export const PLAN_STATUS_COLOR: Record<PlanStatus, string> = {
  DRAFT: 'default', SUBMITTED: 'processing', CHANGES_REQUESTED: 'orange', APPROVED: 'green', REJECTED: 'red',
  WITHDRAWN: 'default', EXECUTING: 'geekblue', COMPLETED: 'success',
};

export const PLAN_STATUSES: PlanStatus[] = ['DRAFT', 'SUBMITTED', 'CHANGES_REQUESTED', 'APPROVED', 'EXECUTING', 'COMPLETED', 'REJECTED', 'WITHDRAWN'];

export function PlanStatusTag({ status }: { status: PlanStatus }) {
  const { tx } = useI18n();
  return <Tag color={PLAN_STATUS_COLOR[status]} data-status={status}>{tx('planStatus', status)}</Tag>;
}
