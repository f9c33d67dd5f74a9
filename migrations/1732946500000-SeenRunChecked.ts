import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `findings.last_seen_run` is checked once per statement instead of once per row (issue 14).
 *
 * Every detection run re-stamps each finding it still sees with its own run (`last_seen_run`). As a foreign key that
 * fired one referential check per finding — a locked look-up of the same detection_runs row: 15 ms of a province's
 * 1,578 findings (half of the step), about 1 s nationally. The reference is now kept by two statement triggers:
 * - writes to findings: one anti-join of the statement's new rows against detection_runs (a run id that does not
 *   exist is refused with the same error a foreign key gives, SQLSTATE 23503);
 * - deletes from detection_runs: the findings still pointing at a deleted run are looked for after taking a SHARE
 *   lock on findings, so a transaction writing findings finishes first and is seen (or waits for the delete to
 *   commit and then finds its run gone) — the race a row lock closes for a foreign key;
 * - a run's id never changes.
 * `first_seen_run` and `resolved_run` stay foreign keys: they are written only when a finding is created or
 * resolved, and the reset of the demo data orders its deletes by them (findings before runs).
 */
/**
 * A statement trigger's function: `find` puts an offending run id into `bad` (or finds none); one found is refused
 * with the error a foreign key would give (SQLSTATE 23503, the constraint's name, the key in the detail).
 */
const checkFunction = (name: string, find: string, message: string, table: string, detail: string) => `
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE bad int;
      BEGIN${find}
        IF FOUND THEN
          RAISE EXCEPTION '${message}'
            USING ERRCODE = 'foreign_key_violation', TABLE = '${table}', CONSTRAINT = 'findings_last_seen_run_fkey', DETAIL = ${detail};
        END IF;
        RETURN NULL;
      END $fn$`;

export class SeenRunChecked1732946500000 implements MigrationInterface {
  name = 'SeenRunChecked1732946500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE findings DROP CONSTRAINT findings_last_seen_run_fkey`);
    await q.query(checkFunction('findings_seen_run_check', `
        SELECT n.last_seen_run INTO bad FROM new_rows n
         WHERE NOT EXISTS (SELECT 1 FROM detection_runs r WHERE r.id = n.last_seen_run) LIMIT 1;`,
      'insert or update on table "findings" violates foreign key constraint "findings_last_seen_run_fkey"', 'findings',
      `format('Key (last_seen_run)=(%s) is not present in table "detection_runs".', bad)`));
    await q.query(`CREATE TRIGGER findings_seen_run_insert AFTER INSERT ON findings REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION findings_seen_run_check()`);
    await q.query(`CREATE TRIGGER findings_seen_run_update AFTER UPDATE ON findings REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION findings_seen_run_check()`);
    await q.query(checkFunction('detection_runs_seen_check', `
        LOCK TABLE findings IN SHARE MODE;
        SELECT f.last_seen_run INTO bad FROM findings f JOIN old_rows o ON o.id = f.last_seen_run LIMIT 1;`,
      'update or delete on table "detection_runs" violates foreign key constraint "findings_last_seen_run_fkey" on table "findings"',
      'detection_runs', `format('Key (id)=(%s) is still referenced from table "findings".', bad)`));
    await q.query(`CREATE TRIGGER detection_runs_seen_delete AFTER DELETE ON detection_runs REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION detection_runs_seen_check()`);
    await q.query(`
      CREATE FUNCTION detection_runs_keep_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'a detection run keeps its id' USING ERRCODE = 'foreign_key_violation', TABLE = 'detection_runs';
      END $fn$`);
    await q.query(`CREATE TRIGGER detection_runs_keep_id BEFORE UPDATE OF id ON detection_runs
      FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id) EXECUTE FUNCTION detection_runs_keep_id()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER detection_runs_keep_id ON detection_runs`);
    await q.query(`DROP TRIGGER detection_runs_seen_delete ON detection_runs`);
    await q.query(`DROP TRIGGER findings_seen_run_update ON findings`);
    await q.query(`DROP TRIGGER findings_seen_run_insert ON findings`);
    await q.query(`DROP FUNCTION detection_runs_keep_id(), detection_runs_seen_check(), findings_seen_run_check()`);
    await q.query(`ALTER TABLE findings ADD CONSTRAINT findings_last_seen_run_fkey FOREIGN KEY (last_seen_run) REFERENCES detection_runs(id)`);
  }
}
