import { createSystemContext } from '../../server/kernel/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeMessages, makeUnits } from '../support/factories';
import { runDetection } from '../../server/detection/detection.service';
import { normalizeName } from '../../server/detection/name-normalize';
import { AccountStatus, AccountType, bj, D, daysBefore, Level, makeAccountsWithPosts, makeTree, Platform, UnitKind } from './fixture';

/**
 * Every rule at its boundaries, on one dataset checked at D = 2024-06-30 (Beijing). Each single-account scenario
 * has its own unit so the rules about groups (redundant, names) stay out of the way.
 */
let db: TestDb;
let ids: Record<string, number> = {};

async function hits(rule: string): Promise<string[]> {
  const rows: { handle: string }[] = await db.ds.query(
    `SELECT DISTINCT a.handle FROM findings f JOIN finding_accounts fa ON fa.finding_id = f.id JOIN accounts a ON a.id = fa.account_id
      WHERE f.rule = $1 AND f.status <> 'resolved' ORDER BY a.handle`, [rule]);
  return rows.map((r) => r.handle);
}

async function evidence(rule: string, handle: string): Promise<Record<string, any>> {
  const [row] = await db.ds.query(
    `SELECT f.evidence FROM findings f JOIN finding_accounts fa ON fa.finding_id = f.id JOIN accounts a ON a.id = fa.account_id
      WHERE f.rule = $1 AND a.handle = $2`, [rule, handle]);
  return row?.evidence;
}

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  // One county-level unit per single-account scenario (under 福州市 / 鼓楼区).
  const solo = ['p13', 'p14', 'p15', 'cut', 'cut1s', 'utc', 'onD', 'never', 'young', 'closed', 'service', 'future', 'replay', 'z90', 'z91',
    'zNever', 'zSusp', 'm5', 'm6', 'mOff', 'mLate', 'mOk', 's30', 's31', 'sNoHist', 'sPost', 'sPost30', 'unfiled', 'blank', 'closedUnfiled',
    'lowCounty', 'lowCity', 'lowHighReads'];
  await makeUnits(db.ds, solo.map((h) => ({
    code: `u_${h}`, name: `单位${h}`, level: h === 'lowCity' ? Level.CITY : Level.COUNTY, kind: UnitKind.DEPARTMENT,
    region: h === 'lowCity' ? '3501' : '350102', parent: 'gov3501',
  })));
  const recent = [bj(daysBefore(1))];
  ids = await makeAccountsWithPosts(db.ds, [
    // NO_UPDATE_14D: last post 13 / 14 / 15 days before D; exactly at the cut-off (D−14 00:00 +08:00); one second earlier.
    { unit: 'u_p13', handle: 'p13', posts: [bj(daysBefore(13))] },
    { unit: 'u_p14', handle: 'p14', posts: [bj(daysBefore(14))] },
    { unit: 'u_p15', handle: 'p15', posts: [bj(daysBefore(15))] },
    { unit: 'u_cut', handle: 'cut', posts: [bj(daysBefore(14), '00:00:00')] },
    { unit: 'u_cut1s', handle: 'cut1s', posts: [bj(daysBefore(15), '23:59:59')] },
    // The same cut-off instant written in UTC: 2024-06-15T16:00:00Z = 2024-06-16 00:00 Beijing.
    { unit: 'u_utc', handle: 'utc', posts: ['2024-06-15T16:00:00Z'] },
    // A post on the check date itself comes after the check instant (D 00:00): it does not count.
    { unit: 'u_onD', handle: 'onD', posts: [bj(daysBefore(20)), bj(D, '09:00:00')] },
    { unit: 'u_never', handle: 'never' },
    { unit: 'u_young', handle: 'young', openedOn: daysBefore(10) },
    { unit: 'u_closed', handle: 'closed', status: AccountStatus.CLOSED, filingNo: null },
    { unit: 'u_service', handle: 'service', type: AccountType.SERVICE },
    // A post after the check date does not count; the rollup is later than D, so the engine looks the posts up.
    { unit: 'u_future', handle: 'future', posts: [bj(daysBefore(5)), bj('2024-07-05')] },
    { unit: 'u_replay', handle: 'replay', posts: [bj(daysBefore(30)), bj('2024-07-05')] },
    // ZOMBIE: 90 days is not "more than 90"; 91 is.
    { unit: 'u_z90', handle: 'z90', posts: [bj(daysBefore(90))] },
    { unit: 'u_z91', handle: 'z91', posts: [bj(daysBefore(91))] },
    { unit: 'u_zNever', handle: 'zNever', type: AccountType.SERVICE },
    { unit: 'u_zSusp', handle: 'zSusp', status: AccountStatus.SUSPENDED },
    // NO_INTERACTION (deadline 5 days)
    { unit: 'u_m5', handle: 'm5', posts: recent },
    { unit: 'u_m6', handle: 'm6', posts: recent },
    { unit: 'u_mOff', handle: 'mOff', posts: recent, interactionEnabled: false },
    { unit: 'u_mLate', handle: 'mLate', posts: recent },
    { unit: 'u_mOk', handle: 'mOk', posts: recent },
    // STOPPED_NOT_DEREGISTERED (30 days): suspension from the history, else the last post, else updated_at.
    { unit: 'u_s30', handle: 's30', status: AccountStatus.SUSPENDED, posts: [bj(daysBefore(200))] },
    { unit: 'u_s31', handle: 's31', status: AccountStatus.SUSPENDED },
    { unit: 'u_sNoHist', handle: 'sNoHist', status: AccountStatus.SUSPENDED },
    { unit: 'u_sPost', handle: 'sPost', status: AccountStatus.SUSPENDED, posts: [bj(daysBefore(31))] },
    { unit: 'u_sPost30', handle: 'sPost30', status: AccountStatus.SUSPENDED, posts: [bj(daysBefore(30))] },
    // UNFILED
    { unit: 'u_unfiled', handle: 'unfiled', filingNo: null, posts: recent },
    { unit: 'u_blank', handle: 'blank', filingNo: '  ', posts: recent },
    { unit: 'u_closedUnfiled', handle: 'closedUnfiled', filingNo: null, status: AccountStatus.CLOSED },
  ]);
  await makeMessages(db.ds, ids.m5, [{ received: bj(daysBefore(5), '08:00:00') }]);
  await makeMessages(db.ds, ids.m6, [{ received: bj(daysBefore(6), '23:00:00') }, { received: bj(daysBefore(20)), replied: bj(daysBefore(19)) }]);
  await makeMessages(db.ds, ids.mLate, [{ received: bj(daysBefore(20)), replied: bj('2024-07-02') }]);
  await makeMessages(db.ds, ids.mOk, [{ received: bj(daysBefore(20)), replied: bj(daysBefore(10)) }]);
  // History: s30 suspended 30 days before D (its old last post does not matter), s31 31 days before (a later change
  // after D is ignored); an import's first sighting (from_status NULL) is not a suspension date.
  await db.ds.query(`INSERT INTO account_status_history (account_id, from_status, to_status, changed_at, source) VALUES
    ($1, 'active', 'suspended', $3, 'import'), ($2, 'active', 'suspended', $4, 'import'), ($2, 'active', 'suspended', '2024-08-01T00:00:00+08:00', 'import'),
    ($5, NULL, 'suspended', '2024-06-25T00:00:00+08:00', 'import')`,
  [ids.s30, ids.s31, bj(daysBefore(30)), bj(daysBefore(31)), ids.sPost]);
  await db.ds.query(`UPDATE accounts SET updated_at = '2024-01-01T00:00:00+08:00' WHERE id = $1`, [ids.sNoHist]);

  // LOW_VALUE: 20 posts in the 90-day window, 200 reads, no originals, 8 of them repeating one title.
  for (const h of ['lowCounty', 'lowCity', 'lowHighReads']) {
    const [acc] = await db.ds.query(
      `INSERT INTO accounts (platform, handle, name, unit_id, type, status, filing_no, opened_on, followers)
       VALUES ('wechat', $1, $1, (SELECT id FROM units WHERE code = $2), 'publishing', 'active', 'F-' || $1, '2020-01-01', 100) RETURNING id`,
      [h, `u_${h}`]);
    ids[h] = acc.id;
    await db.ds.query(
      `INSERT INTO posts (account_id, published_at, title, original, reads)
       SELECT $1, ($2::date - g)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '10 hours',
              CASE WHEN g <= 8 THEN '本周工作动态' ELSE '通知 ' || g END, false, $3
         FROM generate_series(1, 20) g`, [acc.id, D, h === 'lowHighReads' ? 5000 : 200]);
    await db.ds.query(`UPDATE accounts SET last_post_at = (SELECT max(published_at) FROM posts WHERE account_id = $1), post_count = 20 WHERE id = $1`, [acc.id]);
  }

  // Groups: 鼓楼区司法局 has three WeChat accounts (redundant) …
  Object.assign(ids, await makeAccountsWithPosts(db.ds, [
    { unit: 'dep350102', handle: 'sj-main', name: '鼓楼司法', followers: 123_456, posts: Array.from({ length: 30 }, (_, i) => bj(daysBefore(i + 1))) },
    { unit: 'dep350102', handle: 'sj-big-unfiled', name: '鼓楼普法', followers: 500_000, filingNo: null, posts: [bj(daysBefore(2))] },
    { unit: 'dep350102', handle: 'sj-susp', name: '掌上12348', followers: 800, status: AccountStatus.SUSPENDED },
    { unit: 'dep350102', handle: 'sj-closed', name: '已关', status: AccountStatus.CLOSED },
  ]));
  // … names: 鼓楼区人民政府 uses 「鼓樓發佈」 (traditional, quoted) on WeChat and 鼓楼 发布 on Weibo: the same name.
  // 思明区公安分局: 平安思明 on WeChat, 思明公安 on Weibo (differs), an app called 思明政务 (not compared).
  Object.assign(ids, await makeAccountsWithPosts(db.ds, [
    { unit: 'gov350102', handle: 'gl-wx', name: '「鼓樓發佈」', platform: Platform.WECHAT, posts: [bj(daysBefore(1))] },
    { unit: 'gov350102', handle: 'gl-wb', name: '鼓楼 发布', platform: Platform.WEIBO, posts: [bj(daysBefore(1))] },
    { unit: 'dep350203', handle: 'sm-wx', name: '平安思明', platform: Platform.WECHAT, followers: 9000, posts: [bj(daysBefore(1))] },
    { unit: 'dep350203', handle: 'sm-wb', name: '思明公安', platform: Platform.WEIBO, posts: [bj(daysBefore(1))] },
    { unit: 'dep350203', handle: 'sm-dy', name: '《平安·思明》', platform: Platform.DOUYIN, posts: [bj(daysBefore(1))] },
    { unit: 'dep350203', handle: 'sm-app', name: '思明政务', platform: Platform.APP, type: AccountType.SERVICE },
  ]));

  await runDetection(createSystemContext(db.ds), { asOf: D });
});

