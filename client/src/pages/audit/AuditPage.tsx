import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { Button, Card, Checkbox, Col, DatePicker, Form, Input, Row, Select, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import type { AuditEventFieldsFragment, AuditFilter } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { LoadMore } from '../../components/LoadMore';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { AccountSelect, useDebounced } from '../../components/AccountSelect';
import { AccountTimeline } from './AccountTimeline';
import { AuditDiff } from './AuditDiff';
import { formatDateTimeSeconds } from '../../lib/format';
import { AUDIT_ACTIONS, AuditEventsQuery, auditCsvHref, auditXlsxHref, PlanChoicesQuery, UnitChoicesQuery, type AuditParams } from './audit-documents';

function UnitSelect({ id, value, label, onChange }: { id: string; value: string | null; label: string | null; onChange(id: string | null, name: string | null): void }) {
  const { t, tx } = useI18n();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim());
  const res = useQuery(UnitChoicesQuery, { variables: { search: q }, skip: !q });
  const found = q ? res.data?.units.edges.map((e) => e.node) ?? [] : [];
  const options = [...(value && !found.some((u) => u.id === value) ? [{ value, label: label ?? value }] : []), ...found.map((u) => ({ value: u.id, label: `${u.name}（${tx('level', u.level)}）` }))];
  return (
    <Select
      id={id}
      allowClear
      showSearch={{ filterOption: false, onSearch: setSearch }}
      value={value ?? undefined}
      placeholder={t('picker.unitPlaceholder')}
      loading={res.loading}
      notFoundContent={q ? t('picker.noUnits') : t('picker.typeToSearch')}
      options={options}
      onChange={(v?: string) => onChange(v ?? null, options.find((o) => o.value === v)?.label ?? null)}
      style={{ width: '100%' }}
    />
  );
}

