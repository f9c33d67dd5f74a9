// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { findingsHref, MatrixTable, rowHref } from './MatrixTable';
import { cellTone, findingsPerLive } from './matrix-tone';
import type { MatrixTable_MatrixFragment, Platform } from '../../graphql/generated/graphql';

const PLATFORMS: Platform[] = ['WECHAT', 'WEIBO', 'DOUYIN'];
const cell = (platform: Platform | null, active: number, suspended = 0, closed = 0, openFindings = 0) => ({
  platform, active, suspended, closed, total: active + suspended + closed, openFindings,
});

/**
 * 福州 has a finding that spans WeChat and Weibo (a name inconsistency): it is in both cells but once in the row,
 * column and grand totals, which come from the server and are not the sums of the cells.
 */
function matrix(): MatrixTable_MatrixFragment {
  const rows = [
    { key: 'self', kind: 'SELF', label: '福建省本级', regionCode: '35', unitId: null, openFindings: 0, cells: [cell('WECHAT', 4), cell('WEIBO', 2), cell('DOUYIN', 0)] },
    { key: '3501', kind: 'REGION', label: '福州市', regionCode: '3501', unitId: null, openFindings: 3, cells: [cell('WECHAT', 6, 1, 0, 1), cell('WEIBO', 1, 2, 0, 3), cell('DOUYIN', 0, 0, 3)] },
    { key: '3502', kind: 'REGION', label: '厦门市', regionCode: '3502', unitId: null, openFindings: 0, cells: [cell('WECHAT', 10, 0, 12), cell('WEIBO', 0), cell('DOUYIN', 0)] },
  ].map((r) => {
    const totalCell = r.cells.reduce((a, c) => ({ ...a, active: a.active + c.active, suspended: a.suspended + c.suspended, closed: a.closed + c.closed, total: a.total + c.total }), cell(null, 0));
    return { ...r, totalCell: { ...totalCell, openFindings: r.openFindings }, live: totalCell.active + totalCell.suspended };
  });
  const totals = PLATFORMS.map((p, i) => rows.reduce((a, r) => ({ ...a, active: a.active + r.cells[i].active, suspended: a.suspended + r.cells[i].suspended, closed: a.closed + r.cells[i].closed, total: a.total + r.cells[i].total, openFindings: a.openFindings + r.cells[i].openFindings }), cell(p, 0)));
  return { platforms: PLATFORMS, rows, totals, openFindings: 3 } as MatrixTable_MatrixFragment;
}

describe('cellTone', () => {
  it('grades by open findings per live account', () => {
    expect(cellTone(cell(null, 0))).toBe('empty');
    expect(cellTone(cell(null, 5))).toBe('ok');
    expect(cellTone(cell(null, 8, 1))).toBe('ok'); // suspended alone is not a finding
    expect(cellTone(cell(null, 8, 1, 0, 4))).toBe('warn'); // 4 / 9 < 0.5
    expect(cellTone(cell(null, 7, 3, 0, 5))).toBe('bad'); // 5 / 10 = 0.5
    expect(cellTone(cell(null, 1, 0, 0, 3))).toBe('bad'); // several findings on one account: 3 per account
    expect(cellTone(cell(null, 0, 0, 4, 1))).toBe('closed');
    expect(findingsPerLive(cell(null, 3, 1, 9, 2))).toBe(0.5);
    expect(findingsPerLive(cell(null, 0, 0, 9, 2))).toBeNull();
  });
});

