import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropIndexesTruncating } from './1732946600000-ImportTruncatesEmptyTargets';
import { replaceOnce } from './function-text';

/**
 * Inserted posts and messages mark the units of their accounts for detection (issue 14; the marks:
 * migrations/1732946800000-IncrementalDetection.ts), no longer every unit. A planner's weekly upload of one city's
 * posts made every unit of the country due: the next province re-check evaluated the whole province (597 ms against
 * 168 ms after one account written), the next national run every unit (20.6 s against 1.55 s). The insert trigger now
 * reads its statement's new rows, like the update and delete triggers already did (`detection_mark_posts()`,
 * `detection_mark_messages()`).
 *
 * A transition table is kept for every row a statement inserts, even when the trigger then returns at once. The
 * import's load of an empty table (`import_drop_indexes`, server/import/bulk-load.ts `loadDirect`: 30.9 M posts with
 * their texts by COPY) must not collect one: `import_drop_indexes` truncates such a table — the truncation marks every
 * unit — and now disables the insert trigger too, for the rest of the import's transaction only: it queues the
 * statement that enables it again, which `import_restore_indexes()` runs after the indexes and keys (its last rank). A
 * load that fails rolls both back with the savepoint.
 */
const TRUNCATE_LINE = `  IF tbl IN ('posts', 'messages') THEN EXECUTE format('TRUNCATE public.%I', tbl); END IF;
`;
const TRUNCATE_AND_QUIET = `  IF tbl IN ('posts', 'messages') THEN
    EXECUTE format('TRUNCATE public.%I', tbl);
    -- The truncation marked every unit; the load's inserts collect no transition table (enabled again after the load).
    EXECUTE format('ALTER TABLE public.%I DISABLE TRIGGER detection_dirty_insert', tbl);
    INSERT INTO pg_temp._import_dropped_indexes VALUES (format('ALTER TABLE public.%I ENABLE TRIGGER detection_dirty_insert', tbl), 4);
  END IF;
`;

/** The function as this migration leaves it (1732947000000-ImportDropsOwnForeignKeys.ts builds on it). */
export function dropIndexesQuiet(): string {
  return replaceOnce(dropIndexesTruncating(), TRUNCATE_LINE, TRUNCATE_AND_QUIET, 'import_drop_indexes: the truncation');
}

export class InsertedPostsMarkTheirUnits1732946900000 implements MigrationInterface {
  name = 'InsertedPostsMarkTheirUnits1732946900000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['posts', 'messages']) {
      await q.query(`DROP TRIGGER detection_dirty_insert ON ${table}`);
      await q.query(`CREATE TRIGGER detection_dirty_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_${table}()`);
    }
    await q.query(dropIndexesQuiet());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropIndexesTruncating());
    for (const table of ['posts', 'messages']) {
      await q.query(`DROP TRIGGER detection_dirty_insert ON ${table}`);
      await q.query(`CREATE TRIGGER detection_dirty_insert AFTER INSERT ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION detection_mark_all()`);
    }
  }
}
