import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { Alert, Button, Form, Input, Modal, Radio, Select, Space, Typography } from 'antd';
import type { AddActionInput, PlanActionRowFragment, PlanActionType, PlanAccountFragment, ServicesMode } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { AccountSelect, type AccountChoice } from '../../components/AccountSelect';
import { ErrorNotice } from '../../components/ErrorNotice';
import { AccountForActionQuery, SuggestedMainQuery } from './plan-documents';

export const ACTION_TYPES: PlanActionType[] = ['MERGE', 'SHUTDOWN', 'KEEP', 'RENAME'];

export interface ActionValues {
  type: PlanActionType;
  accountId: string;
  targetAccountId?: string | null;
  serviceTargetAccountId?: string | null;
  contentTargetAccountId?: string | null;
  newName?: string | null;
  rectification?: string | null;
  findingIds?: string[];
  note?: string | null;
  overrideReason?: string | null;
  servicesMode?: ServicesMode | null;
}

const CLOSING: PlanActionType[] = ['MERGE', 'SHUTDOWN'];

/** Only the fields that belong to the action's type (the server refuses the others). */
export function actionInput(v: ActionValues): AddActionInput {
  const blank = (s?: string | null) => (s && s.trim() ? s.trim() : null);
  return {
    type: v.type,
    accountId: v.accountId,
    targetAccountId: v.type === 'MERGE' ? v.targetAccountId ?? null : null,
    serviceTargetAccountId: v.type === 'SHUTDOWN' ? v.serviceTargetAccountId ?? null : null,
    contentTargetAccountId: v.type === 'SHUTDOWN' ? v.contentTargetAccountId ?? null : null,
    newName: v.type === 'RENAME' ? blank(v.newName) : null,
    rectification: v.type === 'KEEP' ? blank(v.rectification) : null,
    findingIds: v.findingIds ?? [],
    note: blank(v.note),
    overrideReason: CLOSING.includes(v.type) ? blank(v.overrideReason) : null,
    servicesMode: v.type === 'MERGE' ? v.servicesMode ?? 'MERGE' : null,
  };
}

const toChoice = (a?: PlanAccountFragment | null): AccountChoice | null => (a ? { id: a.id, name: a.name, platform: a.platform, status: a.status, unit: a.unit } : null);

/**
 * Add or edit an action. Merge shows the suggested main account of the source's unit on its platform, with the
 * reasons; the findings the action answers are chosen among the source account's open findings. Changing the type
 * of an existing action replaces it (the server keeps types fixed), which the dialog says.
 */
