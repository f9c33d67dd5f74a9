// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { CombinedGraphQLErrors } from '@apollo/client';
import { needsOverride, prerequisites, StepEvidence } from './ExecutionPanel';
import { ImpactBasis } from '../plans/ImpactPanel';

describe('execution: evidence, overrides, order', () => {
  it('shows the notice evidence with the post it was matched to', () => {
    renderUi(<StepEvidence s={{ overrideReason: null, evidence: { title: '停止更新', url: 'https://weibo.com/p/1', matchedPost: { id: 7, title: '关于本账号停止更新的公告', publishedAt: '2024-07-01T02:00:00.000Z' } } }} />);
    const text = screen.getByTestId('step-evidence').textContent;
    expect(text).toContain('证据：「停止更新」 https://weibo.com/p/1');
    expect(text).toContain('核对到的发布内容：「关于本账号停止更新的公告」');
    expect(screen.getByRole('link', { name: 'https://weibo.com/p/1' }).getAttribute('href')).toBe('https://weibo.com/p/1');
  });

  it('shows a RECTIFIED override reason, and the detection run only when no override was needed', () => {
    const { unmount } = renderUi(<StepEvidence s={{ overrideReason: '已恢复每周更新，下次检查核实', evidence: { detectionRunId: 4, openFindings: [9] } }} />);
    expect(screen.getByTestId('step-evidence').textContent).toBe('确认理由：已恢复每周更新，下次检查核实');
    unmount();
    renderUi(<StepEvidence s={{ overrideReason: null, evidence: { detectionRunId: 4 } }} />);
    expect(screen.getByTestId('step-evidence').textContent).toBe('检查运行 #4 显示问题已整改');
  });

  it('asks for an override only when the server says the cited findings are still open', () => {
    const refusal = (details: unknown) => new CombinedGraphQLErrors({ errors: [{ message: '不能确认「已整改」', extensions: { code: 'CONFLICT', details } }] });
    expect(needsOverride(refusal({ openFindings: [3], detectionRunId: null }))).toBe(true);
    expect(needsOverride(refusal(undefined))).toBe(false);
    expect(needsOverride(new Error('network'))).toBe(false);
  });

  it('a merge deregisters only after the followers were told, a shutdown only after the notice', () => {
    expect(prerequisites('MERGE', 'DEREGISTERED')).toEqual(['CONTENT_MIGRATED', 'SERVICES_MIGRATED', 'FOLLOWERS_NOTIFIED']);
    expect(prerequisites('SHUTDOWN', 'DEREGISTERED')).toContain('NOTICE_PUBLISHED');
  });

  it('says whether the impact is the live preview or frozen with a revision', () => {
    const { unmount } = renderUi(<ImpactBasis impact={{ revision: null, frozenAt: null, frozenOn: null }} />);
    expect(screen.getByTestId('impact-basis').getAttribute('data-frozen')).toBe('false');
    unmount();
    renderUi(<ImpactBasis impact={{ revision: 2, frozenAt: '2024-07-01T02:00:00.000Z', frozenOn: 'approved' }} />);
    expect(screen.getByTestId('impact-basis').textContent).toMatch(/^第 2 版审批同意时冻结的数字（2024.*）：审批人看到并据以决定的影响$/);
  });
});
