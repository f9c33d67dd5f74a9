import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { createSystemContext, type SessionUser } from '../../server/kernel/context';
import { syncWorkOrders } from '../../server/workorders/workorders.service';
import { bj, D, daysBefore, makeAccountsWithPosts, makeTree, Platform } from '../detection/fixture';

/** Rectification work orders end to end: veto finding → work order → the unit answers → detection closes it; overdue → escalated. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let ids: Record<string, number>;
let units: Record<string, { id: number; path: string }>;
const sys = () => createSystemContext(db.ds, db.config);
const user = (id: number, role: string, unit: string): SessionUser => ({ id, username: `u${id}`, role, unitId: units[unit].id, unitPath: units[unit].path });

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  ids = await makeAccountsWithPosts(db.ds, [
    { unit: 'dep350102', handle: 'gl-stale', name: '鼓楼司法', platform: Platform.WECHAT, posts: [bj(daysBefore(20))] },
    { unit: 'dep350203', handle: 'sm-stale', name: '思明公安', platform: Platform.WECHAT, posts: [bj(daysBefore(25))] },
    { unit: 'gov3501', handle: 'fz-ok', name: '福州发布', posts: [bj(daysBefore(1))] },
  ]);
  const rows: { code: string; id: number; path: string }[] = await db.ds.query(`SELECT code, id, path FROM units`);
  units = Object.fromEntries(rows.map((r) => [r.code, { id: r.id, path: r.path }]));
  for (const [id, role, unit] of [[51, 'APPROVER', 'dep350102'], [52, 'APPROVER', 'dep350203'], [53, 'PLANNER', 'dep350102']] as const) {
    await db.ds.query(`INSERT INTO users (id, username, display_name, password_hash, role, unit_id) VALUES ($1, $2, $2, '!', $3, $4)`, [id, `u${id}`, role, units[unit].id]);
  }
  gql = await createGraphqlHarness(db.ds, db.config);
  expect((await gql.exec(`mutation { runDetection(asOf: "${D}") { id } }`)).errors).toBeUndefined();
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const LIST = `{ workOrders { id title status deadline unit { name } escalatedTo { name } answerNote closeReason } }`;

describe('work orders', () => {
  it('a veto finding becomes a work order to the sponsoring unit, due in working days, with a notification', async () => {
    expect(await syncWorkOrders(sys(), { today: D })).toEqual({ created: 2, closed: 0, overdue: 0, escalated: 0, reminded: 0 });
    // Idempotent: no second order for the same finding.
    expect((await syncWorkOrders(sys(), { today: D })).created).toBe(0);
    const mine = await gql.exec(LIST, undefined, user(51, 'APPROVER', 'dep350102'));
    expect(mine.errors).toBeUndefined();
    // 2024-06-30 is a Sunday: ten working days later is Friday 2024-07-12.
    expect(mine.data!.workOrders).toEqual([expect.objectContaining({ title: '两周未更新（否决项）：鼓楼司法', status: 'open', deadline: '2024-07-12', unit: { name: '鼓楼区司法局' } })]);
    const notes = await gql.exec(`{ notifications { kind title body } }`, undefined, user(51, 'APPROVER', 'dep350102'));
    expect(notes.data!.notifications).toEqual([{ kind: 'work_order', title: '新整改工单', body: '两周未更新（否决项）：鼓楼司法。请于 2024-07-12 前完成整改并反馈。' }]);
  });

  it('the unit approver answers; others may not', async () => {
    const [order] = (await gql.exec(LIST, undefined, user(51, 'APPROVER', 'dep350102'))).data!.workOrders;
    const answer = `mutation($id: ID!) { answerWorkOrder(id: $id, note: "已恢复更新", evidence: "https://mp.weixin.qq.com/s/x") { status answerNote } }`;
    expect((await gql.exec(answer, { id: order.id }, user(52, 'APPROVER', 'dep350203'))).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await gql.exec(answer, { id: order.id }, user(53, 'PLANNER', 'dep350102'))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const ok = await gql.exec(answer, { id: order.id }, user(51, 'APPROVER', 'dep350102'));
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.answerWorkOrder).toEqual({ status: 'answered', answerNote: '已恢复更新' });
  });

  it('the next detection run closes the order once the finding no longer holds', async () => {
    await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, $2, '恢复更新', true, 100)`, [ids['gl-stale'], bj(daysBefore(1))]);
    await db.ds.query(`UPDATE accounts SET last_post_at = $2 WHERE id = $1`, [ids['gl-stale'], bj(daysBefore(1))]);
    expect((await gql.exec(`mutation { runDetection(asOf: "${D}") { resolved } }`)).data!.runDetection.resolved).toBeGreaterThanOrEqual(1);
    expect(await syncWorkOrders(sys(), { today: D })).toMatchObject({ created: 0, closed: 1 });
    const [closed] = await db.ds.query(`SELECT status, close_reason FROM work_orders WHERE account_id = $1`, [ids['gl-stale']]);
    expect(closed).toEqual({ status: 'closed', close_reason: '复查已整改（问题不再成立）' });
  });

  it('reminds once before the deadline, then marks overdue and escalates to the supervising unit', async () => {
    expect(await syncWorkOrders(sys(), { today: '2024-07-11' })).toMatchObject({ reminded: 1, overdue: 0 });
    expect(await syncWorkOrders(sys(), { today: '2024-07-11' })).toMatchObject({ reminded: 0 });
    expect(await syncWorkOrders(sys(), { today: '2024-07-15' })).toMatchObject({ overdue: 1, escalated: 1 });
    const city = await gql.exec(LIST, undefined, user(0, 'ADMIN', 'gov3502'));
    expect(city.data!.workOrders).toEqual([expect.objectContaining({ status: 'escalated', unit: { name: '思明区公安分局' }, escalatedTo: { name: '厦门市人民政府' } })]);
    const notes: { unit: string; kind: string }[] = await db.ds.query(
      `SELECT u.code AS unit, n.kind FROM notifications n JOIN units u ON u.id = n.unit_id WHERE n.work_order_id IN (SELECT id FROM work_orders WHERE account_id = $1) ORDER BY n.id`,
      [ids['sm-stale']]);
    expect(notes).toEqual([{ unit: 'dep350203', kind: 'work_order' }, { unit: 'dep350203', kind: 'reminder' }, { unit: 'dep350203', kind: 'overdue' }, { unit: 'gov3502', kind: 'escalated' }]);
  });
});
