// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import type { PlanActionRowFragment } from '../../graphql/generated/graphql';
import { ActionsTable } from './ActionsTable';
import { groupIssues, type Issue } from './issues';

const acc = (id: string, name: string, extra: Partial<PlanActionRowFragment['account']> = {}) => ({
  __typename: 'Account' as const, id, name, platform: 'WECHAT' as const, status: 'ACTIVE' as const, isMain: false, followers: 1000,
  unit: { __typename: 'Unit' as const, id: 'u1', name: '福州市公安局' }, postCount: 3, services: [], ...extra,
});
const base = { __typename: 'PlanAction' as const, newName: null, rectification: null, note: null, findingIds: [], findings: [], target: null, serviceTarget: null, contentTarget: null,
  protectedReasons: [] as string[], overrideReason: null, servicesMode: 'MERGE' as const };
const actions: PlanActionRowFragment[] = [
  { ...base, id: '1', type: 'MERGE', account: acc('11', '福州交警'), target: acc('12', '平安福州', { isMain: true }) },
  { ...base, id: '2', type: 'SHUTDOWN', account: acc('12', '平安福州'), protectedReasons: ['关注者 210,000，超过 50,000'], overrideReason: '警务服务统一由省厅账号提供' },
  { ...base, id: '3', type: 'KEEP', account: acc('13', '鼓楼发布'), rectification: '恢复更新', protectedReasons: ['县级及以上政府在该平台的主账号'] },
];
const issue = (severity: 'ERROR' | 'WARNING', actionId: string | null, message: string, code = 'TARGET_CLOSING'): Issue =>
  ({ code: code as Issue['code'], severity, actionId, accountId: null, message });

describe('groupIssues', () => {
  it('puts each issue beside its action, errors and warnings apart; unknown or missing actions go to the plan', () => {
    const g = groupIssues({
      errors: [issue('ERROR', '1', '合并目标「平安福州」本身在本方案中被关停'), issue('ERROR', null, '方案中还没有任何动作', 'EMPTY_PLAN'), issue('ERROR', '99', '旧动作')],
      warnings: [issue('WARNING', '1', '合并目标不是主账号', 'TARGET_NOT_MAIN'), issue('WARNING', '2', '关注者较多', 'MANY_FOLLOWERS')],
    }, ['1', '2', '3']);
    expect(g.byAction.get('1')).toEqual({ errors: [expect.objectContaining({ actionId: '1', severity: 'ERROR' })], warnings: [expect.objectContaining({ code: 'TARGET_NOT_MAIN' })] });
    expect(g.byAction.get('2')!.errors).toHaveLength(0);
    expect(g.byAction.get('2')!.warnings).toHaveLength(1);
    expect(g.byAction.has('3')).toBe(false);
    expect(g.plan.errors.map((e) => e.message)).toEqual(['方案中还没有任何动作', '旧动作']);
    expect([g.errorCount, g.warningCount]).toEqual([3, 2]);
  });

  it('shows each issue in the row of its action, in Chinese, and marks clean actions', () => {
    const g = groupIssues({ errors: [issue('ERROR', '1', '合并目标「平安福州」本身在本方案中被关停 (target closing)')], warnings: [issue('WARNING', '2', '「平安福州」有 210000 位关注者')] }, ['1', '2', '3']);
    renderUi(<ActionsTable actions={actions} issues={g} editable={false} onEdit={vi.fn()} onRemove={vi.fn()} />);
    const row = (id: string) => document.querySelector(`tr[data-action-id="${id}"]`) as HTMLElement;
    const first = within(row('1')).getByRole('list', { name: '该动作的校验问题' });
    expect(first.textContent).toBe('错误：合并目标「平安福州」本身在本方案中被关停');
    expect(row('1').className).toContain('row-has-error');
    expect(within(row('2')).getByRole('list').textContent).toBe('警告：「平安福州」有 210000 位关注者');
    expect(row('2').className).not.toContain('row-has-error');
    expect(within(row('3')).getByText('无问题')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /修改/ })).toBeNull(); // not editable: no edit buttons
  });

  it('marks protected accounts with their reasons and shows the override reason; a merge says what happens to equal services', () => {
    renderUi(<ActionsTable actions={actions} issues={groupIssues(null, [])} editable={false} onEdit={vi.fn()} onRemove={vi.fn()} />);
    const row = (id: string) => document.querySelector(`tr[data-action-id="${id}"]`) as HTMLElement;
    expect(within(row('1')).queryByTestId('protected-badge')).toBeNull();
    expect(within(row('1')).getByText('同名服务并入目标账号')).toBeTruthy();
    expect(within(row('2')).getByTestId('protected-badge').getAttribute('aria-label')).toBe('受保护：关注者 210,000，超过 50,000');
    expect(within(row('2')).getByTestId('protection-note').textContent).toBe('受保护原因：关注者 210,000，超过 50,000关停/合并理由：警务服务统一由省厅账号提供');
    expect(within(row('3')).getByTestId('protected-badge').textContent).toBe('受保护');
    expect(within(row('3')).getByTestId('protection-note').textContent).toBe('受保护原因：县级及以上政府在该平台的主账号');
  });

  it('offers edit and remove per action when the plan is editable', () => {
    const onEdit = vi.fn();
    renderUi(<ActionsTable actions={actions} issues={groupIssues(null, [])} editable onEdit={onEdit} onRemove={vi.fn()} />);
    screen.getByRole('button', { name: '修改：鼓楼发布' }).click();
    expect(onEdit).toHaveBeenCalledWith(actions[2]);
  });
});
