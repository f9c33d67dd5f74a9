import { describe, expect, it } from 'vitest';
import { diffSnapshots } from './revision-diff';

describe('what changed since the last revision', () => {
  const r1 = { actions: [
    { id: 1, type: 'merge', accountId: 11, targetAccountId: 12, findingIds: [5, 4] },
    { id: 2, type: 'shutdown', accountId: 13, serviceTargetAccountId: null, contentTargetAccountId: 20, findingIds: [6] },
    { id: 3, type: 'keep', accountId: 14, rectification: '恢复更新', findingIds: [] },
  ] };
  it('lists added, removed and changed actions with the fields that differ; unchanged actions are left out', () => {
    const r2 = { actions: [
      { id: 1, type: 'merge', accountId: 11, targetAccountId: 12, findingIds: [4, 5] },
      { id: 3, type: 'keep', accountId: 14, rectification: '恢复更新：每周至少一次', findingIds: [] },
      { id: 7, type: 'keep', accountId: 13, rectification: '按检查问题整改', findingIds: [6] },
    ] };
    expect(diffSnapshots(r1, r2)).toEqual([
      { kind: 'changed', actionId: '3', accountId: '14', type: 'keep', fields: [{ field: 'rectification', before: '恢复更新', after: '恢复更新：每周至少一次' }] },
      { kind: 'added', actionId: '7', accountId: '13', type: 'keep', fields: [] },
      { kind: 'removed', actionId: '2', accountId: '13', type: 'shutdown', fields: [] },
    ]);
  });
  it('the first revision has nothing to compare with: every action is new', () => {
    expect(diffSnapshots(null, r1).map((c) => c.kind)).toEqual(['added', 'added', 'added']);
    expect(diffSnapshots(r1, null)).toEqual([]);
  });
});
