import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { runDetection } from '../../server/detection/detection.service';
import { Level, UnitKind } from '../../server/common/enums';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makeUnits } from '../support/factories';
import { checkPost } from '../../server/content/matcher';

// Counts the posts the content rule checks (the real matcher, wrapped).
vi.mock('../../server/content/matcher', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/content/matcher')>();
  return { ...real, checkPost: vi.fn(real.checkPost) };
});
const checked = vi.mocked(checkPost);

/**
 * The content rules inside a detection run: WRONG_EXPRESSION_SERIOUS (veto), WRONG_EXPRESSION, OFF_MISSION with
 * their evidence; look-alikes (right forms containing a wrong one, warnings quoting bait, a tourism bureau's own
 * ticket offers) not flagged; only new or changed posts rescanned. Only posts with a finding keep a check row; clean
 * posts are remembered by content hash in their account's set (content_clean_hashes).
 */
const D = '2024-06-30';
let db: TestDb;
let ids: Record<string, number>;

async function post(account: string, day: string, title: string, content: string | null) {
  await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads, content) VALUES ($1, $2, $3, true, 800, $4)`,
    [ids[account], `${day}T10:00:00+08:00`, title, content]);
  await db.ds.query(`UPDATE accounts a SET last_post_at = s.last, post_count = s.n
    FROM (SELECT max(published_at) AS last, count(*)::int AS n FROM posts WHERE account_id = $1) s WHERE a.id = $1`, [ids[account]]);
}

async function findings(rule: string): Promise<{ handle: string; severity: string; evidence: any }[]> {
  return db.ds.query(`SELECT a.handle, f.severity, f.evidence FROM findings f JOIN accounts a ON a.id = f.account_id
                       WHERE f.rule = $1 AND f.status = 'open' ORDER BY a.handle`, [rule]);
}

beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [
    { code: 'gov', name: '某县人民政府办公室', level: Level.COUNTY },
    { code: 'wl', name: '某县文化和旅游局', kind: UnitKind.DEPARTMENT, parent: 'gov' },
    { code: 'ny', name: '某县农业农村局', kind: UnitKind.DEPARTMENT, parent: 'gov' },
    { code: 'ga', name: '某县公安局', kind: UnitKind.DEPARTMENT, parent: 'gov' },
  ]);
  ids = await makeAccounts(db.ds, [
    { unit: 'gov', handle: 'gov' }, { unit: 'wl', handle: 'wl' }, { unit: 'ny', handle: 'ny' }, { unit: 'ga', handle: 'ga' },
  ]);
  const routine = '县委召开专题会议，部署乡村振兴和营商环境优化工作，推动农村长期稳定发展。';
  for (const a of ['gov', 'wl', 'ny', 'ga']) for (let d = 10; d <= 28; d += 3) await post(a, `2024-06-${d}`, `工作动态第${d}期`, routine);
  // Positives.
  await post('gov', '2024-06-20', '认真学习十九大四中全会精神', '县人大常委会主任出席。');
  await post('gov', '2024-06-21', '县旅游局开展检查', '县文化和旅游局同步推进。');
  await post('ny', '2024-06-22', '限时抢购！全场包邮', '本地蜜柚秒杀，扫码领券。');
  await post('ny', '2024-06-23', '小编哭晕在厕所', '宝宝们求点赞，求转发！');
  // Look-alikes.
  await post('wl', '2024-06-22', '暑期景区门票优惠来了', '县文化和旅游局推出景区门票优惠，限时优惠至8月底。');
  await post('wl', '2024-06-24', '文化广电和旅游局通知', '市文化广电和旅游局部署暑期安全工作。');
  await post('ga', '2024-06-22', '警方提醒：谨防“限时抢购”骗局', '所谓“集资应援”“转发抽奖”都是诈骗套路，切勿轻信。');
  await post('ga', '2024-06-25', '反诈宣传进社区', '谨防“刷榜打榜”类诈骗。');
  await runDetection(createSystemContext(db.ds), { asOf: D });
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe('content rules in detection', () => {
  it('flags a serious wrong formulation as a veto finding with the span and correct form', async () => {
    const f = await findings('WRONG_EXPRESSION_SERIOUS');
    expect(f.map((x) => [x.handle, x.severity])).toEqual([['gov', 'veto']]);
    const p = f[0].evidence.posts[0];
    expect(p.title).toBe('认真学习十九大四中全会精神');
    expect(p.hits).toEqual([expect.objectContaining({ term: '十九大四中全会', correct: '十九届四中全会', field: 'title', start: 4, end: 11 })]);
  });

  it('flags an outdated body name as a deduction finding, but not the right form that contains it', async () => {
    const f = await findings('WRONG_EXPRESSION');
    expect(f.map((x) => x.handle)).toEqual(['gov']);
    expect(f[0].evidence.posts.map((p: any) => p.hits.map((h: any) => `${h.field}:${h.term}`))).toEqual([['title:旅游局']]);
  });

  it('flags the off-mission account only: not the tourism bureau’s own offers, not police warnings', async () => {
    const f = await findings('OFF_MISSION');
    expect(f.map((x) => x.handle)).toEqual(['ny']);
    expect(f[0].evidence.offMissionPosts).toBe(2);
    expect(f[0].evidence.categories).toEqual({ advertising: 1, baiting: 1, likes: 1 });
  });

  it('keeps a check row only for posts with a finding; the clean ones are their accounts\' clean hashes', async () => {
    const rows: { title: string }[] = await db.ds.query(`SELECT p.title FROM post_content_checks c
      JOIN posts p ON p.id = c.post_id AND p.published_at = c.published_at ORDER BY p.title`);
    expect(rows.map((r) => r.title)).toEqual(['县旅游局开展检查', '小编哭晕在厕所', '认真学习十九大四中全会精神', '限时抢购！全场包邮']);
    const [{ clean, posts }] = await db.ds.query(`SELECT (SELECT sum(cardinality(hashes))::int FROM content_clean_hashes) AS clean,
      (SELECT count(DISTINCT (account_id, content_hash))::int FROM posts WHERE content IS NOT NULL
         AND content_hash NOT IN (SELECT content_hash FROM post_content_checks)) AS posts`);
    expect(clean).toBe(posts);
  });

  beforeEach(() => { checked.mockClear(); });

  it('rescans only new or changed posts', async () => {
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(checked).not.toHaveBeenCalled();
    await db.ds.query(`UPDATE posts SET content = '本地蜜柚成熟了，欢迎了解农技服务。' WHERE title = '限时抢购！全场包邮'`);
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(checked.mock.calls.map((c) => c[1])).toEqual(['限时抢购！全场包邮']);
    // The edited post keeps its 限时抢购 title: still advertising, still two off-mission posts.
    const f = await findings('OFF_MISSION');
    expect(f.map((x) => x.handle)).toEqual(['ny']);
    expect(f[0].evidence.offMissionPosts).toBe(2);
  });

  it('a clean post edited into a wrong formulation is flagged, and cleared when corrected', async () => {
    const original = '谨防“刷榜打榜”类诈骗。';
    await db.ds.query(`UPDATE posts SET content = '学习贯彻十九大四中全会精神，谨防诈骗。' WHERE title = '反诈宣传进社区'`);
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(checked).toHaveBeenCalledTimes(1);
    expect((await findings('WRONG_EXPRESSION_SERIOUS')).map((x) => x.handle)).toEqual(['ga', 'gov']);

    checked.mockClear();
    await db.ds.query(`UPDATE posts SET content = $1 WHERE title = '反诈宣传进社区'`, [original]);
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(checked).toHaveBeenCalledTimes(1);
    expect((await findings('WRONG_EXPRESSION_SERIOUS')).map((x) => x.handle)).toEqual(['gov']);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM post_content_checks c JOIN posts p ON p.id = c.post_id
      WHERE p.title = '反诈宣传进社区'`);
    expect(n).toBe(0);
    // Its text is clean again: the next run checks nothing.
    checked.mockClear();
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(checked).not.toHaveBeenCalled();
  });

  it('deleting a post deletes its check row (cascade) and its finding with the next run', async () => {
    const [p] = await db.ds.query(`SELECT id FROM posts WHERE title = '认真学习十九大四中全会精神'`);
    await db.ds.query(`DELETE FROM posts WHERE id = $1`, [p.id]);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM post_content_checks WHERE post_id = $1`, [p.id]);
    expect(n).toBe(0);
    await runDetection(createSystemContext(db.ds), { asOf: D });
    expect(checked).not.toHaveBeenCalled();
    expect(await findings('WRONG_EXPRESSION_SERIOUS')).toEqual([]);
    expect((await findings('WRONG_EXPRESSION')).map((x) => x.handle)).toEqual(['gov']);
  });

  it('a changed lexicon key (the unit\'s field or the province\'s lexicon) rescans the account\'s posts', async () => {
    // As a lexicon edit or a renamed unit leaves them: the account's clean set and its maintained state under the old key.
    await db.ds.query(`UPDATE content_clean_hashes SET lexicon_key = 'old' WHERE account_id = $1`, [ids.wl]);
    await db.ds.query(`UPDATE content_scan_state SET lexicon_key = 'old' WHERE account_id = $1`, [ids.wl]);
    // Every unit evaluated: the keys were changed by hand, not by an input (a lexicon edit or a rename marks the units).
    await runDetection(createSystemContext(db.ds), { asOf: D, full: true });
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM posts WHERE account_id = $1 AND content IS NOT NULL`, [ids.wl]);
    expect(checked).toHaveBeenCalledTimes(n);
    const [{ key }] = await db.ds.query(`SELECT lexicon_key AS key FROM content_clean_hashes WHERE account_id = $1`, [ids.wl]);
    expect(key).not.toBe('old');
    expect(await findings('OFF_MISSION').then((f) => f.map((x) => x.handle))).toEqual(['ny']);
  });

  it('keeps post content within 100 KB', async () => {
    await expect(db.ds.query(`UPDATE posts SET content = repeat('政', 40000) WHERE id = (SELECT min(id) FROM posts)`)).rejects.toThrow(/posts_content_size_check/);
  });
});
