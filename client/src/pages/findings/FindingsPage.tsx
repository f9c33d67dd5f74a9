import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { App, Button, Card, Col, Form, Input, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { graphql } from '../../graphql/generated';
import type { DetectionRule, FindingFilter, FindingSort, FindingStatus, FindingsListQuery, Level, Platform, PlanStatus, Severity } from '../../graphql/generated/graphql';
import { downloadCsv, matchesText } from '../../lib/csv';
import { useI18n } from '../../i18n';
import { useSession } from '../../auth/session';
import { LoadMore } from '../../components/LoadMore';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { PLATFORM_ORDER } from '../../components/AccountsTable';
import { DismissDialog } from './DismissDialog';
import { PlanFromFindings } from './PlanFromFindings';

export const FindingsListQueryDoc = graphql(`
  query FindingsList($filter: FindingFilter, $sort: FindingSort, $after: String) {
    findings(filter: $filter, sort: $sort, first: 50, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...FindingRow
        }
      }
    }
  }
`);

/** @codegen A fragment other documents spread by name; this call registers it with the codegen. */
export const FindingRowFragment = graphql(`
  fragment FindingRow on Finding {
    id
    rule
    ruleName
    severity
    status
    summary
    level
    firstSeenAt
    dismissedReason
    unit {
      id
      name
    }
    accounts {
      id
      name
      platform
    }
    suggestedMain {
      id
      name
    }
    plans {
      id
      title
      status
    }
  }
`);

export const FindingSummaryQuery = graphql(`
  query FindingsSummary($regionCode: String!) {
    findingSummary(regionCode: $regionCode) {
      open
      openVetoes
      dismissed
      lastRun {
        id
        asOf
        accountsChecked
      }
    }
    region(code: $regionCode) {
      code
      name
      children {
        code
        name
      }
    }
  }
`);

export const DismissFindingDoc = graphql(`
  mutation DismissFinding($id: ID!, $reason: String!) {
    dismissFinding(id: $id, reason: $reason) {
      id
      status
      dismissedReason
    }
  }
`);

export const ReopenFindingDoc = graphql(`
  mutation ReopenFinding($id: ID!) {
    reopenFinding(id: $id) {
      id
      status
      dismissedReason
    }
  }
`);

export const RunDetectionDoc = graphql(`
  mutation RunDetection($regionCode: String) {
    runDetection(regionCode: $regionCode) {
      id
      found
      created
      resolved
      durationMs
    }
  }
`);

const RULES: DetectionRule[] = ['NO_UPDATE_14D', 'ZOMBIE', 'NO_INTERACTION', 'STOPPED_NOT_DEREGISTERED', 'REDUNDANT_SAME_PLATFORM', 'NAME_INCONSISTENT', 'UNFILED', 'LEVEL_NOT_ALLOWED', 'LOW_VALUE'];
const SEVERITIES: Severity[] = ['VETO', 'MAJOR', 'MINOR'];
const STATUSES: FindingStatus[] = ['OPEN', 'DISMISSED', 'RESOLVED'];
const LEVELS: Level[] = ['PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP'];
const SEVERITY_COLOR: Record<Severity, string> = { VETO: 'red', MAJOR: 'orange', MINOR: 'gold' };

type Row = FindingsListQuery['findings']['edges'][number]['node'];

/** Plans past approval act on the finding already: it is shown as taken and cannot be picked for another plan. */
const TAKEN: readonly PlanStatus[] = ['APPROVED', 'EXECUTING'];
const takenBy = (f: Row) => f.plans.find((p) => TAKEN.includes(p.status)) ?? null;

/** Filters live in the URL (?rule=ZOMBIE,UNFILED&status=OPEN&region=3501), so a filtered list can be shared. */
function useFilterParams(homeRegion: string) {
  const [params, setParams] = useSearchParams();
  // One object per URL (useSearchParams hands back the same params until the URL changes), so the filter built from
  // it is stable across renders.
  const values = useMemo(() => {
    const list = <T extends string>(key: string, fallback: T[] = []): T[] => {
      const v = params.get(key);
      return v === null ? fallback : (v.split(',').filter(Boolean) as T[]);
    };
    return {
      region: params.get('region') ?? homeRegion,
      rule: list<DetectionRule>('rule'),
      severity: list<Severity>('severity'),
      status: list<FindingStatus>('status', ['OPEN']),
      level: list<Level>('level'),
      platform: list<Platform>('platform'),
      q: params.get('q') ?? '',
      sort: (params.get('sort') === 'NEWEST' ? 'NEWEST' : 'SEVERITY') as FindingSort,
    };
  }, [params, homeRegion]);
  const set = (key: keyof typeof values, value: string | string[]) => {
    const next = new URLSearchParams(params);
    const v = Array.isArray(value) ? value.join(',') : value;
    if (v || key === 'status') next.set(key, v); else next.delete(key);
    setParams(next, { replace: true });
  };
  return { values, set, reset: () => setParams(new URLSearchParams(), { replace: true }) };
}

export default function FindingsPage() {
  const { t, tx, count, date } = useI18n();
  const { message } = App.useApp();
  const { homeRegion, user } = useSession();
  const canPlan = user?.role === 'PLANNER' || user?.role === 'ADMIN';
  const [selected, setSelected] = useState<Row[]>([]);
  const { values, set, reset } = useFilterParams(homeRegion);
  const filter = useMemo<FindingFilter>(() => ({
    regionCode: values.region,
    ...(values.rule.length ? { rule: values.rule } : {}),
    ...(values.severity.length ? { severity: values.severity } : {}),
    ...(values.status.length ? { status: values.status } : {}),
    ...(values.level.length ? { level: values.level } : {}),
    ...(values.platform.length ? { platform: values.platform } : {}),
  }), [values]);

  const list = useQuery(FindingsListQueryDoc, { variables: { filter, sort: values.sort }, notifyOnNetworkStatusChange: true });
  const summary = useQuery(FindingSummaryQuery, { variables: { regionCode: values.region } });
  const [dismiss] = useMutation(DismissFindingDoc);
  const [reopen] = useMutation(ReopenFindingDoc);
  const [runDetection, run] = useMutation(RunDetectionDoc);
  const [dismissing, setDismissing] = useState<Row | null>(null);
  const [rowError, setRowError] = useState<{ id: string; error: unknown } | null>(null);

  const conn = list.data?.findings;
  const loaded = conn?.edges.map((e) => e.node) ?? [];
  // Text search over the loaded pages (summary, unit, accounts, rule); the filters above narrow on the server.
  const rows = loaded.filter((f) => matchesText(values.q, f.summary, f.unit.name, tx('rule', f.rule), ...f.accounts.map((a) => a.name)));
  const exportCsv = () => downloadCsv(`findings-${values.region}.csv`,
    [t('findings.severity'), t('findings.rule'), t('findings.evidence'), t('findings.unit'), t('findings.accounts'), t('findings.firstSeen'), t('findings.status'), t('findings.plan')],
    rows.map((f) => [tx('severity', f.severity), tx('rule', f.rule), f.summary, f.unit.name, f.accounts.map((a) => `${a.name}（${tx('platform', a.platform)}）`).join('；'),
      date(f.firstSeenAt), tx('findingStatus', f.status), f.plans.map((p) => `${p.title}（${tx('planStatus', p.status)}）`).join('；')]));
  const s = summary.data?.findingSummary;
  const region = summary.data?.region;

  const refreshAll = async () => {
    await Promise.all([list.refetch(), summary.refetch()]);
  };

  const columns: ColumnsType<Row> = [
    { key: 'sev', title: t('findings.severity'), width: 80, render: (_, f) => <Tag color={SEVERITY_COLOR[f.severity]}>{tx('severity', f.severity)}</Tag>,
      sorter: (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) },
    { key: 'rule', title: t('findings.rule'), width: 150, render: (_, f) => tx('rule', f.rule), sorter: (a, b) => tx('rule', a.rule).localeCompare(tx('rule', b.rule), 'zh-CN') },
    {
      key: 'evidence',
      title: t('findings.evidence'),
      render: (_, f) => (
        <div>
          <div>{f.summary}</div>
          {f.suggestedMain ? (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('findings.suggestedMain')}：<Link to={`/explorer/accounts/${f.suggestedMain.id}`}>{f.suggestedMain.name}</Link>
            </Typography.Text>
          ) : null}
          {f.status === 'DISMISSED' && f.dismissedReason ? (
            <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('findings.dismissReason')}：{f.dismissedReason}</Typography.Text></div>
          ) : null}
          {rowError?.id === f.id ? <ErrorNotice error={rowError.error} /> : null}
        </div>
      ),
    },
    { key: 'unit', title: t('findings.unit'), width: 150, render: (_, f) => <Link to={`/explorer/units/${f.unit.id}`}>{f.unit.name}</Link>,
      sorter: (a, b) => a.unit.name.localeCompare(b.unit.name, 'zh-CN') },
    {
      key: 'accounts',
      title: t('findings.accounts'),
      width: 200,
      render: (_, f) => (
        <ul className="plain-list" style={{ margin: 0 }}>
          {f.accounts.map((a) => (
            <li key={a.id} style={{ padding: 0, border: 0 }}>
              <Link to={`/explorer/accounts/${a.id}`}>{a.name}</Link> <Typography.Text type="secondary">{tx('platform', a.platform)}</Typography.Text>
            </li>
          ))}
        </ul>
      ),
    },
    { key: 'seen', title: t('findings.firstSeen'), width: 120, render: (_, f) => date(f.firstSeenAt), sorter: (a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) },
    {
      key: 'status',
      title: t('findings.status'),
      width: 130,
      render: (_, f) => {
        const taken = takenBy(f);
        return (
          <Space orientation="vertical" size={0}>
            <span>{tx('findingStatus', f.status)}</span>
            {taken ? <Tag color="blue" data-testid="finding-taken"><Link to={`/plans/${taken.id}`}>{t('findings.inPlan', { status: tx('planStatus', taken.status) })}</Link></Tag> : null}
          </Space>
        );
      },
    },
    {
      key: 'act',
      title: '',
      width: 96,
      render: (_, f) =>
        f.status === 'OPEN' && !takenBy(f) ? (
          <Button size="small" aria-label={`${t('findings.dismiss')}：${f.summary}`} onClick={() => setDismissing(f)}>{t('findings.dismiss')}</Button>
        ) : f.status === 'DISMISSED' ? (
          <Button
            size="small"
            aria-label={`${t('findings.reopen')}：${f.summary}`}
            onClick={async () => {
              setRowError(null);
              try {
                await reopen({ variables: { id: f.id } });
                message.success(t('findings.reopened'));
                await refreshAll();
              } catch (error) {
                setRowError({ id: f.id, error });
              }
            }}
          >
            {t('findings.reopen')}
          </Button>
        ) : null,
    },
  ];

  const multi = <T extends string>(key: 'rule' | 'severity' | 'status' | 'level' | 'platform', label: string, options: T[], prefix: string, value: T[]) => (
    <Col xs={24} md={12} xl={4} key={key}>
      <Form.Item label={label} htmlFor={`findings-${key}`} style={{ marginBottom: 8 }}>
        <Select<T[]>
          id={`findings-${key}`}
          mode="multiple"
          allowClear
          maxTagCount="responsive"
          placeholder={t('findings.any')}
          value={value}
          onChange={(v) => set(key, v)}
          options={options.map((o) => ({ value: o, label: tx(prefix, o) }))}
        />
      </Form.Item>
    </Col>
  );

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 16, flexWrap: 'wrap' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('findings.title')}{region ? ` · ${region.name}` : ''}
        </Typography.Title>
        <Space>
          {run.loading ? <span role="status">{t('findings.running')}</span> : null}
          <Button
            loading={run.loading}
            onClick={async () => {
              const res = await runDetection({ variables: { regionCode: values.region === '0' ? null : values.region } }).catch(() => null);
              const r = res?.data?.runDetection;
              if (r) {
                message.success(t('findings.runDone', { found: r.found, created: r.created, resolved: r.resolved, s: ((r.durationMs ?? 0) / 1000).toFixed(1) }));
                await refreshAll();
              }
            }}
          >
            {t('findings.run')}
          </Button>
        </Space>
      </div>
      {run.error ? <ErrorNotice error={run.error} /> : null}
      {summary.error ? <ErrorNotice error={summary.error} onRetry={() => void summary.refetch()} /> : null}
      {s ? (
        <Typography.Text>
          {t('findings.open', { n: count(s.open), v: count(s.openVetoes), d: count(s.dismissed) })}
          {s.lastRun ? ` · ${t('findings.lastRun', { date: date(s.lastRun.asOf), n: count(s.lastRun.accountsChecked) })}` : ''}
        </Typography.Text>
      ) : null}
      <Card size="small" title={t('findings.filters')} extra={<Button size="small" type="link" onClick={reset}>{t('findings.reset')}</Button>}>
        <Form layout="vertical" component="div">
          <Row gutter={12}>
            <Col xs={24} md={12} xl={4}>
              <Form.Item label={t('findings.region')} htmlFor="findings-region" style={{ marginBottom: 8 }}>
                <Select
                  id="findings-region"
                  value={values.region}
                  onChange={(v) => set('region', v)}
                  options={[
                    ...(region ? [{ value: region.code, label: region.name }] : [{ value: values.region, label: values.region }]),
                    ...(region?.children ?? []).map((c) => ({ value: c.code, label: `— ${c.name}` })),
                    ...(values.region !== homeRegion ? [{ value: homeRegion, label: t('findings.backToScope') }] : []),
                  ]}
                />
              </Form.Item>
            </Col>
            {multi('rule', t('findings.rule'), RULES, 'rule', values.rule)}
            {multi('severity', t('findings.severity'), SEVERITIES, 'severity', values.severity)}
            {multi('status', t('findings.status'), STATUSES, 'findingStatus', values.status)}
            {multi('level', t('findings.level'), LEVELS, 'level', values.level)}
            {multi('platform', t('findings.platform'), PLATFORM_ORDER, 'platform', values.platform)}
          </Row>
        </Form>
      </Card>
      <Card
        size="small"
        title={conn ? (values.q ? t('list.matching', { shown: count(rows.length), loaded: count(loaded.length), total: count(conn.totalCount) }) : t('common.total', { count: count(conn.totalCount) })) : null}
        extra={<Button size="small" onClick={exportCsv} disabled={!rows.length}>{t('list.exportCsv')}</Button>}
      >
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', marginBottom: 8 }}>
          <Input.Search key={values.q} id="findings-q" allowClear aria-label={t('list.search')} placeholder={t('findings.searchHint')} defaultValue={values.q}
            onSearch={(v) => set('q', v.trim())} style={{ maxWidth: 320 }} />
          <Select<FindingSort> aria-label={t('list.sort')} value={values.sort} onChange={(v) => set('sort', v)} style={{ width: 180 }}
            options={[{ value: 'SEVERITY', label: t('findings.sortSeverity') }, { value: 'NEWEST', label: t('findings.sortNewest') }]} />
        </div>
        {canPlan ? <div style={{ marginBottom: 8 }}><PlanFromFindings selected={selected} regionCode={values.region} onClear={() => setSelected([])} /></div> : null}
        {list.error ? (
          <ErrorNotice error={list.error} onRetry={() => void list.refetch()} />
        ) : conn && rows.length === 0 ? (
          <EmptyState>{s && !s.lastRun ? t('findings.noRun') : t('findings.empty')}</EmptyState>
        ) : (
          <>
            <div className="table-scroll"><Table<Row>
              size="small"
              className="findings-table"
              rowKey="id"
              loading={list.loading}
              columns={columns}
              dataSource={rows}
              pagination={false}
              rowSelection={canPlan ? {
                selectedRowKeys: selected.map((f) => f.id),
                preserveSelectedRowKeys: true,
                onChange: (_keys, picked) => setSelected(picked.filter(Boolean)),
                getCheckboxProps: (f) => ({ disabled: f.status !== 'OPEN' || takenBy(f) !== null, 'aria-label': `${t('findings.select')}：${f.summary}` }),
              } : undefined}
            /></div>
            <LoadMore field="findings" connection={conn} loading={list.loading} fetchMore={list.fetchMore as never} />
          </>
        )}
      </Card>
      <DismissDialog
        open={dismissing !== null}
        summary={dismissing?.summary ?? ''}
        onCancel={() => setDismissing(null)}
        onConfirm={async (reason) => {
          await dismiss({ variables: { id: dismissing!.id, reason } });
          setDismissing(null);
          message.success(t('findings.dismissed'));
          await refreshAll();
        }}
      />
    </Space>
  );
}
