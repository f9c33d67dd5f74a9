import { MigrationInterface, QueryRunner } from 'typeorm';
import { DROP_INDEXES_KEEPING_ORIGIN } from './1732946300000-ImportKeepsOriginIndexes';
import { replaceOnce } from './function-text';

/**
 * `import_drop_indexes('posts' | 'messages')` also truncates the table it has just found empty and locked, once the
 * foreign keys referencing it are dropped. The rows of a direct load (server/import/bulk-load.ts `loadDirect`) then go
 * into files created by the import's own transaction, as do the indexes rebuilt at its end: with `wal_level=minimal`
 * (how the embedded database runs, server/db/embedded.ts) PostgreSQL writes none of them to the WAL and syncs the
 * files once at commit — the national load wrote its 30.9 M posts twice before (WAL, then the table). With
 * `wal_level=replica` (a server with standbys) nothing changes: an empty table's truncation costs nothing.
 */
const AFTER_CONSTRAINTS = `  FOR r IN SELECT i.indexrelid::regclass::text AS idx, pg_get_indexdef(i.indexrelid) AS def`;
const TRUNCATE = `  -- Empty and locked since the check above: new files of this transaction (no WAL with wal_level=minimal).
  IF tbl IN ('posts', 'messages') THEN EXECUTE format('TRUNCATE public.%I', tbl); END IF;
`;

/** The function as this migration leaves it (1732946900000-InsertedPostsMarkTheirUnits.ts builds on it). */
export function dropIndexesTruncating(): string {
  return replaceOnce(DROP_INDEXES_KEEPING_ORIGIN, AFTER_CONSTRAINTS, TRUNCATE + AFTER_CONSTRAINTS, 'import_drop_indexes: the index loop');
}

export class ImportTruncatesEmptyTargets1732946600000 implements MigrationInterface {
  name = 'ImportTruncatesEmptyTargets1732946600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(dropIndexesTruncating());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(DROP_INDEXES_KEEPING_ORIGIN);
  }
}
