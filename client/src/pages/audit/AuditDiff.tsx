import { Table } from 'antd';
import { useI18n, hasMessage } from '../../i18n';

type Value = unknown;

/** Enum-like values the client has names for (status, role, platform, decisions…); others shown as they are. */
function valueText(tx: (prefix: string, v: string) => string, key: string, v: Value): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  if (typeof v === 'string') {
    for (const prefix of [key, 'status', 'role', 'platform', 'planStatus', 'findingStatus', 'actionType', 'decision']) {
      const text = tx(prefix, v);
      if (text !== v) return text;
    }
    return v;
  }
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/**
 * Before and after as a table of the fields that changed (and those only on one side), with the field names in the
 * reader's language; raw ids (…Id fields) are left out: the event's account, unit and plan are named above.
 */
export function AuditDiff({ before, after }: { before: Value; after: Value }) {
  const { t, tx } = useI18n();
  const obj = (v: Value): Record<string, Value> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Value>) : v === null || v === undefined ? {} : { value: v });
  const b = obj(before);
  const a = obj(after);
  const fieldName = (k: string) => {
    const key = `auditField.${k}`;
    return hasMessage(key) ? t(key) : k;
  };
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => k !== 'id' && !/Id$|Ids$/.test(k));
  const rows = keys
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]) || !(k in b) || !(k in a))
    .map((k) => ({ key: k, field: fieldName(k), before: k in b ? valueText(tx, k, b[k]) : '—', after: k in a ? valueText(tx, k, a[k]) : '—' }));
  if (!rows.length) return <span>{t('audit.noChanges')}</span>;
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="key"
      dataSource={rows}
      columns={[
        { key: 'field', title: t('audit.field'), dataIndex: 'field', width: 160 },
        { key: 'before', title: t('audit.before'), dataIndex: 'before' },
        { key: 'after', title: t('audit.after'), dataIndex: 'after' },
      ]}
    />
  );
}
