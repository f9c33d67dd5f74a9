// @vitest-environment jsdom
import { renderUi } from '../../test/dom';
import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CombinedGraphQLErrors } from '@apollo/client';
import { commentRequired, DecisionForm } from './DecisionForm';

describe('approval decision form', () => {
  it('requires a comment for reject and request-changes only', () => {
    expect([commentRequired('APPROVE'), commentRequired('REJECT'), commentRequired('REQUEST_CHANGES')]).toEqual([false, true, true]);
  });

  it('approves without a comment', async () => {
    const onDecide = vi.fn().mockResolvedValue(undefined);
    renderUi(<DecisionForm idPrefix="d1" onDecide={onDecide} />);
    await userEvent.click(screen.getByRole('button', { name: /提交：同意/ }));
    await waitFor(() => expect(onDecide).toHaveBeenCalledWith('APPROVE', null));
  });

  it('refuses to send a rejection without a comment and says so beside the field; sends it with one', async () => {
    const onDecide = vi.fn().mockResolvedValue(undefined);
    renderUi(<DecisionForm idPrefix="d2" onDecide={onDecide} />);
    await userEvent.click(screen.getByText('驳回', { selector: 'span' }));
    expect(screen.getByLabelText('审批意见（必填）')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: /提交：驳回/ }));
    await screen.findByText('驳回或退回修改时必须填写审批意见');
    expect(onDecide).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText('审批意见（必填）'), '   ');
    await userEvent.click(screen.getByRole('button', { name: /提交：驳回/ }));
    await waitFor(() => expect(onDecide).not.toHaveBeenCalled());
    await userEvent.type(screen.getByLabelText('审批意见（必填）'), '账号仍在提供预约服务，不能关停');
    await userEvent.click(screen.getByRole('button', { name: /提交：驳回/ }));
    await waitFor(() => expect(onDecide).toHaveBeenCalledWith('REJECT', '账号仍在提供预约服务，不能关停'));
  });

  it('shows the server refusal in Chinese under the form', async () => {
    const err = new CombinedGraphQLErrors({ errors: [{ message: '该审批已作出决定，不能重复审批 (already decided)', extensions: { code: 'CONFLICT' } }] });
    renderUi(<DecisionForm idPrefix="d3" onDecide={vi.fn().mockRejectedValue(err)} />);
    await userEvent.click(screen.getByRole('button', { name: /提交：同意/ }));
    expect((await screen.findByRole('alert')).textContent).toContain('该审批已作出决定，不能重复审批');
  });
});
