import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Loading an empty `posts` or `messages` (issue 14, national import): besides the secondary indexes,
 * `import_drop_indexes(t)` now also drops the table's foreign keys, and `import_restore_indexes()` adds them back
 * after the load. A foreign key checked row by row costs one trigger and one lookup per inserted row (more than half
 * of loading posts: 18.0 s → 8.4 s for 1.46 M posts of one province); added back afterwards, it is validated by one
 * anti-join per partition — the same guarantee, checked once. The definitions are kept, as before, in the
 * transaction's temporary table only the functions' owner may write, as complete statements.
 */
const DROP_INDEXES = (withForeignKeys: boolean) => `
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
  -- A table with rows is left alone, without taking its lock (readers of a re-imported table are not blocked).
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
  END LOOP;${withForeignKeys ? `
  FOR r IN SELECT c.conname, pg_get_constraintdef(c.oid) AS def
             FROM pg_constraint c
            WHERE c.conrelid = format('public.%I', tbl)::regclass AND c.contype = 'f' AND c.conparentid = 0 LOOP
    INSERT INTO pg_temp._import_dropped_indexes VALUES (format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', tbl, r.conname, r.def));
    EXECUTE format('ALTER TABLE public.%I DROP CONSTRAINT %I', tbl, r.conname);
    n := n + 1;
  END LOOP;` : ''}
  RETURN n;
END $fn$`;

export class ImportDropForeignKeys1732944500000 implements MigrationInterface {
  name = 'ImportDropForeignKeys1732944500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(DROP_INDEXES(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DROP_INDEXES(false));
  }
}
