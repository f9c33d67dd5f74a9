import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { createSystemContext } from '../../server/kernel/context';
import { addWorkingDays, todayInBeijing } from '../../server/kernel/dates';
import { getPlanPolicy } from '../../server/plans/plan-policy';
import { syncWorkOrders } from '../../server/workorders/workorders.service';
import { makeMatrixWorld, type MatrixWorld } from '../auth/matrix/fixture';

/**
 * A plan's KEEP action (keep but rectify, 保留整改) becomes a rectification work order to the account's sponsoring
 * unit when execution starts, due the policy's working days later; confirming the RECTIFIED step closes it. And the
 * unit reads its notifications (one, or all at once).
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let w: MatrixWorld;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  w = await makeMatrixWorld(db, gql);
}, 60_000);

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const ORDERS = `{ workOrders(first: 100) { id rule title status deadline planStepId unit { name } } }`;

describe('work orders from KEEP actions', () => {
  let stepId: string;

  it('starting execution opens one work order per KEEP action, to the sponsoring unit, with a notification', async () => {
    const p = await w.executing('inside');
    stepId = p.stepId;
    const approver = w.subjects.APPROVER.session;
    const res = await gql.exec(ORDERS, undefined, approver);
    expect(res.errors).toBeUndefined();
    const orders = res.data!.workOrders.filter((o: { rule: string }) => o.rule === 'KEEP_RECTIFY');
    const due = addWorkingDays(todayInBeijing(), 10, getPlanPolicy());
    expect(orders).toEqual([expect.objectContaining({ status: 'open', deadline: due, planStepId: stepId, unit: { name: '福州市人民政府' } })]);
    expect(orders[0].title).toMatch(/^方案 #\d+「矩阵方案 inside \d+」保留整改：新号C3501-\d+（每周至少更新一次）$/);
    const [note] = await db.ds.query(`SELECT kind, body FROM notifications WHERE work_order_id = $1`, [orders[0].id]);
    expect(note).toEqual({ kind: 'work_order', body: `${orders[0].title}。请于 ${due} 前完成整改并反馈。` });
    // The sync does not open a second one; the outside city's planner does not see it.
    await syncWorkOrders(createSystemContext(db.ds, db.config));
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM work_orders WHERE plan_step_id = $1`, [stepId]);
    expect(n).toBe(1);
    const outside = await gql.exec(ORDERS, undefined, w.people.outside.session);
    expect(outside.data!.workOrders.map((o: { id: string }) => o.id)).not.toContain(orders[0].id);
  });

  it('confirming the RECTIFIED step closes the order at the next sync', async () => {
    const ok = await gql.exec(`mutation($id: ID!) { confirmStep(stepId: $id, note: "已整改") { status } }`, { id: stepId }, w.subjects.APPROVER.session);
    expect(ok.errors).toBeUndefined();
    expect((await syncWorkOrders(createSystemContext(db.ds, db.config))).closed).toBeGreaterThanOrEqual(1);
    const [order] = await db.ds.query(`SELECT status, close_reason FROM work_orders WHERE plan_step_id = $1`, [stepId]);
    expect(order).toEqual({ status: 'closed', close_reason: '方案执行已确认整改' });
  });
});

describe('notifications read', () => {
  const UNREAD = `{ notifications(unreadOnly: true, first: 100) { id } }`;

  it('the unit marks one notification read, then all; each audited; auditors may not', async () => {
    const approver = w.subjects.APPROVER.session;
    const unread: { id: string }[] = (await gql.exec(UNREAD, undefined, approver)).data!.notifications;
    expect(unread.length).toBeGreaterThan(0);
    const one = await gql.exec(`mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }`, { id: unread[0].id }, approver);
    expect(one.errors).toBeUndefined();
    expect(one.data!.markNotificationRead.readAt).not.toBeNull();
    expect((await gql.exec(UNREAD, undefined, approver)).data!.notifications).toHaveLength(unread.length - 1);
    const denied = await gql.exec(`mutation { markAllNotificationsRead }`, undefined, w.subjects.AUDITOR.session);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const all = await gql.exec(`mutation { markAllNotificationsRead }`, undefined, approver);
    expect(all.data!.markAllNotificationsRead).toBe(unread.length - 1);
    expect((await gql.exec(UNREAD, undefined, approver)).data!.notifications).toEqual([]);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'NOTIFICATION_READ'`);
    expect(n).toBe(unread.length > 1 ? 2 : 1);
  });
});
