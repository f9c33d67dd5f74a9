import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { Input, Spin, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';

export const UnitSearchQuery = graphql(`
  query UnitSearch($search: String!) {
    units(filter: { search: $search }, first: 30) {
      totalCount
      edges {
        node {
          id
          name
          level
          region {
            code
            name
          }
          parent {
            id
            name
          }
        }
      }
    }
  }
`);

/** Search units by name; the results replace the tree until the search is cleared. */
export function UnitSearch({ onSelect, selectedId, children }: { onSelect(id: string): void; selectedId?: string; children: React.ReactNode }) {
  const { t, tx } = useI18n();
  const [text, setText] = useState('');
  const search = text.trim();
  const result = useQuery(UnitSearchQuery, { variables: { search }, skip: search.length === 0 });
  const edges = result.data?.units.edges ?? [];
  return (
    <div>
      <label htmlFor="unit-search" style={{ display: 'block', marginBottom: 4, fontWeight: 500 }}>
        {t('explorer.searchUnits')}
      </label>
      <Input.Search
        id="unit-search"
        allowClear
        placeholder={t('explorer.searchPlaceholder')}
        onSearch={(v) => setText(v)}
        onChange={(e) => {
          if (e.target.value === '') setText('');
        }}
        loading={result.loading}
        enterButton
      />
      <div style={{ marginTop: 12 }}>
        {search.length === 0 ? (
          children
        ) : result.error ? (
          <ErrorNotice error={result.error} onRetry={() => void result.refetch()} />
        ) : result.data && edges.length === 0 ? (
          <EmptyState>{t('explorer.noSearchResults', { text: search })}</EmptyState>
        ) : (
          <Spin spinning={result.loading}>
            {result.data ? <Typography.Text type="secondary">{t('explorer.searchResults', { count: result.data.units.totalCount })}</Typography.Text> : null}
            <ul className="plain-list" aria-label={t('explorer.searchUnits')}>
              {edges.map(({ node }) => (
                <li key={node.id}>
                  <button type="button" className="link-button" onClick={() => onSelect(node.id)} aria-current={node.id === selectedId ? 'true' : undefined}>
                    <div style={{ fontWeight: node.id === selectedId ? 600 : 400, color: '#1d4ed8' }}>{node.name}</div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {tx('level', node.level)}
                      {node.parent ? ` · ${node.parent.name}` : ''}
                      {node.region ? ` · ${node.region.name}` : ''}
                    </Typography.Text>
                  </button>
                </li>
              ))}
            </ul>
          </Spin>
        )}
      </div>
    </div>
  );
}
