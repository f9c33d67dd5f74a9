import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Maintained matrix counts (issue 14, "maintained aggregates"): accounts per unit region × platform × status, kept
 * current in the writer's own transaction, so the matrix of a region sums a few rows per county instead of counting
 * every account of the region (server/matrix/matrix.service.ts reads them when the user's scope is the whole country).
 *
 * `matrix_account_counts(region_path, platform, status, n)` is a log of signed counts: the true count of a key is the
 * sum of its rows. Writers never update a row, they append one — so two transactions that change accounts of the
 * same county never wait for each other or deadlock on a counter (as `n = n + 1` on one row per key would):
 *   - INSERT / DELETE of accounts (any statement: the import's INSERT … SELECT, the API, a seed): one statement-level
 *     trigger per statement, with the statement's rows as a transition table, appends one row per key (+/- count);
 *   - UPDATE of an account's unit, platform or status (a plan's execution, an edit, an import that changes a status):
 *     a row trigger, evaluated only when one of them changed (its WHEN clause costs nothing otherwise: the import's
 *     rewrites of rollups pay nothing), appends −1 for the old key and +1 for the new one;
 *   - UPDATE of units (per statement, its rows as transition tables): the accounts of each unit whose region changed
 *     move from the old region to the new one;
 *   - TRUNCATE of accounts empties the log.
 * Units without a region have no row (the matrix of a region never counts them).
 * `matrix_account_counts_compact()` folds the log into one row per key (dropping keys whose sum is 0); the import
 * runs it at its end, the daily housekeeping task too. It deletes only the rows it read, so writers that append
 * meanwhile lose nothing, and a concurrent compaction only folds what the first one left.
 */
export class MatrixAccountCounts1732946700000 implements MigrationInterface {
  name = 'MatrixAccountCounts1732946700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE matrix_account_counts (
        region_path text NOT NULL,
        platform text NOT NULL,
        status text NOT NULL,
        n int NOT NULL
      )`);
    await q.query(`DO $$ BEGIN
      EXECUTE format('ALTER TABLE matrix_account_counts OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'accounts'::regclass));
    END $$`);
    await q.query(`CREATE INDEX matrix_account_counts_path_idx ON matrix_account_counts (region_path text_pattern_ops) INCLUDE (platform, status, n)`);
    await q.query(`
      CREATE FUNCTION matrix_account_counts_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          DELETE FROM public.matrix_account_counts;
        ELSIF TG_OP = 'INSERT' THEN
          INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
          SELECT u.region_path, r.platform, r.status, count(*) FROM new_rows r JOIN public.units u ON u.id = r.unit_id
           WHERE u.region_path IS NOT NULL GROUP BY 1, 2, 3;
        ELSE
          INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
          SELECT u.region_path, r.platform, r.status, -count(*) FROM old_rows r JOIN public.units u ON u.id = r.unit_id
           WHERE u.region_path IS NOT NULL GROUP BY 1, 2, 3;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER matrix_account_counts_insert AFTER INSERT ON accounts REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION matrix_account_counts_statement()`);
    await q.query(`CREATE TRIGGER matrix_account_counts_delete AFTER DELETE ON accounts REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION matrix_account_counts_statement()`);
    await q.query(`CREATE TRIGGER matrix_account_counts_truncate AFTER TRUNCATE ON accounts
      FOR EACH STATEMENT EXECUTE FUNCTION matrix_account_counts_statement()`);
    await q.query(`
      CREATE FUNCTION matrix_account_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
        SELECT u.region_path, OLD.platform, OLD.status, -1 FROM public.units u WHERE u.id = OLD.unit_id AND u.region_path IS NOT NULL
        UNION ALL
        SELECT u.region_path, NEW.platform, NEW.status, 1 FROM public.units u WHERE u.id = NEW.unit_id AND u.region_path IS NOT NULL;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER matrix_account_counts_update AFTER UPDATE OF unit_id, platform, status ON accounts FOR EACH ROW
      WHEN (OLD.unit_id <> NEW.unit_id OR OLD.platform <> NEW.platform OR OLD.status <> NEW.status)
      EXECUTE FUNCTION matrix_account_counts_update()`);
    // Per statement, not per row: the import sets the region of every new unit in one UPDATE (167,000 units nationally).
    await q.query(`
      CREATE FUNCTION matrix_account_counts_units() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
        SELECT m.region_path, a.platform, a.status, sum(m.sign)::int
          FROM (SELECT n.id, o.region_path, -1 AS sign FROM old_units o JOIN new_units n ON n.id = o.id
                 WHERE o.region_path IS DISTINCT FROM n.region_path AND o.region_path IS NOT NULL
                UNION ALL
                SELECT n.id, n.region_path, 1 FROM old_units o JOIN new_units n ON n.id = o.id
                 WHERE o.region_path IS DISTINCT FROM n.region_path AND n.region_path IS NOT NULL) m
          JOIN public.accounts a ON a.unit_id = m.id
         GROUP BY 1, 2, 3;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER matrix_account_counts_units AFTER UPDATE ON units REFERENCING OLD TABLE AS old_units NEW TABLE AS new_units
      FOR EACH STATEMENT EXECUTE FUNCTION matrix_account_counts_units()`);
    await q.query(`
      CREATE FUNCTION matrix_account_counts_compact() RETURNS int LANGUAGE sql AS $$
        WITH gone AS (DELETE FROM public.matrix_account_counts RETURNING region_path, platform, status, n),
        folded AS (INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
          SELECT region_path, platform, status, sum(n) FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0 RETURNING 1)
        SELECT count(*)::int FROM folded
      $$`);
    await q.query(`
      INSERT INTO matrix_account_counts (region_path, platform, status, n)
      SELECT u.region_path, a.platform, a.status, count(*) FROM accounts a JOIN units u ON u.id = a.unit_id
       WHERE u.region_path IS NOT NULL GROUP BY 1, 2, 3`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER matrix_account_counts_units ON units`);
    await q.query(`DROP TRIGGER matrix_account_counts_update ON accounts`);
    await q.query(`DROP TRIGGER matrix_account_counts_truncate ON accounts`);
    await q.query(`DROP TRIGGER matrix_account_counts_delete ON accounts`);
    await q.query(`DROP TRIGGER matrix_account_counts_insert ON accounts`);
    await q.query(`DROP FUNCTION matrix_account_counts_compact()`);
    await q.query(`DROP FUNCTION matrix_account_counts_units()`);
    await q.query(`DROP FUNCTION matrix_account_counts_update()`);
    await q.query(`DROP FUNCTION matrix_account_counts_statement()`);
    await q.query(`DROP TABLE matrix_account_counts`);
  }
}
