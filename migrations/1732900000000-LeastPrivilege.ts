import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Least privilege (issue 10): an owner role `matrix_owner` (NOLOGIN; owns the tables when the migrator is a
 * superuser) and the application's login role `matrix_app` (no superuser, no DDL, no replication, no RLS bypass).
 * The application's rights on every table — INSERT/SELECT only on the append-only `audit_events` and
 * `plan_approvals` — are (re)applied by server/db/roles.ts after every migration run, so tables added by later
 * migrations are covered too. Roles are cluster-wide: created only if missing; a migrator without CREATEROLE gets a
 * notice and the one-time grants in the README instead.
 */
export class LeastPrivilege1732900000000 implements MigrationInterface {
  name = 'LeastPrivilege1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_owner') THEN
          CREATE ROLE matrix_owner NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_app') THEN
          CREATE ROLE matrix_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'matrix_owner/matrix_app not created (no CREATEROLE): see the README, "Database roles"';
      END $$`);
    // Ownership to matrix_owner where we may give it (a superuser migrator); the migrator stays able to migrate.
    await q.query(`
      DO $$
      DECLARE r record;
      BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_owner') THEN
          RETURN;
        END IF;
        FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') LOOP
          EXECUTE format('ALTER TABLE %I OWNER TO matrix_owner', r.relname);
        END LOOP;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE r record;
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_owner') THEN
          FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND pg_get_userbyid(c.relowner) = 'matrix_owner' LOOP
            EXECUTE format('ALTER TABLE %I OWNER TO %I', r.relname, current_user);
          END LOOP;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matrix_app') THEN
          EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM matrix_app');
          EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM matrix_app');
          EXECUTE format('REVOKE ALL ON SCHEMA public FROM matrix_app');
          EXECUTE format('REVOKE ALL ON DATABASE %I FROM matrix_app', current_database());
        END IF;
      END $$`);
    // The roles are cluster-wide: other databases of the cluster (other checkouts, test clones) may still use them.
    for (const role of ['matrix_app', 'matrix_owner']) {
      await q.query(`DO $$ BEGIN EXECUTE 'DROP ROLE IF EXISTS ${role}'; EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
        RAISE NOTICE 'role ${role} kept: still used elsewhere in the cluster'; END $$`);
    }
  }
}