afterAll(async () => {
  await db?.close();
});

describe('NO_UPDATE_14D (window D−14 … D−1, cut-off (D−14) 00:00 Beijing, check instant D 00:00)', () => {
  it('flags 15 days, not 13 or 14; a post exactly at the cut-off counts, one second earlier does not', async () => {
    const flagged = await hits('NO_UPDATE_14D');
    expect(flagged).toContain('p15');
    expect(flagged).toContain('cut1s');
    expect(flagged).not.toContain('p13');
    expect(flagged).not.toContain('p14');
    expect(flagged).not.toContain('cut');
    expect(flagged).not.toContain('utc');
    const e = await evidence('NO_UPDATE_14D', 'p15');
    expect(e).toMatchObject({ checkDate: D, days: 14, windowStart: '2024-06-16', windowEnd: '2024-06-29', lastPostDate: '2024-06-15',
      daysSinceLastPost: 15, neverPosted: false });
  });

  it('ignores a post made on the check date (after the check instant)', async () => {
    expect(await hits('NO_UPDATE_14D')).toContain('onD');
    expect((await evidence('NO_UPDATE_14D', 'onD')).daysSinceLastPost).toBe(20);
  });

  it('flags never-posted publishing accounts, not young, service, closed or suspended ones', async () => {
    const flagged = await hits('NO_UPDATE_14D');
    expect(flagged).toContain('never');
    expect((await evidence('NO_UPDATE_14D', 'never')).neverPosted).toBe(true);
    for (const h of ['young', 'service', 'closed', 'zSusp', 'sj-susp']) expect(flagged).not.toContain(h);
  });

  it('ignores posts after the check date (replay)', async () => {
    const flagged = await hits('NO_UPDATE_14D');
    expect(flagged).not.toContain('future');
    expect(flagged).toContain('replay');
    expect((await evidence('NO_UPDATE_14D', 'replay')).daysSinceLastPost).toBe(30);
  });
});

