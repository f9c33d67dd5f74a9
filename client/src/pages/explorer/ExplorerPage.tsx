import { useMemo } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { Card, Col, Grid, Row, Space } from 'antd';
import { graphql } from '../../graphql/generated';
import { useI18n } from '../../i18n';
import { EmptyState } from '../../components/EmptyState';
import { UnitTree } from './UnitTree';
import { UnitSearch } from './UnitSearch';
import { UnitPanel } from './UnitPanel';

export const UnitChainQuery = graphql(`
  query UnitChain($id: ID!) {
    unit(id: $id) {
      id
      ancestors {
        id
      }
    }
  }
`);

/** Unit tree (or name search) on the left, the selected unit and its accounts on the right. */
export default function ExplorerPage() {
  const { t } = useI18n();
  const { unitId } = useParams();
  const navigate = useNavigate();
  const chain = useQuery(UnitChainQuery, { variables: { id: unitId ?? '' }, skip: !unitId });
  const expandTo = useMemo(() => chain.data?.unit.ancestors.map((a) => a.id), [chain.data]);
  const open = (id: string) => navigate(`/explorer/units/${id}`);
  // Below 768 px the tree and the unit stack; once a unit is chosen it comes first and the tree follows it.
  const narrow = Grid.useBreakpoint().md === false;
  const tree = (
    <Card size="small" title={t('explorer.tree')}>
      <UnitSearch onSelect={open} selectedId={unitId}>
        <UnitTree selectedId={unitId} onSelect={open} expandTo={expandTo} />
      </UnitSearch>
    </Card>
  );
  const panel = unitId ? (
    <UnitPanel unitId={unitId} />
  ) : (
    <Card>
      <EmptyState>{t('explorer.pickUnit')}</EmptyState>
    </Card>
  );
  if (narrow) {
    return (
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {unitId ? panel : tree}
        {unitId ? tree : panel}
      </Space>
    );
  }
  return (
    <Row gutter={16} wrap={false} style={{ alignItems: 'flex-start' }}>
      <Col flex="320px" style={{ minWidth: 280 }}>
        {tree}
      </Col>
      <Col flex="auto" style={{ minWidth: 0 }}>
        {panel}
      </Col>
    </Row>
  );
}
