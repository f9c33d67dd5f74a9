import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import { graphql } from '../../graphql/generated';
import type { UnitTreeNodeFragment } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';

/** @codegen A fragment other documents spread by name; this call registers it with the codegen. */
export const UnitTreeNode = graphql(`
  fragment UnitTreeNode on Unit {
    id
    name
    level
    kind
    childCount
  }
`);

export const UnitTreeRootsQuery = graphql(`
  query UnitTreeRoots {
    unitRoots {
      ...UnitTreeNode
    }
  }
`);

export const UnitTreeChildrenQuery = graphql(`
  query UnitTreeChildren($id: ID!) {
    unit(id: $id) {
      id
      children {
        ...UnitTreeNode
      }
    }
  }
`);

function toNode(u: UnitTreeNodeFragment): TreeDataNode {
  return { key: u.id, title: u.name, isLeaf: u.childCount === 0 };
}

/** The tree: each node with the children loaded for it so far (by unit id). */
function withLoaded(nodes: TreeDataNode[], loaded: Record<string, TreeDataNode[]>): TreeDataNode[] {
  return nodes.map((n) => {
    const children = loaded[String(n.key)];
    return children ? { ...n, children: withLoaded(children, loaded) } : n;
  });
}

/** The unit tree, loaded one level at a time as the user expands it. Arrow keys move, Enter selects. */
export function UnitTree({ selectedId, onSelect, expandTo }: { selectedId?: string; onSelect(id: string): void; expandTo?: string[] }) {
  const { t } = useI18n();
  const client = useApolloClient();
  const roots = useQuery(UnitTreeRootsQuery);
  const [loaded, setLoaded] = useState<Record<string, TreeDataNode[]>>({});
  const [expanded, setExpanded] = useState<React.Key[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const nodes = useMemo(() => (roots.data ? withLoaded(roots.data.unitRoots.map(toNode), loaded) : null), [roots.data, loaded]);

  const load = useCallback(async (id: string) => {
    try {
      const { data } = await client.query({ query: UnitTreeChildrenQuery, variables: { id } });
      if (data) setLoaded((prev) => ({ ...prev, [id]: data.unit.children.map(toNode) }));
    } catch (e) {
      setLoadError(e);
    }
  }, [client]);

  // Opening a unit from elsewhere (search, matrix, account page) reveals its chain in the tree, once the roots are in.
  const chain = expandTo?.join('/') ?? '';
  const ready = roots.data !== undefined;
  useEffect(() => {
    if (!chain || !ready) return;
    const ids = chain.split('/');
    let cancelled = false;
    void (async () => {
      for (const id of ids) {
        if (cancelled) return;
        await load(id);
      }
      if (!cancelled) setExpanded((prev) => [...new Set([...prev, ...ids])]);
    })();
    return () => {
      cancelled = true;
    };
  }, [chain, ready, load]);

  if (roots.error) return <ErrorNotice error={roots.error} onRetry={() => void roots.refetch()} />;
  if (!nodes) return <Loading />;
  if (!nodes.length) return <EmptyState>{t('explorer.noUnits')}</EmptyState>;
  return (
    <>
      {loadError ? <ErrorNotice error={loadError} /> : null}
      <Tree
        aria-label={t('explorer.tree')}
        treeData={nodes}
        selectedKeys={selectedId ? [selectedId] : []}
        expandedKeys={expanded}
        onExpand={(keys) => setExpanded(keys)}
        loadData={(node) => load(String(node.key))}
        onSelect={(keys) => {
          if (keys[0] !== undefined) onSelect(String(keys[0]));
        }}
        height={560}
        blockNode
      />
    </>
  );
}
