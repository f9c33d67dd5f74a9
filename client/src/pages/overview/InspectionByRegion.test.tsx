// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import { MockedProvider } from '@apollo/client/testing/react';
import type { MockLink } from '@apollo/client/testing';
import { checkedGroups, InspectionByRegion, inspectionRowHref, LatestRunQuery, OverviewInspectionDocument } from './InspectionByRegion';

const group = (key: string, label: string, checked: number, failed: number) => ({
  __typename: 'InspectionGroup' as const, key, label, checked, failed, passRate: checked ? Math.round(((checked - failed) / checked) * 10000) / 100 : null,
});

function report(asOf: string) {
  return {
    inspectionReport: {
      __typename: 'InspectionReport', regionCode: '35', asOf, checked: 96, failed: 2, passRate: 97.92,
      byRegion: [group('self', '福建省本级', 48, 1), group('3501', '福州市', 48, 1), group('3502', '厦门市', 0, 0)],
    },
  };
}

function mocks(run: { asOf: string } | null): MockLink.MockedResponse[] {
  return [
    { request: { query: LatestRunQuery }, result: { data: { detectionRuns: run ? [{ __typename: 'DetectionRun', id: '7', asOf: run.asOf }] : [] } } },
    { request: { query: OverviewInspectionDocument, variables: { regionCode: '35', asOf: run?.asOf ?? null } }, result: { data: report(run?.asOf ?? '2024-07-01') } },
  ];
}

describe('inspection pass rate by region', () => {
  it('drills down like the matrix and leaves out sub-regions with nothing checked', () => {
    expect(inspectionRowHref({ key: '3501' })).toBe('/overview/3501');
    expect(inspectionRowHref({ key: 'self' })).toBeNull();
    const { shown, hidden } = checkedGroups(report('2024-06-30').inspectionReport.byRegion);
    expect([shown.map((g) => g.key), hidden]).toEqual([['self', '3501'], 1]);
  });

  it('reports for the latest detection run\'s check date: checked, failed and pass rate per sub-region', async () => {
    const onOpen = vi.fn();
    renderUi(
      <MockedProvider mocks={mocks({ asOf: '2024-06-30' })}>
        <InspectionByRegion regionCode="35" onOpen={onOpen} />
      </MockedProvider>,
    );
    await screen.findByText(/检查日 2024-06-30（最近一次检查运行）/);
    const fuzhou = screen.getByRole('link', { name: '福州市' }).closest('tr')!;
    expect(within(fuzhou).getByLabelText('福州市：检查 48 个，不合格 1 个，合格率 97.92%')).toBeTruthy();
    expect(screen.queryByText('厦门市')).toBeNull();
    expect(screen.getByText('另有 1 个下级区划没有参加检查的账号，未列出。')).toBeTruthy();
    expect(screen.getByText('97.92%', { selector: 'strong' })).toBeTruthy(); // the region's total
    fireEvent.click(fuzhou.querySelectorAll('td')[1]);
    expect(onOpen).toHaveBeenCalledWith('/overview/3501');
    fireEvent.click(screen.getByText('福建省本级').closest('tr')!.querySelectorAll('td')[1]);
    expect(onOpen).toHaveBeenCalledTimes(1);
  });

  it('uses today when there has been no detection run', async () => {
    renderUi(
      <MockedProvider mocks={mocks(null)}>
        <InspectionByRegion regionCode="35" onOpen={() => undefined} />
      </MockedProvider>,
    );
    await screen.findByText(/检查日 2024-07-01（今天，尚无检查运行记录）/);
  });
});
