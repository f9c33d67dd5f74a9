import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { runDetection } from '../../server/detection/detection.service';
import { seedDemo, type SeedSummary } from '../../server/seed/seed';
import { CONTENT_RULES } from '../../server/seed/content';
import { createTestDb, type TestDb } from '../support/db';

/**
 * The demo data's post bodies against the content rules (one city of the demo province, checked at 2024-06-30):
 * bodies on 10–20 % of posts, 100–400 characters; every planted wrong expression and off-mission account found,
 * no look-alike (right forms, anti-fraud warnings, a tourism bureau's tickets, an education bureau's exams) flagged,
 * and nothing flagged that the seed did not plant: precision and recall 1 on the planted cases.
 */
const AS_OF = new Date('2024-06-29T16:00:00Z');
let db: TestDb;
let s: SeedSummary;

beforeAll(async () => {
  db = await createTestDb();
  s = await seedDemo(db.ds, { city: '3501', asOf: AS_OF });
  await runDetection(createSystemContext(db.ds), { asOf: '2024-06-30' });
}, 600_000);

afterAll(async () => {
  await db?.close();
});

async function flagged(rule: string): Promise<Set<string>> {
  const rows: { ref: string }[] = await db.ds.query(`SELECT a.platform || ':' || a.handle AS ref FROM findings f JOIN accounts a ON a.id = f.account_id
    WHERE f.rule = $1 AND f.status = 'open'`, [rule]);
  return new Set(rows.map((r) => r.ref));
}

describe('content checks on the demo data', () => {
  it('gives 10–20 % of posts a body, routine ones of 100–400 characters', async () => {
    const [r] = await db.ds.query(`SELECT count(*)::int AS n, count(content)::int AS with_body, min(char_length(content)) AS lo,
      max(char_length(content)) AS hi, percentile_cont(0.05) WITHIN GROUP (ORDER BY char_length(content)) AS p5 FROM posts`);
    expect(r.with_body / r.n).toBeGreaterThan(0.1);
    expect(r.with_body / r.n).toBeLessThan(0.2);
    expect(r.lo).toBeGreaterThanOrEqual(30); // planted warnings, offers and off-mission posts are short
    expect(r.p5).toBeGreaterThanOrEqual(100); // routine bodies: 100–400 characters
    expect(r.hi).toBeLessThanOrEqual(400);
  });

  it('finds every planted case and flags no decoy and nothing else', async () => {
    const report: Record<string, unknown> = {};
    for (const rule of CONTENT_RULES) {
      const planted = new Set(s.planted.find((p) => p.rule === rule)?.handles ?? []);
      const decoys = s.decoys.find((d) => d.rule === rule)?.handles ?? [];
      const hits = await flagged(rule);
      const tp = [...hits].filter((h) => planted.has(h)).length;
      report[rule] = { planted: planted.size, decoys: decoys.length, flagged: hits.size, precision: hits.size ? tp / hits.size : 1, recall: planted.size ? tp / planted.size : 1 };
      expect({ rule, missed: [...planted].filter((h) => !hits.has(h)) }).toEqual({ rule, missed: [] });
      expect({ rule, decoysFlagged: decoys.filter((h) => hits.has(h)) }).toEqual({ rule, decoysFlagged: [] });
      expect({ rule, unplanted: [...hits].filter((h) => !planted.has(h)) }).toEqual({ rule, unplanted: [] });
    }
    console.log(`[content] demo city 3501: ${JSON.stringify(report)}`);
    const n = (rule: string, which: 'planted' | 'decoys') => s[which].find((p) => p.rule === rule)?.handles.length ?? 0;
    expect(n('WRONG_EXPRESSION_SERIOUS', 'planted')).toBeGreaterThan(0);
    expect(n('WRONG_EXPRESSION', 'planted')).toBeGreaterThan(0);
    expect(n('OFF_MISSION', 'decoys')).toBeGreaterThan(0);
    expect(n('WRONG_EXPRESSION', 'decoys')).toBeGreaterThan(0);
  });
});
