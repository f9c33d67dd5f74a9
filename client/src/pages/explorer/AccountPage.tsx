import { lazy, Suspense, useMemo, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { Breadcrumb, Card, Col, Descriptions, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { graphql } from '../../graphql/generated';
import type { AccountDetailQuery } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { AccountPlanFacts } from './AccountPlanFacts';

const ActivityChart = lazy(() => import('./ActivityChart'));

/** Posts fetched for the table of recent posts (one page; the server's maximum page size is 100). */
export const POSTS_PAGE = 100;
/** Weeks of the activity chart (`Account.activity`, computed by the server). */
export const ACTIVITY_WEEKS = 26;

export const AccountDetailDocument = graphql(`
  query AccountDetail($id: ID!, $posts: Int!, $weeks: Int!) {
    account(id: $id) {
      id
      platform
      handle
      name
      type
      status
      filingNo
      filed
      openedOn
      closedOn
      filingStatus
      filingChangedOn
      followers
      interactionEnabled
      isMain
      lastPostAt
      findings {
        id
        rule
        status
        evidence
      }
      unit {
        id
        name
        level
        kind
        ancestors {
          id
          name
        }
        region {
          code
          name
        }
      }
      stats {
        asOf
        daysSinceLastPost
        lastPostAt
        medianReads
        medianReplyHours
        messagesReceived
        messagesReplied
        messagesUnanswered
        oldestUnansweredAt
        originalsLast30Days
        originalsLast90Days
        postsLast30Days
        postsLast90Days
        postsTotal
        replyRate
      }
      services {
        id
        name
        category
        originAccount {
          id
          name
        }
      }
      statusHistory {
        id
        changedAt
        fromStatus
        toStatus
        source
        reason
      }
      activity(weeks: $weeks) {
        weekStart
        posts
        originals
        reads
      }
      posts(first: $posts) {
        totalCount
        pageInfo {
          hasNextPage
        }
        edges {
          node {
            id
            publishedAt
            title
            content
            original
            reads
            originAccount {
              id
              name
            }
          }
        }
      }
    }
  }
`);

type Account = AccountDetailQuery['account'];

/** Content rules: their findings list posts with the matched spans (offsets per field, in UTF-16 code units as JS counts). */
const CONTENT_RULES = new Set(['WRONG_EXPRESSION_SERIOUS', 'WRONG_EXPRESSION', 'OFF_MISSION']);

export interface ContentHit {
  rule: string;
  field: 'title' | 'content';
  start: number;
  end: number;
  term: string;
  /** The right form (wrong expressions). */
  correct?: string;
  /** The off-mission category (markers). */
  category?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Post id → its matched spans, from the evidence of the account's open content findings: wrong-expression findings list
 * `posts[].hits` (term, correct, field, start, end), off-mission ones `examples[].hits` (term, category, field, start, end).
 */
export function contentHits(findings: readonly { rule: string; status: string; evidence: unknown }[]): Map<string, ContentHit[]> {
  const out = new Map<string, ContentHit[]>();
  for (const f of findings) {
    if (!CONTENT_RULES.has(f.rule) || f.status !== 'OPEN' || !isRecord(f.evidence)) continue;
    const posts = f.evidence.posts ?? f.evidence.examples;
    if (!Array.isArray(posts)) continue;
    for (const p of posts) {
      if (!isRecord(p) || !Array.isArray(p.hits)) continue;
      const id = String(p.id);
      for (const h of p.hits) {
        if (!isRecord(h) || typeof h.start !== 'number' || typeof h.end !== 'number' || h.end <= h.start) continue;
        if (h.exempt) continue;
        const hit: ContentHit = {
          rule: f.rule,
          field: h.field === 'title' ? 'title' : 'content',
          start: h.start,
          end: h.end,
          term: String(h.term ?? ''),
          correct: typeof h.correct === 'string' ? h.correct : undefined,
          category: typeof h.category === 'string' ? h.category : undefined,
        };
        out.set(id, [...(out.get(id) ?? []), hit]);
      }
    }
  }
  return out;
}

/** The text with the spans marked (overlapping spans: the first one wins), each followed by its right form or category. */
export function Highlighted({ text, hits }: { text: string; hits: readonly ContentHit[] }) {
  const { t, tx } = useI18n();
  const sorted = [...hits].filter((h) => h.end <= text.length).sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [i, h] of sorted.entries()) {
    if (h.start < at) continue;
    if (h.start > at) parts.push(text.slice(at, h.start));
    const note = h.correct ? t('account.correctForm', { form: h.correct }) : h.category ? tx('contentCategory', h.category) : tx('rule', h.rule);
    parts.push(
      <span key={i}>
        <mark className={`content-hit content-hit-${h.rule === 'OFF_MISSION' ? 'off' : 'wrong'}`} style={{ background: h.rule === 'OFF_MISSION' ? '#fff1b8' : '#ffd6d6', color: '#1f1f1f', padding: '0 2px' }}>
          {text.slice(h.start, h.end)}
        </mark>
        <small style={{ color: '#a8071a' }}>（{note}）</small>
      </span>,
    );
    at = h.end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
const STATUS_COLOR = { ACTIVE: 'green', SUSPENDED: 'orange', CLOSED: 'default' } as const;

/** One account in full: its chain of units, figures, services, latest posts, weekly activity, status history. */
export default function AccountPage() {
  const { accountId } = useParams();
  const { t } = useI18n();
  const { data, error, refetch } = useQuery(AccountDetailDocument, { variables: { id: accountId ?? '', posts: POSTS_PAGE, weeks: ACTIVITY_WEEKS } });
  if (error) return <ErrorNotice error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading minHeight={320} />;
  const a = data.account;
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <AccountHeader a={a} />
      <AccountStats a={a} />
      <AccountPlanFacts accountId={a.id} />
      <Card size="small" title={t('account.activity')}>
        <Suspense fallback={<Loading minHeight={260} />}>
          <ActivityChart weeks={a.activity} />
        </Suspense>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <RecentPosts a={a} />
        </Col>
        <Col xs={24} xl={10}>
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Services a={a} />
            <StatusHistory a={a} />
          </Space>
        </Col>
      </Row>
    </Space>
  );
}

function AccountHeader({ a }: { a: Account }) {
  const { t, tx, count, date } = useI18n();
  const chain = [...a.unit.ancestors, { id: a.unit.id, name: a.unit.name }];
  return (
    <Card size="small">
      <nav aria-label={t('explorer.chain')}>
        <Breadcrumb items={chain.map((u) => ({ key: u.id, title: <Link to={`/explorer/units/${u.id}`}>{u.name}</Link> }))} />
      </nav>
      <Typography.Title level={3} style={{ margin: '8px 0' }}>
        <bdi>{a.name}</bdi>{' '}
        <Tag color={STATUS_COLOR[a.status]}>{tx('status', a.status)}</Tag>
        {a.isMain ? <Tag color="blue">{t('account.isMain')}</Tag> : null}
      </Typography.Title>
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
        <Descriptions.Item label={t('account.platform')}>{tx('platform', a.platform)}</Descriptions.Item>
        <Descriptions.Item label={t('account.handle')}>{a.handle}</Descriptions.Item>
        <Descriptions.Item label={t('account.unit')}>
          <Link to={`/explorer/units/${a.unit.id}`}>{a.unit.name}</Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('explorer.region')}>{a.unit.region ? <Link to={`/overview/${a.unit.region.code}`}>{a.unit.region.name}</Link> : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('account.type')}>{tx('type', a.type)}</Descriptions.Item>
        <Descriptions.Item label={t('account.followers')}>{count(a.followers)}</Descriptions.Item>
        <Descriptions.Item label={t('account.filing')}>{a.filed ? `${t('account.filed')}（${a.filingNo}）` : <Tag color="red">{t('account.unfiled')}</Tag>}</Descriptions.Item>
        <Descriptions.Item label={t('account.openedOn')}>{date(a.openedOn)}</Descriptions.Item>
        <Descriptions.Item label={t('account.filingStatus')}>
          {a.filingStatus ? tx('filingStatus', a.filingStatus) : t('filingStatus.none')}
          {a.filingChangedOn ? `（${date(a.filingChangedOn)}）` : ''}
        </Descriptions.Item>
        {a.closedOn ? <Descriptions.Item label={t('account.closedOn')}>{date(a.closedOn)}</Descriptions.Item> : null}
        <Descriptions.Item label={t('account.interaction')}>{a.interactionEnabled ? t('account.interactionOn') : <Tag color="red">{t('account.interactionOff')}</Tag>}</Descriptions.Item>
        <Descriptions.Item label={t('account.lastPost')}>{a.lastPostAt ? date(a.lastPostAt) : t('account.never')}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

function AccountStats({ a }: { a: Account }) {
  const { t, count, percent } = useI18n();
  const s = a.stats;
  const items: [string, string][] = [
    [t('account.lastPost'), s.daysSinceLastPost === null || s.daysSinceLastPost === undefined ? t('account.never') : t('account.daysSince', { days: s.daysSinceLastPost })],
    [t('account.postsTotal'), count(s.postsTotal)],
    [t('account.posts30'), count(s.postsLast30Days)],
    [t('account.posts90'), count(s.postsLast90Days)],
    [t('account.originals90'), count(s.originalsLast90Days)],
    [t('account.medianReads'), s.medianReads === null || s.medianReads === undefined ? '—' : count(s.medianReads)],
    [t('account.replyRate'), s.messagesReceived ? percent(s.replyRate) : t('account.noMessages')],
    [t('account.medianReply'), s.medianReplyHours === null || s.medianReplyHours === undefined ? '—' : t('account.hours', { n: Math.round(s.medianReplyHours * 10) / 10 })],
    [t('account.unanswered'), count(s.messagesUnanswered)],
  ];
  return (
    <Card size="small" title={t('account.stats')}>
      <Row gutter={[16, 8]}>
        {items.map(([label, value]) => (
          <Col key={label} xs={12} md={8} xl={6} xxl={4}>
            <Statistic title={label} value={value} styles={{ content: { fontSize: 20 } }} />
          </Col>
        ))}
      </Row>
    </Card>
  );
}

function RecentPosts({ a }: { a: Account }) {
  const { t, tx, count, dateTime } = useI18n();
  const posts = a.posts.edges.map((e) => e.node);
  const hits = useMemo(() => contentHits(a.findings), [a.findings]);
  return (
    <Card size="small" title={`${t('account.recentPosts')}（${t('common.total', { count: count(a.posts.totalCount) })}）`}>
      {posts.length === 0 ? (
        <EmptyState>{t('account.noPosts')}</EmptyState>
      ) : (
        // The wrapper scrolls on narrow screens and can take the keyboard focus (an unfocusable scroll area fails WCAG 2.1.1).
        <div role="region" tabIndex={0} aria-label={t('account.recentPosts')} style={{ overflowX: 'auto' }}>
        <Table
          size="small"
          rowKey="id"
          dataSource={posts}
          pagination={{ pageSize: 10, showSizeChanger: false }}
          style={{ minWidth: 560 }}
          expandable={{
            rowExpandable: (p) => Boolean(p.content),
            expandedRowRender: (p) => (
              <div style={{ whiteSpace: 'pre-wrap', lineHeight: 1.7, maxHeight: 360, overflow: 'auto' }} aria-label={`${t('account.content')}：${p.title}`} role="region" tabIndex={0}>
                <Highlighted text={p.content ?? ''} hits={(hits.get(p.id) ?? []).filter((h) => h.field === 'content')} />
              </div>
            ),
          }}
          columns={[
            { key: 'at', title: t('account.publishedAt'), width: 150, render: (_, p) => dateTime(p.publishedAt) },
            {
              key: 'title',
              title: t('account.title'),
              render: (_, p) => {
                const own = hits.get(p.id) ?? [];
                const rules = [...new Set(own.map((h) => h.rule))];
                return (
                  <>
                    <Highlighted text={p.title} hits={own.filter((h) => h.field === 'title')} />
                    {rules.map((r) => (
                      <Tag key={r} color={r === 'OFF_MISSION' ? 'gold' : 'red'} style={{ marginInlineStart: 6 }}>
                        {tx('rule', r)}
                      </Tag>
                    ))}
                    {p.originAccount ? (
                      <Typography.Text type="secondary">
                        {' '}
                        （{t('account.originAccount')} <Link to={`/explorer/accounts/${p.originAccount.id}`}>{p.originAccount.name}</Link>）
                      </Typography.Text>
                    ) : null}
                  </>
                );
              },
            },
            { key: 'orig', title: t('account.type'), width: 70, render: (_, p) => (p.original ? t('account.original') : t('account.repost')) },
            { key: 'reads', title: t('account.reads'), width: 90, align: 'right', render: (_, p) => count(p.reads) },
          ]}
        />
        </div>
      )}
    </Card>
  );
}

function Services({ a }: { a: Account }) {
  const { t } = useI18n();
  return (
    <Card size="small" title={`${t('account.services')}（${a.services.length}）`}>
      {a.services.length === 0 ? (
        <EmptyState>{t('account.noServices')}</EmptyState>
      ) : (
        <Table
          size="small"
          rowKey="id"
          dataSource={a.services}
          pagination={false}
          columns={[
            { key: 'name', title: t('account.services'), dataIndex: 'name' },
            { key: 'cat', title: t('account.category'), render: (_, s) => s.category ?? '—' },
            { key: 'origin', title: t('account.originAccount'), render: (_, s) => (s.originAccount ? <Link to={`/explorer/accounts/${s.originAccount.id}`}>{s.originAccount.name}</Link> : '—') },
          ]}
        />
      )}
    </Card>
  );
}

function StatusHistory({ a }: { a: Account }) {
  const { t, tx, dateTime } = useI18n();
  return (
    <Card size="small" title={t('account.statusHistory')}>
      {a.statusHistory.length === 0 ? (
        <EmptyState>{t('account.noHistory')}</EmptyState>
      ) : (
        <Table
          size="small"
          rowKey="id"
          dataSource={a.statusHistory}
          pagination={false}
          columns={[
            { key: 'at', title: t('account.changedAt'), render: (_, h) => dateTime(h.changedAt) },
            { key: 'from', title: t('account.from'), render: (_, h) => (h.fromStatus ? tx('status', h.fromStatus) : '—') },
            { key: 'to', title: t('account.to'), render: (_, h) => tx('status', h.toStatus) },
            { key: 'src', title: t('account.source'), dataIndex: 'source' },
            { key: 'reason', title: t('account.reason'), render: (_, h) => h.reason ?? '—' },
          ]}
        />
      )}
    </Card>
  );
}
