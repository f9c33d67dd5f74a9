import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';

/** migrations/1732946300000-ImportKeepsOriginIndexes.ts: an empty-table load keeps the always-empty origin index. */
let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
});

afterAll(async () => {
  await db?.close();
});

describe('import_drop_indexes', () => {
  it('drops the secondary indexes of an empty posts table but keeps posts_origin_idx, and restores the rest', async () => {
    const indexes = async (em: { query: (s: string) => Promise<{ indexname: string }[]> }) =>
      (await em.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'posts' ORDER BY 1`)).map((r) => r.indexname);
    const before = await indexes(db.ds);
    expect(before).toContain('posts_origin_idx');
    await db.ds.transaction(async (em) => {
      const [{ n }] = await em.query(`SELECT import_drop_indexes('posts') AS n`);
      expect(n).toBeGreaterThan(0);
      expect(await indexes(em)).toEqual(['posts_origin_idx']);
      await em.query(`SELECT import_restore_indexes()`);
      expect(await indexes(em)).toEqual(before);
    });
  });
});
