import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { runDetection } from '../../server/detection/detection.service';
import { Level, Platform, UnitKind } from '../../server/common/enums';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makeUnits } from '../support/factories';
import { checkPost } from '../../server/content/matcher';

// Counts the posts the content rule reads and checks (the real matcher, wrapped; without the byte filter that skips a
// post holding no term before it is decoded — tests/content/copy-filter.test.ts — so every post read is counted).
vi.mock('../../server/content/matcher', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/content/matcher')>();
  return { ...real, checkPost: vi.fn(real.checkPost), copyTextFilter: () => null };
});
const checked = vi.mocked(checkPost);

/**
 * The maintained content-check state (content_scan_state, migrations/1732946400000-ContentScanState.ts): a run reads
 * only the posts its accounts' states do not cover — newer ids, dates outside the covered range — and its findings
 * are always those of a run that looks at every post of the window (checked here against such a run: the states
 * deleted, every post's result then found again from the check rows and clean hashes).
 */
const D = '2024-06-30';
let db: TestDb;
let ids: Record<string, number>;

const run = (asOf = D, regionCode?: string, full = false) => runDetection(createSystemContext(db.ds), { asOf, regionCode, full });

async function post(account: string, day: string, title: string, content: string | null): Promise<number> {
  const [{ id }] = await db.ds.query(`INSERT INTO posts (account_id, published_at, title, original, reads, content) VALUES ($1, $2, $3, true, 800, $4)
    RETURNING id::int`, [ids[account], `${day}T10:00:00+08:00`, title, content]);
  await db.ds.query(`UPDATE accounts a SET last_post_at = s.last, post_count = s.n
    FROM (SELECT max(published_at) AS last, count(*)::int AS n FROM posts WHERE account_id = $1 AND origin_account_id IS NULL) s WHERE a.id = $1`, [ids[account]]);
  return id;
}

/** The content findings (rule, account, status, evidence) in a comparable form. */
async function contentFindings() {
  return db.ds.query(`SELECT f.subject_key, f.rule, f.status, f.evidence_hash, f.evidence FROM findings f
    WHERE f.rule IN ('WRONG_EXPRESSION_SERIOUS', 'WRONG_EXPRESSION', 'OFF_MISSION') ORDER BY f.subject_key`);
}

/**
 * The same check date again without any state: every post of every window looked at (the findings must not move). Every
 * unit evaluated: deleting the states changes no input, so an incremental run (server/detection/incremental.ts) would
 * evaluate none.
 */
async function fullRunAgrees(asOf = D) {
  const before = await contentFindings();
  await db.ds.query(`DELETE FROM content_scan_state`);
  await run(asOf, undefined, true);
  expect(await contentFindings()).toEqual(before);
}

async function states() {
  return db.ds.query(`SELECT a.handle, s.scanned_through::int AS through FROM content_scan_state s JOIN accounts a ON a.id = s.account_id ORDER BY a.handle`);
}

beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [
    { code: 'gov', name: '某县人民政府办公室', level: Level.COUNTY, region: '35' },
    { code: 'ny', name: '某县农业农村局', kind: UnitKind.DEPARTMENT, parent: 'gov', region: '35' },
    { code: 'xm', name: '厦门市人民政府', level: Level.CITY, region: '3502' },
  ]);
  ids = await makeAccounts(db.ds, [{ unit: 'gov', handle: 'gov' }, { unit: 'ny', handle: 'ny' }, { unit: 'ny', handle: 'ny2', platform: Platform.WEIBO }]);
  const routine = '县委召开专题会议，部署乡村振兴和营商环境优化工作，推动农村长期稳定发展。';
  for (const a of ['gov', 'ny', 'ny2']) for (let d = 1; d <= 28; d += 3) await post(a, `2024-06-${String(d).padStart(2, '0')}`, `工作动态第${d}期`, routine);
  await post('gov', '2024-06-20', '认真学习十九大四中全会精神', '县人大常委会主任出席。');
  await post('ny', '2024-06-22', '限时抢购！全场包邮', '本地蜜柚秒杀，扫码领券。');
  await post('ny', '2024-06-23', '小编哭晕在厕所', '宝宝们求点赞，求转发！');
  // Published on the days just before D: outside the window of a run five days earlier.
  await post('gov', '2024-06-27', '县旅游局开展检查', '县文化和旅游局同步推进。');
  await run();
}, 120_000);

afterAll(async () => {
  await db?.close();
});

beforeEach(() => { checked.mockClear(); });

