import { createSystemContext } from '../../server/kernel/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts } from '../support/factories';
import { runDetection } from '../../server/detection/detection.service';
import { evaluate } from '../../server/detection/detection.engine';
import { D, Level, makeTree, Platform, UnitKind } from './fixture';
import { makeUnits } from '../support/factories';
import { movePosts, type SourceRow } from '../../server/plans/moves';

/**
 * The window rules (LOW_VALUE, REDUNDANT_SAME_PLATFORM's posts90) read the window's posts in one set-based statement
 * per rule, pruned to the window's months (issue 14). Their figures must equal a recomputation account by account
 * from the posts: on posts spread over partitioned months and the default partition with instants at the window's
 * edges, after posts move between accounts (a merge: migrated posts are the receiver's archive and no longer the
 * sender's own), and after more posts arrive in a new month (a re-import).
 */
let db: TestDb;
let ids: Record<string, number> = {};
const LO = '2024-04-01T00:00:00+08:00'; // D − 90 days, 00:00 Beijing
const CHECK = '2024-06-30T00:00:00+08:00'; // D 00:00 Beijing (exclusive)
const WECHAT = Array.from({ length: 8 }, (_, i) => `wc${i}`);
const WEIBO = Array.from({ length: 6 }, (_, i) => `wb${i}`);

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TITLES = ['工作简报（第一期）', '关于做好防汛工作的通知', '关于做好防汛工作的通知', '周工作动态', '政策解读'];

/** `count` posts of one account between `from` and `to` (ms), plus posts exactly at the window's edges. */
async function addPosts(handle: string, seed: number, count: number, from: number, to: number, lowReads: boolean): Promise<void> {
  const r = rng(seed);
  const times: string[] = [LO, new Date(Date.parse(LO) - 1000).toISOString(), CHECK, new Date(Date.parse(CHECK) - 1000).toISOString()];
  for (let i = 0; i < count; i++) times.push(new Date(from + Math.floor(r() * (to - from) / 1000) * 1000).toISOString());
  const titles = times.map((_, i) => (r() < 0.5 ? TITLES[Math.floor(r() * TITLES.length)] : `${handle} 原创 ${seed}-${i}`));
  const reads = times.map(() => Math.floor(r() * (lowReads ? 1500 : 6000)));
  const original = times.map(() => r() < 0.3);
  await db.ds.query(
    `INSERT INTO posts (account_id, published_at, title, original, reads)
     SELECT $1, t, ti, o, rd FROM unnest($2::timestamptz[], $3::text[], $4::boolean[], $5::int[]) AS x(t, ti, o, rd)
     ON CONFLICT DO NOTHING`,
    [ids[handle], times, titles, original, reads]);
}

/** The own-post rollups (last_post_at, post_count), as import and plan execution keep them. */
async function rollups(): Promise<void> {
  await db.ds.query(`
    UPDATE accounts a SET last_post_at = s.last, post_count = COALESCE(s.n, 0)
      FROM (SELECT a2.id, max(p.published_at) AS last, count(p.*)::int AS n FROM accounts a2
              LEFT JOIN posts p ON p.account_id = a2.id AND p.origin_account_id IS NULL GROUP BY a2.id) s
     WHERE s.id = a.id`);
}

interface Expected { handle: string; n: number; med: number; orig: number; routine: number; weeks: number; dupes: number; flagged: boolean }

/** LOW_VALUE's figures recomputed account by account, straight from the posts. */
async function expectedLowValue(): Promise<Expected[]> {
  const rows: Record<string, unknown>[] = await db.ds.query(`
    SELECT a.handle, count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY p.reads) AS med,
           count(*) FILTER (WHERE p.original AND p.title !~ $3)::int AS orig,
           count(*) FILTER (WHERE p.title ~ $3)::int AS routine,
           count(DISTINCT floor(extract(epoch FROM $2::timestamptz - p.published_at) / 604800))::int AS weeks,
           (count(*) - count(DISTINCT p.title))::int AS dupes
      FROM accounts a JOIN posts p ON p.account_id = a.id AND p.origin_account_id IS NULL
     WHERE p.published_at >= $1 AND p.published_at < $2
     GROUP BY a.handle ORDER BY a.handle`, [LO, CHECK, '工作简报|工作周报|工作月报|周工作|工作汇报|工作动态']);
  return rows.map((r) => {
    const e = { handle: r.handle as string, n: Number(r.n), med: Number(r.med), orig: Number(r.orig), routine: Number(r.routine),
      weeks: Number(r.weeks), dupes: Number(r.dupes), flagged: false };
    const score = Number(e.med < 1000) + Number(e.orig * 30 / 90 < 1) + Number(e.weeks / 13 < 0.5) + Number(e.dupes / e.n > 0.3);
    e.flagged = e.med < 1000 && score >= 2;
    return e;
  });
}

