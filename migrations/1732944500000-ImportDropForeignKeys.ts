import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Loading an empty `posts` or `messages` (issue 14, national import): `import_drop_indexes(t)` now drops, besides the
 * secondary indexes, the table's primary key, its foreign keys and the foreign keys that reference it (posts ←
 * post_content_checks, necessarily empty when posts is), and `import_restore_indexes()` puts everything back after the
 * load in dependency order: indexes, primary key, the table's foreign keys, the references to it; and it may drop the
 * secondary indexes of an empty `accounts` or `units` (which the import inserts and then updates two more times:
 * rollups, normalised names, unit paths — each pass maintaining trigram and pinyin indexes). Measured on one
 * province (1.46 M posts, COPY): a foreign key checked row by row costs a trigger and a lookup per row (18.0 s → 8.4 s
 * without it), the primary key maintained row by row about 3.4 s more than building it once afterwards. Added back
 * afterwards, each foreign key is validated by one anti-join per partition — the same guarantee, checked once. The
 * definitions are kept, as before, in the transaction's temporary table only the functions' owner may write, as
 * complete statements with their rank.
 */
export const DROP_INDEXES = `
CREATE OR REPLACE FUNCTION import_drop_indexes(tbl text) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  r record;
  nonempty boolean;
  n int := 0;
BEGIN
  IF tbl IS NULL OR tbl <> ALL (ARRAY['posts', 'messages', 'accounts', 'units']) THEN
    RAISE EXCEPTION 'import_drop_indexes: % is not a bulk-loaded table', tbl;
  END IF;
  -- A table with rows is left alone, without taking its lock (readers of a re-imported table are not blocked).
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I)', tbl) INTO nonempty;
  IF nonempty THEN RETURN 0; END IF;
  EXECUTE format('LOCK TABLE public.%I IN ACCESS EXCLUSIVE MODE', tbl);
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I)', tbl) INTO nonempty;
  IF nonempty THEN RETURN 0; END IF;
  CREATE TEMP TABLE IF NOT EXISTS _import_dropped_indexes (def text NOT NULL, rank int NOT NULL) ON COMMIT DROP;
  PERFORM import_own_temp_table();
  -- posts and messages: foreign keys referencing the table (rank 3), then its own (rank 2), then its primary and
  -- unique keys (rank 1). accounts and units (written, then updated by the import: rollups, names, paths) keep their
  -- keys — the import's joins use them — and lose only their secondary indexes (trigram, pinyin, paths, ...).
  FOR r IN SELECT c.conrelid::regclass::text AS rel, c.conname, pg_get_constraintdef(c.oid) AS def,
                  CASE WHEN c.contype = 'f' AND c.conrelid <> format('public.%I', tbl)::regclass THEN 3
                       WHEN c.contype = 'f' THEN 2 ELSE 1 END AS rank
             FROM pg_constraint c
            WHERE tbl IN ('posts', 'messages') AND c.conparentid = 0 AND c.contype IN ('p', 'u', 'f')
              AND (c.conrelid = format('public.%I', tbl)::regclass OR (c.contype = 'f' AND c.confrelid = format('public.%I', tbl)::regclass))
            ORDER BY 4 DESC LOOP
    INSERT INTO pg_temp._import_dropped_indexes VALUES (format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.rel, r.conname, r.def), r.rank);
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
    n := n + 1;
  END LOOP;
  FOR r IN SELECT i.indexrelid::regclass::text AS idx, pg_get_indexdef(i.indexrelid) AS def
             FROM pg_index i
            WHERE i.indrelid = format('public.%I', tbl)::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) LOOP
    INSERT INTO pg_temp._import_dropped_indexes VALUES (r.def, 0);
    EXECUTE format('DROP INDEX public.%s', r.idx);
    n := n + 1;
  END LOOP;
  RETURN n;
END $fn$`;

const RESTORE_INDEXES = `
CREATE OR REPLACE FUNCTION import_restore_indexes() RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  d text;
  n int := 0;
BEGIN
  IF to_regclass('pg_temp._import_dropped_indexes') IS NULL THEN RETURN 0; END IF;
  PERFORM import_own_temp_table();
  FOR d IN SELECT def FROM pg_temp._import_dropped_indexes ORDER BY rank, ctid LOOP
    -- pg_get_indexdef says ON ONLY for a partitioned table's index; built again, it covers every partition.
    EXECUTE replace(d, ' ON ONLY ', ' ON ');
    n := n + 1;
  END LOOP;
  DELETE FROM pg_temp._import_dropped_indexes;
  RETURN n;
END $fn$`;

/** The versions of migrations/1732940000000-PostsByMonth.ts (secondary indexes only), for down(). */
const DROP_INDEXES_BEFORE = `
CREATE OR REPLACE FUNCTION import_drop_indexes(tbl text) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  r record;
  nonempty boolean;
  n int := 0;
BEGIN
  IF tbl IS NULL OR tbl <> ALL (ARRAY['posts', 'messages']) THEN
    RAISE EXCEPTION 'import_drop_indexes: % is not a bulk-loaded table', tbl;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I)', tbl) INTO nonempty;
  IF nonempty THEN RETURN 0; END IF;
  EXECUTE format('LOCK TABLE public.%I IN ACCESS EXCLUSIVE MODE', tbl);
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM public.%I)', tbl) INTO nonempty;
  IF nonempty THEN RETURN 0; END IF;
  CREATE TEMP TABLE IF NOT EXISTS _import_dropped_indexes (def text NOT NULL) ON COMMIT DROP;
  PERFORM import_own_temp_table();
  FOR r IN SELECT i.indexrelid::regclass::text AS idx, pg_get_indexdef(i.indexrelid) AS def
             FROM pg_index i
            WHERE i.indrelid = format('public.%I', tbl)::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) LOOP
    INSERT INTO pg_temp._import_dropped_indexes VALUES (r.def);
    EXECUTE format('DROP INDEX public.%s', r.idx);
    n := n + 1;
  END LOOP;
  RETURN n;
END $fn$`;

const RESTORE_INDEXES_BEFORE = `
CREATE OR REPLACE FUNCTION import_restore_indexes() RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  d text;
  n int := 0;
BEGIN
  IF to_regclass('pg_temp._import_dropped_indexes') IS NULL THEN RETURN 0; END IF;
  PERFORM import_own_temp_table();
  FOR d IN DELETE FROM pg_temp._import_dropped_indexes RETURNING def LOOP
    EXECUTE replace(d, ' ON ONLY ', ' ON ');
    n := n + 1;
  END LOOP;
  RETURN n;
END $fn$`;

export class ImportDropForeignKeys1732944500000 implements MigrationInterface {
  name = 'ImportDropForeignKeys1732944500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(DROP_INDEXES);
    await q.query(RESTORE_INDEXES);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DROP_INDEXES_BEFORE);
    await q.query(RESTORE_INDEXES_BEFORE);
  }
}
