import { Card, Empty, Timeline, Typography } from 'antd';
import type { PlanActionRowFragment, PlanActionType } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { asSnapshot, diffSnapshots, type ActionChange } from './revision-diff';

export interface RevisionRow {
  id: string;
  number: number;
  comment?: string | null;
  submittedAt: string;
  submittedByName: string;
  snapshot: unknown;
}

/** Account names known from the current actions (sources and destinations), for describing snapshots. */
export function accountNames(actions: readonly PlanActionRowFragment[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of actions) for (const x of [a.account, a.target, a.serviceTarget, a.contentTarget]) if (x) m.set(x.id, x.name);
  return m;
}

/** "What changed since the last revision", action by action, in words. */
export function ChangesList({ changes, names }: { changes: ActionChange[]; names: Map<string, string> }) {
  const { t, tx } = useI18n();
  const name = (id: unknown) => (id === null || id === undefined || id === '' ? t('common.none') : names.get(String(id)) ?? t('revision.accountN', { id: String(id) }));
  const value = (field: string, v: unknown) => {
    if (field.endsWith('AccountId')) return name(v);
    if (field === 'type') return tx('actionType', String(v).toUpperCase());
    if (Array.isArray(v)) return v.length ? v.join('、') : t('common.none');
    return v === null || v === undefined || v === '' ? t('common.none') : String(v);
  };
  if (!changes.length) return <Typography.Text type="secondary">{t('revision.noChanges')}</Typography.Text>;
  return (
    <ul className="plain-list" aria-label={t('revision.changes')}>
      {changes.map((c) => (
        <li key={`${c.kind}-${c.actionId}`} data-change={c.kind}>
          <strong>{t(`revision.${c.kind}`)}</strong>：{tx('actionType', c.type.toUpperCase() as PlanActionType)} · {name(c.accountId)}
          {c.fields.map((f) => (
            <div key={f.field} style={{ fontSize: 12, paddingInlineStart: 16 }}>
              {t(`revision.field.${f.field}`)}：{value(f.field, f.before)} → {value(f.field, f.after)}
            </div>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** The submitted revisions, newest first, each with what changed from the one before. */
export function RevisionHistory({ revisions, actions }: { revisions: readonly RevisionRow[]; actions: readonly PlanActionRowFragment[] }) {
  const { t, dateTime } = useI18n();
  if (!revisions.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('revision.none')} />;
  const names = accountNames(actions);
  const sorted = [...revisions].sort((a, b) => b.number - a.number);
  return (
    <Timeline
      items={sorted.map((r) => {
        const prev = revisions.find((x) => x.number === r.number - 1);
        return {
          key: r.id,
          children: (
            <Card size="small" title={t('revision.title', { n: r.number })} extra={`${r.submittedByName} · ${dateTime(r.submittedAt)}`}>
              {r.comment ? <Typography.Paragraph>{t('revision.comment')}：{r.comment}</Typography.Paragraph> : null}
              {prev ? (
                <ChangesList changes={diffSnapshots(asSnapshot(prev.snapshot), asSnapshot(r.snapshot))} names={names} />
              ) : (
                <Typography.Text type="secondary">{t('revision.first', { n: asSnapshot(r.snapshot)?.actions.length ?? 0 })}</Typography.Text>
              )}
            </Card>
          ),
        };
      })}
    />
  );
}
