import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Posts partitioned by month (issue 14): `posts` becomes a table range-partitioned on `published_at`, one partition
 * per calendar month in Beijing time (`posts_2024_06` holds [2024-06-01 00:00+08, 2024-07-01 00:00+08)) plus
 * `posts_default` for everything else, so an import loads, and a rule over a window reads, only the months it touches.
 *
 * - The natural key is unchanged: `posts_natural_key` UNIQUE (account_id, published_at, md5(title)) INCLUDE (reads,
 *   origin_account_id) — it already contains the partition key, so it stays unique on the partitioned table and
 *   `ON CONFLICT (account_id, published_at, md5(title))` keeps working.
 * - The primary key becomes (id, published_at) (a unique key of a partitioned table must contain the partition key);
 *   ids still come from `posts_id_seq`, so `id` alone stays unique in practice.
 * - `post_content_checks` carries the post's `published_at` and references posts (id, published_at) ON DELETE
 *   CASCADE ON UPDATE CASCADE: the same semantics as the former reference to posts(id).
 * - `posts_ensure_months(months)` creates the partitions of the given months (the import calls it with the months of
 *   the posts it loads); rows of such a month already in `posts_default` are moved into the new partition (with their
 *   content checks). Months more than 20 years back or more than a year ahead stay in the default partition, so a
 *   stray date cannot create hundreds of partitions. SECURITY DEFINER: the application role has no DDL rights.
 * - `analyze_imported(tables)` runs ANALYZE on the tables an import loaded (a whitelist), with the owner's rights: the
 *   application role cannot ANALYZE before PostgreSQL 17 (MAINTAIN), and autovacuum never analyzes a partitioned
 *   table's parent — without it the first detection after an import runs on missing statistics.
 */
const COLUMNS = 'id, account_id, published_at, title, original, reads, origin_account_id, content';

const ENSURE_MONTHS = `
CREATE FUNCTION posts_ensure_months(months timestamptz[]) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  m timestamp;
  lo timestamptz;
  hi timestamptz;
  part text;
  moving public.posts_default[];
  checks public.post_content_checks[];
  created int := 0;
BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', x AT TIME ZONE 'Asia/Shanghai') FROM unnest(months) x WHERE x IS NOT NULL ORDER BY 1 LOOP
    CONTINUE WHEN m < date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '20 years'
               OR m > date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '1 year';
    part := 'posts_' || to_char(m, 'YYYY_MM');
    CONTINUE WHEN to_regclass('public.' || part) IS NOT NULL;
    lo := m AT TIME ZONE 'Asia/Shanghai';
    hi := (m + interval '1 month') AT TIME ZONE 'Asia/Shanghai';
    -- Rows of this month in the default partition (and their content checks) are set aside (in variables: no table a
    -- caller could have prepared), removed, and put back once the month's partition exists (CREATE ... PARTITION OF
    -- refuses while the default holds rows of its range).
    SELECT array_agg(d) INTO moving FROM public.posts_default d WHERE d.published_at >= lo AND d.published_at < hi;
    IF moving IS NOT NULL THEN
      SELECT array_agg(c) INTO checks FROM public.post_content_checks c
       WHERE (c.post_id, c.published_at) IN (SELECT x.id, x.published_at FROM unnest(moving) x);
      DELETE FROM public.posts_default WHERE published_at >= lo AND published_at < hi;
    END IF;
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.posts FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
    EXECUTE format('ALTER TABLE public.%I OWNER TO %I', part, (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.posts'::regclass));
    IF moving IS NOT NULL THEN
      INSERT INTO public.posts (${COLUMNS}) SELECT ${COLUMNS} FROM unnest(moving);
      IF checks IS NOT NULL THEN
        INSERT INTO public.post_content_checks SELECT * FROM unnest(checks);
      END IF;
    END IF;
    created := created + 1;
  END LOOP;
  RETURN created;
END $fn$`;

/** The new table belongs to whoever owned the one it replaces (matrix_owner after LeastPrivilege), like its sequence. */
const SAME_OWNER = (from: string, to: string) => `DO $$ BEGIN
  EXECUTE format('ALTER TABLE ${to} OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = '${from}'::regclass)); END $$`;

