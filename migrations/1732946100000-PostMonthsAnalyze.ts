import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `analyze_imported` (migrations/1732940000000-PostsByMonth.ts) may also analyse the maintained months
 * (`account_post_months`, `account_post_totals`, server/detection/post-months.ts): an import that rewrites them for
 * many accounts analyses them in its transaction, so the first detection after it plans with their real size (the
 * application role cannot ANALYZE before PostgreSQL 17). Same function, same owner and grants; two more names.
 */
const body = (tables: string[]) => `
CREATE OR REPLACE FUNCTION analyze_imported(tables text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY tables LOOP
    IF t = ANY (ARRAY[${tables.map((x) => `'${x}'`).join(', ')}]) THEN
      EXECUTE format('ANALYZE public.%I', t);
    END IF;
  END LOOP;
END $fn$`;

const BEFORE = ['units', 'accounts', 'services', 'posts', 'messages', 'account_status_history'];

export class PostMonthsAnalyze1732946100000 implements MigrationInterface {
  name = 'PostMonthsAnalyze1732946100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(body([...BEFORE, 'account_post_months', 'account_post_totals']));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(body(BEFORE));
  }
}
