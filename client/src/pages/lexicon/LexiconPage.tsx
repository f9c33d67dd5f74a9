import { useMemo, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { App, Button, Card, Checkbox, Form, Input, List, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { ContentLexiconQuery } from '../../graphql/generated/graphql';
import { useI18n, type MessageKey } from '../../i18n';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Loading';

/** The server returns at most 500 entries a page; the shipped lexicon is several hundred. */
export const LEXICON_PAGE = 500;

export const ContentLexiconDocument = graphql(`
  query ContentLexicon($regionCode: String!, $first: Int, $after: String, $search: String, $type: String) {
    contentLexicon(regionCode: $regionCode, first: $first, after: $after, search: $search, type: $type) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          type
          term
          correct
          kind
          severity
          category
          fields
          source
          enabled
          lastEdit {
            regionCode
            version
            op
            reason
          }
        }
      }
    }
  }
`);

export const EditLexiconEntryDocument = graphql(`
  mutation EditLexiconEntry($regionCode: String!, $input: LexiconEditInput!) {
    editLexiconEntry(regionCode: $regionCode, input: $input) {
      regionCode
      version
      entry {
        type
        term
        enabled
      }
    }
  }
`);

export const LexiconHistoryDocument = graphql(`
  query LexiconHistory {
    auditEvents(filter: { entityType: "lexicon" }, first: 50) {
      edges {
        node {
          id
          at
          actorName
          entityId
          after
          comment
        }
      }
    }
  }
`);

export const LexiconProvincesDocument = graphql(`
  query LexiconProvinces {
    regions(parentCode: "0") {
      code
      name
    }
  }
`);

type Entry = ContentLexiconQuery['contentLexicon']['edges'][number]['node'];

const KINDS = ['formulation', 'body', 'law', 'title', 'sensitive', 'typo'] as const;
const CATEGORIES = ['celebrity', 'advertising', 'likes', 'baiting', 'gossip', 'gambling'] as const;

/** The province whose lexicon an administrator keeps: the province of their unit's region, or the nation ('0'). */
export function lexiconRegion(homeRegion: string): string {
  return homeRegion === '0' || homeRegion.length < 2 ? '0' : homeRegion.slice(0, 2);
}

interface Filters { type: 'all' | 'expression' | 'marker'; group: string; severity: string; enabled: string }

/** Client-side filters the server does not offer (kind or category, severity, enabled). */
export function filterEntries(rows: readonly Entry[], f: Filters): Entry[] {
  return rows.filter((r) => (f.group === 'all' || r.kind === f.group || r.category === f.group)
    && (f.severity === 'all' || r.severity === f.severity)
    && (f.enabled === 'all' || String(r.enabled) === f.enabled));
}

interface HistoryAfter { version?: number; op?: string; term?: string }

/** 错敏词库: browse the province's lexicon, add an entry, disable or re-enable one with a reason; version history. */
export default function LexiconPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const session = useSession();
  // A national administrator keeps the national lexicon and may open any province's; others their own province's.
  const national = lexiconRegion(session.homeRegion) === '0';
  const [picked, setPicked] = useState('0');
  const regionCode = national ? picked : lexiconRegion(session.homeRegion);
  const provinces = useQuery(LexiconProvincesDocument, { skip: session.loading || !national });
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<Filters>({ type: 'all', group: 'all', severity: 'all', enabled: 'all' });
  const [toggle, setToggle] = useState<Entry | null>(null);
  const [adding, setAdding] = useState(false);
  const [reasonForm] = Form.useForm<{ reason: string }>();
  const [addForm] = Form.useForm();
  const variables = { regionCode, first: LEXICON_PAGE, search: search.trim() || null, type: filters.type === 'all' ? null : filters.type };
  // Wait for the session: its region decides the province.
  const { data, previousData, loading, error, refetch } = useQuery(ContentLexiconDocument, { variables, skip: session.loading });
  // The shipped lexicon has more entries than one page: the second page is read when the first says there is one.
  const firstPage = data ?? previousData;
  const nextCursor = firstPage?.contentLexicon.pageInfo.hasNextPage ? firstPage.contentLexicon.pageInfo.endCursor : null;
  const second = useQuery(ContentLexiconDocument, { variables: { ...variables, after: nextCursor }, skip: !nextCursor });
  const history = useQuery(LexiconHistoryDocument, { skip: session.loading });
  const [edit, { loading: saving }] = useMutation(EditLexiconEntryDocument);
  const current = firstPage;
  const more = nextCursor ? (second.data ?? second.previousData)?.contentLexicon.edges : undefined;
  const rows = useMemo(() => filterEntries([...(current?.contentLexicon.edges ?? []), ...(more ?? [])].map((e) => e.node), filters), [current, more, filters]);
  const total = current?.contentLexicon.totalCount ?? 0;
  const versions = (history.data?.auditEvents.edges ?? []).map((e) => e.node).filter((e) => e.entityId === regionCode || e.entityId === '0');

  const kindLabel = (r: Entry) => (r.kind ? t(`lexicon.kind.${r.kind}` as MessageKey) : r.category ? t(`lexicon.category.${r.category}` as MessageKey) : '—');
  const afterSave = async (text: string) => {
    message.success(text);
    await Promise.all([refetch(), history.refetch(), ...(nextCursor ? [second.refetch()] : [])]);
  };

  const submitToggle = async () => {
    if (!toggle) return;
    const { reason } = await reasonForm.validateFields();
    const op = toggle.enabled ? 'disable' : 'enable';
    const r = await edit({ variables: { regionCode, input: { op, term: toggle.term, reason } } });
    setToggle(null);
    reasonForm.resetFields();
    await afterSave(t(op === 'disable' ? 'lexicon.disabled' : 'lexicon.enabled', { term: toggle.term, version: r.data?.editLexiconEntry.version ?? '' }));
  };

  const submitAdd = async () => {
    const v = await addForm.validateFields();
    const input = v.type === 'expression'
      ? { op: 'add', type: 'expression', term: v.term, reason: v.reason, correct: v.correct, kind: v.kind, severity: v.severity, wholeWord: !!v.wholeWord }
      : { op: 'add', type: 'marker', term: v.term, reason: v.reason, category: v.category };
    const r = await edit({ variables: { regionCode, input } });
    setAdding(false);
    addForm.resetFields();
    await afterSave(t('lexicon.added', { term: v.term, version: r.data?.editLexiconEntry.version ?? '' }));
  };

  const option = (prefix: string, values: readonly string[]) => [
    { value: 'all', label: t('lexicon.all') },
    ...values.map((v) => ({ value: v, label: t(`${prefix}.${v}` as MessageKey) })),
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ margin: 0 }}>{t('lexicon.title')}</Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t(regionCode === '0' ? 'lexicon.introNational' : 'lexicon.intro', { region: regionCode })}
      </Typography.Paragraph>
      <Card size="small">
        <Space wrap>
          {national ? (
            <Select aria-label={t('lexicon.region')} style={{ width: 160 }} value={picked} onChange={setPicked} showSearch optionFilterProp="label"
              options={[{ value: '0', label: t('lexicon.scope.national') }, ...(provinces.data?.regions ?? []).map((r) => ({ value: r.code, label: r.name }))]} />
          ) : null}
          <Input.Search allowClear placeholder={t('lexicon.search')} aria-label={t('lexicon.search')} style={{ width: 240 }}
            onSearch={(v) => setSearch(v)} />
          <Select aria-label={t('lexicon.filter.type')} style={{ width: 150 }} value={filters.type}
            onChange={(type) => setFilters({ ...filters, type, group: 'all', severity: type === 'marker' ? 'all' : filters.severity })}
            options={[{ value: 'all', label: t('lexicon.type.all') }, { value: 'expression', label: t('lexicon.type.expression') }, { value: 'marker', label: t('lexicon.type.marker') }]} />
          <Select aria-label={t('lexicon.filter.group')} style={{ width: 170 }} value={filters.group}
            onChange={(group) => setFilters({ ...filters, group })}
            options={[
              ...(filters.type !== 'marker' ? option('lexicon.kind', KINDS) : [{ value: 'all', label: t('lexicon.all') }]),
              ...(filters.type !== 'expression' ? option('lexicon.category', CATEGORIES).slice(1) : []),
            ]} />
          <Select aria-label={t('lexicon.filter.severity')} style={{ width: 150 }} value={filters.severity} disabled={filters.type === 'marker'}
            onChange={(severity) => setFilters({ ...filters, severity })} options={option('lexicon.severity', ['serious', 'general'])} />
          <Select aria-label={t('lexicon.filter.enabled')} style={{ width: 130 }} value={filters.enabled}
            onChange={(enabled) => setFilters({ ...filters, enabled })}
            options={[{ value: 'all', label: t('lexicon.all') }, { value: 'true', label: t('lexicon.state.on') }, { value: 'false', label: t('lexicon.state.off') }]} />
          <Button type="primary" onClick={() => setAdding(true)}>{t('lexicon.add')}</Button>
        </Space>
      </Card>
      {error ? <ErrorNotice error={error} onRetry={() => void refetch()} /> : null}
      {(loading || session.loading) && !current ? <Loading /> : (
        <Table<Entry>
          size="small"
          rowKey={(r) => `${r.type}:${r.term}`}
          dataSource={rows}
          pagination={{ pageSize: 50, showSizeChanger: false, showTotal: () => t('lexicon.count', { shown: rows.length, total }) }}
          scroll={{ x: 900 }}
          columns={[
            { title: t('lexicon.col.term'), dataIndex: 'term', render: (v: string, r) => <Typography.Text delete={!r.enabled}>{v}</Typography.Text> },
            { title: t('lexicon.col.correct'), render: (_: unknown, r) => (r.type === 'expression' ? r.correct : t('lexicon.type.marker')) },
            { title: t('lexicon.col.group'), render: (_: unknown, r) => kindLabel(r) },
            {
              title: t('lexicon.col.severity'),
              render: (_: unknown, r) => (r.severity ? <Tag color={r.severity === 'serious' ? 'red' : 'orange'}>{t(`lexicon.severity.${r.severity}` as MessageKey)}</Tag> : '—'),
            },
            { title: t('lexicon.col.source'), dataIndex: 'source', render: (v: string) => t(`lexicon.source.${v}` as MessageKey) },
            {
              title: t('lexicon.col.state'),
              render: (_: unknown, r) => <Tag color={r.enabled ? 'green' : 'default'}>{t(r.enabled ? 'lexicon.state.on' : 'lexicon.state.off')}</Tag>,
            },
            {
              title: t('lexicon.col.lastEdit'),
              render: (_: unknown, r) => (r.lastEdit
                ? t('lexicon.lastEdit', { version: r.lastEdit.version, op: t(`lexicon.op.${r.lastEdit.op}` as MessageKey), reason: r.lastEdit.reason,
                  scope: r.lastEdit.regionCode === '0' ? t('lexicon.scope.national') : t('lexicon.scope.province') })
                : '—'),
            },
            {
              title: t('lexicon.col.actions'),
              render: (_: unknown, r) => (
                <Button size="small" danger={r.enabled} onClick={() => setToggle(r)} aria-label={t(r.enabled ? 'lexicon.disableTerm' : 'lexicon.enableTerm', { term: r.term })}>
                  {t(r.enabled ? 'lexicon.disable' : 'lexicon.enable')}
                </Button>
              ),
            },
          ]}
        />
      )}
      <Card size="small" title={t('lexicon.history')}>
        {history.error ? <ErrorNotice error={history.error} /> : (
          <List
            size="small"
            loading={history.loading && !history.data}
            locale={{ emptyText: <Typography.Text>{t('lexicon.historyEmpty')}</Typography.Text> }}
            dataSource={versions}
            renderItem={(e) => {
              const after = (e.after ?? {}) as HistoryAfter;
              return (
                <List.Item>
                  <Space wrap>
                    <Tag>{t('lexicon.version', { scope: e.entityId === '0' ? t('lexicon.scope.national') : t('lexicon.scope.province'), version: after.version ?? '?' })}</Tag>
                    <span>{t(`lexicon.op.${after.op ?? 'add'}` as MessageKey)} “{after.term}”</span>
                    <Typography.Text type="secondary">{e.comment}</Typography.Text>
                    <Typography.Text type="secondary">{e.actorName} · {new Date(e.at as string).toLocaleString()}</Typography.Text>
                  </Space>
                </List.Item>
              );
            }}
          />
        )}
      </Card>

      <Modal open={toggle !== null} title={toggle ? t(toggle.enabled ? 'lexicon.disableTerm' : 'lexicon.enableTerm', { term: toggle.term }) : ''}
        okText={t(toggle?.enabled ? 'lexicon.disable' : 'lexicon.enable')} cancelText={t('lexicon.cancel')} confirmLoading={saving}
        onOk={() => void submitToggle().catch(() => undefined)} onCancel={() => { setToggle(null); reasonForm.resetFields(); }} destroyOnHidden>
        <Form form={reasonForm} layout="vertical">
          <Form.Item name="reason" label={t('lexicon.reason')} rules={[{ required: true, whitespace: true, message: t('lexicon.reasonRequired') }]}>
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal open={adding} title={t('lexicon.addTitle')} okText={t('lexicon.add')} cancelText={t('lexicon.cancel')} confirmLoading={saving}
        onOk={() => void submitAdd().catch(() => undefined)} onCancel={() => { setAdding(false); addForm.resetFields(); }} destroyOnHidden>
        <Form form={addForm} layout="vertical" initialValues={{ type: 'expression', kind: 'typo', severity: 'general', category: 'advertising' }}>
          <Form.Item name="type" label={t('lexicon.filter.type')}>
            <Select options={[{ value: 'expression', label: t('lexicon.type.expression') }, { value: 'marker', label: t('lexicon.type.marker') }]} />
          </Form.Item>
          <Form.Item name="term" label={t('lexicon.col.term')} rules={[{ required: true, whitespace: true, message: t('lexicon.termRequired') }, { max: 100 }]}>
            <Input />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a, b) => a.type !== b.type}>
            {({ getFieldValue }) => (getFieldValue('type') === 'expression' ? (
              <>
                <Form.Item name="correct" label={t('lexicon.col.correct')} rules={[{ required: true, whitespace: true, message: t('lexicon.correctRequired') }]}>
                  <Input />
                </Form.Item>
                <Form.Item name="kind" label={t('lexicon.col.group')}>
                  <Select options={KINDS.map((k) => ({ value: k, label: t(`lexicon.kind.${k}` as MessageKey) }))} />
                </Form.Item>
                <Form.Item name="severity" label={t('lexicon.col.severity')}>
                  <Select options={['serious', 'general'].map((s) => ({ value: s, label: t(`lexicon.severity.${s}` as MessageKey) }))} />
                </Form.Item>
                <Form.Item name="wholeWord" valuePropName="checked">
                  <Checkbox>{t('lexicon.wholeWord')}</Checkbox>
                </Form.Item>
              </>
            ) : (
              <Form.Item name="category" label={t('lexicon.col.group')}>
                <Select options={CATEGORIES.map((c) => ({ value: c, label: t(`lexicon.category.${c}` as MessageKey) }))} />
              </Form.Item>
            ))}
          </Form.Item>
          <Form.Item name="reason" label={t('lexicon.reason')} rules={[{ required: true, whitespace: true, message: t('lexicon.reasonRequired') }]}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