const ANALYZE_IMPORTED = `
CREATE FUNCTION analyze_imported(tables text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY tables LOOP
    IF t = ANY (ARRAY['units', 'accounts', 'services', 'posts', 'messages', 'account_status_history']) THEN
      EXECUTE format('ANALYZE public.%I', t);
    END IF;
  END LOOP;
END $fn$`;

/**
 * Loading an empty table: `import_drop_indexes(t)` drops the secondary indexes of `posts` or `messages` when the table
 * is empty (their definitions are kept in a temporary table the application role cannot touch) and
 * `import_restore_indexes()` builds them again after the load, in the same transaction (one sort per index instead of
 * millions of random insertions). Primary keys and constraint indexes stay.
 */
/**
 * The definitions kept between the two calls live in a temporary table the functions' owner created: one a caller made
 * under that name (its own, so writable by it) would let it run any statement with the owner's rights — refused.
 */
const OWN_TEMP_TABLE = `
CREATE FUNCTION import_own_temp_table() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  IF (SELECT c.relowner FROM pg_class c WHERE c.oid = to_regclass('pg_temp._import_dropped_indexes'))
     IS DISTINCT FROM (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
    RAISE EXCEPTION 'import: temporary table _import_dropped_indexes is not the import''s own';
  END IF;
  REVOKE ALL ON pg_temp._import_dropped_indexes FROM PUBLIC;
END $fn$`;

const DROP_INDEXES = `
CREATE FUNCTION import_drop_indexes(tbl text) RETURNS int
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
  END LOOP;
  RETURN n;
END $fn$`;

const RESTORE_INDEXES = `
CREATE FUNCTION import_restore_indexes() RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  d text;
  n int := 0;
BEGIN
  IF to_regclass('pg_temp._import_dropped_indexes') IS NULL THEN RETURN 0; END IF;
  PERFORM import_own_temp_table();
  FOR d IN DELETE FROM pg_temp._import_dropped_indexes RETURNING def LOOP
    -- pg_get_indexdef says ON ONLY for a partitioned table's index; built again, it covers every partition.
    EXECUTE replace(d, ' ON ONLY ', ' ON ');
    n := n + 1;
  END LOOP;
  RETURN n;
END $fn$`;

const FUNCTIONS = 'posts_ensure_months(timestamptz[]), analyze_imported(text[]), import_drop_indexes(text), import_restore_indexes()';
const ALL_FUNCTIONS = `${FUNCTIONS}, import_own_temp_table()`;

/**
 * The definitions of the indexes of `posts` other than its primary key (posts_natural_key, posts_with_content and any
 * added by a later migration), which are then dropped: rebuilt on the replacing table after the rows are copied.
 */
async function secondaryIndexes(q: QueryRunner): Promise<string[]> {
  const rows: { name: string; def: string }[] = await q.query(`
    SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
     WHERE i.indrelid = 'posts'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY 1`);
  for (const r of rows) await q.query(`DROP INDEX ${r.name}`);
  return rows.map((r) => r.def.replace(' ON ONLY ', ' ON '));
}

export class PostsByMonth1732940000000 implements MigrationInterface {
  name = 'PostsByMonth1732940000000';

