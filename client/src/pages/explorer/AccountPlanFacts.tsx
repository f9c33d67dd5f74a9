import { Link } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { Card, Col, Descriptions, Row, Space, Tag, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { InspectionGrade, Severity } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { PlanStatusTag } from '../plans/PlanStatusTag';

export const AccountPlanFactsQuery = graphql(`
  query AccountPlanFacts($id: ID!) {
    account(id: $id) {
      id
      findings {
        id
        rule
        severity
        status
        summary
        firstSeenAt
      }
      inspection {
        asOf
        checked
        grade
        passed
        score
        note
        reasons
        vetoes
        deductions {
          code
          label
          points
        }
      }
      plans {
        id
        title
        status
        updatedAt
      }
    }
  }
`);

const SEVERITY_COLOR: Record<Severity, string> = { VETO: 'red', MAJOR: 'orange', MINOR: 'gold' };
const GRADE_COLOR: Record<InspectionGrade, string> = { FAIL: 'red', PASS: 'blue', GOOD: 'green' };

/** The account's open findings with their evidence in words, its inspection verdict, and the plans that touched it. */
export function AccountPlanFacts({ accountId }: { accountId: string }) {
  const { t, tx, date, dateTime } = useI18n();
  const q = useQuery(AccountPlanFactsQuery, { variables: { id: accountId } });
  if (q.error) return <ErrorNotice error={q.error} onRetry={() => void q.refetch()} />;
  if (!q.data) return <Loading />;
  const { findings, inspection: v, plans } = q.data.account;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={8}>
        <Card size="small" title={t('account.inspection')} style={{ height: '100%' }}>
          {!v.checked ? (
            <Typography.Text type="secondary">{v.note ?? t('account.notChecked')}</Typography.Text>
          ) : (
            <Space orientation="vertical" size={4}>
              <span>
                {v.grade ? <Tag color={GRADE_COLOR[v.grade]}>{tx('grade', v.grade)}</Tag> : null}
                {t('account.score', { score: v.score ?? '—' })} · {t('account.checkedOn', { date: date(v.asOf) })}
              </span>
              {v.reasons.map((r) => <Typography.Text key={r}>{r}</Typography.Text>)}
              {v.deductions.length ? (
                <Descriptions size="small" column={1}>
                  {v.deductions.map((d) => <Descriptions.Item key={d.code} label={d.label}>-{d.points}</Descriptions.Item>)}
                </Descriptions>
              ) : null}
            </Space>
          )}
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card size="small" title={`${t('account.findings')}（${findings.length}）`} style={{ height: '100%' }}>
          {findings.length === 0 ? <EmptyState>{t('account.noFindings')}</EmptyState> : (
            <ul className="plain-list">
              {findings.map((f) => (
                <li key={f.id}>
                  <Tag color={SEVERITY_COLOR[f.severity]}>{tx('severity', f.severity)}</Tag>
                  <strong>{tx('rule', f.rule)}</strong>（{tx('findingStatus', f.status)}）：{f.summary}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}> · {t('findings.firstSeen')} {date(f.firstSeenAt)}</Typography.Text>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </Col>
      <Col xs={24} xl={6}>
        <Card size="small" title={t('account.plans')} extra={<Link to={`/audit?accountId=${accountId}`}>{t('account.history')}</Link>} style={{ height: '100%' }}>
          {plans.length === 0 ? <EmptyState>{t('account.noPlans')}</EmptyState> : (
            <ul className="plain-list">
              {plans.map((p) => (
                <li key={p.id}>
                  <Link to={`/plans/${p.id}`}>{p.title}</Link> <PlanStatusTag status={p.status} />
                  <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{dateTime(p.updatedAt)}</Typography.Text></div>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </Col>
    </Row>
  );
}
