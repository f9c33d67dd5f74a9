import { describe, expect, it } from 'vitest';
import { compareRows } from './HistoryPage';

const row = (key: string, label: string, live: number, closed: number, openFindings: number) => ({ key, label, live, openFindings, totalCell: { closed } });

describe('compareRows', () => {
  it('matches the rows of both dates by key; a row present on one date only counts 0 on the other', () => {
    const lines = compareRows(
      { rows: [row('self', '福州市本级', 3, 0, 2), row('350102', '鼓楼区', 4, 1, 1)] },
      { rows: [row('self', '福州市本级', 2, 1, 0), row('350103', '台江区', 1, 0, 0)] },
    );
    expect(lines).toEqual([
      { key: 'self', label: '福州市本级', liveA: 3, liveB: 2, closedA: 0, closedB: 1, findingsA: 2, findingsB: 0 },
      { key: '350102', label: '鼓楼区', liveA: 4, liveB: 0, closedA: 1, closedB: 0, findingsA: 1, findingsB: 0 },
      { key: '350103', label: '台江区', liveA: 0, liveB: 1, closedA: 0, closedB: 0, findingsA: 0, findingsB: 0 },
    ]);
  });
});
