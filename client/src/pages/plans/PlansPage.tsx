import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { Button, Card, Checkbox, Form, Input, Modal, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { graphql } from '../../graphql/generated';
import type { PlanFilter, PlansListQuery, PlanStatus } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { CreatePlanMutation, PlansListQuery as PlansListDoc } from './plan-documents';
import { PLAN_STATUSES, PlanStatusTag } from './PlanStatusTag';

export const RegionChoicesQuery = graphql(`
  query RegionChoices($code: String!) {
    region(code: $code) {
      code
      name
      children {
        code
        name
      }
    }
  }
`);

type Row = PlansListQuery['plans']['edges'][number]['node'];

export function planScope(p: { scopeRegion?: { name: string } | null; scopeUnit?: { name: string } | null }): string {
  return p.scopeUnit?.name ?? p.scopeRegion?.name ?? '—';
}

/** Plans the user may see (newest first), filtered by status / mine / title; a planner starts a new plan here. */
export default function PlansPage({ statuses: fixedStatuses, title, linkTab }: { statuses?: PlanStatus[]; title?: string; linkTab?: string }) {
  const { t, tx, count, dateTime } = useI18n();
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const statuses = useMemo(() => fixedStatuses ?? ((params.get('status')?.split(',').filter(Boolean) ?? []) as PlanStatus[]),
    [fixedStatuses, params]);
  const mine = params.get('mine') === '1';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const filter = useMemo<PlanFilter>(() => ({
    ...(statuses.length ? { status: statuses } : {}),
    ...(mine ? { mine: true } : {}),
    ...(params.get('q') ? { search: params.get('q') } : {}),
  }), [statuses, mine, params]);
  const list = useQuery(PlansListDoc, { variables: { filter }, fetchPolicy: 'cache-and-network' });
  const [creating, setCreating] = useState(false);
  const canAuthor = user?.role === 'PLANNER' || user?.role === 'ADMIN';
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const rows = list.data?.plans.edges.map((e) => e.node) ?? [];
  const columns: ColumnsType<Row> = [
    { key: 'title', title: t('plans.title'), render: (_, p) => <Link to={`/plans/${p.id}${linkTab ? `?tab=${linkTab}` : ''}`}>{p.title}</Link> },
    { key: 'status', title: t('plans.status'), width: 110, render: (_, p) => <PlanStatusTag status={p.status} /> },
    { key: 'scope', title: t('plans.scope'), width: 160, render: (_, p) => planScope(p) },
    { key: 'actions', title: t('plans.actionCount'), width: 90, align: 'right', render: (_, p) => count(p.actions.length) },
    { key: 'rev', title: t('plans.revision'), width: 80, align: 'right', render: (_, p) => p.revision },
    { key: 'author', title: t('plans.author'), width: 120, dataIndex: 'authorName' },
    { key: 'updated', title: t('plans.updated'), width: 170, render: (_, p) => dateTime(p.updatedAt) },
  ];
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 16, flexWrap: 'wrap' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>{title ?? t('plans.listTitle')}</Typography.Title>
        {canAuthor && !fixedStatuses ? (
          <Space>
            <Link to="/findings">{t('plans.fromFindingsHint')}</Link>
            <Button type="primary" onClick={() => setCreating(true)}>{t('plans.new')}</Button>
          </Space>
        ) : null}
      </div>
      {!fixedStatuses ? (
        <Card size="small">
          <Form layout="inline" component="div">
            <Form.Item label={t('plans.status')} htmlFor="plans-status">
              <Select<PlanStatus[]>
                id="plans-status"
                mode="multiple"
                allowClear
                style={{ minWidth: 240 }}
                placeholder={t('findings.any')}
                value={statuses}
                onChange={(v) => set('status', v.join(','))}
                options={PLAN_STATUSES.map((s) => ({ value: s, label: tx('planStatus', s) }))}
              />
            </Form.Item>
            <Form.Item label={t('plans.search')} htmlFor="plans-search">
              <Input.Search id="plans-search" allowClear value={search} onChange={(e) => setSearch(e.target.value)} onSearch={(v) => set('q', v.trim())} />
            </Form.Item>
            <Form.Item>
              <Checkbox checked={mine} onChange={(e) => set('mine', e.target.checked ? '1' : null)}>{t('plans.mine')}</Checkbox>
            </Form.Item>
          </Form>
        </Card>
      ) : null}
      <Card size="small" title={list.data ? t('common.total', { count: count(list.data.plans.totalCount) }) : null}>
        {list.error ? (
          <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data && rows.length === 0 ? (
          <EmptyState>{fixedStatuses ? t('execution.empty') : canAuthor ? t('plans.emptyPlanner') : t('plans.empty')}</EmptyState>
        ) : (
          <Table<Row> size="small" rowKey="id" loading={list.loading && !list.data} columns={columns} dataSource={rows} pagination={false} scroll={{ x: 900 }} />
        )}
      </Card>
      {creating ? <NewPlanDialog onClose={() => setCreating(false)} /> : null}
    </Space>
  );
}

function NewPlanDialog({ onClose }: { onClose(): void }) {
  const { t } = useI18n();
  const { homeRegion } = useSession();
  const navigate = useNavigate();
  const [form] = Form.useForm<{ title: string; regionCode: string }>();
  const regions = useQuery(RegionChoicesQuery, { variables: { code: homeRegion } });
  const [create, state] = useMutation(CreatePlanMutation);
  const r = regions.data?.region;
  return (
    <Modal
      open
      title={t('plans.new')}
      okText={t('plans.create')}
      cancelText={t('findings.cancel')}
      confirmLoading={state.loading}
      onCancel={onClose}
      onOk={async () => {
        let v: { title: string; regionCode: string };
        try {
          v = await form.validateFields();
        } catch {
          return;
        }
        const res = await create({ variables: { input: { title: v.title.trim(), regionCode: v.regionCode } } }).catch(() => null);
        if (res?.data) navigate(`/plans/${res.data.createPlan.id}`);
      }}
    >
      <Form form={form} layout="vertical" initialValues={{ regionCode: homeRegion }}>
        <Form.Item name="title" label={t('plans.title')} rules={[{ required: true, whitespace: true, message: t('plans.titleRequired') }]}>
          <Input maxLength={200} autoFocus />
        </Form.Item>
        <Form.Item name="regionCode" label={t('plans.scope')} rules={[{ required: true }]}>
          <Select options={[...(r ? [{ value: r.code, label: r.name }] : [{ value: homeRegion, label: homeRegion }]), ...(r?.children ?? []).map((c) => ({ value: c.code, label: `— ${c.name}` }))]} />
        </Form.Item>
      </Form>
      {state.error ? <ErrorNotice error={state.error} /> : null}
    </Modal>
  );
}
