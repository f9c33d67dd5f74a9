// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { contentHits, Highlighted } from './AccountPage';
import { toBase64, knownName } from '../import/ImportPage';
import { formatProblem } from '../import/ImportErrorList';

const text = '市旅游局发布通知：欢迎参加集赞活动。';
const findings = [
  {
    rule: 'WRONG_EXPRESSION',
    status: 'OPEN',
    evidence: { posts: [{ id: '7', title: 't', hits: [{ term: '旅游局', correct: '文化和旅游局', field: 'content', start: 1, end: 4 }] }] },
  },
  {
    rule: 'OFF_MISSION',
    status: 'OPEN',
    evidence: { examples: [{ id: '7', hits: [{ term: '集赞', category: 'likes', field: 'content', start: 13, end: 15, exempt: null }, { term: '博彩', category: 'gambling', field: 'content', start: 0, end: 1, exempt: 'warning' }] }] },
  },
  { rule: 'WRONG_EXPRESSION', status: 'DISMISSED', evidence: { posts: [{ id: '8', hits: [{ term: 'x', correct: 'y', field: 'title', start: 0, end: 1 }] }] } },
  { rule: 'ZOMBIE', status: 'OPEN', evidence: { posts: [{ id: '9', hits: [{ start: 0, end: 1 }] }] } },
];

describe('content findings on an account page', () => {
  it('collects the open content findings\' spans per post, leaving out exempt markers and other rules', () => {
    const m = contentHits(findings);
    expect([...m.keys()]).toEqual(['7']);
    expect(m.get('7')!.map((h) => [h.rule, h.start, h.end, h.correct ?? h.category])).toEqual([
      ['WRONG_EXPRESSION', 1, 4, '文化和旅游局'],
      ['OFF_MISSION', 13, 15, 'likes'],
    ]);
  });

  it('marks the spans with the right form and the category', () => {
    const { container } = renderUi(<p><Highlighted text={text} hits={contentHits(findings).get('7')!} /></p>);
    const marks = [...container.querySelectorAll('mark')].map((m) => m.textContent);
    expect(marks).toEqual(['旅游局', '集赞']);
    expect(container.textContent).toBe('市旅游局（应为：文化和旅游局）发布通知：欢迎参加集赞（诱导点赞）活动。');
    expect(screen.getByText('（应为：文化和旅游局）')).toBeTruthy();
  });
});

describe('import upload helpers', () => {
  it('encodes bytes as Base64 (GBK bytes unchanged, large files in chunks)', () => {
    expect(toBase64(new Uint8Array([0xd5, 0xcb, 0xba, 0xc5]))).toBe('1cu6xQ==');
    const big = new Uint8Array(100_000).fill(65);
    expect(atob(toBase64(big)).length).toBe(100_000);
  });

  it('accepts the table CSVs and any .xlsx workbook; names workbook problems file:sheet:row: column', () => {
    expect(knownName('accounts.csv')).toBe(true);
    expect(knownName('检查数据.XLSX')).toBe(true);
    expect(knownName('accounts.xls')).toBe(false);
    expect(formatProblem({ file: 'book.xlsx:账号', line: 5, column: 'platform', message: '未知平台' })).toBe('book.xlsx:账号:5: platform: 未知平台');
  });
});
