import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Detection speed on the national dataset (issue 6, `EXPLAIN (ANALYZE, BUFFERS)`):
 *
 * - LOW_VALUE takes the post count and median reads of every county/township account over its window (≈146,000
 *   accounts, ≈5.9 million posts). The natural-key index (account_id, published_at, md5(title)) now carries `reads`
 *   as an included column, so that step is an index-only scan instead of ≈860,000 heap page visits (4.2 s → 2.7 s).
 *   The key (and so uniqueness and the import's ON CONFLICT target) is unchanged, and the index is no larger (the
 *   column fits in alignment padding).
 * - Every run re-stamps each finding it sees (`last_seen_run`, `last_seen_at`). With `last_seen_run` indexed each
 *   of those was a non-HOT update through all eleven indexes of findings (≈92,000 findings: 3.1 s). Nothing looks
 *   findings up by `last_seen_run` through an index, so that index goes, and findings keep free room on each page
 *   (fillfactor 50) so unchanged findings are updated in place as heap-only tuples (0.9 s).
 */
export class DetectionSpeed1732695000000 implements MigrationInterface {
  name = 'DetectionSpeed1732695000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX posts_natural_key_cover ON posts (account_id, published_at, md5(title)) INCLUDE (reads)`);
    await q.query(`DROP INDEX posts_natural_key`);
    await q.query(`ALTER INDEX posts_natural_key_cover RENAME TO posts_natural_key`);
    await q.query(`DROP INDEX IF EXISTS findings_last_seen_run_idx`);
    await q.query(`ALTER TABLE findings SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE findings RESET (fillfactor)`);
    await q.query(`CREATE INDEX IF NOT EXISTS findings_last_seen_run_idx ON findings (last_seen_run)`);
    await q.query(`CREATE UNIQUE INDEX posts_natural_key_plain ON posts (account_id, published_at, md5(title))`);
    await q.query(`DROP INDEX posts_natural_key`);
    await q.query(`ALTER INDEX posts_natural_key_plain RENAME TO posts_natural_key`);
  }
}
