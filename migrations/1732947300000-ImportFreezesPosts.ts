import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A direct load (server/import/bulk-load.ts `loadDirect`) writes posts and messages with `COPY … FREEZE`: the rows go
 * in frozen and their pages all-visible in the visibility map, as a VACUUM FREEZE would leave them.
 *
 * Why (issue 14): a COPY's rows are neither hinted nor in the visibility map, and the application role cannot VACUUM.
 * Until autovacuum reaches each month, about ten minutes after a national import, every index-only scan of posts reads
 * the heap as well, and the first reads set hint bits and dirty the pages. The first national detection run after an
 * import read the window's months that way: 35.7 s on a copy of a fresh import, 18.9 s once only the window's five
 * months had been vacuumed (LOW_VALUE 10.0 → 2.8 s, REDUNDANT_SAME_PLATFORM 5.4 → 1.9 s; a 2-core machine). Autovacuum
 * later reads all 30.9 M posts again to freeze them; frozen rows spare that too.
 *
 * COPY FREEZE takes a table created or emptied in the same (sub)transaction, and not a partitioned table: the load
 * copies into each month's partition, which `import_drop_indexes('posts')` has just emptied (TRUNCATE of the parent)
 * or `posts_ensure_months` has just created. The application role has INSERT on `posts` only, not on its partitions
 * (rows written to a partition directly skip the parent's statement triggers). `import_copy_target(month, grantee)`
 * names the partition of a month (`posts_default` when it has none), and grants the application role INSERT on it —
 * only while posts were emptied by this transaction's `import_drop_indexes` (its own temporary table says so, and
 * rolls back with it) — and `import_restore_indexes()` revokes the grant with the rest of its work, before the commit:
 * no other session ever sees it. The COPY checks each row against the partition's bounds.
 */
const COPY_TARGET = `
CREATE FUNCTION import_copy_target(m timestamptz, grantee name) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  mo timestamp := date_trunc('month', m AT TIME ZONE 'Asia/Shanghai');
  part text;
BEGIN
  IF m IS NULL OR grantee IS NULL THEN RAISE EXCEPTION 'import_copy_target: no month or no role'; END IF;
  IF to_regclass('pg_temp._import_dropped_indexes') IS NULL THEN
    RAISE EXCEPTION 'import_copy_target: posts were not emptied by this transaction''s import';
  END IF;
  PERFORM import_own_temp_table();
  IF NOT EXISTS (SELECT 1 FROM pg_temp._import_dropped_indexes
                  WHERE def = 'ALTER TABLE public.posts ENABLE TRIGGER detection_dirty_insert') THEN
    RAISE EXCEPTION 'import_copy_target: posts were not emptied by this transaction''s import';
  END IF;
  IF NOT pg_has_role(session_user, grantee, 'MEMBER') OR NOT has_table_privilege(grantee, 'public.posts', 'INSERT') THEN
    RAISE EXCEPTION 'import_copy_target: % may not insert posts', grantee;
  END IF;
  SELECT format('public.%I', c.relname) INTO part
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'public.posts'::regclass AND c.relname = 'posts_' || to_char(mo, 'YYYY_MM');
  part := COALESCE(part, 'public.posts_default');
  IF NOT has_table_privilege(grantee, part, 'INSERT') THEN
    EXECUTE format('GRANT INSERT ON %s TO %I', part, grantee);
    -- Revoked by import_restore_indexes(), after the indexes and keys (rank 5: the last).
    INSERT INTO pg_temp._import_dropped_indexes VALUES (format('REVOKE INSERT ON %s FROM %I', part, grantee), 5);
  END IF;
  RETURN part;
END $fn$`;

export class ImportFreezesPosts1732947300000 implements MigrationInterface {
  name = 'ImportFreezesPosts1732947300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(COPY_TARGET);
    await q.query(`REVOKE ALL ON FUNCTION import_copy_target(timestamptz, name) FROM PUBLIC`);
    await q.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_app') THEN
        GRANT EXECUTE ON FUNCTION import_copy_target(timestamptz, name) TO matrix_app;
      END IF; END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION import_copy_target(timestamptz, name)`);
  }
}
