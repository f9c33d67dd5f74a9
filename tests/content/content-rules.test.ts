import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { runDetection } from '../../server/detection/detection.service';
import { Level, UnitKind } from '../../server/common/enums';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makeUnits } from '../support/factories';

/**
 * The content rules inside a detection run: WRONG_EXPRESSION_SERIOUS (veto), WRONG_EXPRESSION, OFF_MISSION with
 * their evidence; look-alikes (right forms containing a wrong one, warnings quoting bait, a tourism bureau's own
 * ticket offers) not flagged; only new or changed posts rescanned.
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

  it('rescans only new or changed posts', async () => {
    const before: { id: string; checked_at: Date }[] = await db.ds.query(`SELECT post_id AS id, checked_at FROM post_content_checks ORDER BY post_id`);
    expect(before.length).toBeGreaterThan(30);
    await db.ds.query(`UPDATE posts SET content = '本地蜜柚成熟了，欢迎了解农技服务。' WHERE title = '限时抢购！全场包邮'`);
    await runDetection(createSystemContext(db.ds), { asOf: D });
    const after: { id: string; checked_at: Date }[] = await db.ds.query(`SELECT post_id AS id, checked_at FROM post_content_checks ORDER BY post_id`);
    const changed = after.filter((a, i) => a.checked_at.getTime() !== before[i].checked_at.getTime());
    expect(changed.length).toBe(1);
    // Still two markers-bearing posts? The edited post keeps its 限时抢购 title: still advertising.
    const f = await findings('OFF_MISSION');
    expect(f.map((x) => x.handle)).toEqual(['ny']);
  });

  it('keeps post content within 100 KB', async () => {
    await expect(db.ds.query(`UPDATE posts SET content = repeat('政', 40000) WHERE id = (SELECT min(id) FROM posts)`)).rejects.toThrow(/posts_content_size_check/);
  });
});