  async up(q: QueryRunner): Promise<void> {
    // The unpartitioned table steps aside, keeping its sequence; its secondary indexes (the natural key, the content
    // index, and any a later migration added) are dropped and built again on the new table, after the copy.
    await q.query(`ALTER TABLE post_content_checks DROP CONSTRAINT post_content_checks_post_fkey`);
    const indexes = await secondaryIndexes(q);
    await q.query(`ALTER TABLE posts RENAME TO posts_flat`);
    await q.query(`ALTER INDEX posts_pkey RENAME TO posts_flat_pkey`);
    await q.query(`ALTER SEQUENCE posts_id_seq OWNED BY NONE`);

    await q.query(`
      CREATE TABLE posts (
        id bigint NOT NULL DEFAULT nextval('posts_id_seq'),
        account_id int NOT NULL CONSTRAINT posts_account_id_fkey REFERENCES accounts(id),
        published_at timestamptz NOT NULL,
        title text NOT NULL,
        original boolean NOT NULL,
        reads int NOT NULL CONSTRAINT posts_reads_check CHECK (reads >= 0),
        origin_account_id int CONSTRAINT posts_origin_account_id_fkey REFERENCES accounts(id),
        content text CONSTRAINT posts_content_size_check CHECK (octet_length(content) <= 102400),
        content_hash uuid GENERATED ALWAYS AS (md5(title || E'\\x1f' || COALESCE(content, ''))::uuid) STORED
      ) PARTITION BY RANGE (published_at)`);
    await q.query(SAME_OWNER('posts_flat', 'posts'));
    await q.query(`ALTER SEQUENCE posts_id_seq OWNED BY posts.id`);
    await q.query(`CREATE TABLE posts_default PARTITION OF posts DEFAULT`);
    await q.query(SAME_OWNER('posts_flat', 'posts_default'));
    await q.query(ENSURE_MONTHS);
    await q.query(ANALYZE_IMPORTED);
    await q.query(OWN_TEMP_TABLE);
    await q.query(DROP_INDEXES);
    await q.query(RESTORE_INDEXES);
    await q.query(`REVOKE ALL ON FUNCTION ${ALL_FUNCTIONS} FROM PUBLIC`);
    await q.query(`DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_app') THEN
        GRANT EXECUTE ON FUNCTION ${FUNCTIONS} TO matrix_app;
      END IF; END $$`);

    // Partitions for the months that hold posts, then the rows, then the keys and indexes (built once, after the load).
    await q.query(`SELECT posts_ensure_months(ARRAY(SELECT DISTINCT date_trunc('month', published_at AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai' FROM posts_flat)
      || ARRAY[now(), now() + interval '1 month'])`);
    await q.query(`INSERT INTO posts (${COLUMNS}) SELECT ${COLUMNS} FROM posts_flat`);
    await q.query(`ALTER TABLE posts ADD CONSTRAINT posts_pkey PRIMARY KEY (id, published_at)`);
    for (const def of indexes) await q.query(def);

    await q.query(`ALTER TABLE post_content_checks ADD COLUMN published_at timestamptz`);
    await q.query(`UPDATE post_content_checks c SET published_at = p.published_at FROM posts_flat p WHERE p.id = c.post_id`);
    await q.query(`DELETE FROM post_content_checks WHERE published_at IS NULL`);
    await q.query(`ALTER TABLE post_content_checks ALTER COLUMN published_at SET NOT NULL,
      ADD CONSTRAINT post_content_checks_post_fkey FOREIGN KEY (post_id, published_at) REFERENCES posts (id, published_at)
        ON DELETE CASCADE ON UPDATE CASCADE`);
    await q.query(`DROP TABLE posts_flat`);
    await q.query(`ANALYZE posts`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE post_content_checks DROP CONSTRAINT post_content_checks_post_fkey`);
    const indexes = await secondaryIndexes(q);
    await q.query(`ALTER TABLE posts RENAME TO posts_by_month`);
    await q.query(`ALTER INDEX posts_pkey RENAME TO posts_by_month_pkey`);
    await q.query(`ALTER SEQUENCE posts_id_seq OWNED BY NONE`);
    await q.query(`
      CREATE TABLE posts (
        id bigint NOT NULL DEFAULT nextval('posts_id_seq') CONSTRAINT posts_pkey PRIMARY KEY,
        account_id int NOT NULL CONSTRAINT posts_account_id_fkey REFERENCES accounts(id),
        published_at timestamptz NOT NULL,
        title text NOT NULL,
        original boolean NOT NULL,
        reads int NOT NULL CONSTRAINT posts_reads_check CHECK (reads >= 0),
        origin_account_id int CONSTRAINT posts_origin_account_id_fkey REFERENCES accounts(id),
        content text CONSTRAINT posts_content_size_check CHECK (octet_length(content) <= 102400),
        content_hash uuid GENERATED ALWAYS AS (md5(title || E'\\x1f' || COALESCE(content, ''))::uuid) STORED
      )`);
    await q.query(SAME_OWNER('posts_by_month', 'posts'));
    await q.query(`ALTER SEQUENCE posts_id_seq OWNED BY posts.id`);
    await q.query(`INSERT INTO posts (${COLUMNS}) SELECT ${COLUMNS} FROM posts_by_month`);
    for (const def of indexes) await q.query(def);
    await q.query(`DROP TABLE posts_by_month`);
    await q.query(`DROP FUNCTION ${ALL_FUNCTIONS}`);
    await q.query(`ALTER TABLE post_content_checks DROP COLUMN published_at,
      ADD CONSTRAINT post_content_checks_post_fkey FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE`);
    await q.query(`ANALYZE posts`);
  }
}
