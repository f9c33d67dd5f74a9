import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { transaction } from '../../server/kernel/transaction';
import { evaluate } from '../../server/detection/detection.engine';
import { runDetection } from '../../server/detection/detection.service';
import { postMonthsSelect } from '../../server/detection/post-months';
import { importFiles } from '../../server/import/import.service';
import { movePosts } from '../../server/plans/moves';
import { AccountStatus } from '../../server/common/enums';
import { createTestDb, type TestDb } from '../support/db';
import { D, D_INSTANT, seedDemoCity, writePostsByHand } from './fixture';

/**
 * The maintained months (server/detection/post-months.ts): after an import, after a plan's merge moves posts and
 * after posts change, `account_post_months` / `account_post_totals` equal what the posts give, and LOW_VALUE (which
 * skips accounts by them) finds exactly what it finds from the posts alone (every account's months treated as stale).
 */
const SEED = path.join(__dirname, '../../server/seed/seed.ts');

describe.skipIf(!fs.existsSync(SEED))('maintained post months', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await createTestDb();
    await seedDemoCity(db.ds);
  }, 600_000);

  afterAll(async () => {
    await db?.close();
  });

  /** The stored months and totals equal the aggregation of the posts and the accounts' own-post rollups. */
  async function expectMonthsMatchPosts(): Promise<void> {
    const cols = 'account_id, month::text, posts, originals, last_post_at, reads_below';
    const stored = await db.ds.query(`SELECT ${cols} FROM account_post_months ORDER BY 1, 2`);
    const computed = await db.ds.query(`SELECT ${cols} FROM (${postMonthsSelect('')}) x ORDER BY 1, 2`);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored).toEqual(computed);
    const [{ bad }] = await db.ds.query(`
      SELECT count(*)::int AS bad FROM accounts a LEFT JOIN account_post_totals t ON t.account_id = a.id
       WHERE (COALESCE(t.posts, 0), t.last_post_at) IS DISTINCT FROM (a.post_count, a.last_post_at)`);
    expect(bad).toBe(0);
  }

  /** LOW_VALUE's hits with the maintained months, and with every account's months treated as stale (posts only). */
  async function lowValueBothWays(): Promise<{ withMonths: unknown[]; postsOnly: unknown[] }> {
    const q = db.ds.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction();
      const hits = () => q.query(`SELECT subject_key, evidence, hash_basis FROM det_hits WHERE rule = 'LOW_VALUE' ORDER BY subject_key`);
      await evaluate(q.manager, { asOf: D, regionPath: null });
      const withMonths = await hits();
      await q.query(`DELETE FROM account_post_totals`);
      await evaluate(q.manager, { asOf: D, regionPath: null });
      return { withMonths, postsOnly: await hits() };
    } finally {
      await q.rollbackTransaction();
      await q.release();
    }
  }

  it('after the import: the months equal the posts, LOW_VALUE equals the posts-based answer', async () => {
    await expectMonthsMatchPosts();
    const { withMonths, postsOnly } = await lowValueBothWays();
    expect(postsOnly.length).toBeGreaterThan(0);
    expect(withMonths).toEqual(postsOnly);
  });

  it('after a plan moves posts (merge), and after a re-import changes reads', async () => {
    // Two accounts of one county unit with posts in the LOW_VALUE window: the second's posts move to the first.
    const [src, dest] = await db.ds.query(`
      SELECT a.id, a.name, a.handle, a.platform FROM accounts a JOIN units u ON u.id = a.unit_id
       WHERE u.level = 'county' AND a.status = 'active' AND a.post_count > 0
         AND EXISTS (SELECT 1 FROM posts p WHERE p.account_id = a.id AND p.published_at >= $1::timestamptz - interval '60 days')
       ORDER BY a.id LIMIT 2`, [D_INSTANT]);
    const moved = await transaction(createSystemContext(db.ds), (tx) =>
      movePosts(tx, { id: src.id, name: src.name, status: AccountStatus.ACTIVE, unit_id: 0, unit_path: '', unit_name: '' }, dest.id));
    expect(moved).toBeGreaterThan(0);
    await expectMonthsMatchPosts();
    const [gone] = await db.ds.query(`SELECT count(*)::int AS n FROM account_post_months WHERE account_id = $1`, [src.id]);
    expect(gone.n).toBe(0);

    // A re-import of some of dest's posts with other reads (count and last post unchanged).
    const posts: { title: string; published_at: Date; original: boolean; reads: number }[] = await db.ds.query(`
      SELECT title, published_at, original, reads FROM posts WHERE account_id = $1 AND origin_account_id IS NULL
       ORDER BY published_at DESC LIMIT 30`, [dest.id]);
    const esc = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const csv = ['platform,handle,published_at,title,original,reads',
      ...posts.map((p, i) => [dest.platform, dest.handle, p.published_at.toISOString(), esc(p.title), p.original, i % 2 ? 7 : 90000].join(','))].join('\n');
    const r = await importFiles(createSystemContext(db.ds), [{ name: 'posts.csv', content: `${csv}\n` }]);
    expect(r.ok).toBe(true);
    await expectMonthsMatchPosts();
    const { withMonths, postsOnly } = await lowValueBothWays();
    expect(withMonths).toEqual(postsOnly);
  });

  it('after posts written by hand: detection brings the months of the accounts it checks up to date', async () => {
    const acc = { id: await writePostsByHand(db.ds) };
    // Stale until a run: LOW_VALUE computes the account from its posts meanwhile.
    const { withMonths, postsOnly } = await lowValueBothWays();
    expect(withMonths).toEqual(postsOnly);
    expect((postsOnly as { subject_key: string }[]).map((h) => h.subject_key)).toContain(`LOW_VALUE:${acc.id}`);
    await runDetection(createSystemContext(db.ds), { asOf: D });
    await expectMonthsMatchPosts();
  });
});