describe('ZOMBIE (more than 90 days)', () => {
  it('flags 91 days and never-posted, not 90 days; skips suspended and closed accounts', async () => {
    const flagged = await hits('ZOMBIE');
    expect(flagged).toContain('z91');
    expect(flagged).toContain('zNever');
    expect(flagged).toContain('never');
    expect(flagged).not.toContain('z90');
    expect(flagged).not.toContain('young');
    expect(flagged).not.toContain('zSusp');
    expect(flagged).not.toContain('closed');
    expect((await evidence('ZOMBIE', 'z91')).daysSinceLastPost).toBe(91);
    expect((await evidence('ZOMBIE', 'zNever')).neverPosted).toBe(true);
  });
});

describe('NO_INTERACTION (reply deadline 5 days)', () => {
  it('flags interaction switched off and messages unanswered for more than 5 days (as of the check date)', async () => {
    const flagged = await hits('NO_INTERACTION');
    expect(flagged).toEqual(expect.arrayContaining(['m6', 'mOff', 'mLate']));
    expect(flagged).not.toContain('m5');
    expect(flagged).not.toContain('mOk');
    expect(await evidence('NO_INTERACTION', 'm6')).toMatchObject({ interactionEnabled: true, overdueUnanswered: 1, replyDeadlineDays: 5 });
    expect(await evidence('NO_INTERACTION', 'mOff')).toMatchObject({ interactionEnabled: false, overdueUnanswered: 0 });
  });
});