async function actualLowValue(): Promise<Expected[]> {
  const rows: { handle: string; e: Record<string, any> }[] = await db.ds.query(`
    SELECT a.handle, f.evidence AS e FROM findings f JOIN accounts a ON a.id = f.account_id
     WHERE f.rule = 'LOW_VALUE' AND f.status = 'open' ORDER BY a.handle`);
  return rows.map(({ handle, e }) => ({ handle, n: e.posts, med: Number(e.medianReads), orig: e.originals, routine: e.routineReports,
    weeks: e.activeWeeks, dupes: e.repeatedPosts, flagged: true }));
}

/** Own posts in the 90 days before D, account by account. */
async function expectedPosts90(): Promise<Record<string, number>> {
  const rows: { handle: string; n: number }[] = await db.ds.query(`
    SELECT a.handle, count(p.*)::int AS n FROM accounts a
      LEFT JOIN posts p ON p.account_id = a.id AND p.origin_account_id IS NULL AND p.published_at >= $1 AND p.published_at < $2
     WHERE a.handle = ANY($3) GROUP BY a.handle`, [LO, CHECK, [...WECHAT, ...WEIBO]]);
  return Object.fromEntries(rows.map((r) => [r.handle, r.n]));
}

async function actualPosts90(): Promise<Record<string, number>> {
  const rows: { members: { id: number; posts90: number }[] }[] = await db.ds.query(
    `SELECT evidence -> 'members' AS members FROM findings WHERE rule = 'REDUNDANT_SAME_PLATFORM' AND status = 'open'`);
  const byId = Object.fromEntries(Object.entries(ids).map(([h, id]) => [id, h]));
  return Object.fromEntries(rows.flatMap((r) => r.members.map((m) => [byId[m.id], m.posts90])));
}

