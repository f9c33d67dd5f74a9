import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Names sorted the way Chinese readers expect (by pinyin: 福州 < 鼓楼 < 厦门), through one collation named `pinyin`.
 * It is ICU's `zh-u-co-pinyin` where the server has ICU (PostgreSQL builds from Debian, the official images and the
 * embedded binaries do); a server built without ICU gets a copy of "C" under the same name, so queries never break.
 */
export class PinyinCollation1732700000000 implements MigrationInterface {
  name = 'PinyinCollation1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        CREATE COLLATION pinyin (provider = icu, locale = 'zh-u-co-pinyin');
      EXCEPTION WHEN OTHERS THEN
        CREATE COLLATION pinyin FROM "C";
      END $$`);
    await q.query(`DROP INDEX IF EXISTS accounts_name_idx`);
    await q.query(`CREATE INDEX accounts_name_pinyin_idx ON accounts ((name COLLATE pinyin), id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS accounts_name_pinyin_idx`);
    await q.query(`CREATE INDEX accounts_name_idx ON accounts (name, id)`);
    await q.query(`DROP COLLATION IF EXISTS pinyin`);
  }
}