describe('STOPPED_NOT_DEREGISTERED (30 days)', () => {
  it('uses the latest suspension before the check date, else the last post, else updated_at', async () => {
    const flagged = await hits('STOPPED_NOT_DEREGISTERED');
    expect(flagged).toContain('s31');
    expect(flagged).not.toContain('s30');
    expect(flagged).toContain('sNoHist');
    expect(flagged).toContain('sPost');
    expect(flagged).not.toContain('sPost30');
    expect((await evidence('STOPPED_NOT_DEREGISTERED', 'sPost')).source).toBe('last_post');
    expect(await evidence('STOPPED_NOT_DEREGISTERED', 's31')).toMatchObject({ daysSuspended: 31, source: 'history' });
    expect((await evidence('STOPPED_NOT_DEREGISTERED', 'sNoHist')).source).toBe('updated_at');
  });
});

describe('UNFILED', () => {
  it('flags live accounts without a filing number (blank counts as none), never closed ones', async () => {
    const flagged = await hits('UNFILED');
    expect(flagged).toEqual(expect.arrayContaining(['unfiled', 'blank', 'sj-big-unfiled']));
    expect(flagged).not.toContain('closedUnfiled');
    expect(flagged).not.toContain('closed');
  });
});

describe('REDUNDANT_SAME_PLATFORM', () => {
  it('one finding per unit and platform with every non-closed member, the active filed account suggested as main', async () => {
    const rows = await db.ds.query(`SELECT f.id, f.evidence, f.suggested_main_id FROM findings f WHERE f.rule = 'REDUNDANT_SAME_PLATFORM'`);
    expect(rows).toHaveLength(1);
    const members: { handle: string; role: string }[] = await db.ds.query(
      `SELECT a.handle, fa.role FROM finding_accounts fa JOIN accounts a ON a.id = fa.account_id WHERE fa.finding_id = $1 ORDER BY a.handle`, [rows[0].id]);
    expect(members).toEqual([
      { handle: 'sj-big-unfiled', role: 'member' },
      { handle: 'sj-main', role: 'suggested_main' },
      { handle: 'sj-susp', role: 'member' },
    ]);
    expect(rows[0].suggested_main_id).toBe(ids['sj-main']);
    // Eligible (active + filed) beats more followers; reasons spelled out.
    expect(rows[0].evidence.suggestedMain.reasons).toBe('状态正常；已备案；粉丝 12.3 万；近 90 天发布 30 条，为同组最多');
    expect(rows[0].evidence.count).toBe(3);
  });
});

