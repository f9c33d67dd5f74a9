// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { MockedProvider } from '@apollo/client/testing/react';
import type { MockLink } from '@apollo/client/testing';
import type { ContentLexiconQuery } from '../../graphql/generated/graphql';
import { App } from 'antd';
import { SessionProvider, MeDocument } from '../../auth/session';
import LexiconPage, { ContentLexiconDocument, EditLexiconEntryDocument, LEXICON_PAGE, LexiconHistoryDocument, filterEntries, lexiconRegion } from './LexiconPage';

const me = {
  me: {
    __typename: 'User', id: '1', username: 'admin35', displayName: '省管理员', role: 'ADMIN',
    unit: { __typename: 'Unit', id: '9', name: '福建省人民政府办公厅', region: { __typename: 'Region', code: '35', name: '福建省' } },
  },
};

type Entry = ContentLexiconQuery['contentLexicon']['edges'][number]['node'];

const entry = (over: Record<string, unknown> & { term: string }) => ({
  __typename: 'LexiconEntry', type: 'expression', correct: null, kind: null, severity: null, category: null, fields: [], source: 'shipped',
  enabled: true, lastEdit: null, ...over,
}) as Entry;

const ROWS = [
  entry({ term: '中国特色社会主意', correct: '中国特色社会主义', kind: 'formulation', severity: 'serious' }),
  entry({ term: '国家旅游局', correct: '文化和旅游部', kind: 'body', severity: 'general', enabled: false,
    lastEdit: { __typename: 'LexiconEdit', regionCode: '35', version: 2, op: 'disable', reason: '本省旧文件引用' } }),
  entry({ type: 'marker', term: '限时抢购', category: 'advertising', fields: ['commerce'] }),
];

function lexicon(rows: Entry[]) {
  return {
    contentLexicon: {
      __typename: 'LexiconEntryConnection', totalCount: rows.length,
      pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
      edges: rows.map((node) => ({ __typename: 'LexiconEntryEdge', node })),
    },
  };
}

const history = (versions: number[]) => ({
  auditEvents: {
    __typename: 'AuditEventConnection',
    edges: versions.map((v) => ({
      __typename: 'AuditEventEdge',
      node: { __typename: 'AuditEvent', id: String(v), at: '2026-11-28T02:00:00.000Z', actorName: '省管理员', entityId: '35',
        after: { version: v, op: 'disable', term: '国家旅游局' }, comment: '本省旧文件引用' },
    })),
  },
});

const vars = { regionCode: '35', first: LEXICON_PAGE, search: null, type: null };

function mocks(): MockLink.MockedResponse[] {
  const disabled = ROWS.map((r) => (r.term === '中国特色社会主意' ? { ...r, enabled: false, lastEdit: { __typename: 'LexiconEdit', regionCode: '35', version: 3, op: 'disable', reason: '误报较多' } } as Entry : r));
  return [
    { request: { query: MeDocument }, result: { data: me } },
    { request: { query: ContentLexiconDocument, variables: vars }, result: { data: lexicon(ROWS) } },
    { request: { query: LexiconHistoryDocument }, result: { data: history([2]) } },
    {
      request: { query: EditLexiconEntryDocument, variables: { regionCode: '35', input: { op: 'disable', term: '中国特色社会主意', reason: '误报较多' } } },
      result: { data: { editLexiconEntry: { __typename: 'LexiconEditResult', regionCode: '35', version: 3,
        entry: { __typename: 'LexiconEntry', type: 'expression', term: '中国特色社会主意', enabled: false } } } },
    },
    { request: { query: ContentLexiconDocument, variables: vars }, result: { data: lexicon(disabled) } },
    { request: { query: LexiconHistoryDocument }, result: { data: history([3, 2]) } },
  ];
}

function renderPage() {
  return renderUi(
    <MockedProvider mocks={mocks()}>
      <App>
        <SessionProvider>
          <LexiconPage />
        </SessionProvider>
      </App>
    </MockedProvider>,
    { path: '/lexicon' },
  );
}

describe('lexicon screen', () => {
  it('keeps the lexicon of the administrator\'s province (the nation for a national administrator)', () => {
    expect(lexiconRegion('350102')).toBe('35');
    expect(lexiconRegion('35')).toBe('35');
    expect(lexiconRegion('0')).toBe('0');
  });

  it('filters by kind or category, severity and state', () => {
    const all = { type: 'all' as const, group: 'all', severity: 'all', enabled: 'all' };
    expect(filterEntries(ROWS, { ...all, severity: 'serious' }).map((r) => r.term)).toEqual(['中国特色社会主意']);
    expect(filterEntries(ROWS, { ...all, enabled: 'false' }).map((r) => r.term)).toEqual(['国家旅游局']);
    expect(filterEntries(ROWS, { ...all, group: 'advertising' }).map((r) => r.term)).toEqual(['限时抢购']);
    expect(filterEntries(ROWS, { ...all, group: 'body' }).map((r) => r.term)).toEqual(['国家旅游局']);
  });

  it('lists the province\'s entries with their state and last edit, disables one with a required reason, and shows the new version', async () => {
    renderPage();
    const row = (await screen.findByText('中国特色社会主意')).closest('tr')!;
    expect(within(row).getByText('中国特色社会主义')).toBeTruthy();
    expect(within(row).getByText('严重（否决）')).toBeTruthy();
    const old = screen.getByText('国家旅游局').closest('tr')!;
    expect(within(old).getByText('已停用')).toBeTruthy();
    expect(within(old).getByText('本省第 2 版 停用：本省旧文件引用')).toBeTruthy();
    expect(within(screen.getByText('限时抢购').closest('tr')!).getByText('广告营销')).toBeTruthy();
    expect(await screen.findByText('本省第 2 版')).toBeTruthy(); // version history

    fireEvent.click(within(row).getByRole('button', { name: '停用“中国特色社会主意”' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: /^停\s?用$/ }));
    expect(await within(dialog).findByText('请说明理由')).toBeTruthy(); // nothing sent without a reason
    fireEvent.change(within(dialog).getByLabelText('理由'), { target: { value: '误报较多' } });
    fireEvent.click(within(dialog).getByRole('button', { name: /^停\s?用$/ }));
    expect(await screen.findByText('已停用“中国特色社会主意”（第 3 版）')).toBeTruthy();
    await waitFor(() => expect(screen.getByText('本省第 3 版 停用：误报较多')).toBeTruthy());
    expect(await screen.findByText('本省第 3 版')).toBeTruthy();
  });
});
