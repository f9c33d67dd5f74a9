import { MigrationInterface, QueryRunner } from 'typeorm';
import { DROP_INDEXES } from './1732944500000-ImportDropForeignKeys';

/**
 * `import_drop_indexes` keeps the partial indexes on `origin_account_id IS NOT NULL` (posts_origin_idx): an import
 * never writes that column (only a plan's move does), so the index stays empty during the load and costs a predicate
 * test per row — while rebuilding it after a national load read all 30.9 M posts again for nothing (≈5–8 s).
 */
const LOOP = `WHERE i.indrelid = format('public.%I', tbl)::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) LOOP`;
const KEEP_EMPTY_PARTIAL = `WHERE i.indrelid = format('public.%I', tbl)::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
              AND coalesce(pg_get_expr(i.indpred, i.indrelid), '') !~ '^\\(?origin_account_id IS NOT NULL\\)?$' LOOP`;

/** The function as this migration leaves it (1732946600000-ImportTruncatesEmptyTargets.ts builds on it). */
export const DROP_INDEXES_KEEPING_ORIGIN = DROP_INDEXES.replace(LOOP, () => KEEP_EMPTY_PARTIAL); // a function: the text holds "$'"

export class ImportKeepsOriginIndexes1732946300000 implements MigrationInterface {
  name = 'ImportKeepsOriginIndexes1732946300000';

  async up(q: QueryRunner): Promise<void> {
    if (!DROP_INDEXES.includes(LOOP)) throw new Error('import_drop_indexes: the index loop is not the expected one');
    await q.query(DROP_INDEXES_KEEPING_ORIGIN);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DROP_INDEXES);
  }
}
