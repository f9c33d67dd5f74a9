import { Link } from 'react-router-dom';
import { Button, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { PlanAccountFragment, PlanActionRowFragment, PlanActionType } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { localizeServerMessage } from '../../graphql/errors';
import type { ActionIssues, GroupedIssues, Issue } from './issues';

export const ACTION_COLOR: Record<PlanActionType, string> = { MERGE: 'blue', SHUTDOWN: 'red', KEEP: 'green', RENAME: 'purple' };

function AccountRef({ a }: { a: PlanAccountFragment | null | undefined }) {
  const { tx } = useI18n();
  if (!a) return <>—</>;
  return (
    <span>
      <Link to={`/explorer/accounts/${a.id}`} style={{ textDecoration: 'underline' }}><bdi>{a.name}</bdi></Link>{' '}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{tx('platform', a.platform)} · {a.unit.name}</Typography.Text>
      {a.status !== 'ACTIVE' ? <Tag color="orange" style={{ marginInlineStart: 4 }}>{tx('status', a.status)}</Tag> : null}
    </span>
  );
}

/** The errors and warnings of one action, in words, right beside it (errors first). */
export function ActionIssuesList({ issues }: { issues: ActionIssues | undefined }) {
  const { t, locale } = useI18n();
  if (!issues || (!issues.errors.length && !issues.warnings.length)) {
    return <Typography.Text type="success" style={{ fontSize: 12 }}>{t('validation.actionOk')}</Typography.Text>;
  }
  const item = (i: Issue, kind: 'error' | 'warning') => (
    <li key={`${kind}-${i.code}-${i.accountId ?? ''}-${i.message}`} data-severity={kind} style={{ color: kind === 'error' ? '#b42318' : '#8a5a00', padding: '2px 0', border: 0 }}>
      <strong>{kind === 'error' ? t('validation.error') : t('validation.warning')}</strong>：{localizeServerMessage(i.message, locale)}
    </li>
  );
  return (
    <ul className="plain-list" aria-label={t('validation.issuesOfAction')} style={{ margin: 0, fontSize: 13 }}>
      {issues.errors.map((i) => item(i, 'error'))}
      {issues.warnings.map((i) => item(i, 'warning'))}
    </ul>
  );
}

/** 受保护 badge with the reasons (tooltip and, for screen readers, the label); nothing for other accounts. */
export function ProtectedBadge({ reasons }: { reasons: readonly string[] }) {
  const { t } = useI18n();
  if (!reasons.length) return null;
  const why = reasons.join('；');
  return (
    <Tooltip title={`${t('action.protectedReasons')}：${why}`}>
      <Tag color="gold" tabIndex={0} data-testid="protected-badge" aria-label={`${t('action.protected')}：${why}`} style={{ marginInlineStart: 4 }}>{t('action.protected')}</Tag>
    </Tooltip>
  );
}

/** The protected reasons and the planner's override reason of an action, for planners and approvers. */
export function ProtectionNote({ a }: { a: Pick<PlanActionRowFragment, 'protectedReasons' | 'overrideReason' | 'type'> }) {
  const { t } = useI18n();
  if (!a.protectedReasons.length && !a.overrideReason) return null;
  return (
    <Space orientation="vertical" size={0} style={{ fontSize: 12 }} data-testid="protection-note">
      {a.protectedReasons.length ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('action.protectedReasons')}：{a.protectedReasons.join('；')}</Typography.Text> : null}
      {a.overrideReason ? <Typography.Text style={{ fontSize: 12, color: '#8a5a00' }}>{t('action.overrideShown')}：{a.overrideReason}</Typography.Text> : null}
    </Space>
  );
}

