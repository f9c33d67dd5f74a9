import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { Breadcrumb, Card, Descriptions, Segmented, Space, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import { useI18n } from '../../i18n';
import { AccountsTable } from '../../components/AccountsTable';
import { LoadMore } from '../../components/LoadMore';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';

export const UnitDetailQuery = graphql(`
  query UnitDetail($id: ID!) {
    unit(id: $id) {
      id
      code
      name
      kind
      level
      childCount
      region {
        code
        name
      }
      supervisor {
        id
        name
      }
      ancestors {
        id
        name
      }
      accounts {
        ...AccountRow
      }
    }
    subtree: accounts(filter: { unitId: $id }, first: 1) {
      totalCount
    }
  }
`);

export const UnitSubtreeAccountsQuery = graphql(`
  query UnitSubtreeAccounts($id: ID!, $after: String) {
    accounts(filter: { unitId: $id }, first: 100, after: $after, sort: NAME) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AccountRow
          unit {
            id
            name
          }
        }
      }
    }
  }
`);

/** One unit: where it sits (chain, region, supervisor) and its accounts on every platform, own or with sub-units. */
export function UnitPanel({ unitId }: { unitId: string }) {
  const { t, tx, count } = useI18n();
  const [scope, setScope] = useState<'own' | 'subtree'>('own');
  const detail = useQuery(UnitDetailQuery, { variables: { id: unitId } });
  const subtree = useQuery(UnitSubtreeAccountsQuery, { variables: { id: unitId }, skip: scope !== 'subtree' });

  if (detail.error) return <ErrorNotice error={detail.error} onRetry={() => void detail.refetch()} />;
  if (!detail.data) return <Loading minHeight={320} />;
  const { unit, subtree: subtreeCount } = detail.data;
  const subtreeConn = subtree.data?.accounts;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small">
        <nav aria-label={t('explorer.chain')}>
          <Breadcrumb
            items={[...unit.ancestors.map((a) => ({ key: a.id, title: <Link to={`/explorer/units/${a.id}`}>{a.name}</Link> })), { key: unit.id, title: <span aria-current="page">{unit.name}</span> }]}
          />
        </nav>
        <Typography.Title level={3} style={{ margin: '8px 0' }}>
          {unit.name}
        </Typography.Title>
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
          <Descriptions.Item label={t('explorer.region')}>
            {unit.region ? <Link to={`/overview/${unit.region.code}`}>{unit.region.name}</Link> : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('explorer.levelKind')}>
            {tx('level', unit.level)} · {tx('kind', unit.kind)}
          </Descriptions.Item>
          <Descriptions.Item label={t('explorer.supervisor')}>
            {unit.supervisor ? <Link to={`/explorer/units/${unit.supervisor.id}`}>{unit.supervisor.name}</Link> : t('common.none')}
          </Descriptions.Item>
          <Descriptions.Item label={t('explorer.code')}>{unit.code}</Descriptions.Item>
          <Descriptions.Item label={t('explorer.unitAccounts')}>{count(unit.accounts.length)}</Descriptions.Item>
          <Descriptions.Item label={t('explorer.children', { count: unit.childCount })}>{t('explorer.subtreeAccounts', { count: count(subtreeCount.totalCount) })}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title={scope === 'own' ? t('explorer.unitAccounts') : t('explorer.subtreeAccounts', { count: count(subtreeCount.totalCount) })}>
        <Segmented
          size="small"
          aria-label={t('explorer.accountsScope')}
          value={scope}
          onChange={(v) => setScope(v as 'own' | 'subtree')}
          style={{ marginBottom: 8, maxWidth: '100%' }}
          options={[
            { value: 'own', label: t('explorer.unitAccounts') },
            { value: 'subtree', label: t('explorer.subtreeAccounts', { count: count(subtreeCount.totalCount) }) },
          ]}
        />
        {scope === 'own' ? (
          unit.accounts.length ? (
            <AccountsTable accounts={unit.accounts} exportName={`accounts-${unit.name}`} />
          ) : (
            <EmptyState>{t('explorer.unitNoAccounts')}</EmptyState>
          )
        ) : subtree.error ? (
          <ErrorNotice error={subtree.error} onRetry={() => void subtree.refetch()} />
        ) : (
          <>
            <AccountsTable accounts={subtreeConn?.edges.map((e) => e.node) ?? []} showUnit loading={subtree.loading} exportName={`accounts-${unit.name}-all`} />
            <LoadMore field="accounts" connection={subtreeConn} loading={subtree.loading} fetchMore={subtree.fetchMore as never} />
          </>
        )}
      </Card>
    </Space>
  );
}
