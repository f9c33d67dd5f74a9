import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropIndexesQuiet } from './1732946900000-InsertedPostsMarkTheirUnits';
import { replaceOnce } from './function-text';

/**
 * The import's load of empty `units` and `accounts` tables (issue 14) drops their own foreign keys too, with their
 * secondary indexes, and `import_restore_indexes()` adds them again after the load: one set-based check per key
 * instead of one per row — and one per row AGAIN for every later update of those rows in the import's transaction
 * (PostgreSQL re-checks a foreign key on the update of a row its own transaction inserted, even when the key is
 * unchanged). The national load's path update of its 167,198 new units (server/units/unit-paths.ts) ran 501,594
 * such checks of parent, region and supervisor: 12.4 s. Their primary and unique keys stay (the import's joins use
 * them), and the foreign keys of other tables referencing them are left alone (no lock on those tables). The import
 * checks every reference before it writes (bulk-load.ts crossCheck); a key that fails when added again sends the import
 * to its staged path, like a duplicate natural key.
 */
const FK_LOOP = `WHERE tbl IN ('posts', 'messages') AND c.conparentid = 0 AND c.contype IN ('p', 'u', 'f')
              AND (c.conrelid = format('public.%I', tbl)::regclass OR (c.contype = 'f' AND c.confrelid = format('public.%I', tbl)::regclass))`;
const FK_LOOP_OWN = `WHERE c.conparentid = 0 AND (
                 (tbl IN ('posts', 'messages') AND c.contype IN ('p', 'u', 'f')
                   AND (c.conrelid = format('public.%I', tbl)::regclass OR (c.contype = 'f' AND c.confrelid = format('public.%I', tbl)::regclass)))
                 -- units and accounts: their own foreign keys only
                 OR (tbl IN ('units', 'accounts') AND c.contype = 'f' AND c.conrelid = format('public.%I', tbl)::regclass))`;

/** The function as this migration leaves it (1732947400000-DetectionLoadsEmptyFindings.ts builds on it). */
export function dropIndexesOwnKeys(): string {
  return replaceOnce(dropIndexesQuiet(), FK_LOOP, FK_LOOP_OWN, 'import_drop_indexes: the foreign key loop');
}

export class ImportDropsOwnForeignKeys1732947000000 implements MigrationInterface {
  name = 'ImportDropsOwnForeignKeys1732947000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(dropIndexesOwnKeys());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropIndexesQuiet());
  }
}