describe('NAME_INCONSISTENT', () => {
  it('normalises script, spaces, punctuation and quote marks', () => {
    expect(normalizeName('「鼓樓發佈」')).toBe('鼓楼发布');
    expect(normalizeName('鼓楼 发布')).toBe('鼓楼发布');
    expect(normalizeName('《平安·思明》')).toBe('平安思明');
    expect(normalizeName('“福州發布”')).toBe(normalizeName('福州发布'));
  });

  it('flags a unit whose platforms carry different names, not script or decoration differences; apps are not compared', async () => {
    const flagged = await hits('NAME_INCONSISTENT');
    expect(flagged).toEqual(['sm-dy', 'sm-wb', 'sm-wx']);
    const e = await db.ds.query(`SELECT evidence FROM findings WHERE rule = 'NAME_INCONSISTENT'`);
    expect(e).toHaveLength(1);
    expect(e[0].evidence.expectedName).toBe('平安思明');
    expect(e[0].evidence.accounts.filter((a: { differs: boolean }) => a.differs).map((a: { name: string }) => a.name)).toEqual(['思明公安']);
  });
});

describe('LOW_VALUE (county/township, 90-day window)', () => {
  it('flags a county account with low reads, no originals, irregular and repeated posts; not a city one, not high reads', async () => {
    const flagged = await hits('LOW_VALUE');
    expect(flagged).toContain('lowCounty');
    expect(flagged).not.toContain('lowCity');
    expect(flagged).not.toContain('lowHighReads');
    const e = await evidence('LOW_VALUE', 'lowCounty');
    expect(e).toMatchObject({ posts: 20, medianReads: 200, originals: 0, repeatedPosts: 7, score: 4,
      signals: { lowReads: true, fewOriginals: true, irregular: true, repeated: true } });
  });
});

describe('LEVEL_NOT_ALLOWED', () => {
  it('is off by default', async () => {
    expect(await hits('LEVEL_NOT_ALLOWED')).toEqual([]);
  });
});

describe('the run record', () => {
  it('records check date, scope, policy versions and counts by rule', async () => {
    const [run] = await db.ds.query(`SELECT * FROM detection_runs ORDER BY id DESC LIMIT 1`);
    expect(run.as_of).toBeDefined();
    expect(run.region_code).toBeNull();
    expect(run.policy_versions).toEqual({ 0: 1 });
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM findings`);
    expect(run.found).toBe(n);
    expect(run.created).toBe(n);
    expect(Object.values(run.counts_by_rule as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(n);
    expect(run.counts_by_rule.REDUNDANT_SAME_PLATFORM).toBe(1);
    expect(run.duration_ms).toBeGreaterThanOrEqual(0);
  });
});
