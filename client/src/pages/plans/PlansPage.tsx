import { useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { Button, Card, Checkbox, Form, Input, Modal, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType, TableProps } from 'antd/es/table';
import { graphql } from '../../graphql/generated';
import type { PlanFilter, PlansListQuery, PlanStatus } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { LoadMore } from '../../components/LoadMore';
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

const SORT_KEYS = ['title', 'status', 'scope', 'actions', 'author', 'updatedAt'] as const;
type SortKey = (typeof SORT_KEYS)[number];
/** Columns the Excel export can sort by as well (server/export/list-sheets.ts SORTABLE). */
const EXPORT_SORTABLE: readonly SortKey[] = ['title', 'status', 'updatedAt'];

export function parseSort(raw: string | null): { key: SortKey; desc: boolean } | null {
  if (!raw) return null;
  const desc = raw.startsWith('-');
  const key = (desc ? raw.slice(1) : raw) as SortKey;
  return SORT_KEYS.includes(key) ? { key, desc } : null;
}

const SORT_VALUE: Record<SortKey, (p: Row) => string | number> = {
  title: (p) => p.title, status: (p) => PLAN_STATUSES.indexOf(p.status), scope: (p) => planScope(p), actions: (p) => p.actions.length,
  author: (p) => p.authorName, updatedAt: (p) => new Date(p.updatedAt as string).getTime(),
};

export function sortRows(rows: readonly Row[], sort: { key: SortKey; desc: boolean } | null): Row[] {
  if (!sort) return [...rows];
  const value = SORT_VALUE[sort.key];
  return [...rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
    return (sort.desc ? -c : c) || Number(b.id) - Number(a.id);
  });
}

/** The Excel export of the list as filtered (and, where the server can, sorted) on screen. */
export function plansXlsxHref(p: { q: string | null; statuses: readonly string[]; mine: boolean; sort: { key: SortKey; desc: boolean } | null }): string {
  const q = new URLSearchParams();
  if (p.q) q.set('q', p.q);
  if (p.statuses.length) q.set('status', p.statuses.join(','));
  if (p.mine) q.set('mine', 'true');
  if (p.sort && EXPORT_SORTABLE.includes(p.sort.key)) q.set('sort', `${p.sort.desc ? '-' : ''}${p.sort.key}`);
  const s = q.toString();
  return `/api/export/plans.xlsx${s ? `?${s}` : ''}`;
}

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
  const loaded = useMemo(() => list.data?.plans.edges.map((e) => e.node) ?? [], [list.data]);
  // Sorting by column, kept in the URL (`sort=title` / `sort=-updatedAt`): the server lists newest first, the table
  // orders what is loaded; the Excel export sorts the whole list the same way.
  const sort = parseSort(params.get('sort'));
  const rows = useMemo(() => sortRows(loaded, sort), [loaded, sort]);
  const order = (key: SortKey) => (sort?.key === key ? (sort.desc ? 'descend' as const : 'ascend' as const) : null);
  const columns: ColumnsType<Row> = [
    { key: 'title', title: t('plans.title'), sorter: true, sortOrder: order('title'), render: (_, p) => <Link to={`/plans/${p.id}${linkTab ? `?tab=${linkTab}` : ''}`}><bdi>{p.title}</bdi></Link> },
    {
      key: 'status', title: t('plans.status'), width: 120, sorter: true, sortOrder: order('status'),
      ...(fixedStatuses ? {} : { filters: PLAN_STATUSES.map((st) => ({ value: st, text: tx('planStatus', st) })), filteredValue: statuses }),
      render: (_, p) => <PlanStatusTag status={p.status} />,
    },
    { key: 'scope', title: t('plans.scope'), width: 160, sorter: true, sortOrder: order('scope'), render: (_, p) => <bdi>{planScope(p)}</bdi> },
    { key: 'actions', title: t('plans.actionCount'), width: 100, align: 'right', sorter: true, sortOrder: order('actions'), render: (_, p) => count(p.actions.length) },
    { key: 'rev', title: t('plans.revision'), width: 80, align: 'right', render: (_, p) => p.revision },
    { key: 'author', title: t('plans.author'), width: 120, sorter: true, sortOrder: order('author'), render: (_, p) => <bdi>{p.authorName}</bdi> },
    { key: 'updatedAt', title: t('plans.updated'), width: 170, sorter: true, sortOrder: order('updatedAt'), render: (_, p) => dateTime(p.updatedAt) },
  ];
  const onTableChange: TableProps<Row>['onChange'] = (_pagination, filters, sorter, extra) => {
    const next = new URLSearchParams(params);
    if (extra.action === 'filter' && !fixedStatuses) {
      const st = (filters.status as string[] | null) ?? [];
      if (st.length) next.set('status', st.join(','));
      else next.delete('status');
    }
    if (extra.action === 'sort') {
      const one = Array.isArray(sorter) ? sorter[0] : sorter;
      if (one?.order && one.columnKey) next.set('sort', `${one.order === 'descend' ? '-' : ''}${String(one.columnKey)}`);
      else next.delete('sort');
    }
    setParams(next, { replace: true });
  };
  const exportHref = plansXlsxHref({ q: params.get('q'), statuses, mine, sort });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 16, flexWrap: 'wrap' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>{title ?? t('plans.listTitle')}</Typography.Title>
        <Space wrap>
          {canAuthor && !fixedStatuses ? <Link to="/findings">{t('plans.fromFindingsHint')}</Link> : null}
          <Button href={exportHref} download title={t('list.exportXlsxHint')} data-testid="plans-export">{t('list.exportXlsx')}</Button>
          {canAuthor && !fixedStatuses ? <Button type="primary" onClick={() => setCreating(true)}>{t('plans.new')}</Button> : null}
        </Space>
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
          <>
            <Table<Row> size="small" rowKey="id" loading={list.loading && !list.data} columns={columns} dataSource={rows} pagination={false} scroll={{ x: 900 }} onChange={onTableChange} showSorterTooltip={false} />
            <LoadMore field="plans" connection={list.data?.plans} loading={list.loading} fetchMore={list.fetchMore as never} />
          </>
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