describe('MatrixTable', () => {
  it('shows live counts coloured by open findings, with the numbers in the accessible name', () => {
    renderUi(<MatrixTable matrix={matrix()} regionCode="35" onOpen={() => undefined} />);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['区划 / 单位', '微信', '微博', '抖音', '在用账号', '待处理问题']);
    expect(screen.getAllByTitle('微信公众号')[0].textContent).toBe('微信'); // condensed header, full name on hover
    const fuzhou = screen.getByRole('link', { name: '福州市' }).closest('tr')!;
    const cells = within(fuzhou).getAllByLabelText(/^福州市 · /);
    // WeChat 1 finding / 7 live → warn; Weibo 3 / 3 → bad; Douyin only closed; the row's 在用账号 is a quantity, not
    // a problem: never coloured.
    expect(cells.map((c) => [c.textContent, c.getAttribute('data-tone')])).toEqual([
      ['7', 'warn'], ['3', 'bad'], ['0', 'closed'], ['10', 'total'],
    ]);
    expect(within(fuzhou).getByLabelText('福州市 · 微博：正常 1，暂停更新 2，已注销 0；待处理问题 3 个（每个在用账号 1.00 个）')).toBeTruthy();
    expect(within(fuzhou).getByLabelText('福州市 · 抖音：正常 0，暂停更新 0，已注销 3；待处理问题 0 个（无在用账号）')).toBeTruthy();
    const xiamen = screen.getByRole('link', { name: '厦门市' }).closest('tr')!;
    expect(within(xiamen).getByLabelText(/^厦门市 · 合计：/).getAttribute('data-tone')).toBe('total');
  });

  it('links the open findings of a sub-region and of the region to the findings list', () => {
    renderUi(<MatrixTable matrix={matrix()} regionCode="35" onOpen={() => undefined} />);
    const links = screen.getAllByRole('link', { name: '查看 3 个待处理问题' });
    expect(links.map((l) => l.getAttribute('href'))).toEqual(['/findings?region=3501&status=OPEN', '/findings?region=35&status=OPEN']);
    expect(findingsHref('350102')).toBe('/findings?region=350102&status=OPEN');
  });

  it('hides platforms nobody in the region uses', () => {
    const m = matrix();
    m.rows.forEach((r) => (r.cells[2] = cell('DOUYIN', 0)));
    m.totals[2] = cell('DOUYIN', 0);
    renderUi(<MatrixTable matrix={m} onOpen={() => undefined} />);
    expect(screen.queryByRole('columnheader', { name: '抖音' })).toBeNull();
  });

  it('drills down: sub-region rows link to their matrix, a row click opens it, the region\'s own row does not', () => {
    const onOpen = vi.fn();
    renderUi(<MatrixTable matrix={matrix()} onOpen={onOpen} />);
    expect(screen.getByRole('link', { name: '厦门市' }).getAttribute('href')).toBe('/overview/3502');
    fireEvent.click(screen.getByRole('link', { name: '福州市' }).closest('tr')!.querySelectorAll('td')[1]);
    expect(onOpen).toHaveBeenCalledWith('/overview/3501');
    fireEvent.click(screen.getByText('福建省本级').closest('tr')!.querySelectorAll('td')[1]);
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('link', { name: '福建省本级' })).toBeNull();
  });

  it('uses the server\'s totals for findings in the summary row, not the sum of the cells', () => {
    renderUi(<MatrixTable matrix={matrix()} onOpen={() => undefined} />);
    // WeChat: active 4 + 6 + 10, suspended 1 → 21 live, 1 finding. All: 26 live, 3 findings (the cells sum to 4).
    expect(screen.getByLabelText('各平台合计 · 微信公众号：正常 20，暂停更新 1，已注销 12；待处理问题 1 个（每个在用账号 0.05 个）').textContent).toBe('21');
    expect(screen.getByLabelText('各平台合计 · 合计：正常 23，暂停更新 3，已注销 15；待处理问题 3 个（每个在用账号 0.12 个）').textContent).toBe('26');
  });

  it('leads unit rows to the explorer', () => {
    expect(rowHref({ kind: 'UNIT', regionCode: '350102', unitId: '42' })).toBe('/explorer/units/42');
    expect(rowHref({ kind: 'SELF', regionCode: '35', unitId: null })).toBeNull();
  });
});
