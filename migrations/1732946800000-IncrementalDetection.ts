import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incremental detection (issue 14): a run evaluates the rules only for the units whose inputs changed since they were
 * last evaluated for the same check date, rules and policies; the findings of the other units stand as they are (they
 * would come out the same) and are marked seen by the run. Every rule is local to one unit (its accounts, or its
 * accounts of one platform), so a unit is the grain.
 *
 * - `detection_dirty`: which transaction changed which unit. Statement triggers on every table the rules read append
 *   the units of the rows written (old and new rows: an account moved marks both units) with the writing transaction's
 *   id. Append only: a writer never waits for a run or another writer on a mark. A unit's evaluation records the
 *   snapshot of its run; a mark whose transaction that snapshot does not see (not yet committed when the run began)
 *   makes the unit due again (server/detection/incremental.ts). A run deletes the marks its snapshot saw of the units it
 *   evaluated.
 * - A mark without a unit (`unit_id` NULL) stands for every unit: inserted posts and messages (loaded by the million by
 *   an import: a transition table of them would cost more than the run it saves), TRUNCATE of an input, policy and
 *   lexicon edits, TRUNCATE of findings. Appended like the others: concurrent writers never wait. Deleted findings mark
 *   their units.
 *   A transaction that has marked every unit adds no mark per unit (an import marks every unit before it loads units
 *   and accounts, when it will load posts or messages: `detection_mark_all_units()`).
 * - `detection_unit_state`: per unit, what its findings were last evaluated for (check date, rules key, the run's
 *   snapshot in `detection_snapshots`: one row per run) and how many of its accounts were checked (a run's
 *   `accounts_checked` includes the units it did not re-evaluate).
 */
/** Each input table, and the SQL that names the units of its rows in a transition table `R`. */
const INPUTS: { table: string; units: string }[] = [
  { table: 'units', units: `SELECT id FROM R` },
  { table: 'accounts', units: `SELECT unit_id FROM R` },
  { table: 'services', units: `SELECT a.unit_id FROM accounts a WHERE a.id IN (SELECT account_id FROM R UNION SELECT origin_account_id FROM R)` },
  { table: 'account_status_history', units: `SELECT a.unit_id FROM accounts a WHERE a.id IN (SELECT account_id FROM R)` },
  { table: 'posts', units: `SELECT a.unit_id FROM accounts a WHERE a.id IN (SELECT account_id FROM R UNION SELECT origin_account_id FROM R)` },
  { table: 'messages', units: `SELECT a.unit_id FROM accounts a WHERE a.id IN (SELECT account_id FROM R)` },
];
/** Inserts into these mark every unit instead of the units of their rows (bulk loads). */
const BULK_INSERTS = new Set(['posts', 'messages']);
/** Any write to these marks every unit. */
const GLOBAL = ['policies', 'content_lexicon_edits'];

/** This transaction has marked every unit already. */
const ALL_MARKED = `EXISTS (SELECT 1 FROM detection_dirty WHERE unit_id IS NULL AND xid = pg_current_xact_id())`;

const mark = (units: string, ...tables: string[]) => `
        INSERT INTO detection_dirty (unit_id, xid)
        SELECT DISTINCT u, pg_current_xact_id() FROM (${tables.map((t) => units.replace(/\bR\b/g, t)).join(' UNION ')}) x(u)
         WHERE u IS NOT NULL;`;

/**
 * The owner of `accounts` owns the new tables too: a cascade from a foreign key (deleting an account deletes its
 * findings) runs as the owner of the table it writes, and that role's triggers write here.
 */
const SAME_OWNER = (table: string) => `DO $$ BEGIN
  EXECUTE format('ALTER TABLE ${table} OWNER TO %I', (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'accounts'::regclass));
END $$`;

export class IncrementalDetection1732946800000 implements MigrationInterface {
  name = 'IncrementalDetection1732946800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE detection_dirty (unit_id int, xid xid8 NOT NULL)`);
    await q.query(`CREATE INDEX detection_dirty_unit_idx ON detection_dirty (unit_id)`);
    await q.query(`
      CREATE TABLE detection_unit_state (
        unit_id int PRIMARY KEY, as_of date NOT NULL, rules_key text NOT NULL, snapshot_id int NOT NULL, checked int NOT NULL
      )`);
    await q.query(`CREATE TABLE detection_snapshots (id serial PRIMARY KEY, snapshot pg_snapshot NOT NULL)`);
    for (const table of ['detection_dirty', 'detection_unit_state', 'detection_snapshots']) await q.query(SAME_OWNER(table));
    await q.query(`
      CREATE FUNCTION detection_mark_all_units() RETURNS void LANGUAGE sql AS $$
        INSERT INTO detection_dirty (unit_id, xid) SELECT NULL, pg_current_xact_id() WHERE NOT ${ALL_MARKED}
      $$`);
    await q.query(`
      CREATE FUNCTION detection_mark_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM detection_mark_all_units();
        RETURN NULL;
      END $$`);
    for (const { table, units } of INPUTS) {
      await q.query(`
        CREATE FUNCTION detection_mark_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF ${ALL_MARKED} THEN RETURN NULL; END IF;
          IF TG_OP = 'INSERT' THEN ${mark(units, 'new_rows')}
          ELSIF TG_OP = 'DELETE' THEN ${mark(units, 'old_rows')}
          ELSE ${mark(units, 'old_rows', 'new_rows')}
          END IF;
          RETURN NULL;
        END $$`);
      if (BULK_INSERTS.has(table)) {
        await q.query(`CREATE TRIGGER detection_dirty_insert AFTER INSERT ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_all()`);
      } else {
        await q.query(`CREATE TRIGGER detection_dirty_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
          FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_${table}()`);
      }
      await q.query(`CREATE TRIGGER detection_dirty_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_${table}()`);
      await q.query(`CREATE TRIGGER detection_dirty_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_${table}()`);
      await q.query(`CREATE TRIGGER detection_dirty_truncate AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_all()`);
    }
    for (const table of GLOBAL) {
      await q.query(`CREATE TRIGGER detection_dirty_write AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_all()`);
    }
    // Deleted findings (an account deleted with its findings, the demo reset): their units are evaluated again, so what
    // still holds is found again. Detection itself only inserts and updates findings.
    await q.query(`
      CREATE FUNCTION detection_mark_findings() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${ALL_MARKED} THEN RETURN NULL; END IF;
        ${mark('SELECT unit_id FROM R', 'old_rows')}
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER detection_dirty_delete AFTER DELETE ON findings REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_findings()`);
    await q.query(`CREATE TRIGGER detection_dirty_truncate AFTER TRUNCATE ON findings FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_all()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER detection_dirty_truncate ON findings`);
    await q.query(`DROP TRIGGER detection_dirty_delete ON findings`);
    await q.query(`DROP FUNCTION detection_mark_findings()`);
    for (const table of GLOBAL) await q.query(`DROP TRIGGER detection_dirty_write ON ${table}`);
    for (const { table } of INPUTS) {
      for (const t of ['insert', 'update', 'delete', 'truncate']) await q.query(`DROP TRIGGER detection_dirty_${t} ON ${table}`);
      await q.query(`DROP FUNCTION detection_mark_${table}()`);
    }
    await q.query(`DROP FUNCTION detection_mark_all(), detection_mark_all_units()`);
    await q.query(`DROP TABLE detection_snapshots, detection_unit_state, detection_dirty`);
  }
}
