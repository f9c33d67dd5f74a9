import type { Context } from '../kernel/context';
import { transaction } from '../kernel/transaction';
import { Role } from '../common/enums';
import { Scope } from '../kernel/scope';
import { recordAuditMany, SYSTEM_ACTOR } from '../kernel/audit';
import { hashPassword } from './password';

/** Password of every demo user (documented in the README; change or deactivate them in production). */
export const DEMO_PASSWORD = 'Demo@2024';

interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  unitId: number | null;
}

/**
 * Creates the demo users that are missing (idempotent; existing users are never touched):
 * `admin` (ADMIN, no limit); with the province's government (the root unit whose region is `province`):
 * `planner`, `approver`, `auditor` scoped to it; `approver-<citycode>` for every city government
 * (level city, kind government) of the province; and, since an approval is signed by an approver OF the unit asked,
 * `approver-<unit code in lower case>` (display name `<unit name>审批人`) for every other unit of the province that
 * receives approval requests — every unit that sponsors an account, and every unit that supervises one (its recorded
 * supervising unit, or its parent). With no units at all only `admin` is created.
 * Call after seeding; the server also calls it at start. Returns the usernames created.
 */
export async function ensureDemoUsers(ctx: Context, opts: { province?: string } = {}): Promise<string[]> {
  const province = opts.province ?? '35';
  return transaction(ctx, async (tx) => {
    const [prov]: { id: number; name: string; path: string }[] = await tx.em.query(
      `SELECT id, name, path FROM units WHERE parent_id IS NULL AND region_code = $1
        ORDER BY (kind = 'government') DESC, id LIMIT 1`, [province]);
    const cities: { id: number; name: string; region_code: string }[] = await tx.em.query(
      `SELECT DISTINCT ON (u.region_code) u.id, u.name, u.region_code
         FROM units u JOIN regions r ON r.code = u.region_code
        WHERE u.level = 'city' AND u.kind = 'government' AND r.parent_code = $1
        ORDER BY u.region_code, u.depth, u.id`, [province]);
    const wanted: DemoUser[] = [{ username: 'admin', displayName: '系统管理员', role: Role.ADMIN, unitId: null }];
    if (prov) {
      wanted.push(
        { username: 'planner', displayName: `${prov.name}规划员`, role: Role.PLANNER, unitId: prov.id },
        { username: 'approver', displayName: `${prov.name}审批人`, role: Role.APPROVER, unitId: prov.id },
        { username: 'auditor', displayName: `${prov.name}审计员`, role: Role.AUDITOR, unitId: prov.id },
      );
    }
    for (const c of cities) {
      wanted.push({ username: `approver-${c.region_code}`, displayName: `${c.name}审批人`, role: Role.APPROVER, unitId: c.id });
    }
    if (prov) {
      // Units that receive approval requests (plans/workflow.service.ts routes to sponsors and their supervisors).
      const inProvince = Scope.ofPath(prov.path).raw('u', 1);
      const signers: { id: number; code: string; name: string }[] = await tx.em.query(
        `WITH sponsors AS (SELECT DISTINCT a.unit_id AS id FROM accounts a),
              receivers AS (SELECT id FROM sponsors
                            UNION SELECT COALESCE(u.supervisor_id, u.parent_id) FROM units u JOIN sponsors s ON s.id = u.id)
         SELECT u.id, u.code, u.name FROM units u JOIN receivers r ON r.id = u.id
          WHERE ${inProvince.sql}
          ORDER BY u.path`, inProvince.value === null ? [] : [inProvince.value]);
      const taken = new Set(wanted.map((w) => w.unitId).filter((id) => id !== null && wanted.some((w) => w.unitId === id && w.role === Role.APPROVER)));
      for (const u of signers) {
        if (taken.has(u.id)) continue;
        const name = `approver-${u.code.toLowerCase()}`;
        wanted.push({ username: /^[a-z][a-z0-9._-]{1,31}$/.test(name) ? name : `approver-u${u.id}`, displayName: `${u.name}审批人`, role: Role.APPROVER, unitId: u.id });
      }
    }
    const existing: { username: string }[] = await tx.em.query(`SELECT username FROM users WHERE username = ANY($1)`, [wanted.map((w) => w.username)]);
    const have = new Set(existing.map((r) => r.username));
    const missing = wanted.filter((w) => !have.has(w.username));
    if (!missing.length) return [];
    const hash = await hashPassword(DEMO_PASSWORD);
    const created: { id: number; username: string; role: string; unit_id: number | null }[] = await tx.em.query(
      `INSERT INTO users (username, display_name, password_hash, role, unit_id)
       SELECT x.username, x."displayName", $2, x.role, x."unitId"
         FROM jsonb_to_recordset($1::jsonb) AS x(username text, "displayName" text, role text, "unitId" int)
       ON CONFLICT (username) DO NOTHING
       RETURNING id, username, role, unit_id`,
      [JSON.stringify(missing), hash],
    );
    await recordAuditMany(tx, created.map((u) => ({
      actor: SYSTEM_ACTOR, action: 'USER_CREATED', entityType: 'user', entityId: u.id, unitId: u.unit_id,
      after: { id: u.id, username: u.username, role: u.role, unitId: u.unit_id, active: true }, comment: '演示用户 (demo user)',
    })));
    return created.map((u) => u.username);
  });
}