async function checkAgainstRecomputation(): Promise<void> {
  await rollups();
  await runDetection(createSystemContext(db.ds), { asOf: D });
  const expected = (await expectedLowValue()).filter((e) => e.flagged).map((e) => ({ ...e, med: Math.round(e.med * 10) / 10 }));
  expect(expected.length).toBeGreaterThan(2);
  expect(await actualLowValue()).toEqual(expected);
  expect(await actualPosts90()).toEqual(await expectedPosts90());
}

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  await makeUnits(db.ds, [{ code: 'u_win', name: '鼓楼区统计局', level: Level.COUNTY, kind: UnitKind.DEPARTMENT, region: '350102', parent: 'gov3501' }]);
  ids = await makeAccounts(db.ds, [
    ...WECHAT.map((handle) => ({ unit: 'dep350102', handle, platform: Platform.WECHAT })),
    ...WEIBO.map((handle) => ({ unit: 'u_win', handle, platform: Platform.WEIBO })),
  ]);
  // April and June 2024 get partitions of their own; March and May stay in the default partition.
  await db.ds.query(`SELECT posts_ensure_months(ARRAY['2024-04-15T00:00:00+08:00', '2024-06-15T00:00:00+08:00']::timestamptz[])`);
  const from = Date.parse('2024-02-20T00:00:00+08:00');
  const to = Date.parse('2024-07-03T00:00:00+08:00');
  let seed = 1;
  for (const h of [...WECHAT, ...WEIBO]) await addPosts(h, seed++, 20 + (seed % 5) * 12, from, to, seed % 3 !== 0);
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe('window rules: set-based figures equal a recomputation from the posts', () => {
  it('after the posts are loaded (partitions, default partition, window edges)', async () => {
    const [{ parts }] = await db.ds.query(`SELECT count(DISTINCT tableoid)::int AS parts FROM posts`);
    expect(parts).toBeGreaterThanOrEqual(3);
    await checkAgainstRecomputation();
  });

  it('after a merge moves posts between accounts', async () => {
    // wc1's posts move to wc0 (its archive there, origin wc1); wb2's move to wb3.
    // plans/moves.ts, as a plan's merge step runs it (a title clash at the same instant gets the source's name).
    const ctx = createSystemContext(db.ds);
    const src = (handle: string) => ({ id: ids[handle], name: handle }) as SourceRow;
    expect(await movePosts(ctx, src('wc1'), ids.wc0)).toBeGreaterThan(0);
    expect(await movePosts(ctx, src('wb2'), ids.wb3)).toBeGreaterThan(0);
    await checkAgainstRecomputation();
  });

  it('posts90 over a window that starts mid-month, from months current or not (a hand-written post)', async () => {
    // D = 2024-06-15: the window is 2024-03-17 … 06-14, so March and June are partial months, April and May whole.
    const asOf = '2024-06-15';
    const lo = '2024-03-17T00:00:00+08:00';
    const check = '2024-06-15T00:00:00+08:00';
    const expected = async () => Object.fromEntries((await db.ds.query(`
      SELECT a.handle, count(p.*)::int AS n FROM accounts a
        LEFT JOIN posts p ON p.account_id = a.id AND p.origin_account_id IS NULL AND p.published_at >= $1 AND p.published_at < $2
       WHERE a.handle = ANY($3) GROUP BY a.handle`, [lo, check, [...WECHAT, ...WEIBO]]) as { handle: string; n: number }[]).map((r) => [r.handle, r.n]));
    // The rules' figures straight from an evaluation (no findings written); with `maintainRollups` off (the inspection
    // report's way) an account whose months are stale is counted from its posts.
    const evaluated = (maintainRollups: boolean) => db.ds.transaction(async (em) => {
      await evaluate(em, { asOf, regionPath: null, maintainRollups });
      const rows: { members: { id: number; posts90: number }[] }[] = await em.query(
        `SELECT evidence -> 'members' AS members FROM det_hits WHERE rule = 'REDUNDANT_SAME_PLATFORM'`);
      const byId = Object.fromEntries(Object.entries(ids).map(([h, id]) => [id, h]));
      return Object.fromEntries(rows.flatMap((r) => r.members.map((m) => [byId[m.id], m.posts90])));
    });
    // Posts written by hand (no refresh of the months) in a whole month and in both partial ones.
    await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads)
      SELECT $1, t, 'by hand ' || t, true, 10 FROM unnest(ARRAY['2024-03-20T10:00:00+08:00', '2024-04-20T10:00:00+08:00',
        '2024-06-10T10:00:00+08:00', '2024-03-16T23:59:59+08:00']::timestamptz[]) t`, [ids.wc3]);
    await rollups();
    const [{ stale }] = await db.ds.query(`SELECT count(*)::int AS stale FROM accounts a LEFT JOIN account_post_totals t ON t.account_id = a.id
      WHERE (COALESCE(t.posts, 0), t.last_post_at) IS DISTINCT FROM (a.post_count, a.last_post_at)`);
    expect(stale).toBe(1);
    const want = await expected();
    expect(Object.keys(want).length).toBe(WECHAT.length + WEIBO.length);
    expect(await evaluated(false)).toEqual(want);
    expect(await evaluated(true)).toEqual(want);
  });

  it('after more posts arrive, some in a month without a partition yet', async () => {
    await db.ds.query(`SELECT posts_ensure_months(ARRAY['2024-05-10T00:00:00+08:00']::timestamptz[])`);
    let seed = 100;
    for (const h of WECHAT.slice(2, 6)) await addPosts(h, seed++, 15, Date.parse('2024-03-25T00:00:00+08:00'), Date.parse('2024-06-30T06:00:00+08:00'), true);
    await checkAgainstRecomputation();
  });
});
