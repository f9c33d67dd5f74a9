import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import { importFiles } from '../../server/import/import.service';
import { createSystemContext } from '../../server/kernel/context';
import { AccountStatus, bj, D, daysBefore, makeAccountsWithPosts, makeTree, Platform } from '../detection/fixture';

/** The loop after deregistration: CLOSED_BUT_LIVE and stop-notice accounts, with their look-alikes not flagged. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let ids: Record<string, number>;
let found: Map<string, { rule: string; evidence: Record<string, unknown>; summary: string }[]>;

async function titled(handle: string, at: string, title: string) {
  await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads) VALUES ($1, $2, $3, true, 100)`, [ids[handle], at, title]);
  await db.ds.query(`UPDATE accounts a SET last_post_at = (SELECT max(published_at) FROM posts WHERE account_id = a.id) WHERE id = $1`, [ids[handle]]);
}

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  const closed = AccountStatus.CLOSED;
  ids = await makeAccountsWithPosts(db.ds, [
    // Closed 60 days before D, posted again 10 days before D: CLOSED_BUT_LIVE.
    { unit: 'gov3501', handle: 'back', name: '福州旅游', platform: Platform.DOUYIN, status: closed, posts: [bj(daysBefore(70)), bj(daysBefore(10))] },
    // Closed, the farewell post on the closing day itself, nothing after: not flagged.
    { unit: 'gov3501', handle: 'gone', name: '福州文明', platform: Platform.WEIBO, status: closed, posts: [bj(daysBefore(60), '09:00:00')] },
    // Active but filed as deregistered: CLOSED_BUT_LIVE; filed normally: not.
    { unit: 'gov3502', handle: 'filed-dereg', name: '厦门交通', posts: [bj(daysBefore(2))] },
    { unit: 'gov3502', handle: 'filed-ok', name: '厦门发布', posts: [bj(daysBefore(2))] },
    // Active accounts whose last post is a notice.
    { unit: 'dep350102', handle: 'stop', name: '鼓楼普法', posts: [bj(daysBefore(60))] },
    { unit: 'dep350102', handle: 'stop-then-post', name: '鼓楼法援', platform: Platform.WEIBO, posts: [bj(daysBefore(60))] },
    { unit: 'gov350102', handle: 'holiday', name: '鼓楼发布', posts: [bj(daysBefore(60))] },
    { unit: 'gov350102', handle: 'break', name: '鼓楼发布', platform: Platform.WEIBO, isMain: true, posts: [bj(daysBefore(60))] },
    { unit: 'dep350203', handle: 'stop-recent', name: '思明公安', posts: [bj(daysBefore(60))] },
  ]);
  await db.ds.query(`UPDATE accounts SET closed_on = $2 WHERE id = ANY($1::int[])`, [[ids.back, ids.gone], daysBefore(60)]);
  await db.ds.query(`UPDATE accounts SET filing_status = 'deregistered', filing_changed_on = $2 WHERE id = $1`, [ids['filed-dereg'], daysBefore(30)]);
  await db.ds.query(`UPDATE accounts SET filing_status = 'filed' WHERE id = $1`, [ids['filed-ok']]);
  await titled('stop', bj(daysBefore(30)), '关于“鼓楼普法”微信公众号停止更新的公告');
  await titled('stop-then-post', bj(daysBefore(30)), '本账号即将停止更新，请关注鼓楼司法');
  await titled('stop-then-post', bj(daysBefore(3)), '鼓楼区开展法治宣传活动');
  await titled('holiday', bj(daysBefore(30)), '春节期间暂停更新的通知');
  await titled('break', bj(daysBefore(30)), '因系统升级维护，本号暂停更新三天');
  await titled('stop-recent', bj(daysBefore(5)), '思明公安微信号不再更新，请关注厦门公安');
  gql = await createGraphqlHarness(db.ds, db.config);
  const run = await gql.exec(`mutation { runDetection(asOf: "${D}") { id } }`);
  expect(run.errors).toBeUndefined();
  const rows: { handle: string; rule: string; evidence: Record<string, unknown>; id: number }[] = await db.ds.query(
    `SELECT a.handle, f.rule, f.evidence, f.id FROM findings f JOIN accounts a ON a.id = f.account_id
      WHERE f.rule IN ('CLOSED_BUT_LIVE', 'STOPPED_NOT_DEREGISTERED') AND f.status = 'open'`);
  found = new Map();
  for (const r of rows) {
    const res = await gql.exec(`{ finding(id: "${r.id}") { summary } }`);
    found.set(r.handle, [...(found.get(r.handle) ?? []), { rule: r.rule, evidence: r.evidence, summary: res.data!.finding.summary }]);
  }
}, 60_000);

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

describe('CLOSED_BUT_LIVE', () => {
  it('flags a deregistered account that posts after its deregistration date', () => {
    expect(found.get('back')).toEqual([expect.objectContaining({ rule: 'CLOSED_BUT_LIVE' })]);
    const e = found.get('back')![0];
    expect(e.evidence).toMatchObject({ basis: 'postsAfterClosure', closedOn: daysBefore(60), postsAfter: 1, lastPostDate: daysBefore(10) });
    expect(e.summary).toBe(`账号「福州旅游」（抖音）已于 ${daysBefore(60)} 注销，此后仍发布了 1 条内容（最近一次 ${daysBefore(10)}）`);
  });

  it('does not flag the farewell post of the closing day', () => {
    expect(found.get('gone')).toBeUndefined();
  });

  it('flags a live account filed as deregistered, not one filed normally', () => {
    expect(found.get('filed-dereg')).toEqual([expect.objectContaining({ rule: 'CLOSED_BUT_LIVE', evidence: expect.objectContaining({ basis: 'filedDeregistered' }) })]);
    expect(found.get('filed-ok')).toBeUndefined();
  });
});

describe('STOPPED_NOT_DEREGISTERED after a stop-update notice', () => {
  it('flags an active account that announced it stops updating and went silent', () => {
    const f = found.get('stop');
    expect(f).toEqual([expect.objectContaining({ rule: 'STOPPED_NOT_DEREGISTERED' })]);
    expect(f![0].evidence).toMatchObject({ source: 'notice', daysSuspended: 30, days: 14 });
    expect(f![0].summary).toContain('发布停更公告「关于“鼓楼普法”微信公众号停止更新的公告」后已 30 天未更新，仍未注销');
  });

  it('leaves the look-alikes alone: posting again, a holiday notice, a short break, a notice too recent', () => {
    for (const h of ['stop-then-post', 'holiday', 'break', 'stop-recent']) expect(found.get(h), h).toBeUndefined();
  });

  it('deregistering the account ends the finding; the next run resolves it', async () => {
    await db.ds.query(`UPDATE accounts SET status = 'closed', closed_on = $2 WHERE id = $1`, [ids.stop, daysBefore(1)]);
    const run = await gql.exec(`mutation { runDetection(asOf: "${D}") { resolved } }`);
    expect(run.errors).toBeUndefined();
    const [f] = await db.ds.query(`SELECT status FROM findings WHERE account_id = $1 AND rule = 'STOPPED_NOT_DEREGISTERED'`, [ids.stop]);
    expect(f.status).toBe('resolved');
  });
});

describe('import columns closed_on, filing_status, filing_changed_on', () => {
  it('reads them from accounts.csv and refuses an unknown filing status', async () => {
    await db.ds.query(`UPDATE units SET code = 'XM-GOV' WHERE code = 'gov3502'`);
    const ok = await importFiles(createSystemContext(db.ds, db.config), [{ name: 'accounts.csv', content:
      'platform,handle,name,unit_code,type,status,closed_on,filing_status,filing_changed_on\n'
      + 'wechat,xm-closed,厦门旅游,XM-GOV,publishing,closed,2024-05-01,deregistered,2024-05-03\n' }]);
    expect(ok.errors).toEqual([]);
    const [a] = await db.ds.query(`SELECT closed_on::text, filing_status, filing_changed_on::text FROM accounts WHERE handle = 'xm-closed'`);
    expect(a).toEqual({ closed_on: '2024-05-01', filing_status: 'deregistered', filing_changed_on: '2024-05-03' });
    const bad = await importFiles(createSystemContext(db.ds, db.config), [{ name: 'accounts.csv', content:
      'platform,handle,name,unit_code,type,status,filing_status\nwechat,xm-x,厦门X,XM-GOV,publishing,active,gone\n' }]);
    expect(bad.errors.map((e) => `${e.file}:${e.line}: ${e.column}`)).toEqual(['accounts.csv:2: filing_status']);
    expect(bad.errors[0].message).toContain('不是有效的备案状态');
  });
});
