import { useEffect, useState } from 'react';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { Tree } from 'antd';
import type { TreeDataNode } from 'antd';
import { graphql } from '../../graphql/generated';
import type { UnitTreeNodeFragment } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';

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

function withChildren(nodes: TreeDataNode[], key: string, children: TreeDataNode[]): TreeDataNode[] {
  return nodes.map((n) => (n.key === key ? { ...n, children } : n.children ? { ...n, children: withChildren(n.children, key, children) } : n));
}

/** The unit tree, loaded one level at a time as the user expands it. Arrow keys move, Enter selects. */
export function UnitTree({ selectedId, onSelect, expandTo }: { selectedId?: string; onSelect(id: string): void; expandTo?: string[] }) {
  const { t } = useI18n();
  const client = useApolloClient();
  const roots = useQuery(UnitTreeRootsQuery);
  const [nodes, setNodes] = useState<TreeDataNode[] | null>(null);
  const [expanded, setExpanded] = useState<React.Key[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => {
    if (roots.data) setNodes(roots.data.unitRoots.map(toNode));
  }, [roots.data]);

  const load = async (id: string) => {
    try {
      const { data } = await client.query({ query: UnitTreeChildrenQuery, variables: { id } });
      if (data) setNodes((prev) => (prev ? withChildren(prev, id, data.unit.children.map(toNode)) : prev));
    } catch (e) {
      setLoadError(e);
    }
  };

  // Opening a unit from elsewhere (search, matrix, account page) reveals its chain in the tree.
  useEffect(() => {
    if (!expandTo?.length || !nodes) return;
    let cancelled = false;
    void (async () => {
      for (const id of expandTo) {
        if (cancelled) return;
        await load(id);
      }
      if (!cancelled) setExpanded((prev) => [...new Set([...prev, ...expandTo])]);
    })();
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [expandTo?.join('/'), nodes === null]);

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
