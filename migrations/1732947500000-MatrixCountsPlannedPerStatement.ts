import { MigrationInterface, QueryRunner } from 'typeorm';
import { COUNTED_PLATFORMS, LOGS, STATEMENT_FUNCTION } from './1732946700000-MatrixCounts';
import { replaceOnce } from './function-text';
import { lit } from './1732947100000-StatementReferences';

/**
 * The findings' matrix counts (1732946700000-MatrixCounts.ts) planned for each statement's own size (issue 14).
 *
 * A statement's counted findings were selected by `WHERE f.status = 'open' AND f.region_path IS NOT NULL` from its
 * transition table, a relation without statistics: the planner took the open ones for 0.5 % of the rows and looked
 * each finding's unit up by its primary key in a nested loop — for the 93,823 findings of the first national detection
 * run after an import, a probe per finding (≈1 s of the run's insert on a 2-core machine). And the function's static
 * query kept the plan made for the first statement of the session, whatever its size.
 *
 * Now the rows are joined to their units unfiltered (the planner knows a transition table's row count: a large
 * statement joins the units once by a hash join, a single row by one probe), the status is a filter of the count
 * (`count(*) FILTER (…)`, a key without open findings writes no row), and the query is planned at each firing
 * (EXECUTE). Same rows in the log as before.
 */
const PLANNED_FINDING_ROWS = (src: string, sign: string) => `
  SELECT u.region_path, f.region_path, x.platform, ${sign} * count(*) FILTER (WHERE f.status = 'open')
    FROM ${src} f JOIN public.units u ON u.id = f.unit_id
   ${COUNTED_PLATFORMS('f')}
   WHERE u.region_path IS NOT NULL AND f.region_path IS NOT NULL
   GROUP BY 1, 2, 3 HAVING count(*) FILTER (WHERE f.status = 'open') > 0`;

const { table, columns, rows } = LOGS.findings;
const REPLACE = STATEMENT_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');

export class MatrixCountsPlannedPerStatement1732947500000 implements MigrationInterface {
  name = 'MatrixCountsPlannedPerStatement1732947500000';

  async up(q: QueryRunner): Promise<void> {
    let fn = REPLACE;
    for (const [src, sign] of [['new_rows', '1'], ['old_rows', '-1']]) {
      fn = replaceOnce(fn, `INSERT INTO public.${table} ${columns} ${rows(src, sign)};`,
        `EXECUTE ${lit(`INSERT INTO public.${table} ${columns} ${PLANNED_FINDING_ROWS(src, sign)}`)};`, `matrix_counts_statement: the findings' ${src}`);
    }
    await q.query(fn);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(REPLACE);
  }
}
