import { useState } from 'react';
import { Form, Input, Modal } from 'antd';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';

/**
 * Asks for the reason a finding is dismissed (kept for the audit trail). Only an empty reason is refused here; how long
 * a reason must be is the server's rule alone (dismissFinding: 2 to 500 characters), and its message shows inside.
 */
export function DismissDialog({ open, summary, onCancel, onConfirm }: {
  open: boolean;
  summary: string;
  onCancel(): void;
  onConfirm(reason: string): Promise<void>;
}) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Modal
      open={open}
      title={t('findings.dismissTitle')}
      okText={t('findings.confirmDismiss')}
      cancelText={t('findings.cancel')}
      confirmLoading={busy}
      destroyOnHidden
      onCancel={() => {
        setError(null);
        onCancel();
      }}
      onOk={async () => {
        let reason: string;
        try {
          reason = String((await form.validateFields()).reason ?? '').trim();
        } catch {
          return; // the form shows what is missing next to the field
        }
        if (!reason) {
          // Never send an empty reason, even if the field was not yet registered when the button was pressed.
          form.setFields([{ name: 'reason', errors: [t('findings.dismissReasonRequired')] }]);
          return;
        }
        setBusy(true);
        setError(null);
        try {
          await onConfirm(reason);
          form.resetFields();
        } catch (e) {
          setError(e);
        } finally {
          setBusy(false);
        }
      }}
    >
      <p>{summary}</p>
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          label={t('findings.dismissReason')}
          name="reason"
          rules={[{ required: true, whitespace: true, message: t('findings.dismissReasonRequired') }]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount autoFocus />
        </Form.Item>
      </Form>
      {error ? <ErrorNotice error={error} /> : null}
    </Modal>
  );
}