/** Audit events filtered by actor, account, unit, plan, type and time; an account's timeline; CSV export. */
export default function AuditPage() {
  const { t, tx, count, locale } = useI18n();
  const [params, setParams] = useSearchParams();
  const p = useMemo<AuditParams & { actorName?: string | null; unitName?: string | null }>(() => ({
    actorId: params.get('actorId'), actorName: params.get('actorName'), accountId: params.get('accountId'), unitId: params.get('unitId'),
    unitName: params.get('unitName'), includeSubunits: params.get('sub') === '1', planId: params.get('planId'),
    action: params.get('action')?.split(',').filter(Boolean) ?? [], from: params.get('from'), to: params.get('to'),
  }), [params]);
  const set = (values: Record<string, string | null | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(values)) if (v) next.set(k, v); else next.delete(k);
    setParams(next, { replace: true });
  };
  const filter = useMemo<AuditFilter>(() => ({
    ...(p.actorId ? { actorId: p.actorId } : {}),
    ...(p.accountId ? { accountId: p.accountId } : {}),
    ...(p.unitId ? { unitId: p.unitId, includeSubunits: p.includeSubunits } : {}),
    ...(p.planId ? { planId: p.planId } : {}),
    ...(p.action?.length ? { action: p.action } : {}),
    ...(p.from ? { from: p.from } : {}),
    ...(p.to ? { to: p.to } : {}),
  }), [p]);
  const events = useQuery(AuditEventsQuery, { variables: { filter }, notifyOnNetworkStatusChange: true });
  const plans = useQuery(PlanChoicesQuery);
  const conn = events.data?.auditEvents;
  const loaded = useMemo(() => conn?.edges.map((e) => e.node) ?? [], [conn]);
  // Text search and column sorting, kept in the URL (q, sort): applied to the events loaded (newest first, 50 a
  // page); the Excel export applies the same text search and time order to every matching event on the server.
  const q = params.get('q') ?? '';
  const [search, setSearch] = useState(q);
  const sort = params.get('sort');
  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const found = needle
      ? loaded.filter((e) => [tx('auditAction', e.action), e.action, e.actorName, tx('entityType', e.entityType), e.accountName, e.unitName, e.planTitle, e.comment, e.ip]
        .some((v) => String(v ?? '').toLowerCase().includes(needle)))
      : loaded;
    const by: Record<string, (e: AuditEventFieldsFragment) => string> = { at: (e) => String(e.at), actor: (e) => e.actorName, action: (e) => tx('auditAction', e.action) };
    const key = sort?.replace(/^-/, '') ?? '';
    if (!by[key]) return found;
    const desc = sort!.startsWith('-');
    return [...found].sort((a, b) => (desc ? -1 : 1) * by[key](a).localeCompare(by[key](b), 'zh-CN'));
  }, [loaded, q, sort, tx]);
  const sortOrder = (key: string) => (sort === key ? 'ascend' as const : sort === `-${key}` ? 'descend' as const : null);
  const actors = useMemo(() => {
    const m = new Map<string, string>();
    if (p.actorId) m.set(p.actorId, p.actorName ?? p.actorId);
    for (const e of rows) if (e.actorId) m.set(e.actorId, e.actorName);
    return [...m.entries()];
  }, [rows, p.actorId, p.actorName]);
  const planTitle = new Map((plans.data?.plans.edges ?? []).map((e) => [e.node.id, e.node.title]));

  const columns: ColumnsType<AuditEventFieldsFragment> = [
    { key: 'at', title: t('audit.at'), width: 170, sorter: true, sortOrder: sortOrder('at'), render: (_, e) => formatDateTimeSeconds(e.at, locale) },
    {
      key: 'actor',
      title: t('audit.actor'),
      width: 150,
      sorter: true,
      sortOrder: sortOrder('actor'),
      render: (_, e) => (e.actorId ? (
        <Button type="link" size="small" style={{ padding: 0 }} aria-label={t('audit.filterByActor', { name: e.actorName })} onClick={() => set({ actorId: e.actorId, actorName: e.actorName })}>{e.actorName}</Button>
      ) : e.actorName),
    },
    { key: 'role', title: t('auth.role'), width: 100, render: (_, e) => (e.actorRole ? tx('role', e.actorRole) : '—') },
    { key: 'action', title: t('audit.action'), width: 140, sorter: true, sortOrder: sortOrder('action'), render: (_, e) => <span title={e.action}>{tx('auditAction', e.action)}</span> },
    {
      key: 'object',
      title: t('audit.object'),
      width: 220,
      render: (_, e) => (
        <Space orientation="vertical" size={0}>
          <span>{tx('entityType', e.entityType)}</span>
          {e.planId ? <Link to={`/plans/${e.planId}`}>{e.planTitle ?? planTitle.get(e.planId) ?? t('audit.plan')}</Link> : null}
          {e.accountId ? (
            <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} aria-label={t('audit.timelineFor', { name: e.accountName ?? t('audit.account') })} onClick={() => set({ accountId: e.accountId })}>
              {e.accountName ?? t('audit.account')}
            </Button>
          ) : null}
          {e.unitName && !e.accountId ? <span>{e.unitName}</span> : null}
        </Space>
      ),
    },
    { key: 'comment', title: t('audit.comment'), render: (_, e) => e.comment ?? '—' },
    { key: 'ip', title: t('audit.ip'), width: 130, render: (_, e) => e.ip ?? '—' },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 16, flexWrap: 'wrap' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>{t('audit.title')}</Typography.Title>
        <Space wrap>
          <Button href={auditCsvHref(p)} download>{t('audit.exportCsv')}</Button>
          <Button href={auditXlsxHref(p, q, sort)} download title={t('list.exportXlsxHint')} data-testid="audit-export">{t('list.exportXlsx')}</Button>
        </Space>
      </div>
      <Card size="small" title={t('findings.filters')} extra={<Button size="small" type="link" onClick={() => setParams(new URLSearchParams(), { replace: true })}>{t('findings.reset')}</Button>}>
        <Form layout="vertical" component="div">
          <Row gutter={12}>
            <Col xs={24} xl={12}>
              <Form.Item label={t('list.search')} htmlFor="audit-search" style={{ marginBottom: 8 }}>
                <Input.Search id="audit-search" allowClear placeholder={t('list.searchAudit')} value={search}
                  onChange={(e) => { setSearch(e.target.value); if (!e.target.value) set({ q: null }); }} onSearch={(v) => set({ q: v.trim() || null })} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Form.Item label={t('audit.actor')} htmlFor="audit-actor" style={{ marginBottom: 8 }}>
                <Select id="audit-actor" allowClear placeholder={t('audit.actorHint')} value={p.actorId ?? undefined}
                  options={actors.map(([id, name]) => ({ value: id, label: name }))}
                  onChange={(v?: string) => set({ actorId: v ?? null, actorName: actors.find((a) => a[0] === v)?.[1] ?? null })} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Form.Item label={t('audit.account')} htmlFor="audit-account" style={{ marginBottom: 8 }}>
                <AccountSelect id="audit-account" value={p.accountId} onChange={(v) => set({ accountId: v })} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Form.Item label={t('audit.unit')} htmlFor="audit-unit" style={{ marginBottom: 0 }}>
                <UnitSelect id="audit-unit" value={p.unitId ?? null} label={p.unitName ?? null} onChange={(v, name) => set({ unitId: v, unitName: name })} />
              </Form.Item>
              <Checkbox checked={p.includeSubunits} disabled={!p.unitId} onChange={(e) => set({ sub: e.target.checked ? '1' : null })}>{t('audit.includeSubunits')}</Checkbox>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Form.Item label={t('audit.plan')} htmlFor="audit-plan" style={{ marginBottom: 8 }}>
                <Select id="audit-plan" allowClear showSearch={{ optionFilterProp: 'label' }} value={p.planId ?? undefined} loading={plans.loading}
                  options={(plans.data?.plans.edges ?? []).map((e) => ({ value: e.node.id, label: e.node.title }))}
                  onChange={(v?: string) => set({ planId: v ?? null })} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={12}>
              <Form.Item label={t('audit.action')} htmlFor="audit-action" style={{ marginBottom: 8 }}>
                <Select id="audit-action" mode="tags" allowClear maxTagCount="responsive" value={p.action}
                  options={AUDIT_ACTIONS.map((a) => ({ value: a, label: tx('auditAction', a) }))}
                  onChange={(v: string[]) => set({ action: v.map((x) => x.trim().toUpperCase()).filter((x) => /^[A-Z_]+$/.test(x)).join(',') })} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={12}>
              <Form.Item label={t('audit.time')} htmlFor="audit-time" style={{ marginBottom: 8 }}>
                <DatePicker.RangePicker id={{ start: 'audit-time' }} showTime style={{ width: '100%' }} allowEmpty={[true, true]}
                  value={[p.from ? dayjs(p.from) : null, p.to ? dayjs(p.to) : null]}
                  onChange={(v) => set({ from: v?.[0]?.toISOString() ?? null, to: v?.[1]?.toISOString() ?? null })} />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Card>
      {p.accountId ? <AccountTimeline accountId={p.accountId} /> : null}
      <Card size="small" title={conn ? t('common.total', { count: count(conn.totalCount) }) : null}>
        {events.error ? (
          <ErrorNotice error={events.error} onRetry={() => void events.refetch()} />
        ) : conn && rows.length === 0 ? (
          <EmptyState>{t('audit.empty')}</EmptyState>
        ) : (
          <>
            <Table<AuditEventFieldsFragment>
              size="small"
              rowKey="id"
              loading={events.loading}
              columns={columns}
              dataSource={rows}
              pagination={false}
              scroll={{ x: 1100 }}
              showSorterTooltip={false}
              onChange={(_pg, _f, sorter, extra) => {
                if (extra.action !== 'sort') return;
                const one = Array.isArray(sorter) ? sorter[0] : sorter;
                set({ sort: one?.order && one.columnKey ? `${one.order === 'descend' ? '-' : ''}${String(one.columnKey)}` : null });
              }}
              expandable={{
                rowExpandable: (e) => e.before !== null || e.after !== null || e.userAgent !== null,
                expandedRowRender: (e) => (
                  <Space orientation="vertical" size="small" style={{ width: '100%' }}>
                    {e.before !== null || e.after !== null ? <AuditDiff before={e.before} after={e.after} /> : null}
                    {e.userAgent ? <Typography.Text type="secondary">{t('audit.userAgent')}：{e.userAgent}</Typography.Text> : null}
                  </Space>
                ),
              }}
            />
            <LoadMore field="auditEvents" connection={conn} loading={events.loading} fetchMore={events.fetchMore as never} />
          </>
        )}
      </Card>
    </Space>
  );
}
