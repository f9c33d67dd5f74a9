import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { Plans1732600000000 } from '../../migrations/1732600000000-Plans';
import { ApprovalsByUnit1732810000000 } from '../../migrations/1732810000000-ApprovalsByUnit';

/** The Plans migration has a real down(): undo it, check the tables are gone, apply it again. */
let db: TestDb;
beforeAll(async () => { db = await createTestDb(); });
afterAll(async () => { await db?.close(); });

const TABLES = ['plans', 'plan_revisions', 'plan_actions', 'plan_action_findings', 'plan_approval_requests', 'plan_approvals', 'plan_steps'];
const present = async () => (await db.ds.query(`SELECT table_name FROM information_schema.tables WHERE table_name = ANY($1) ORDER BY 1`, [TABLES]))
  .map((r: { table_name: string }) => r.table_name);

it('down() removes every plans table, function and trigger; up() restores them', async () => {
  expect(await present()).toEqual([...TABLES].sort());
  const m = new Plans1732600000000();
  const later = new ApprovalsByUnit1732810000000();
  const q = db.ds.createQueryRunner();
  await later.down(q);
  await m.down(q);
  expect(await present()).toEqual([]);
  const [fn] = await db.ds.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'plan_approvals_immutable'`);
  expect(fn.n).toBe(0);
  await m.up(q);
  await later.up(q);
  await q.release();
  expect(await present()).toEqual([...TABLES].sort());
  const constraints = await db.ds.query(`SELECT conname FROM pg_constraint WHERE conname LIKE 'plan%' ORDER BY 1`);
  expect(constraints.map((c: { conname: string }) => c.conname)).toEqual(expect.arrayContaining([
    'plan_actions_merge_target_check', 'plan_actions_not_self_check', 'plan_approvals_comment_check', 'plan_steps_action_kind_key',
  ]));
});

it('ApprovalsByUnit down() removes the delegations table and the signing columns; up() restores them', async () => {
  const columns = async () => (await db.ds.query(`SELECT table_name || '.' || column_name AS c FROM information_schema.columns
    WHERE (table_name, column_name) IN (('plan_approvals', 'delegation_id'), ('plan_steps', 'delegation_id'), ('plan_steps', 'confirmed_unit_id'),
      ('approval_delegations', 'unit_id')) ORDER BY 1`)).map((r: { c: string }) => r.c);
  const all = ['approval_delegations.unit_id', 'plan_approvals.delegation_id', 'plan_steps.confirmed_unit_id', 'plan_steps.delegation_id'];
  expect(await columns()).toEqual(all);
  const m = new ApprovalsByUnit1732810000000();
  const q = db.ds.createQueryRunner();
  await m.down(q);
  expect(await columns()).toEqual([]);
  await m.up(q);
  await q.release();
  expect(await columns()).toEqual(all);
});
