import type { Context } from '../kernel/context';
import { commonUnitId, recordAuditMany, type AuditInput } from '../kernel/audit';
import type { FileName } from './csv-schema';
import type { Sql, Staged } from './bulk-load';

/**
 * The audit trail of an import, in the import's transaction: one event per account whose status or name changes
 * (ACCOUNT_STATUS_CHANGED / ACCOUNT_RENAMED), per unit whose parent or name changes (UNIT_MOVED / UNIT_RENAMED), and
 * the summary (CSV_IMPORTED) filed under the lowest common ancestor of every unit the import touched, so each
 * auditor whose scope covers the work sees it. The stored values are read before the load (`captureChanges`), the
 * events written after it (`recordImportAudit`); actor, IP and user agent come from the context.
 */

const REASON = 'CSV 导入';
const CHUNK = 5_000;

interface AccountChange { id: number; handle: string; old_name: string; new_name: string; old_status: string; new_status: string }
interface UnitChange { id: number; code: string; old_name: string; new_name: string; old_parent_id: number | null; old_parent: string | null; new_parent: string | null; moved: boolean }

export interface CapturedChanges {
  accounts: AccountChange[];
  units: UnitChange[];
  /** Units whose rows the import leaves (accounts' current units, moved units' current parents). */
  unitsBefore: number[];
}

/** Reads, before the load, what the staged rows are about to change. Only call once every check has passed. */
export async function captureChanges(sql: Sql, staged: Map<FileName, Staged>): Promise<CapturedChanges> {
  const out: CapturedChanges = { accounts: [], units: [], unitsBefore: [] };
  const accounts = staged.get('accounts.csv');
  if (accounts) {
    out.accounts = await sql.query<AccountChange>(`
      SELECT a.id, a.platform || ':' || a.handle AS handle, a.name AS old_name, s.name AS new_name, a.status AS old_status, s.status AS new_status
        FROM _imp_accounts s JOIN accounts a ON a.platform = s.platform AND a.handle = s.handle
       WHERE a.name IS DISTINCT FROM s.name OR a.status IS DISTINCT FROM s.status
       ORDER BY a.id`);
    const [{ ids }] = await sql.query<{ ids: number[] }>(`
      SELECT coalesce(array_agg(DISTINCT a.unit_id), '{}') AS ids
        FROM _imp_accounts s JOIN accounts a ON a.platform = s.platform AND a.handle = s.handle`);
    out.unitsBefore.push(...ids);
  }
  const units = staged.get('units.csv');
  if (units) {
    const withParent = units.present.has('parent_code');
    out.units = await sql.query<UnitChange>(`
      SELECT u.id, u.code, u.name AS old_name, s.name AS new_name, u.parent_id AS old_parent_id, cp.code AS old_parent,
             ${withParent ? 's.parent_code' : 'cp.code'} AS new_parent,
             ${withParent ? 'cp.code IS DISTINCT FROM s.parent_code' : 'false'} AS moved
        FROM _imp_units s JOIN units u ON u.code = s.code LEFT JOIN units cp ON cp.id = u.parent_id
       WHERE u.name IS DISTINCT FROM s.name ${withParent ? 'OR cp.code IS DISTINCT FROM s.parent_code' : ''}
       ORDER BY u.id`);
    for (const u of out.units) if (u.moved && u.old_parent_id !== null) out.unitsBefore.push(u.old_parent_id);
  }
  return out;
}

/** Writes the per-row events and the summary; call after the load (and the unit path refresh). */
export async function recordImportAudit(tx: Context, sql: Sql, staged: Map<FileName, Staged>, changes: CapturedChanges, summary: Record<string, unknown>): Promise<void> {
  const events: AuditInput[] = [];
  for (const a of changes.accounts) {
    if (a.old_status !== a.new_status) {
      events.push({ action: 'ACCOUNT_STATUS_CHANGED', entityType: 'account', entityId: a.id, accountId: a.id,
        before: { status: a.old_status }, after: { status: a.new_status }, comment: REASON });
    }
    if (a.old_name !== a.new_name) {
      events.push({ action: 'ACCOUNT_RENAMED', entityType: 'account', entityId: a.id, accountId: a.id,
        before: { name: a.old_name }, after: { name: a.new_name }, comment: REASON });
    }
  }
  const moved = changes.units.filter((u) => u.moved);
  // A move is filed under the lowest common ancestor of the old parent and the new position.
  const movedUnder = new Map<number, number>();
  if (moved.length) {
    const rows = await sql.query<{ id: number; under: number }>(`
      SELECT m.id, coalesce((SELECT x.id FROM units x
                              WHERE x.id = ANY (string_to_array(trim(both '/' from op.path), '/')::int[])
                                AND starts_with(nu.path, x.path)
                              ORDER BY x.depth DESC LIMIT 1), m.id) AS under
        FROM unnest($1::int[], $2::int[]) AS m(id, old_parent)
        JOIN units nu ON nu.id = m.id LEFT JOIN units op ON op.id = m.old_parent`,
    [moved.map((u) => u.id), moved.map((u) => u.old_parent_id)]);
    for (const r of rows) movedUnder.set(r.id, r.under);
  }
  for (const u of changes.units) {
    if (u.moved) {
      events.push({ action: 'UNIT_MOVED', entityType: 'unit', entityId: u.id, unitId: movedUnder.get(u.id) ?? u.id,
        before: { code: u.code, parentCode: u.old_parent }, after: { code: u.code, parentCode: u.new_parent }, comment: REASON });
    }
    if (u.old_name !== u.new_name) {
      events.push({ action: 'UNIT_RENAMED', entityType: 'unit', entityId: u.id, unitId: u.id,
        before: { code: u.code, name: u.old_name }, after: { code: u.code, name: u.new_name }, comment: REASON });
    }
  }

  const touched = new Set<number>(changes.unitsBefore);
  for (const id of await unitsTouchedAfter(sql, staged)) touched.add(id);
  const unitId = await commonUnitId(tx, [...touched]);
  events.push({ action: 'CSV_IMPORTED', entityType: 'import', unitId, after: summary });
  for (let i = 0; i < events.length; i += CHUNK) await recordAuditMany(tx, events.slice(i, i + CHUNK));
}

/** Every unit the loaded rows now belong to: the staged units and the units of every staged account. */
async function unitsTouchedAfter(sql: Sql, staged: Map<FileName, Staged>): Promise<number[]> {
  const parts: string[] = [];
  if (staged.has('units.csv')) parts.push(`SELECT u.id FROM _imp_units s JOIN units u ON u.code = s.code`);
  const byAccount = (stage: string) => `
    SELECT a.unit_id FROM (SELECT DISTINCT platform, handle FROM ${stage}) k JOIN accounts a ON a.platform = k.platform AND a.handle = k.handle`;
  if (staged.has('accounts.csv')) parts.push(byAccount('_imp_accounts'));
  if (staged.has('services.csv')) parts.push(byAccount('_imp_services'));
  if (staged.has('posts.csv')) parts.push(byAccount('_imp_posts'));
  if (staged.has('messages.csv')) parts.push(byAccount('_imp_messages'));
  if (!parts.length) return [];
  const [{ ids }] = await sql.query<{ ids: number[] }>(`SELECT coalesce(array_agg(DISTINCT id), '{}') AS ids FROM (${parts.join(' UNION ')}) t(id)`);
  return ids;
}
