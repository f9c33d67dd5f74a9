/** A revision's snapshot as the server stores it (plan_revisions.snapshot). */
export interface SnapshotAction {
  id: number | string;
  type: string;
  accountId: number | string;
  targetAccountId?: number | string | null;
  serviceTargetAccountId?: number | string | null;
  contentTargetAccountId?: number | string | null;
  newName?: string | null;
  rectification?: string | null;
  findingIds?: (number | string)[];
  overrideReason?: string | null;
  fingerprint?: string;
}

export interface Snapshot {
  title?: string;
  actions: SnapshotAction[];
}

export type FieldName = 'type' | 'targetAccountId' | 'serviceTargetAccountId' | 'contentTargetAccountId' | 'newName' | 'rectification' | 'findingIds' | 'overrideReason';

export interface ActionChange {
  kind: 'added' | 'removed' | 'changed';
  actionId: string;
  accountId: string;
  type: string;
  /** For `changed`: the fields that differ, with before and after values. */
  fields: { field: FieldName; before: unknown; after: unknown }[];
}

const FIELDS: FieldName[] = ['type', 'targetAccountId', 'serviceTargetAccountId', 'contentTargetAccountId', 'newName', 'rectification', 'findingIds', 'overrideReason'];

export function asSnapshot(value: unknown): Snapshot | null {
  if (!value || typeof value !== 'object' || !Array.isArray((value as Snapshot).actions)) return null;
  return value as Snapshot;
}

function norm(field: FieldName, v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (field === 'findingIds' && Array.isArray(v)) return v.map(String).sort().join(',');
  return String(v);
}

/**
 * What changed from one submitted revision to the next: actions added, removed, and changed (field by field).
 * Unchanged actions are left out; the order follows the newer revision, removed actions last.
 */
export function diffSnapshots(before: Snapshot | null, after: Snapshot | null): ActionChange[] {
  if (!after) return [];
  const prev = new Map((before?.actions ?? []).map((a) => [String(a.id), a]));
  const out: ActionChange[] = [];
  for (const a of after.actions) {
    const p = prev.get(String(a.id));
    prev.delete(String(a.id));
    if (!p) {
      out.push({ kind: 'added', actionId: String(a.id), accountId: String(a.accountId), type: a.type, fields: [] });
      continue;
    }
    const fields = FIELDS.filter((f) => norm(f, p[f]) !== norm(f, a[f])).map((f) => ({ field: f, before: p[f] ?? null, after: a[f] ?? null }));
    if (fields.length) out.push({ kind: 'changed', actionId: String(a.id), accountId: String(a.accountId), type: a.type, fields });
  }
  for (const p of prev.values()) out.push({ kind: 'removed', actionId: String(p.id), accountId: String(p.accountId), type: p.type, fields: [] });
  return out;
}
