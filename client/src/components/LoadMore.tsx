import { Button } from 'antd';
import { useI18n } from '../i18n';

interface Page {
  edges: readonly unknown[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/**
 * "加载更多" under a cursor-paginated list: fetches the page after `connection.pageInfo.endCursor` and appends its
 * edges to the connection held in `field` of the query result. Renders nothing when there is no next page.
 */
export function LoadMore<F extends string>({ field, connection, loading, fetchMore }: {
  field: F;
  connection: Page | null | undefined;
  loading: boolean;
  fetchMore: (options: {
    variables: { after: string | null | undefined };
    updateQuery: (prev: never, opts: { fetchMoreResult: never }) => unknown;
  }) => Promise<unknown>;
}) {
  const { t } = useI18n();
  if (!connection?.pageInfo.hasNextPage) return null;
  const append = (prev: Record<F, Page | null | undefined>, { fetchMoreResult }: { fetchMoreResult: Record<F, Page> }) => ({
    ...fetchMoreResult,
    [field]: { ...fetchMoreResult[field], edges: [...(prev[field]?.edges ?? []), ...fetchMoreResult[field].edges] },
  });
  return (
    <Button
      style={{ marginTop: 8 }}
      loading={loading}
      onClick={() => void fetchMore({ variables: { after: connection.pageInfo.endCursor }, updateQuery: append as never })}
    >
      {t('explorer.loadMore')}
    </Button>
  );
}
