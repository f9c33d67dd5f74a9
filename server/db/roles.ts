import type { DataSource } from 'typeorm';

/**
 * The application's database role (issue 10). Migrations (migrations/1732900000000-LeastPrivilege.ts) create
 * `matrix_owner` and the login role `matrix_app`; `applyAppGrants` gives `matrix_app` what the application needs on
 * every table of the schema — and no more — after each migration run (so tables of later migrations are covered):
 *   - SELECT, INSERT, UPDATE, DELETE, TRUNCATE on ordinary tables; USAGE/SELECT/UPDATE on sequences;
 *   - SELECT, INSERT only on the append-only `audit_events` and `plan_approvals`; SELECT only on `migrations` and
 *     `statement_references` (what the migrations made);
 *   - MAINTAIN (ANALYZE after imports) where PostgreSQL has it (17+), never on the append-only tables;
 *   - nothing else: no DDL (not the owner; no CREATE on the schema), no superuser, so it can neither disable a
 *     trigger nor change `session_replication_role`.
 */
export const APP_ROLE = 'matrix_app';
export const OWNER_ROLE = 'matrix_owner';
export const APPEND_ONLY_TABLES = ['audit_events', 'plan_approvals'];

export async function appRoleExists(ds: DataSource): Promise<boolean> {
  const [r] = await ds.query(`SELECT 1 AS ok FROM pg_roles WHERE rolname = $1`, [APP_ROLE]);
  return Boolean(r);
}

/** (Re)applies the application role's rights on the current database; false when the role does not exist. */
export async function applyAppGrants(ds: DataSource): Promise<boolean> {
  if (!(await appRoleExists(ds))) return false;
  const [{ v }] = await ds.query(`SELECT current_setting('server_version_num')::int AS v`);
  const maintain = v >= 170000 ? ', MAINTAIN' : '';
  await ds.query(`
    DO $$
    DECLARE r record;
    BEGIN
      EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO ${APP_ROLE}', current_database());
      GRANT USAGE ON SCHEMA public TO ${APP_ROLE};
      REVOKE CREATE ON SCHEMA public FROM ${APP_ROLE};
      FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') LOOP
        EXECUTE format('REVOKE ALL ON TABLE %I FROM ${APP_ROLE}', r.relname);
        IF r.relname = ANY (ARRAY[${APPEND_ONLY_TABLES.map((t) => `'${t}'`).join(', ')}]) THEN
          EXECUTE format('GRANT SELECT, INSERT ON TABLE %I TO ${APP_ROLE}', r.relname);
        ELSIF r.relname IN ('migrations', 'statement_references') THEN
          EXECUTE format('GRANT SELECT ON TABLE %I TO ${APP_ROLE}', r.relname);
        ELSE
          EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE${maintain} ON TABLE %I TO ${APP_ROLE}', r.relname);
        END IF;
      END LOOP;
      FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') LOOP
        EXECUTE format('GRANT SELECT ON TABLE %I TO ${APP_ROLE}', r.relname);
      END LOOP;
      GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE};
    END $$`);
  return true;
}

/** Is the connection's user a superuser (or allowed to become `matrix_app`)? */
export async function connectionRole(ds: DataSource): Promise<{ user: string; superuser: boolean; canBecomeApp: boolean }> {
  const [r] = await ds.query(
    `SELECT current_user AS "user", (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
            CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) THEN pg_has_role(current_user, $1, 'MEMBER') ELSE false END AS "canBecomeApp"`,
    [APP_ROLE]);
  return { user: r.user, superuser: Boolean(r.superuser), canBecomeApp: Boolean(r.canBecomeApp) };
}
