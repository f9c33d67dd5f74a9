import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { importFiles, type ImportResult } from '../../server/import/import.service';
import { createTestDb, type TestDb } from '../support/db';
import { normalizeName } from '../../server/detection/name-normalize';

/**
 * The direct load (bulk-load.ts `loadDirect`): posts.csv and messages.csv into empty tables go straight into the real
 * tables, without staging. It must leave exactly what the staged path leaves — rows, partitions, indexes, foreign keys,
 * rollups — and whenever anything is wrong (a bad cell, an unknown account, a duplicate the unique key refuses) the
 * import must answer exactly what the staged path answers, having written nothing.
 */
const GOOD = path.join(__dirname, 'fixtures', 'good');
const files = () => fs.readdirSync(GOOD).filter((f) => f.endsWith('.csv')).map((name) => ({ name, content: fs.readFileSync(path.join(GOOD, name), 'utf8') }));
const strip = (r: ImportResult) => ({ ...r, elapsedMs: 0 });

async function snapshot(db: TestDb): Promise<unknown> {
  const q = (sql: string) => db.ds.query(sql);
  return {
    posts: await q(`SELECT a.platform, a.handle, p.published_at, p.title, p.original, p.reads, p.content, p.content_hash, p.tableoid::regclass::text AS part
                      FROM posts p JOIN accounts a ON a.id = p.account_id ORDER BY 1, 2, 3, 4`),
    messages: await q(`SELECT a.platform, a.handle, m.received_at, m.replied_at FROM messages m JOIN accounts a ON a.id = m.account_id ORDER BY 1, 2, 3`),
    rollups: await q(`SELECT platform, handle, last_post_at, post_count FROM accounts ORDER BY 1, 2`),
    // The maintained months (detection/post-months.ts): counted by the worker on the direct path, by SQL when staged.
    months: await q(`SELECT a.platform, a.handle, m.month, m.posts, m.originals, m.last_post_at, m.reads_below FROM account_post_months m
                       JOIN accounts a ON a.id = m.account_id ORDER BY 1, 2, 3`),
    totals: await q(`SELECT a.platform, a.handle, t.posts, t.last_post_at FROM account_post_totals t JOIN accounts a ON a.id = t.account_id ORDER BY 1, 2`),
    indexes: await q(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('posts', 'messages', 'accounts', 'units') ORDER BY 1`),
    keys: await q(`SELECT conname, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint
                    WHERE conrelid IN ('posts'::regclass, 'messages'::regclass, 'post_content_checks'::regclass) AND contype <> 'n' ORDER BY 1`),
    // The sequences stand past the ids the direct load numbered itself.
    sequences: await q(`SELECT (SELECT last_value FROM posts_id_seq) >= (SELECT max(id) FROM posts) AS posts,
                               (SELECT last_value FROM messages_id_seq) >= (SELECT max(id) FROM messages) AS messages`),
    partitions: await q(`SELECT c.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = 'posts'::regclass ORDER BY 1`),
  };
}

describe('direct load of posts and messages into empty tables', () => {
  let direct: TestDb;
  let staged: TestDb;
  beforeAll(async () => { [direct, staged] = await Promise.all([createTestDb(), createTestDb()]); });
  afterAll(async () => { await Promise.all([direct?.close(), staged?.close()]); });

  it('leaves exactly what the staged path leaves', async () => {
    const log: string[] = [];
    const a = await importFiles(createSystemContext(direct.ds), files(), { log: (m) => log.push(m) });
    const b = await importFiles(createSystemContext(staged.ds), files(), { direct: false });
    expect(a.errors).toEqual([]);
    expect(log.some((m) => m.includes('直接写入 posts.csv'))).toBe(true);
    expect(strip(a)).toEqual(strip(b));
    expect(await snapshot(direct)).toEqual(await snapshot(staged));
    // Every account is written with its normalised name (not updated afterwards: bulk-load.ts loadAccounts).
    const names: { name: string; name_normalized: string; name_normalized_from: string }[] =
      await direct.ds.query(`SELECT name, name_normalized, name_normalized_from FROM accounts`);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).toEqual({ name: n.name, name_normalized: normalizeName(n.name), name_normalized_from: n.name });
    // … so the partial index of stale names never held an entry (one written and then updated stays there, dead, until
    // a vacuum, and every detection run's probe walks it): it is still its metapage alone.
    const [{ pages }] = await direct.ds.query(`SELECT pg_relation_size('accounts_name_stale_idx') / current_setting('block_size')::int AS pages`);
    expect(Number(pages)).toBe(1);
    // Re-imported onto the loaded tables: the staged path (tables not empty), nothing changes.
    const again = await importFiles(createSystemContext(direct.ds), files());
    expect(again.counts.find((c) => c.file === 'posts.csv')).toMatchObject({ inserted: 0, updated: 0 });
  });

  it('a duplicate post, an unknown account, a bad cell: the staged path\'s answer, nothing written', async () => {
    const db = await createTestDb();
    try {
      const base = files();
      const posts = base.find((f) => f.name === 'posts.csv')!;
      const lines = posts.content.trimEnd().split('\n');
      const variants = [
        `${posts.content.trimEnd()}\n${lines[1]}\n`, // a duplicate (found by the unique natural key)
        `${posts.content.trimEnd()}\nwechat,nobody,2024-06-30,无人,true,1\n`, // an unknown account
        `${posts.content.trimEnd()}\nwechat,fjfb,2024-06-31,坏日期,true,1\n`, // a bad cell
      ];
      for (const content of variants) {
        const input = base.map((f) => (f.name === 'posts.csv' ? { name: f.name, content } : f));
        const log: string[] = [];
        const a = await importFiles(createSystemContext(db.ds), input, { log: (m) => log.push(m) });
        const b = await importFiles(createSystemContext(db.ds), input, { direct: false });
        expect(a.ok).toBe(false);
        expect(strip(a)).toEqual(strip(b));
        const [{ n }] = await db.ds.query(`SELECT (SELECT count(*) FROM posts) + (SELECT count(*) FROM accounts) AS n`);
        expect(Number(n)).toBe(0);
        expect(log.some((m) => m.includes('staged path'))).toBe(true);
      }
      // A problem early in a long file: the direct attempt stops reading there (the staged path reads it all).
      const long = ['platform,handle,published_at,title,original,reads', 'wechat,fjfb,2024-06-31,坏日期,true,1'];
      for (let i = 0; i < 40_000; i++) long.push(`wechat,fjfb,2024-05-01T00:00:${String(i % 60).padStart(2, '0')},第${i}条,true,${i}`);
      const log: string[] = [];
      const r = await importFiles(createSystemContext(db.ds), base.map((f) => (f.name === 'posts.csv' ? { name: f.name, content: `${long.join('\n')}\n` } : f)),
        { log: (m) => log.push(m) });
      expect(r.errors.map((e) => `${e.file}:${e.line}: ${e.column}`)).toEqual(['posts.csv:2: published_at']);
      const read = log.map((m) => /^posts\.csv：(\d+) 行（读取并写入/.exec(m)).find(Boolean);
      expect(Number(read![1])).toBeLessThan(40_001);
      // The tables' indexes and foreign keys are all still there after the rolled-back attempts.
      const [{ k }] = await db.ds.query(`SELECT count(*)::int AS k FROM pg_constraint WHERE contype IN ('f', 'p') AND conparentid = 0
        AND conrelid IN ('posts'::regclass, 'messages'::regclass, 'post_content_checks'::regclass)`);
      expect(k).toBe(7); // posts: pkey + 2 foreign keys; messages: pkey + 1; post_content_checks: pkey + its reference to posts
    } finally {
      await db.close();
    }
  });
});