export function ActionDialog({ action, preset, regionCode, onCancel, onSave }: {
  action?: PlanActionRowFragment | null;
  preset?: Partial<ActionValues> | null;
  regionCode?: string;
  onCancel(): void;
  onSave(values: ActionValues): Promise<void>;
}) {
  const { t, tx, count } = useI18n();
  const [form] = Form.useForm<ActionValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const initial = useMemo<Partial<ActionValues>>(() => (action ? {
    type: action.type, accountId: action.account.id, targetAccountId: action.target?.id ?? null,
    serviceTargetAccountId: action.serviceTarget?.id ?? null, contentTargetAccountId: action.contentTarget?.id ?? null,
    newName: action.newName, rectification: action.rectification, findingIds: action.findingIds, note: action.note,
    overrideReason: action.overrideReason, servicesMode: action.servicesMode,
  } : { type: 'MERGE', findingIds: [], servicesMode: 'MERGE', ...preset }), [action, preset]);
  const type = Form.useWatch('type', form) ?? initial.type;
  const accountId = Form.useWatch('accountId', form) ?? initial.accountId;
  const source = useQuery(AccountForActionQuery, { variables: { id: accountId ?? '' }, skip: !accountId });
  const src = source.data?.account;
  const suggestions = useQuery(SuggestedMainQuery, { variables: { unitId: src?.unit.id ?? '' }, skip: !src || type !== 'MERGE' });
  const suggestion = suggestions.data?.suggestedMainAccounts.find((s) => s.platform === src?.platform);
  const typeChanged = Boolean(action && type !== action.type);
  // Protection is known for an account already in the plan (the server computes it per action); for another account
  // the server's validation says so after saving, and the field is there to answer it.
  const protectedReasons = action && action.account.id === accountId ? action.protectedReasons : [];
  const closing = CLOSING.includes(type as PlanActionType);

  useEffect(() => {
    // A finding list for another account makes no sense: keep only citations the new source has.
    if (!src || action?.account.id === src.id) return;
    const own = new Set(src.findings.map((f) => f.id));
    form.setFieldValue('findingIds', (form.getFieldValue('findingIds') as string[] | undefined ?? []).filter((id) => own.has(id)));
  }, [src, action, form]);

  const findingOptions = useMemo(() => {
    const all = new Map<string, { id: string; rule: string; summary: string }>();
    for (const f of [...(action?.findings ?? []), ...(src?.findings ?? [])]) all.set(f.id, f);
    return [...all.values()].map((f) => ({ value: f.id, label: `${tx('rule', f.rule)}：${f.summary}` }));
  }, [action, src, tx]);

  return (
    <Modal
      open
      width={720}
      title={action ? t('action.editTitle') : t('action.addTitle')}
      okText={t('action.save')}
      cancelText={t('findings.cancel')}
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={async () => {
        let v: ActionValues;
        try {
          v = await form.validateFields();
        } catch {
          return;
        }
        setBusy(true);
        setError(null);
        try {
          await onSave({ ...initial, ...v } as ActionValues);
        } catch (e) {
          setError(e);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form form={form} layout="vertical" initialValues={initial} preserve={false}>
        <Form.Item name="type" label={t('action.type')} rules={[{ required: true }]}>
          <Select options={ACTION_TYPES.map((x) => ({ value: x, label: tx('actionType', x) }))} />
        </Form.Item>
        {typeChanged ? <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('action.typeChangeNote')} /> : null}
        <Form.Item name="accountId" label={t('action.account')} rules={[{ required: true, message: t('action.accountRequired') }]}>
          <AccountSelect current={toChoice(action?.account) ?? toChoice(src)} regionCode={regionCode} ariaLabel={t('action.account')} />
        </Form.Item>
        {type === 'MERGE' ? (
          <>
            {suggestion && suggestion.account.id !== accountId ? (
              <Alert
                type="success"
                showIcon
                style={{ marginBottom: 12 }}
                title={t('action.suggested', { name: suggestion.account.name, score: Math.round(suggestion.score) })}
                description={
                  <Space orientation="vertical" size={4}>
                    <span>{t('action.suggestedReasons')}：{suggestion.reasons}</span>
                    <Typography.Text type="secondary">{t('action.suggestedPeers', { n: suggestion.accountsOnPlatform, followers: count(suggestion.account.followers) })}</Typography.Text>
                    <Button size="small" onClick={() => form.setFieldValue('targetAccountId', suggestion.account.id)}>{t('action.useSuggested')}</Button>
                  </Space>
                }
              />
            ) : suggestion && src ? (
              <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('action.sourceIsSuggested', { name: src.name })} description={suggestion.reasons} />
            ) : null}
            <Form.Item name="targetAccountId" label={t('action.target')} rules={[{ required: true, message: t('action.targetRequired') }]}>
              <AccountSelect current={toChoice(action?.target)} extra={suggestion ? [toChoice(suggestion.account)!] : []} status={['ACTIVE']} ariaLabel={t('action.target')} />
            </Form.Item>
          </>
        ) : null}
        {type === 'MERGE' ? (
          <Form.Item name="servicesMode" label={t('action.servicesMode')}>
            <Radio.Group>
              <Radio value="MERGE">{t('action.servicesMode.MERGE')}</Radio>
              <Radio value="KEEP_BOTH">{t('action.servicesMode.KEEP_BOTH')}</Radio>
            </Radio.Group>
          </Form.Item>
        ) : null}
        {type === 'SHUTDOWN' ? (
          <>
            <Form.Item name="serviceTargetAccountId" label={t('action.serviceTarget')} extra={src ? t('action.servicesOf', { n: src.services.length }) : undefined}>
              <AccountSelect current={toChoice(action?.serviceTarget)} status={['ACTIVE']} ariaLabel={t('action.serviceTarget')} />
            </Form.Item>
            <Form.Item name="contentTargetAccountId" label={t('action.contentTarget')} extra={t('action.contentTargetHelp')}>
              <AccountSelect current={toChoice(action?.contentTarget)} status={['ACTIVE']} ariaLabel={t('action.contentTarget')} />
            </Form.Item>
          </>
        ) : null}
        {closing ? (
          <>
            {protectedReasons.length ? (
              <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="protected-alert"
                title={t('action.protectedNote', { name: action!.account.name, why: protectedReasons.join('；') })} />
            ) : null}
            <Form.Item
              name="overrideReason"
              label={t('action.overrideReason')}
              extra={t('action.overrideReasonHelp')}
              rules={protectedReasons.length ? [{ required: true, whitespace: true, message: t('action.overrideReasonRequired') }] : []}
            >
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
          </>
        ) : null}
        {type === 'KEEP' ? (
          <Form.Item name="rectification" label={t('action.rectification')} rules={[{ required: true, whitespace: true, message: t('action.rectificationRequired') }]}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        ) : null}
        {type === 'RENAME' ? (
          <Form.Item name="newName" label={t('action.newName')} rules={[{ required: true, whitespace: true, message: t('action.newNameRequired') }]}>
            <Input maxLength={100} />
          </Form.Item>
        ) : null}
        <Form.Item name="findingIds" label={t('action.findings')} extra={src && src.findings.length === 0 ? t('action.noFindings') : undefined}>
          <Select mode="multiple" allowClear options={findingOptions} placeholder={t('action.findingsPlaceholder')} />
        </Form.Item>
        <Form.Item name="note" label={t('action.note')}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
      </Form>
      {error ? <ErrorNotice error={error} /> : null}
    </Modal>
  );
}
