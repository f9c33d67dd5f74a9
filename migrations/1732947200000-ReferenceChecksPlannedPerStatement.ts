import { MigrationInterface, QueryRunner } from 'typeorm';
import { childInsertCheck, groupBy, lit, missingParent, type StatementReference } from './1732947100000-StatementReferences';

/**
 * The insert checks of the references kept by statement triggers (1732947100000-StatementReferences.ts) planned for
 * each statement's own size (issue 14).
 *
 * The check looked for ONE new row without its parent (`… LIMIT 1`), a static query of the trigger function: the
 * planner, asked for the first row fast, probed the parent's primary key once per new row — and right after an import,
 * before a vacuum has set the parents' visibility map, each probe also read the parent's heap. The first national
 * detection run after an import paid 0.85 s for its 134,930 clean sets, 1.02 s for its 171,806 scan states and 0.73 s
 * for the accounts of its 93,823 findings this way (a 2-core machine, auto_explain), where one hash anti-join over the
 * parent takes 0.18–0.22 s. Now the check asks for the smallest missing key (an aggregate: the planner costs the whole
 * statement, so a large one is checked by a hash anti-join and a single row by one probe of the key), and the query
 * is planned at each firing (EXECUTE: a plan kept by the function would be the one made for the first statement of
 * the session, whatever its size). The error is the foreign key's, as before; its detail names the smallest key missing.
 */
function plannedInsertCheck(child: string, refs: StatementReference[]): string {
  return `
      CREATE OR REPLACE FUNCTION ${child}_references_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE bad text;
      BEGIN${refs.map((r) => `
        EXECUTE ${lit(`SELECT min(n.${r.column})::text FROM new_rows n
                  WHERE n.${r.column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${r.parent} p WHERE p.id = n.${r.column})`)} INTO bad;
        IF bad IS NOT NULL THEN${missingParent(r)}
        END IF;`).join('')}
        RETURN NULL;
      END $fn$`;
}

export class ReferenceChecksPlannedPerStatement1732947200000 implements MigrationInterface {
  name = 'ReferenceChecksPlannedPerStatement1732947200000';

  async up(q: QueryRunner): Promise<void> {
    for (const [child, refs] of groupBy('child')) await q.query(plannedInsertCheck(child, refs));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [child, refs] of groupBy('child')) {
      await q.query(childInsertCheck(child, refs).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
    }
  }
}
