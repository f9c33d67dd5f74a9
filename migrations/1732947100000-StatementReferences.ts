import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The references a detection run writes in bulk are checked once per statement instead of once per row (issue 14).
 *
 * The first national detection run after an import writes ≈94,000 findings, ≈104,000 account links, ≈135,000 clean
 * sets and ≈172,000 scan states. As foreign keys, each row paid its own referential check — a locked look-up of its
 * unit, account or run: with those keys dropped the same run took 27.8–29.1 s instead of 33.9 s (the clean sets and
 * scan states 4.2 → 2.7 s, the findings 5.0 → 3.7–4.0 s, the links 2.2 → 1.1 s); with these triggers 26.7–27.4 s. They are now kept by triggers, the way
 * `findings.last_seen_run` already was (1732946500000-SeenRunChecked.ts), with the same errors a foreign key gives
 * (SQLSTATE 23503, the constraint's old name, the key in the detail):
 * - rows written to the child: one anti-join of the statement's new rows against the parent (insert); a row whose
 *   reference changes is checked by itself (update: a row trigger fired only when the value changes — an upsert
 *   that writes the same unit again checks nothing);
 * - rows deleted from the parent: the child is locked (SHARE ROW EXCLUSIVE: a transaction writing the child finishes
 *   first and is seen, or waits for the delete to commit and then finds its parent gone — the race a row lock closes
 *   for a foreign key; deleting transactions queue instead of deadlocking), then what the key said on delete is done
 *   for all the deleted parents at once: cascade, set null, or refuse (no action);
 * - TRUNCATE of a parent with children left is refused; a parent's key never changes.
 * `statement_references` lists them (the demo reset finds the tables to empty through it as through foreign keys).
 * `findings.resolved_run` stays a foreign key: it is only set by an update, which checks a changed value per row
 * either way.
 */
export interface StatementReference {
  /** The foreign key's name (dropped; kept as the name in errors and in the catalogue). */
  name: string;
  child: string;
  column: string;
  parent: string;
  onDelete: 'cascade' | 'set null' | 'no action';
}

export const STATEMENT_REFERENCES: StatementReference[] = [
  { name: 'findings_unit_id_fkey', child: 'findings', column: 'unit_id', parent: 'units', onDelete: 'cascade' },
  { name: 'findings_account_id_fkey', child: 'findings', column: 'account_id', parent: 'accounts', onDelete: 'cascade' },
  { name: 'findings_suggested_main_id_fkey', child: 'findings', column: 'suggested_main_id', parent: 'accounts', onDelete: 'set null' },
  { name: 'findings_first_seen_run_fkey', child: 'findings', column: 'first_seen_run', parent: 'detection_runs', onDelete: 'no action' },
  { name: 'finding_accounts_finding_id_fkey', child: 'finding_accounts', column: 'finding_id', parent: 'findings', onDelete: 'cascade' },
  { name: 'finding_accounts_account_id_fkey', child: 'finding_accounts', column: 'account_id', parent: 'accounts', onDelete: 'cascade' },
  { name: 'content_clean_hashes_account_fkey', child: 'content_clean_hashes', column: 'account_id', parent: 'accounts', onDelete: 'cascade' },
  { name: 'content_scan_state_account_fkey', child: 'content_scan_state', column: 'account_id', parent: 'accounts', onDelete: 'cascade' },
];

export const groupBy = (key: 'child' | 'parent') => {
  const m = new Map<string, StatementReference[]>();
  for (const r of STATEMENT_REFERENCES) m.set(r[key], [...(m.get(r[key]) ?? []), r]);
  return m;
};
export const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The error a foreign key gives when a child row points at no parent (`bad`: the key). */
export const missingParent = (r: StatementReference) => `
          RAISE EXCEPTION ${lit(`insert or update on table "${r.child}" violates foreign key constraint "${r.name}"`)}
            USING ERRCODE = 'foreign_key_violation', TABLE = ${lit(r.child)}, CONSTRAINT = ${lit(r.name)},
                  DETAIL = format(${lit(`Key (${r.column})=(%s) is not present in table "${r.parent}".`)}, bad);`;

/** Parents are read with the rights of the writer (the application role reads every table it may write into). */
export function childInsertCheck(child: string, refs: StatementReference[]): string {
  return `
      CREATE FUNCTION ${child}_references_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE bad text;
      BEGIN${refs.map((r) => `
        SELECT n.${r.column}::text INTO bad FROM new_rows n
         WHERE n.${r.column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${r.parent} p WHERE p.id = n.${r.column}) LIMIT 1;
        IF FOUND THEN${missingParent(r)}
        END IF;`).join('')}
        RETURN NULL;
      END $fn$`;
}

function childUpdateCheck(r: StatementReference): string {
  return `
      CREATE FUNCTION ${r.name}_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE bad text := NEW.${r.column}::text;
      BEGIN
        PERFORM 1 FROM ${r.parent} p WHERE p.id = NEW.${r.column};
        IF NOT FOUND THEN${missingParent(r)}
        END IF;
        RETURN NULL;
      END $fn$`;
}

function parentDelete(parent: string, refs: StatementReference[]): string {
  return `
      CREATE FUNCTION ${parent}_references_delete() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE bad text;
      BEGIN${refs.map((r) => `
        LOCK TABLE ${r.child} IN SHARE ROW EXCLUSIVE MODE;${
          r.onDelete === 'cascade' ? `
        DELETE FROM ${r.child} c WHERE c.${r.column} IN (SELECT o.id FROM old_rows o);`
          : r.onDelete === 'set null' ? `
        UPDATE ${r.child} c SET ${r.column} = NULL WHERE c.${r.column} IN (SELECT o.id FROM old_rows o);`
          : `
        SELECT c.${r.column}::text INTO bad FROM ${r.child} c WHERE c.${r.column} IN (SELECT o.id FROM old_rows o) LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION ${lit(`update or delete on table "${r.parent}" violates foreign key constraint "${r.name}" on table "${r.child}"`)}
            USING ERRCODE = 'foreign_key_violation', TABLE = ${lit(r.parent)}, CONSTRAINT = ${lit(r.name)},
                  DETAIL = format(${lit(`Key (id)=(%s) is still referenced from table "${r.child}".`)}, bad);
        END IF;`}`).join('')}
        RETURN NULL;
      END $fn$`;
}

function parentTruncate(parent: string, refs: StatementReference[]): string {
  return `
      CREATE FUNCTION ${parent}_references_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN${refs.map((r) => `
        IF EXISTS (SELECT 1 FROM ${r.child} c WHERE c.${r.column} IS NOT NULL) THEN
          RAISE EXCEPTION 'cannot truncate a table referenced in a foreign key constraint'
            USING ERRCODE = 'feature_not_supported', TABLE = ${lit(parent)}, CONSTRAINT = ${lit(r.name)},
                  DETAIL = ${lit(`Table "${r.child}" references "${parent}".`)};
        END IF;`).join('')}
        RETURN NULL;
      END $fn$`;
}

export class StatementReferences1732947100000 implements MigrationInterface {
  name = 'StatementReferences1732947100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE statement_references (
        name text PRIMARY KEY, child text NOT NULL, child_column text NOT NULL, parent text NOT NULL,
        on_delete text NOT NULL CHECK (on_delete IN ('cascade', 'set null', 'no action')))`);
    for (const r of STATEMENT_REFERENCES) {
      await q.query(`ALTER TABLE ${r.child} DROP CONSTRAINT ${r.name}`);
      await q.query(`INSERT INTO statement_references VALUES ($1, $2, $3, $4, $5)`, [r.name, r.child, r.column, r.parent, r.onDelete]);
    }
    for (const [child, refs] of groupBy('child')) {
      await q.query(childInsertCheck(child, refs));
      await q.query(`CREATE TRIGGER ${child}_references_insert AFTER INSERT ON ${child} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${child}_references_insert()`);
      for (const r of refs) {
        await q.query(childUpdateCheck(r));
        await q.query(`CREATE TRIGGER ${r.name}_update AFTER UPDATE OF ${r.column} ON ${child} FOR EACH ROW
          WHEN (NEW.${r.column} IS DISTINCT FROM OLD.${r.column} AND NEW.${r.column} IS NOT NULL) EXECUTE FUNCTION ${r.name}_update()`);
      }
    }
    for (const [parent, refs] of groupBy('parent')) {
      await q.query(parentDelete(parent, refs));
      await q.query(`CREATE TRIGGER ${parent}_references_delete AFTER DELETE ON ${parent} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${parent}_references_delete()`);
      await q.query(parentTruncate(parent, refs));
      await q.query(`CREATE TRIGGER ${parent}_references_truncate AFTER TRUNCATE ON ${parent}
        FOR EACH STATEMENT EXECUTE FUNCTION ${parent}_references_truncate()`);
      // detection_runs has its own (1732946500000-SeenRunChecked.ts).
      if (parent !== 'detection_runs') {
        await q.query(`
          CREATE FUNCTION ${parent}_keep_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
          BEGIN
            RAISE EXCEPTION ${lit(`a row of ${parent} keeps its id`)} USING ERRCODE = 'foreign_key_violation', TABLE = ${lit(parent)};
          END $fn$`);
        await q.query(`CREATE TRIGGER ${parent}_keep_id BEFORE UPDATE OF id ON ${parent}
          FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id) EXECUTE FUNCTION ${parent}_keep_id()`);
      }
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [parent] of groupBy('parent')) {
      if (parent !== 'detection_runs') {
        await q.query(`DROP TRIGGER ${parent}_keep_id ON ${parent}`);
        await q.query(`DROP FUNCTION ${parent}_keep_id()`);
      }
      await q.query(`DROP TRIGGER ${parent}_references_truncate ON ${parent}`);
      await q.query(`DROP TRIGGER ${parent}_references_delete ON ${parent}`);
      await q.query(`DROP FUNCTION ${parent}_references_truncate(), ${parent}_references_delete()`);
    }
    for (const [child, refs] of groupBy('child')) {
      for (const r of refs) {
        await q.query(`DROP TRIGGER ${r.name}_update ON ${child}`);
        await q.query(`DROP FUNCTION ${r.name}_update()`);
      }
      await q.query(`DROP TRIGGER ${child}_references_insert ON ${child}`);
      await q.query(`DROP FUNCTION ${child}_references_insert()`);
    }
    for (const r of STATEMENT_REFERENCES) {
      await q.query(`ALTER TABLE ${r.child} ADD CONSTRAINT ${r.name} FOREIGN KEY (${r.column}) REFERENCES ${r.parent}(id)${
        r.onDelete === 'no action' ? '' : ` ON DELETE ${r.onDelete.toUpperCase()}`}`);
    }
    await q.query(`DROP TABLE statement_references`);
  }
}
