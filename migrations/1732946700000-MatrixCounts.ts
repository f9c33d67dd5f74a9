import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Maintained matrix counts (issue 14, "maintained aggregates … per unit × platform × status counts and open findings"),
 * kept current in the writer's own transaction, so the matrix of a region sums a few rows per county instead of
 * counting every account and open finding of the region (server/matrix/matrix.service.ts reads them when the user's
 * scope is the whole country):
 *   - `matrix_account_counts(region_path, platform, status, n)`: accounts per unit region × platform × status;
 *   - `matrix_finding_counts(region_path, finding_path, platform, n)`: open findings per unit region × the finding's own
 *     (denormalised) region path × platform — one count per platform the finding concerns (duplicates once) and one
 *     under platform '*' per finding, so the matrix's row, column and grand totals count a multi-platform finding once
 *     (as its `GROUPING SETS … count(DISTINCT id)` does) without knowing which findings they were.
 *
 * Both are logs of signed counts: the true count of a key is the sum of its rows. Writers never update a row, they
 * append one — so two transactions that change the same county never wait for each other or deadlock on a counter (as
 * `n = n + 1` on one row per key would):
 *   - INSERT / DELETE (the import's INSERT … SELECT, the API, a seed, detection): one statement-level trigger per
 *     statement, its rows as a transition table, appends one row per key (+/- count);
 *   - UPDATE of an account's unit, platform or status, of a finding's status, platforms, unit or region path: a row
 *     trigger whose WHEN clause costs nothing otherwise (the import's rewrites of rollups, detection's re-stamping of
 *     every finding it sees again);
 *   - UPDATE of units (per statement, its rows as transition tables): the accounts and open findings of each unit whose
 *     region changed move from the old region to the new one (the import sets 167,000 units' regions in one UPDATE);
 *   - TRUNCATE empties the log.
 * Units without a region, findings without a path have no row (the matrix of a region never counts them).
 * `matrix_counts_compact()` folds both logs into one row per key (dropping keys whose sum is 0); the import runs it at
 * its end, the daily housekeeping task too. It deletes only the rows it read, so writers that append meanwhile lose
 * nothing, and a concurrent fold only folds what the first one left.
 */

/** The platforms a finding (`f`) is counted under: each it concerns once, and '*'. */
export const COUNTED_PLATFORMS = (f: string) => `CROSS JOIN LATERAL (SELECT DISTINCT p FROM unnest(${f}.platforms) p UNION ALL SELECT '*') x(platform)`;

/** The counted rows of a set of findings (`src`: a relation with the findings' columns), with a sign. */
const FINDING_ROWS = (src: string, sign: string) => `
  SELECT u.region_path, f.region_path, x.platform, ${sign} * count(*) FROM ${src} f JOIN public.units u ON u.id = f.unit_id
   ${COUNTED_PLATFORMS('f')}
   WHERE f.status = 'open' AND u.region_path IS NOT NULL AND f.region_path IS NOT NULL GROUP BY 1, 2, 3`;

/** The counted rows of a set of accounts, with a sign. */
const ACCOUNT_ROWS = (src: string, sign: string) => `
  SELECT u.region_path, r.platform, r.status, ${sign} * count(*) FROM ${src} r JOIN public.units u ON u.id = r.unit_id
   WHERE u.region_path IS NOT NULL GROUP BY 1, 2, 3`;

/** The two logs: each one's table, its columns and the counted rows of a set of its source table's rows. */
export const LOGS = {
  accounts: { table: 'matrix_account_counts', columns: '(region_path, platform, status, n)', rows: ACCOUNT_ROWS },
  findings: { table: 'matrix_finding_counts', columns: '(region_path, finding_path, platform, n)', rows: FINDING_ROWS },
} as const;

/** A statement trigger's write to a log: emptied by a TRUNCATE, the inserted rows counted in, the deleted ones out. */
const LOG_STATEMENT = ({ table, columns, rows }: (typeof LOGS)[keyof typeof LOGS]) => `
          IF TG_OP = 'TRUNCATE' THEN
            DELETE FROM public.${table};
          ELSIF TG_OP = 'INSERT' THEN
            INSERT INTO public.${table} ${columns} ${rows('new_rows', '1')};
          ELSE
            INSERT INTO public.${table} ${columns} ${rows('old_rows', '-1')};
          END IF;`;

/** The statement triggers' function (its findings' part replaced by 1732947500000-MatrixCountsPlannedPerStatement.ts). */
export const STATEMENT_FUNCTION = `
      CREATE FUNCTION matrix_counts_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_ARGV[0] = 'accounts' THEN${LOG_STATEMENT(LOGS.accounts)}
        ELSE${LOG_STATEMENT(LOGS.findings)}
        END IF;
        RETURN NULL;
      END $$`;

/** The owner of `like` owns `table` too. */
const SAME_OWNER = (table: string, like: string) => `DO $$ BEGIN
  EXECUTE format('ALTER TABLE ${table} OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = '${like}'::regclass));
END $$`;

export class MatrixCounts1732946700000 implements MigrationInterface {
  name = 'MatrixCounts1732946700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE matrix_account_counts (region_path text NOT NULL, platform text NOT NULL, status text NOT NULL, n int NOT NULL)`);
    await q.query(SAME_OWNER('matrix_account_counts', 'accounts'));
    await q.query(`CREATE INDEX matrix_account_counts_path_idx ON matrix_account_counts (region_path text_pattern_ops) INCLUDE (platform, status, n)`);
    await q.query(`CREATE TABLE matrix_finding_counts (region_path text NOT NULL, finding_path text NOT NULL, platform text NOT NULL, n int NOT NULL)`);
    await q.query(SAME_OWNER('matrix_finding_counts', 'findings'));
    await q.query(`CREATE INDEX matrix_finding_counts_path_idx ON matrix_finding_counts (region_path text_pattern_ops) INCLUDE (finding_path, platform, n)`);

    // Inserts, deletes and truncations, per statement: accounts (TG_ARGV[0] = 'accounts') and findings.
    await q.query(STATEMENT_FUNCTION);
    for (const table of ['accounts', 'findings']) {
      await q.query(`CREATE TRIGGER matrix_counts_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION matrix_counts_statement('${table}')`);
      await q.query(`CREATE TRIGGER matrix_counts_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION matrix_counts_statement('${table}')`);
      await q.query(`CREATE TRIGGER matrix_counts_truncate AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION matrix_counts_statement('${table}')`);
    }

    // Updates of the counted columns, per row: the old row's counts out, the new row's in.
    await q.query(`
      CREATE FUNCTION matrix_counts_account_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
        SELECT u.region_path, OLD.platform, OLD.status, -1 FROM public.units u WHERE u.id = OLD.unit_id AND u.region_path IS NOT NULL
        UNION ALL
        SELECT u.region_path, NEW.platform, NEW.status, 1 FROM public.units u WHERE u.id = NEW.unit_id AND u.region_path IS NOT NULL;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER matrix_counts_update AFTER UPDATE OF unit_id, platform, status ON accounts FOR EACH ROW
      WHEN (OLD.unit_id <> NEW.unit_id OR OLD.platform <> NEW.platform OR OLD.status <> NEW.status)
      EXECUTE FUNCTION matrix_counts_account_update()`);
    await q.query(`
      CREATE FUNCTION matrix_counts_finding_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.matrix_finding_counts (region_path, finding_path, platform, n)
        SELECT u.region_path, OLD.region_path, x.platform, -1 FROM public.units u ${COUNTED_PLATFORMS('OLD')}
         WHERE u.id = OLD.unit_id AND OLD.status = 'open' AND u.region_path IS NOT NULL AND OLD.region_path IS NOT NULL
        UNION ALL
        SELECT u.region_path, NEW.region_path, x.platform, 1 FROM public.units u ${COUNTED_PLATFORMS('NEW')}
         WHERE u.id = NEW.unit_id AND NEW.status = 'open' AND u.region_path IS NOT NULL AND NEW.region_path IS NOT NULL;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER matrix_counts_update AFTER UPDATE OF status, platforms, unit_id, region_path ON findings FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.platforms IS DISTINCT FROM NEW.platforms OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
            OR OLD.region_path IS DISTINCT FROM NEW.region_path)
      EXECUTE FUNCTION matrix_counts_finding_update()`);

    // A unit's region change, per statement: its accounts' and open findings' counts move.
    await q.query(`
      CREATE FUNCTION matrix_counts_units() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        WITH m AS MATERIALIZED (
          SELECT n.id, o.region_path, -1 AS sign FROM old_units o JOIN new_units n ON n.id = o.id
           WHERE o.region_path IS DISTINCT FROM n.region_path AND o.region_path IS NOT NULL
          UNION ALL
          SELECT n.id, n.region_path, 1 FROM old_units o JOIN new_units n ON n.id = o.id
           WHERE o.region_path IS DISTINCT FROM n.region_path AND n.region_path IS NOT NULL),
        accounts_moved AS (
          INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
          SELECT m.region_path, a.platform, a.status, sum(m.sign)::int
            FROM m JOIN public.accounts a ON a.unit_id = m.id
           GROUP BY 1, 2, 3)
        INSERT INTO public.matrix_finding_counts (region_path, finding_path, platform, n)
        SELECT m.region_path, f.region_path, x.platform, sum(m.sign)::int
          FROM m JOIN public.findings f ON f.unit_id = m.id AND f.status = 'open' AND f.region_path IS NOT NULL
         ${COUNTED_PLATFORMS('f')}
         GROUP BY 1, 2, 3;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER matrix_counts_units AFTER UPDATE ON units REFERENCING OLD TABLE AS old_units NEW TABLE AS new_units
      FOR EACH STATEMENT EXECUTE FUNCTION matrix_counts_units()`);

    await q.query(`
      CREATE FUNCTION matrix_counts_compact() RETURNS int LANGUAGE sql AS $$
        WITH gone AS (DELETE FROM public.matrix_account_counts RETURNING region_path, platform, status, n),
        folded AS (INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
          SELECT region_path, platform, status, sum(n) FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0 RETURNING 1),
        fgone AS (DELETE FROM public.matrix_finding_counts RETURNING region_path, finding_path, platform, n),
        ffolded AS (INSERT INTO public.matrix_finding_counts (region_path, finding_path, platform, n)
          SELECT region_path, finding_path, platform, sum(n) FROM fgone GROUP BY 1, 2, 3 HAVING sum(n) <> 0 RETURNING 1)
        SELECT (SELECT count(*)::int FROM folded) + (SELECT count(*)::int FROM ffolded)
      $$`);

    for (const [source, { table, columns, rows }] of Object.entries(LOGS)) await q.query(`INSERT INTO ${table} ${columns} ${rows(source, '1')}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER matrix_counts_units ON units`);
    for (const table of ['accounts', 'findings']) {
      for (const t of ['insert', 'delete', 'truncate', 'update']) await q.query(`DROP TRIGGER matrix_counts_${t} ON ${table}`);
    }
    for (const f of ['compact', 'units', 'finding_update', 'account_update', 'statement']) await q.query(`DROP FUNCTION matrix_counts_${f}()`);
    await q.query(`DROP TABLE matrix_finding_counts`);
    await q.query(`DROP TABLE matrix_account_counts`);
  }
}
