// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { MatrixTable, rowHref } from './MatrixTable';
import { cellTone } from './matrix-tone';
import type { MatrixTable_MatrixFragment, Platform } from '../../graphql/generated/graphql';

const PLATFORMS: Platform[] = ['WECHAT', 'WEIBO', 'DOUYIN'];
const cell = (platform: Platform | null, active: number, suspended = 0, closed = 0) => ({
  platform, active, suspended, closed, total: active + suspended + closed,
});

function matrix(): MatrixTable_MatrixFragment {
  const rows = [
    { key: 'self', kind: 'SELF', label: '福建省本级', regionCode: '35', unitId: null, cells: [cell('WECHAT', 4), cell('WEIBO', 2), cell('DOUYIN', 0)] },
    { key: '3501', kind: 'REGION', label: '福州市', regionCode: '3501', unitId: null, cells: [cell('WECHAT', 6, 1), cell('WEIBO', 1, 2), cell('DOUYIN', 0, 0, 3)] },
    { key: '3502', kind: 'REGION', label: '厦门市', regionCode: '3502', unitId: null, cells: [cell('WECHAT', 10, 0, 12), cell('WEIBO', 0), cell('DOUYIN', 0)] },
  ].map((r) => {
    const totalCell = r.cells.reduce((a, c) => ({ ...a, active: a.active + c.active, suspended: a.suspended + c.suspended, closed: a.closed + c.closed, total: a.total + c.total }), cell(null, 0));
    return { ...r, totalCell, live: totalCell.active + totalCell.suspended };
  });
  const totals = PLATFORMS.map((p, i) => rows.reduce((a, r) => ({ ...a, active: a.active + r.cells[i].active, suspended: a.suspended + r.cells[i].suspended, closed: a.closed + r.cells[i].closed, total: a.total + r.cells[i].total }), cell(p, 0)));
  return { platforms: PLATFORMS, rows, totals } as MatrixTable_MatrixFragment;
}

describe('cellTone', () => {
  it('grades by the share of live accounts with a problem', () => {
    expect(cellTone(cell(null, 0))).toBe('empty');
    expect(cellTone(cell(null, 5))).toBe('ok');
    expect(cellTone(cell(null, 8, 1))).toBe('warn'); // 1/9 suspended
    expect(cellTone(cell(null, 7, 3))).toBe('bad'); // 3/10 = 30%
    expect(cellTone(cell(null, 0, 0, 4))).toBe('closed');
    expect(cellTone(cell(null, 10), 4)).toBe('bad'); // 4 accounts with findings out of 10
  });
});

describe('MatrixTable', () => {
  it('shows live counts coloured by problems, one column per used platform', () => {
    renderUi(<MatrixTable matrix={matrix()} onOpen={() => undefined} />);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers).toEqual(['区划 / 单位', '微信公众号', '微博', '抖音', '在用账号']);
    const fuzhou = screen.getByRole('link', { name: '福州市' }).closest('tr')!;
    const cells = within(fuzhou).getAllByText(/^\d+$|^–$/);
    // WeChat 6+1 live (1 of 7 suspended → warn), Weibo 1+2 (2 of 3 → bad), Douyin only closed, total 10 live.
    expect(cells.map((c) => [c.textContent, c.getAttribute('data-tone')])).toEqual([
      ['7', 'warn'], ['3', 'bad'], ['0', 'closed'], ['10', 'bad'],
    ]);
    expect(within(fuzhou).getByLabelText('福州市 · 微博：正常 1，暂停更新 2，已注销 0')).toBeTruthy();
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

  it('sums the platform totals in the summary row', () => {
    renderUi(<MatrixTable matrix={matrix()} onOpen={() => undefined} />);
    // WeChat: active 4 + 6 + 10, suspended 1 → 21 live. All: active 6 + 7 + 10 = 23, suspended 3 → 26 live.
    expect(screen.getByLabelText('各平台合计 · 微信公众号：正常 20，暂停更新 1，已注销 12').textContent).toBe('21');
    expect(screen.getByLabelText('各平台合计 · 合计：正常 23，暂停更新 3，已注销 15').textContent).toBe('26');
  });

  it('leads unit rows to the explorer', () => {
    expect(rowHref({ kind: 'UNIT', regionCode: '350102', unitId: '42' })).toBe('/explorer/units/42');
    expect(rowHref({ kind: 'SELF', regionCode: '35', unitId: null })).toBeNull();
  });
});
