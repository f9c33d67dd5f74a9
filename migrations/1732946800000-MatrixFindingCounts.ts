import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Maintained open-finding counts for the matrix (issue 14, "maintained aggregates … and open findings"), beside the
 * account counts of migrations/1732946700000-MatrixAccountCounts.ts and kept the same way: a log of signed counts
 * appended by triggers in the writer's transaction (detection's inserts, upserts and resolutions, a dismissal, a
 * reopening), folded by `matrix_account_counts_compact()` (which now folds both logs).
 *
 * `matrix_finding_counts(region_path, finding_path, platform, n)`: open findings by their unit's region, their own
 * (denormalised) region path and platform — one count per platform the finding concerns (`findings.platforms`,
 * duplicates counted once) and one under platform '*' per finding. The matrix counts a finding when both paths lie in
 * the region and places it in the row of its unit's region, each finding once in each of its platform cells and once
 * in its row total, the column totals and the grand total (server/matrix/matrix.service.ts `findingsSql`); the '*'
 * rows give the distinct counts without knowing which findings they were.
 *   - INSERT / DELETE / TRUNCATE of findings: per statement (transition tables);
 *   - UPDATE of a finding's status, platforms, unit or region path: a row trigger whose WHEN clause costs nothing
 *     otherwise (detection re-stamps every finding it sees again: `last_seen_*` only);
 *   - a unit's region change: its open findings move with its accounts (the units trigger of the account counts).
 */
export class MatrixFindingCounts1732946800000 implements MigrationInterface {
  name = 'MatrixFindingCounts1732946800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE matrix_finding_counts (
        region_path text NOT NULL,
        finding_path text NOT NULL,
        platform text NOT NULL,
        n int NOT NULL
      )`);
    await q.query(`DO $$ BEGIN
      EXECUTE format('ALTER TABLE matrix_finding_counts OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'findings'::regclass));
    END $$`);
    await q.query(`CREATE INDEX matrix_finding_counts_path_idx ON matrix_finding_counts (region_path text_pattern_ops) INCLUDE (finding_path, platform, n)`);
    // The counted rows of a set of findings (`src`: a relation with the findings' columns) with a sign.
    const rows = (src: string, sign: string) => `
          SELECT u.region_path, f.region_path, x.platform, ${sign} * count(*) FROM ${src} f JOIN public.units u ON u.id = f.unit_id
           CROSS JOIN LATERAL (SELECT DISTINCT p FROM unnest(f.platforms) p UNION ALL SELECT '*') x(platform)
           WHERE f.status = 'open' AND u.region_path IS NOT NULL AND f.region_path IS NOT NULL GROUP BY 1, 2, 3`;
    await q.query(`
      CREATE FUNCTION matrix_finding_counts_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          DELETE FROM public.matrix_finding_counts;
        ELSIF TG_OP = 'INSERT' THEN
          INSERT INTO public.matrix_finding_counts (region_path, finding_path, platform, n) ${rows('new_rows', '1')};
        ELSE
          INSERT INTO public.matrix_finding_counts (region_path, finding_path, platform, n) ${rows('old_rows', '-1')};
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER matrix_finding_counts_insert AFTER INSERT ON findings REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION matrix_finding_counts_statement()`);
    await q.query(`CREATE TRIGGER matrix_finding_counts_delete AFTER DELETE ON findings REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION matrix_finding_counts_statement()`);
    await q.query(`CREATE TRIGGER matrix_finding_counts_truncate AFTER TRUNCATE ON findings
      FOR EACH STATEMENT EXECUTE FUNCTION matrix_finding_counts_statement()`);
    await q.query(`
      CREATE FUNCTION matrix_finding_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO public.matrix_finding_counts (region_path, finding_path, platform, n)
        SELECT u.region_path, OLD.region_path, x.platform, -1 FROM public.units u
         CROSS JOIN LATERAL (SELECT DISTINCT p FROM unnest(OLD.platforms) p UNION ALL SELECT '*') x(platform)
         WHERE u.id = OLD.unit_id AND OLD.status = 'open' AND u.region_path IS NOT NULL AND OLD.region_path IS NOT NULL
        UNION ALL
        SELECT u.region_path, NEW.region_path, x.platform, 1 FROM public.units u
         CROSS JOIN LATERAL (SELECT DISTINCT p FROM unnest(NEW.platforms) p UNION ALL SELECT '*') x(platform)
         WHERE u.id = NEW.unit_id AND NEW.status = 'open' AND u.region_path IS NOT NULL AND NEW.region_path IS NOT NULL;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER matrix_finding_counts_update AFTER UPDATE OF status, platforms, unit_id, region_path ON findings FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.platforms IS DISTINCT FROM NEW.platforms OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
            OR OLD.region_path IS DISTINCT FROM NEW.region_path)
      EXECUTE FUNCTION matrix_finding_counts_update()`);
    // A unit's region change moves its accounts' counts (as before) and its open findings' counts.
    await q.query(`
      CREATE OR REPLACE FUNCTION matrix_account_counts_units() RETURNS trigger LANGUAGE plpgsql AS $$
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
         CROSS JOIN LATERAL (SELECT DISTINCT p FROM unnest(f.platforms) p UNION ALL SELECT '*') x(platform)
         GROUP BY 1, 2, 3;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION matrix_account_counts_compact() RETURNS int LANGUAGE sql AS $$
        WITH gone AS (DELETE FROM public.matrix_account_counts RETURNING region_path, platform, status, n),
        folded AS (INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
          SELECT region_path, platform, status, sum(n) FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0 RETURNING 1),
        fgone AS (DELETE FROM public.matrix_finding_counts RETURNING region_path, finding_path, platform, n),
        ffolded AS (INSERT INTO public.matrix_finding_counts (region_path, finding_path, platform, n)
          SELECT region_path, finding_path, platform, sum(n) FROM fgone GROUP BY 1, 2, 3 HAVING sum(n) <> 0 RETURNING 1)
        SELECT (SELECT count(*)::int FROM folded) + (SELECT count(*)::int FROM ffolded)
      $$`);
    await q.query(`INSERT INTO matrix_finding_counts (region_path, finding_path, platform, n) ${rows('findings', '1')}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION matrix_account_counts_compact() RETURNS int LANGUAGE sql AS $$
        WITH gone AS (DELETE FROM public.matrix_account_counts RETURNING region_path, platform, status, n),
        folded AS (INSERT INTO public.matrix_account_counts (region_path, platform, status, n)
          SELECT region_path, platform, status, sum(n) FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0 RETURNING 1)
        SELECT count(*)::int FROM folded
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION matrix_account_counts_units() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await q.query(`DROP TRIGGER matrix_finding_counts_update ON findings`);
    await q.query(`DROP TRIGGER matrix_finding_counts_truncate ON findings`);
    await q.query(`DROP TRIGGER matrix_finding_counts_delete ON findings`);
    await q.query(`DROP TRIGGER matrix_finding_counts_insert ON findings`);
    await q.query(`DROP FUNCTION matrix_finding_counts_update()`);
    await q.query(`DROP FUNCTION matrix_finding_counts_statement()`);
    await q.query(`DROP TABLE matrix_finding_counts`);
  }
}
