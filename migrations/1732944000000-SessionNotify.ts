import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Session cache invalidation (server/auth/session-cache.ts). Every change that can end or narrow a live session is
 * announced on the channel `mp_sessions`, by triggers — so no code path (a service, a job, an operator's SQL) can
 * change a session, a user or a unit's path without the servers' caches hearing of it. NOTIFY is transactional:
 * the message goes out when the change commits, never for a rolled-back change.
 *   sessions: a row updated (revoked, expiry moved) or deleted → its id;
 *   users:    active, role, unit or username changed, or the row deleted → `user:<id>`;
 *   units:    a statement that sets `path` or deletes units (a user's scope is their unit's path) → `*` (all).
 */
export class SessionNotify1732944000000 implements MigrationInterface {
  name = 'SessionNotify1732944000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION mp_sessions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_LEVEL = 'STATEMENT' THEN
          PERFORM pg_notify('mp_sessions', '*');
        ELSIF TG_TABLE_NAME = 'sessions' THEN
          PERFORM pg_notify('mp_sessions', OLD.id::text);
        ELSE
          PERFORM pg_notify('mp_sessions', 'user:' || OLD.id);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER sessions_notify AFTER UPDATE OR DELETE ON sessions
      FOR EACH ROW EXECUTE FUNCTION mp_sessions_notify()`);
    await q.query(`CREATE TRIGGER sessions_truncate_notify AFTER TRUNCATE ON sessions
      FOR EACH STATEMENT EXECUTE FUNCTION mp_sessions_notify()`);
    await q.query(`CREATE TRIGGER users_notify AFTER UPDATE ON users FOR EACH ROW
      WHEN ((OLD.active, OLD.role, OLD.unit_id, OLD.username) IS DISTINCT FROM (NEW.active, NEW.role, NEW.unit_id, NEW.username))
      EXECUTE FUNCTION mp_sessions_notify()`);
    await q.query(`CREATE TRIGGER users_delete_notify AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION mp_sessions_notify()`);
    await q.query(`CREATE TRIGGER users_truncate_notify AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION mp_sessions_notify()`);
    await q.query(`CREATE TRIGGER units_path_notify AFTER UPDATE OF path OR DELETE OR TRUNCATE ON units
      FOR EACH STATEMENT EXECUTE FUNCTION mp_sessions_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER units_path_notify ON units`);
    await q.query(`DROP TRIGGER users_truncate_notify ON users`);
    await q.query(`DROP TRIGGER users_delete_notify ON users`);
    await q.query(`DROP TRIGGER users_notify ON users`);
    await q.query(`DROP TRIGGER sessions_truncate_notify ON sessions`);
    await q.query(`DROP TRIGGER sessions_notify ON sessions`);
    await q.query(`DROP FUNCTION mp_sessions_notify()`);
  }
}
