import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, App, Button, Modal, Select, Space, Typography } from 'antd';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { DraftPlanMutation, PlansListQuery } from '../plans/plan-documents';

export interface SelectedFinding {
  id: string;
  accounts: readonly { id: string; name: string }[];
}

/**
 * The planner's bar above the findings list: draft a new plan from the selected findings (the server builds the
 * actions; this can take a moment and the page stays usable), or add them to an open plan (the editor opens with
 * a new action for the first account, citing the selected findings).
 */
export function PlanFromFindings({ selected, regionCode, onClear }: { selected: SelectedFinding[]; regionCode: string; onClear(): void }) {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const [draft, drafting] = useMutation(DraftPlanMutation);
  const [picking, setPicking] = useState(false);
  const n = selected.length;
  return (
    <div role="region" aria-label={t('findings.planBar')} style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
      <Typography.Text>{n ? t('findings.selected', { n }) : t('findings.selectHint')}</Typography.Text>
      <Button
        type="primary"
        disabled={!n}
        loading={drafting.loading}
        onClick={async () => {
          const res = await draft({ variables: { input: { regionCode, findingIds: selected.map((f) => f.id) } } }).catch(() => null);
          const d = res?.data?.draftPlanFromFindings;
          if (!d) return;
          message.success(t('findings.drafted', { actions: d.actionCount, findings: d.findingsUsed }));
          if (d.skipped.length) {
            modal.info({ title: t('findings.skippedTitle', { n: d.skipped.length }), content: <ul>{d.skipped.map((s) => <li key={s}>{s}</li>)}</ul> });
          }
          onClear();
          navigate(`/plans/${d.plan.id}`);
        }}
      >
        {t('findings.draftPlan')}
      </Button>
      <Button disabled={!n || drafting.loading} onClick={() => setPicking(true)}>{t('findings.addToPlan')}</Button>
      {n ? <Button type="link" onClick={onClear}>{t('findings.clearSelection')}</Button> : null}
      {drafting.loading ? <span role="status">{t('findings.drafting')}</span> : null}
      {drafting.error ? <div style={{ flexBasis: '100%' }}><ErrorNotice error={drafting.error} /></div> : null}
      {picking ? (
        <PickPlan
          onCancel={() => setPicking(false)}
          onPick={(planId) => {
            const account = selected.find((f) => f.accounts.length)?.accounts[0];
            const q = new URLSearchParams({ cite: selected.map((f) => f.id).join(',') });
            if (account) q.set('add', account.id);
            navigate(`/plans/${planId}?${q}`);
          }}
        />
      ) : null}
    </div>
  );
}

function PickPlan({ onCancel, onPick }: { onCancel(): void; onPick(planId: string): void }) {
  const { t } = useI18n();
  const plans = useQuery(PlansListQuery, { variables: { filter: { status: ['DRAFT', 'CHANGES_REQUESTED'] } }, fetchPolicy: 'network-only' });
  const [planId, setPlanId] = useState<string | null>(null);
  const rows = plans.data?.plans.edges.map((e) => e.node) ?? [];
  return (
    <Modal open title={t('findings.addToPlan')} okText={t('findings.openInEditor')} cancelText={t('findings.cancel')} okButtonProps={{ disabled: !planId }} onCancel={onCancel} onOk={() => planId && onPick(planId)}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        {plans.error ? <ErrorNotice error={plans.error} /> : null}
        {plans.data && rows.length === 0 ? <Alert type="info" showIcon title={t('findings.noOpenPlans')} /> : null}
        <label htmlFor="pick-plan">{t('findings.pickPlan')}</label>
        <Select id="pick-plan" style={{ width: '100%' }} loading={plans.loading} value={planId ?? undefined} onChange={setPlanId}
          options={rows.map((p) => ({ value: p.id, label: `${p.title}（${p.actions.length}）` }))} />
        <Typography.Text type="secondary">{t('findings.addToPlanHelp')}</Typography.Text>
      </Space>
    </Modal>
  );
}
