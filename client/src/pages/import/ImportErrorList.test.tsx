// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { formatProblem, ImportErrorList } from './ImportErrorList';

const problems = [
  { file: 'posts.csv', line: 3, column: 'reads', message: '应为非负整数' },
  { file: 'accounts.csv', line: 12, column: 'unit_code', message: '单位 X-9 不存在' },
  { file: 'accounts.csv', line: 2, column: 'platform', message: '未知平台 wechatt' },
  { file: 'units.csv', line: 0, column: '-', message: '多余的列 foo' },
];

describe('ImportErrorList', () => {
  it('formats problems as file:line: column: reason, whole-file problems without line and column', () => {
    expect(formatProblem(problems[0])).toBe('posts.csv:3: reads: 应为非负整数');
    expect(formatProblem(problems[3])).toBe('units.csv: 多余的列 foo');
  });

  it('lists every problem in file and line order', () => {
    renderUi(<ImportErrorList errors={problems} total={4} />);
    const items = within(screen.getByRole('list', { name: '错误清单' })).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual([
      'accounts.csv:2: platform: 未知平台 wechatt',
      'accounts.csv:12: unit_code: 单位 X-9 不存在',
      'posts.csv:3: reads: 应为非负整数',
      'units.csv: 多余的列 foo',
    ]);
    expect(screen.queryByText(/此处列出前/)).toBeNull();
  });

  it('says when the server listed only the first problems', () => {
    renderUi(<ImportErrorList errors={problems.slice(0, 2)} total={2500} />);
    expect(screen.getByText('共 2500 处问题，此处列出前 2 处。')).toBeTruthy();
  });
});
