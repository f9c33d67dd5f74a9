import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Content checks read only posts that carry text (issue 13): a partial index on the accounts' own posts with content,
 * so a detection over a province whose posts are mostly title-only does not walk every post of the window.
 */
export class ContentPostsIndex1732920000001 implements MigrationInterface {
  name = 'ContentPostsIndex1732920000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX posts_with_content ON posts (account_id, published_at) INCLUDE (content_hash)
      WHERE content IS NOT NULL AND origin_account_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX posts_with_content`);
  }
}
