import { useState } from 'react';
import { Button, Form, Input, Radio } from 'antd';
import type { ApprovalDecision } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';

export const DECISIONS: ApprovalDecision[] = ['APPROVE', 'REQUEST_CHANGES', 'REJECT'];

/** Rejecting or sending back needs a comment (the planner must know why); approving may carry one. */
export function commentRequired(decision: ApprovalDecision | undefined): boolean {
  return decision === 'REJECT' || decision === 'REQUEST_CHANGES';
}

/**
 * Approve / request changes / reject one action, with a comment. The comment is required for the last two: the form
 * says so beside the field and sends nothing. The server's refusal (e.g. decided meanwhile) shows below the form.
 */
export function DecisionForm({ idPrefix, onDecide, disabled, unitName }: {
  idPrefix: string;
  /** The unit the decision is made for: named on the button. */
  unitName?: string;
  onDecide(decision: ApprovalDecision, comment: string | null): Promise<void>;
  disabled?: boolean;
}) {
  const { t, tx } = useI18n();
  const [form] = Form.useForm<{ decision: ApprovalDecision; comment?: string }>();
  const decision = Form.useWatch('decision', form);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Form
      form={form}
      name={idPrefix}
      layout="vertical"
      initialValues={{ decision: 'APPROVE' }}
      onFinish={async (v) => {
        setBusy(true);
        setError(null);
        try {
          await onDecide(v.decision, v.comment?.trim() || null);
          form.resetFields();
        } catch (e) {
          setError(e);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form.Item name="decision" label={t('approvals.decision')} style={{ marginBottom: 8 }}>
        <Radio.Group optionType="button" buttonStyle="solid" options={DECISIONS.map((d) => ({ value: d, label: tx('decision', d) }))} />
      </Form.Item>
      <Form.Item
        name="comment"
        label={commentRequired(decision) ? t('approvals.commentRequiredLabel') : t('approvals.comment')}
        rules={[{ required: commentRequired(decision), whitespace: true, message: t('approvals.commentRequired') }]}
        dependencies={['decision']}
        style={{ marginBottom: 8 }}
      >
        <Input.TextArea rows={2} maxLength={1000} placeholder={commentRequired(decision) ? t('approvals.commentPlaceholder') : undefined} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} disabled={disabled} danger={decision === 'REJECT'}>
        {unitName
          ? t('inbox.submitFor', { unit: unitName, decision: tx('decision', decision ?? 'APPROVE') })
          : t('approvals.submitDecision', { decision: tx('decision', decision ?? 'APPROVE') })}
      </Button>
      {error ? <div style={{ marginTop: 8 }}><ErrorNotice error={error} /></div> : null}
    </Form>
  );
}
