import { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_CHAIN_LOCK, AUDIT_HASH_SQL } from '../server/db/audit-chain';

/**
 * Audit rows chained by hash (issue 10): every row carries `chain_no` (1, 2, 3 … in insertion order),
 * `prev_hash` (the previous row's hash) and `hash` = sha256(prev_hash || canonical payload of the row), computed by
 * a BEFORE INSERT trigger under a transaction-level advisory lock, so concurrent writers chain one after another and
 * no insert path can skip it. `npm run audit:verify` recomputes the chain: a row changed, removed or inserted
 * afterwards — even by a superuser with triggers disabled — breaks it from that row on (short of rewriting every
 * later hash; keep the printed head hash elsewhere to detect that too). Existing rows are chained in id order here.
 */
export class AuditChain1732900000001 implements MigrationInterface {
  name = 'AuditChain1732900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN chain_no bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text`);
    // Chain the rows already there (the append-only trigger refuses UPDATE: lifted for this one statement).
    await q.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    await q.query(`
      DO $$
      DECLARE r audit_events; prev text := NULL; n bigint := 0;
      BEGIN
        FOR r IN SELECT * FROM audit_events ORDER BY id LOOP
          n := n + 1;
          r.chain_no := n;
          UPDATE audit_events e SET chain_no = n, prev_hash = prev, hash = ${AUDIT_HASH_SQL('r', 'prev')} WHERE e.id = r.id
            RETURNING e.hash INTO prev;
        END LOOP;
      END $$`);
    await q.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
    await q.query(`CREATE UNIQUE INDEX audit_events_chain_idx ON audit_events (chain_no)`);
    await q.query(`
      CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE last record;
      BEGIN
        PERFORM pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK});
        SELECT chain_no, hash INTO last FROM audit_events WHERE chain_no IS NOT NULL ORDER BY chain_no DESC LIMIT 1;
        NEW.chain_no := coalesce(last.chain_no, 0) + 1;
        NEW.prev_hash := last.hash;
        NEW.hash := ${AUDIT_HASH_SQL('NEW', 'NEW.prev_hash')};
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_chain()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS audit_events_chain ON audit_events`);
    await q.query(`DROP FUNCTION IF EXISTS audit_events_chain()`);
    await q.query(`DROP INDEX IF EXISTS audit_events_chain_idx`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN chain_no`);
  }
}
