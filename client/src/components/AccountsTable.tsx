import { Link, useSearchParams } from 'react-router-dom';
import { Button, Input, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { graphql } from '../graphql/generated';
import type { AccountRowFragment, Platform } from '../graphql/generated/graphql';
import { useI18n } from '../i18n';
import { downloadCsv, matchesText } from '../lib/csv';

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

/**
 * Accounts, ordered by platform then name: the "one unit, one account per platform" view. Above it a text search
 * (name, handle, unit; kept in the URL as ?q=) and a CSV export of what is shown; every column sorts.
 */
export function AccountsTable({ accounts, showUnit, loading, caption, exportName = 'accounts' }: {
  accounts: readonly (AccountRowFragment & { unit?: { id: string; name: string } })[];
  showUnit?: boolean;
  loading?: boolean;
  caption?: string;
  exportName?: string;
}) {
  const { t, tx, count, date } = useI18n();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const setQ = (v: string) => {
    const next = new URLSearchParams(params);
    if (v.trim()) next.set('q', v.trim()); else next.delete('q');
    setParams(next, { replace: true });
  };
  const rows = accounts.filter((a) => matchesText(q, a.name, a.handle, a.unit?.name)).sort((a, b) => PLATFORM_ORDER.indexOf(a.platform) - PLATFORM_ORDER.indexOf(b.platform) || a.name.localeCompare(b.name, 'zh-CN'));
  const columns: ColumnsType<(typeof rows)[number]> = [
    { key: 'platform', title: t('account.platform'), width: 110, render: (_, a) => tx('platform', a.platform), sorter: (a, b) => PLATFORM_ORDER.indexOf(a.platform) - PLATFORM_ORDER.indexOf(b.platform) },
    {
      key: 'name',
      title: t('account.name'),
      sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
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
    { key: 'followers', title: t('account.followers'), align: 'right', width: 90, render: (_, a) => count(a.followers), sorter: (a, b) => (a.followers ?? 0) - (b.followers ?? 0) },
    { key: 'filed', title: t('account.filing'), width: 80, render: (_, a) => (a.filed ? t('account.filed') : <Tag color="red">{t('account.unfiled')}</Tag>) },
    { key: 'lastPost', title: t('account.lastPost'), width: 130, render: (_, a) => (a.lastPostAt ? date(a.lastPostAt) : t('account.never')), sorter: (a, b) => (a.lastPostAt ?? '').localeCompare(b.lastPostAt ?? '') },
  ];
  const exportCsv = () => downloadCsv(`${exportName}.csv`,
    [t('account.platform'), t('account.name'), ...(showUnit ? [t('account.unit')] : []), t('account.handle'), t('account.status'), t('account.type'), t('account.followers'), t('account.filing'), t('account.lastPost')],
    rows.map((a) => [tx('platform', a.platform), a.name, ...(showUnit ? [a.unit?.name ?? ''] : []), a.handle, tx('status', a.status), tx('type', a.type), a.followers,
      a.filed ? t('account.filed') : t('account.unfiled'), a.lastPostAt ? date(a.lastPostAt) : t('account.never')]));
  return (
    <>
    <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginBottom: 8 }}>
      <Input.Search key={q} allowClear aria-label={t('list.search')} placeholder={t('account.searchHint')} defaultValue={q} onSearch={setQ} style={{ maxWidth: 320 }} />
      <Button onClick={exportCsv} disabled={!rows.length}>{t('list.exportCsv')}</Button>
    </div>
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
    </>
  );
}