/** What the action does, in one line per destination. */
export function ActionEffect({ a }: { a: PlanActionRowFragment }) {
  const { t } = useI18n();
  switch (a.type) {
    case 'MERGE':
      return (
        <Space orientation="vertical" size={0}>
          <span>{t('action.mergeInto')} <AccountRef a={a.target} /></span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t(`action.servicesModeShort.${a.servicesMode}`)}</Typography.Text>
        </Space>
      );
    case 'SHUTDOWN':
      return (
        <Space orientation="vertical" size={0}>
          <span>{t('action.servicesTo', { n: a.account.services.length })} {a.account.services.length || a.serviceTarget ? <AccountRef a={a.serviceTarget} /> : t('common.none')}</span>
          <span>{t('action.contentTo', { n: a.account.postCount })} {a.contentTarget ? <AccountRef a={a.contentTarget} /> : t('action.noPortal')}</span>
        </Space>
      );
    case 'KEEP':
      return <span>{t('action.rectification')}：{a.rectification}</span>;
    case 'RENAME':
      return <span>{t('action.renameTo')}「{a.newName}」</span>;
    default:
      return null;
  }
}

/**
 * The plan's actions as a table: type, source, destinations (target, services, content), cited findings and the
 * validation issues of each action beside it. Editing buttons only when the plan may be edited.
 */
export function ActionsTable({ actions, issues, editable, busy, onEdit, onRemove }: {
  actions: readonly PlanActionRowFragment[];
  issues: GroupedIssues;
  editable: boolean;
  busy?: boolean;
  onEdit(a: PlanActionRowFragment): void;
  onRemove(a: PlanActionRowFragment): void;
}) {
  const { t, tx, count } = useI18n();
  const columns: ColumnsType<PlanActionRowFragment> = [
    { key: 'n', title: '#', width: 44, render: (_, _a, i) => i + 1 },
    { key: 'type', title: t('action.type'), width: 96, render: (_, a) => <Tag color={ACTION_COLOR[a.type]}>{tx('actionType', a.type)}</Tag> },
    {
      key: 'source',
      title: t('action.account'),
      width: 230,
      render: (_, a) => (
        <Space orientation="vertical" size={0}>
          <span><AccountRef a={a.account} /><ProtectedBadge reasons={a.protectedReasons} /></span>
          <ProtectionNote a={a} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('account.followers')} {count(a.account.followers)} · {t('account.services')} {a.account.services.length} · {t('action.posts')} {count(a.account.postCount)}
          </Typography.Text>
        </Space>
      ),
    },
    { key: 'effect', title: t('action.destinations'), render: (_, a) => <ActionEffect a={a} /> },
    {
      key: 'findings',
      title: t('action.findings'),
      width: 170,
      render: (_, a) => (a.findings.length ? (
        <Space size={[0, 4]} wrap>
          {a.findings.map((f) => (
            <Tooltip key={f.id} title={f.summary}>
              <Tag tabIndex={0}>{tx('rule', f.rule)}</Tag>
            </Tooltip>
          ))}
        </Space>
      ) : <Typography.Text type="secondary">{t('common.none')}</Typography.Text>),
    },
    { key: 'issues', title: t('validation.column'), width: 300, render: (_, a) => <ActionIssuesList issues={issues.byAction.get(a.id)} /> },
    ...(editable ? [{
      key: 'ops',
      title: '',
      width: 120,
      render: (_: unknown, a: PlanActionRowFragment) => (
        <Space size={4}>
          <Button size="small" disabled={busy} aria-label={`${t('action.edit')}：${a.account.name}`} onClick={() => onEdit(a)}>{t('action.edit')}</Button>
          <Popconfirm title={t('action.removeConfirm', { name: a.account.name })} okText={t('action.remove')} cancelText={t('findings.cancel')} onConfirm={() => onRemove(a)}>
            <Button size="small" danger disabled={busy} aria-label={`${t('action.remove')}：${a.account.name}`}>{t('action.remove')}</Button>
          </Popconfirm>
        </Space>
      ),
    }] : []),
  ];
  return (
    <Table<PlanActionRowFragment>
      size="small"
      rowKey="id"
      columns={columns}
      dataSource={actions as PlanActionRowFragment[]}
      pagination={actions.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      scroll={{ x: 1150 }}
      rowClassName={(a) => (issues.byAction.get(a.id)?.errors.length ? 'row-has-error' : '')}
      onRow={(a) => ({ 'data-action-id': a.id } as React.HTMLAttributes<HTMLElement>)}
    />
  );
}
