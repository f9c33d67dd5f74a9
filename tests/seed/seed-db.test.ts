import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type SeedSummary } from '../../server/seed/seed';
import { seedIfEmpty } from '../../server/seed/seed-on-start';
import { createTestDb, type TestDb } from '../support/db';

/** The demo seed through the real import into PostgreSQL: counts, rollups, idempotent re-run, first-start seeding. */

const AS_OF = new Date('2024-06-29T16:00:00Z'); // 2024-06-30 00:00 Asia/Shanghai

async function counts(db: TestDb) {
  const [r] = await db.ds.query(`SELECT (SELECT count(*)::int FROM units) AS units, (SELECT count(*)::int FROM accounts) AS accounts,
    (SELECT count(*)::int FROM posts) AS posts, (SELECT count(*)::int FROM messages) AS messages, (SELECT count(*)::int FROM services) AS services`);
  return r as Record<string, number>;
}

describe('seedDemo (one city)', () => {
  let db: TestDb;
  let s: SeedSummary;
  beforeAll(async () => {
    db = await createTestDb();
    s = await seedDemo(db.ds, { city: '3501', asOf: AS_OF });
  });
  afterAll(() => db.close());

  it('imports exactly the generated rows and keeps the rollups', async () => {
    expect(await counts(db)).toEqual(s.counts);
    expect(s.asOf).toBe('2024-06-30');
    const [prov] = await db.ds.query(`SELECT u.path, u.depth, a.post_count, a.last_post_at FROM accounts a JOIN units u ON u.id = a.unit_id
      WHERE a.platform = 'website' AND a.handle = '35_gov'`);
    expect(prov.depth).toBe(0);
    expect(prov.post_count).toBeGreaterThan(300);
    expect(new Date(prov.last_post_at).getTime()).toBeLessThan(AS_OF.getTime());
    expect(new Date(prov.last_post_at).getTime()).toBeGreaterThan(AS_OF.getTime() - 86_400_000);
    const [{ n }] = await db.ds.query(`SELECT count(*)::int AS n FROM units WHERE code = '350102001-GOV' AND path LIKE '/%/%/%/%/'`);
    expect(n).toBe(1);
  });

  it('planted handles exist in the database with their properties', async () => {
    const unfiled = s.planted.find((p) => p.rule === 'UNFILED')!.handles;
    expect(unfiled.length).toBeGreaterThan(5);
    const rows: { filing_no: string | null; status: string }[] = await db.ds.query(
      `SELECT filing_no, status FROM accounts WHERE platform || ':' || handle = ANY($1)`, [unfiled]);
    expect(rows).toHaveLength(unfiled.length);
    expect(rows.every((r) => r.filing_no === null && r.status === 'active')).toBe(true);
    // Zombies by their posts (service accounts, mini-programs and apps are zombies when they offer no service).
    const zombies = s.planted.find((p) => p.rule === 'ZOMBIE')!.handles;
    const [{ bad }] = await db.ds.query(`SELECT count(*)::int AS bad FROM accounts WHERE platform || ':' || handle = ANY($1)
      AND last_post_at >= $2::timestamptz - interval '90 days'
      AND NOT (type = 'service' OR platform IN ('miniprogram', 'app'))`, [zombies, AS_OF.toISOString()]);
    expect(bad).toBe(0);
  });

  it('creates the demo users', async () => {
    const users: { username: string }[] = await db.ds.query(`SELECT username FROM users ORDER BY username`);
    expect(users.map((u) => u.username)).toEqual(expect.arrayContaining(['admin', 'planner', 'approver', 'auditor', 'approver-3501']));
  });

  it('re-running with the same options duplicates nothing', async () => {
    const before = await counts(db);
    const again = await seedDemo(db.ds, { city: '3501', asOf: AS_OF });
    expect(again.counts).toEqual(s.counts);
    expect(await counts(db)).toEqual(before);
    expect(again.demoUsers).toEqual([]);
  });

  it('seedIfEmpty leaves a non-empty database alone', async () => {
    const before = await counts(db);
    const logs: string[] = [];
    await seedIfEmpty(db.ds, db.config, (m) => logs.push(m));
    expect(logs).toEqual([]);
    expect(await counts(db)).toEqual(before);
  });
});

describe('seedIfEmpty (the whole demo province on first start)', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db.close());

  it('seeds Fujian when the database is empty, printing progress in Chinese', async () => {
    const logs: string[] = [];
    await seedIfEmpty(db.ds, { ...db.config, seedProvince: '35' }, (m) => logs.push(m));
    const c = await counts(db);
    expect(c.accounts).toBeGreaterThanOrEqual(2500);
    expect(c.posts).toBeGreaterThanOrEqual(500_000);
    expect(logs[0]).toMatch(/数据库为空/);
    expect(logs.at(-1)).toMatch(/演示数据就绪/);
    const [{ levels }] = await db.ds.query(`SELECT count(DISTINCT level)::int AS levels FROM units`);
    expect(levels).toBe(4);
  }, 180_000);
});
