import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request kernel: audit events record the caller's user agent next to the IP (both taken from the request context by
 * the one audit writer).
 */
export class RequestKernel1732800000000 implements MigrationInterface {
  name = 'RequestKernel1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN user_agent text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP COLUMN user_agent`);
  }
}