describe('maintained content-check state', () => {
  it('a run records each account\'s state: the newest post id and the window it covers', async () => {
    const [{ max }] = await db.ds.query(`SELECT max(id)::int AS max FROM posts`);
    expect(await states()).toEqual([{ handle: 'gov', through: max }, { handle: 'ny', through: max }, { handle: 'ny2', through: max }]);
    const [s] = await db.ds.query(`SELECT covered_to = ('2024-06-30'::date::timestamp AT TIME ZONE 'Asia/Shanghai') AS to_d FROM content_scan_state LIMIT 1`);
    expect(s.to_d).toBe(true);
  });

  it('a repeated run checks nothing and finds the same', async () => {
    const before = await contentFindings();
    await run();
    expect(checked).not.toHaveBeenCalled();
    expect(await contentFindings()).toEqual(before);
    expect((await contentFindings()).map((f: { subject_key: string }) => f.subject_key.split(':')[0])).toEqual(
      ['OFF_MISSION', 'WRONG_EXPRESSION', 'WRONG_EXPRESSION_SERIOUS']);
  });

  it('a new post is checked once (a larger id than the state\'s) and counts in the findings', async () => {
    await post('ny2', '2024-06-24', '宝宝们求转发', '求点赞！限时抢购，扫码领券。');
    await post('ny2', '2024-06-25', '宝宝们快来', '求点赞，求转发！');
    await run();
    expect(checked.mock.calls.map((c) => c[1]).sort()).toEqual(['宝宝们快来', '宝宝们求转发']);
    const [f] = await db.ds.query(`SELECT evidence FROM findings WHERE subject_key = $1 AND status = 'open'`, [`OFF_MISSION:${ids.ny2}`]);
    expect(f.evidence).toMatchObject({ offMissionPosts: 2, posts: 12 });
    checked.mockClear();
    await fullRunAgrees();
  });

  it('an earlier check date, then the later one: the posts outside the covered range are looked at', async () => {
    // Published after the earlier check date: not in its window, though its id is below the state that run records.
    await post('gov', '2024-06-28', '再学十九大四中全会精神', '县委理论学习中心组学习。');
    await run('2024-06-25');
    const [early] = await db.ds.query(`SELECT status FROM findings WHERE subject_key = $1`, [`WRONG_EXPRESSION:${ids.gov}`]);
    expect(early.status).toBe('resolved'); // its only post (06-27) is after the earlier check date
    expect(checked).not.toHaveBeenCalled();
    await run();
    // The posts of 06-25 … 06-29 with text are looked at again: the new one is checked, the others come from their
    // clean hashes or check rows.
    expect(checked.mock.calls.map((c) => c[1])).toEqual(['再学十九大四中全会精神']);
    const [later] = await db.ds.query(`SELECT status FROM findings WHERE subject_key = $1`, [`WRONG_EXPRESSION:${ids.gov}`]);
    expect(later.status).toBe('open');
    const [serious] = await db.ds.query(`SELECT evidence FROM findings WHERE subject_key = $1`, [`WRONG_EXPRESSION_SERIOUS:${ids.gov}`]);
    expect(serious.evidence.postCount).toBe(2);
    await fullRunAgrees();
  });

  it('editing a post\'s text voids its account\'s state (trigger): the edit is checked at the next run', async () => {
    await db.ds.query(`UPDATE posts SET content = '学习贯彻十九大四中全会精神。' WHERE title = '工作动态第4期' AND account_id = $1`, [ids.ny]);
    expect((await states()).map((s: { handle: string }) => s.handle)).toEqual(['gov', 'ny2']);
    await run();
    expect(checked.mock.calls.map((c) => c[1])).toEqual(['工作动态第4期']);
    const [f] = await db.ds.query(`SELECT status FROM findings WHERE subject_key = $1`, [`WRONG_EXPRESSION_SERIOUS:${ids.ny}`]);
    expect(f.status).toBe('open');
    expect((await states()).map((s: { handle: string }) => s.handle)).toEqual(['gov', 'ny', 'ny2']);
    // Rewriting only reads voids nothing.
    await db.ds.query(`UPDATE posts SET reads = reads + 1`);
    expect(await states()).toHaveLength(3);
    checked.mockClear();
    await fullRunAgrees();
  });

  it('a post moved to another account, or deleted, voids both accounts\' states', async () => {
    const [p] = await db.ds.query(`SELECT id FROM posts WHERE title = '小编哭晕在厕所'`);
    await db.ds.query(`UPDATE posts SET account_id = $2, origin_account_id = $1 WHERE id = $3`, [ids.ny, ids.ny2, p.id]);
    expect((await states()).map((s: { handle: string }) => s.handle)).toEqual(['gov']);
    await run();
    // One off-mission post left (the moved one is the other account's archive): below offMissionMinPosts (2).
    const [f] = await db.ds.query(`SELECT status FROM findings WHERE subject_key = $1`, [`OFF_MISSION:${ids.ny}`]);
    expect(f.status).toBe('resolved');
    await db.ds.query(`DELETE FROM posts WHERE title = '认真学习十九大四中全会精神'`);
    expect((await states()).map((s: { handle: string }) => s.handle)).toEqual(['ny', 'ny2']);
    await run();
    const [g] = await db.ds.query(`SELECT status, evidence FROM findings WHERE subject_key = $1`, [`WRONG_EXPRESSION_SERIOUS:${ids.gov}`]);
    expect(g.status).toBe('open');
    expect(g.evidence.posts.map((p: { title: string }) => p.title)).toEqual(['再学十九大四中全会精神']);
    await fullRunAgrees();
  });

  it('records no state while another transaction writes posts (its smaller ids could still appear)', async () => {
    const before = await states();
    const runner = db.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`INSERT INTO posts (account_id, published_at, title, original, reads, content)
        VALUES ($1, '2024-06-26T09:00:00+08:00', '宝宝们看过来', true, 1, '求点赞，求转发！')`, [ids.gov]);
      await post('gov', '2024-06-26', '后来的动态', '县委召开会议。');
      await run();
      expect(await states()).toEqual(before);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    checked.mockClear();
    await run();
    expect(checked.mock.calls.map((c) => c[1]).sort()).toEqual(['后来的动态', '宝宝们看过来']);
    await fullRunAgrees();
  });

  it('a changed lexicon key looks at the account\'s whole window again', async () => {
    await db.ds.query(`UPDATE content_clean_hashes SET lexicon_key = 'old' WHERE account_id = $1`, [ids.ny2]);
    await db.ds.query(`UPDATE content_scan_state SET lexicon_key = 'old' WHERE account_id = $1`, [ids.ny2]);
    // Every unit evaluated: the keys were changed by hand, not by an input (a lexicon edit marks every unit).
    await run(D, undefined, true);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM posts WHERE account_id = $1 AND content IS NOT NULL
      AND origin_account_id IS NULL AND id NOT IN (SELECT post_id FROM post_content_checks)`, [ids.ny2]);
    expect(n).toBeGreaterThan(5);
    expect(checked).toHaveBeenCalledTimes(n);
    const [{ key }] = await db.ds.query(`SELECT lexicon_key AS key FROM content_clean_hashes WHERE account_id = $1`, [ids.ny2]);
    expect(key).not.toBe('old');
    checked.mockClear();
    await run();
    expect(checked).not.toHaveBeenCalled();
  });

  it('a province run records the states of its accounts only', async () => {
    await makeUnits(db.ds, [{ code: 'gd', name: '广东省人民政府', level: Level.PROVINCE, region: '44' }]);
    Object.assign(ids, await makeAccounts(db.ds, [{ unit: 'gd', handle: 'gd' }]));
    await post('gd', '2024-06-20', '工作动态', '省政府召开常务会议。');
    await db.ds.query(`DELETE FROM content_scan_state`);
    // Every unit of the province evaluated: the states were deleted by hand, not by an input (gd's new post marks gd's
    // unit only, in another province).
    await run(D, '35', true);
    expect((await states()).map((s: { handle: string }) => s.handle)).toEqual(['gov', 'ny', 'ny2']);
    checked.mockClear();
    await run();
    expect(checked.mock.calls.map((c) => c[1])).toEqual(['工作动态']);
    expect((await states()).map((s: { handle: string }) => s.handle)).toEqual(['gd', 'gov', 'ny', 'ny2']);
    await fullRunAgrees();
  });

  it('a renamed unit gets its field again (a new lexicon key): its accounts\' windows are looked at again', async () => {
    const field = async () => (await db.ds.query(`SELECT field FROM content_scan_state WHERE account_id = $1`, [ids.ny]))[0].field;
    expect(await field()).toBe('-');
    await db.ds.query(`UPDATE units SET name = '某县文化和旅游局' WHERE code = 'ny'`);
    checked.mockClear();
    await run();
    expect(await field()).toBe('tourism');
    const checkedTitles = new Set(checked.mock.calls.map((c) => c[1]));
    expect(checkedTitles.has('工作动态第1期')).toBe(true);
    checked.mockClear();
    await run();
    expect(checked).not.toHaveBeenCalled();
    await fullRunAgrees();
  });
});
