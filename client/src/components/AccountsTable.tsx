import { Link } from 'react-router-dom';
import { Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { graphql } from '../graphql/generated';
import type { AccountRowFragment, Platform } from '../graphql/generated/graphql';
import { useI18n } from '../i18n';

/** @codegen A fragment other documents spread by name; this call registers it with the codegen. */
export const AccountRowFragmentDoc = graphql(`
  fragment AccountRow on Account {
    id
    platform
    handle
    name
    type
    status
    filed
    isMain
    followers
    lastPostAt
    interactionEnabled
  }
`);

export const PLATFORM_ORDER: Platform[] = ['WECHAT', 'WEIBO', 'DOUYIN', 'TOUTIAO', 'KUAISHOU', 'BILIBILI', 'XIAOHONGSHU', 'APP', 'MINIPROGRAM', 'WEBSITE'];

const STATUS_COLOR = { ACTIVE: 'green', SUSPENDED: 'orange', CLOSED: 'default' } as const;

/** Accounts, ordered by platform then name: the "one unit, one account per platform" view. */
export function AccountsTable({ accounts, showUnit, loading, caption }: {
  accounts: readonly (AccountRowFragment & { unit?: { id: string; name: string } })[];
  showUnit?: boolean;
  loading?: boolean;
  caption?: string;
}) {
  const { t, tx, count, date } = useI18n();
  const rows = [...accounts].sort((a, b) => PLATFORM_ORDER.indexOf(a.platform) - PLATFORM_ORDER.indexOf(b.platform) || a.name.localeCompare(b.name, 'zh-CN'));
  const columns: ColumnsType<(typeof rows)[number]> = [
    { key: 'platform', title: t('account.platform'), width: 110, render: (_, a) => tx('platform', a.platform) },
    {
      key: 'name',
      title: t('account.name'),
      render: (_, a) => (
        <>
          <Link to={`/explorer/accounts/${a.id}`}>{a.name}</Link>
          {a.isMain ? <Tag color="blue" style={{ marginInlineStart: 6 }}>{t('account.isMain')}</Tag> : null}
        </>
      ),
    },
    ...(showUnit ? [{ key: 'unit', title: t('account.unit'), render: (_: unknown, a: (typeof rows)[number]) => (a.unit ? <Link to={`/explorer/units/${a.unit.id}`}>{a.unit.name}</Link> : '—') }] : []),
    { key: 'handle', title: t('account.handle'), dataIndex: 'handle', ellipsis: true },
    { key: 'status', title: t('account.status'), width: 96, render: (_, a) => <Tag color={STATUS_COLOR[a.status]}>{tx('status', a.status)}</Tag> },
    { key: 'type', title: t('account.type'), width: 100, render: (_, a) => tx('type', a.type) },
    { key: 'followers', title: t('account.followers'), align: 'right', width: 90, render: (_, a) => count(a.followers) },
    { key: 'filed', title: t('account.filing'), width: 80, render: (_, a) => (a.filed ? t('account.filed') : <Tag color="red">{t('account.unfiled')}</Tag>) },
    { key: 'lastPost', title: t('account.lastPost'), width: 130, render: (_, a) => (a.lastPostAt ? date(a.lastPostAt) : t('account.never')) },
  ];
  return (
    <Table
      size="small"
      rowKey="id"
      loading={loading}
      columns={columns}
      dataSource={rows}
      pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      scroll={{ x: 'max-content' }}
      title={caption ? () => caption : undefined}
    />
  );
}
