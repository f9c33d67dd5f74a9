import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Detection first refreshes the normalised names of the accounts whose name changed since
 * (server/detection/name-normalize.ts): usually none, but finding that out read every account (≈120 ms nationally,
 * for a province run too). A partial index holding exactly the stale ones answers it from an empty index; it is kept
 * small because the refresh empties it.
 */
export class StaleNamesIndex1732946200000 implements MigrationInterface {
  name = 'StaleNamesIndex1732946200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX accounts_name_stale_idx ON accounts (unit_id)
      WHERE status <> 'closed' AND name_normalized_from IS DISTINCT FROM name`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX accounts_name_stale_idx`);
  }
}
