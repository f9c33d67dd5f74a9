import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropIndexesOwnKeys } from './1732947000000-ImportDropsOwnForeignKeys';
import { replaceOnce } from './function-text';

/**
 * `import_drop_indexes('findings')`: the first detection run after a fresh import writes every finding into an empty
 * table (server/detection/detection.service.ts). Its secondary indexes (nine: sorts, filters, the platforms GIN) are
 * dropped for that insert and built once after it by `import_restore_indexes()`, in the run's transaction, like an
 * import's empty tables. Only when the table is empty: the function leaves a table with rows alone without locking it.
 * The primary key, the subject key's unique index and every foreign key stay. Measured on a 2-core machine, for the
 * 93,823 findings of a national run: the rows alone into a copy of the table with all its indexes 2.9 s, without the
 * nine 0.7 s plus 1.4 s to build them; the run's insert with its triggers, on copies of one database, 5.2 s before,
 * 3.3 s plus 1.0 s for the indexes after.
 */
const TABLES = `tbl <> ALL (ARRAY['posts', 'messages', 'accounts', 'units'])`;

export class DetectionLoadsEmptyFindings1732947400000 implements MigrationInterface {
  name = 'DetectionLoadsEmptyFindings1732947400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(replaceOnce(dropIndexesOwnKeys(), TABLES, `tbl <> ALL (ARRAY['posts', 'messages', 'accounts', 'units', 'findings'])`,
      'import_drop_indexes: the table list'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dropIndexesOwnKeys());
  }
}
