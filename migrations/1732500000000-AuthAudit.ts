import { MigrationInterface, QueryRunner } from 'typeorm';
import { Role, sqlIn } from '../server/common/enums';

/**
 * Identity and audit: users, sessions (revocable JWT sessions), login_attempts (throttling of failed logins) and
 * the append-only audit_events table, whose immutability is enforced by triggers (UPDATE, DELETE, TRUNCATE refused).
 */
export class AuthAudit1732500000000 implements MigrationInterface {
  name = 'AuthAudit1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id serial PRIMARY KEY,
        username text NOT NULL CONSTRAINT users_username_key UNIQUE
          CONSTRAINT users_username_check CHECK (username ~ '^[a-z][a-z0-9._-]{1,31}$'),
        display_name text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CONSTRAINT users_role_check CHECK (role IN (${sqlIn(Role)})),
        unit_id int REFERENCES units(id),
        active boolean NOT NULL DEFAULT true,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_unit_scope_check CHECK (unit_id IS NOT NULL OR role = 'ADMIN')
      )`);
    await q.query(`CREATE INDEX users_unit_idx ON users (unit_id)`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        user_id int NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ip text,
        user_agent text
      )`);
    await q.query(`CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX sessions_expires_idx ON sessions (expires_at)`);

    // Failed logins only (a success clears the pair's rows); throttling counts rows per (username, ip) in a window.
    await q.query(`
      CREATE TABLE login_attempts (
        id bigserial PRIMARY KEY,
        username text NOT NULL,
        ip text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX login_attempts_key_idx ON login_attempts (username, ip, at)`);
    await q.query(`CREATE INDEX login_attempts_at_idx ON login_attempts (at)`);

    // No foreign keys: an audit record is a self-contained snapshot that must outlive (and never block) what it names.
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        -- millisecond precision, so a JavaScript Date round-trips exactly (keyset cursors)
        at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        actor_id int,
        actor_name text NOT NULL,
        actor_role text,
        action text NOT NULL CONSTRAINT audit_events_action_check CHECK (action ~ '^[A-Z][A-Z0-9_]*$'),
        entity_type text NOT NULL,
        entity_id text,
        account_id int,
        unit_id int,
        plan_id int,
        before jsonb,
        after jsonb,
        comment text,
        ip text
      )`);
    await q.query(`CREATE INDEX audit_events_at_idx ON audit_events (at, id)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at, id)`);
    await q.query(`CREATE INDEX audit_events_account_idx ON audit_events (account_id, at, id) WHERE account_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_events_unit_idx ON audit_events (unit_id, at, id) WHERE unit_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_events_plan_idx ON audit_events (plan_id, at, id) WHERE plan_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_events_action_idx ON audit_events (action, at, id)`);
    await q.query(`CREATE INDEX audit_events_entity_idx ON audit_events (entity_type, entity_id)`);

    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '审计记录只能追加，不能修改或删除 (audit_events is append-only: % refused)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events`);
    await q.query(`DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events`);
    await q.query(`DROP FUNCTION IF EXISTS audit_events_append_only()`);
    for (const t of ['audit_events', 'login_attempts', 'sessions', 'users']) await q.query(`DROP TABLE IF EXISTS ${t}`);
  }
}
