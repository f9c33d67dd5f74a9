import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makePosts, makeUnits } from '../support/factories';
import { Level } from '../../server/common/enums';

/**
 * migrations/1732946300000-ImportKeepsOriginIndexes.ts: an empty-table load keeps the always-empty origin index.
 * migrations/1732946600000-ImportTruncatesEmptyTargets.ts: it also gives the empty posts and messages (every month of
 * posts) new files of the import's transaction — what lets a load skip the WAL with wal_level=minimal.
 */
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

  it('drops the own foreign keys of empty units and accounts (not those of other tables referencing them), and restores them', async () => {
    type Fk = { rel: string; conname: string; def: string };
    const fks = (em: { query: (s: string) => Promise<Fk[]> }) => em.query(`
      SELECT conrelid::regclass::text AS rel, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE contype = 'f' AND (conrelid IN ('units'::regclass, 'accounts'::regclass) OR confrelid IN ('units'::regclass, 'accounts'::regclass))
       ORDER BY 1, 2`);
    const before = await fks(db.ds);
    expect(before.map((r) => r.conname)).toEqual(expect.arrayContaining(['units_parent_id_fkey', 'units_region_code_fkey', 'accounts_unit_id_fkey', 'users_unit_id_fkey']));
    const others = before.filter((r) => r.rel !== 'units' && r.rel !== 'accounts');
    expect(others.length).toBeGreaterThan(3);
    await db.ds.transaction(async (em) => {
      for (const t of ['units', 'accounts']) await em.query(`SELECT import_drop_indexes($1)`, [t]);
      expect(await fks(em)).toEqual(others);
      await em.query(`SELECT import_restore_indexes()`);
      expect(await fks(em)).toEqual(before);
    });
  });

  it('truncates an empty posts or messages table (new files of this transaction), and leaves one with rows alone', async () => {
    const files = (em: { query: (s: string) => Promise<{ rel: string; file: string }[]> }) => em.query(`
      SELECT c.relname AS rel, c.relfilenode::text AS file FROM pg_class c
       WHERE c.relkind = 'r' AND (c.relname = 'messages' OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'posts'::regclass))
       ORDER BY 1`);
    const before = await files(db.ds);
    expect(before.length).toBeGreaterThan(2);
    await db.ds.transaction(async (em) => {
      for (const t of ['posts', 'messages']) await em.query(`SELECT import_drop_indexes($1)`, [t]);
      const during = await files(em);
      expect(during.map((r) => r.rel)).toEqual(before.map((r) => r.rel));
      for (const [i, r] of during.entries()) expect(r.file, r.rel).not.toBe(before[i].file);
      await em.query(`SELECT import_restore_indexes()`);
    });
    // A table with rows: neither its indexes nor its files are touched.
    await makeUnits(db.ds, [{ code: 't-u', name: '测试单位', level: Level.COUNTY, region: '35' }]);
    const ids = await makeAccounts(db.ds, [{ unit: 't-u', handle: 't-a' }]);
    await makePosts(db.ds, ids['t-a'], ['2024-06-01T10:00:00+08:00']);
    const withRows = await files(db.ds);
    await db.ds.transaction(async (em) => {
      const [{ n }] = await em.query(`SELECT import_drop_indexes('posts') AS n`);
      expect(n).toBe(0);
      expect(await files(em)).toEqual(withRows);
    });
    const [{ count }] = await db.ds.query(`SELECT count(*)::int AS count FROM posts`);
    expect(count).toBe(1);
  });
});
