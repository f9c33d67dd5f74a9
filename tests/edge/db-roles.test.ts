import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { appDataSource, createTestDb, type TestDb } from '../support/db';
import { EMBEDDED_PASSWORD } from '../../server/db/embedded';
import { APP_ROLE } from '../../server/db/roles';
import { verifyAuditChain } from '../../server/db/audit-chain';
import { MODEL } from '../../server/registry';
import { openDatabase } from '../../server/db/database';

/**
 * The application's database role cannot rewrite history (issue 10): it is not a superuser, owns nothing, may only
 * INSERT/SELECT audit rows and approvals; the audit rows are chained by hash so that even a superuser's tampering is
 * found by the verifier (`npm run audit:verify`).
 */
let db: TestDb;
let app: Client;

async function appClient(url: string): Promise<Client> {
  // A real login as matrix_app (embedded test cluster); with DATABASE_URL, the same role through `-c role=`.
  const u = new URL(url);
  const login = new URL(url);
  login.username = APP_ROLE;
  login.password = EMBEDDED_PASSWORD;
  const c = new Client({ connectionString: login.toString() });
  try {
    await c.connect();
    return c;
  } catch {
    const fallback = new Client({ connectionString: u.toString(), options: `-c role=${APP_ROLE}` });
    await fallback.connect();
    return fallback;
  }
}

async function refused(sql: string): Promise<string | undefined> {
  try {
    await app.query(sql);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

const AUDIT = `INSERT INTO audit_events (actor_name, action, entity_type, comment) VALUES ('tester', 'TEST_EVENT', 'test', $1)`;

beforeAll(async () => {
  db = await createTestDb();
  app = await appClient(db.url);
});

afterAll(async () => {
  await app?.end();
  await db?.close();
});

describe('the application role', () => {
  it('is what the GraphQL/HTTP test harnesses run the application on (as the server does), fixtures as the owner', async () => {
    expect(appDataSource(db.ds)).toBe(db.appDs);
    const [r] = await db.appDs.query(`SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su`);
    expect(r).toEqual({ u: APP_ROLE, su: false });
    const [o] = await db.ds.query(`SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su`);
    expect(o.su).toBe(true);
  });

  it('is matrix_app, not a superuser', async () => {
    const { rows: [r] } = await app.query(`SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS su`);
    expect(r).toEqual({ u: APP_ROLE, su: false });
  });

  it('may append and read audit rows, and do normal DML elsewhere', async () => {
    await app.query(AUDIT, ['by the app']);
    const { rows } = await app.query(`SELECT count(*)::int AS n FROM audit_events WHERE comment = 'by the app'`);
    expect(rows[0].n).toBe(1);
    await app.query(`INSERT INTO login_attempts (username, ip) VALUES ('x', '127.0.0.1')`);
    await app.query(`DELETE FROM login_attempts WHERE username = 'x'`);
  });

  it('cannot UPDATE, DELETE or TRUNCATE audit rows or approvals (permission denied, not just a trigger)', async () => {
    expect(await refused(`UPDATE audit_events SET comment = 'rewritten'`)).toBe('42501');
    expect(await refused(`DELETE FROM audit_events`)).toBe('42501');
    expect(await refused(`TRUNCATE audit_events`)).toBe('42501');
    expect(await refused(`UPDATE plan_approvals SET comment = 'x'`)).toBe('42501');
    expect(await refused(`DELETE FROM plan_approvals`)).toBe('42501');
  });

  it('cannot disable triggers, change session_replication_role or run DDL', async () => {
    expect(await refused(`ALTER TABLE audit_events DISABLE TRIGGER USER`)).toBe('42501');
    expect(await refused(`ALTER TABLE audit_events DISABLE TRIGGER ALL`)).toBe('42501');
    expect(await refused(`SET session_replication_role = replica`)).toBe('42501');
    expect(await refused(`CREATE TABLE evil (id int)`)).toBe('42501');
    expect(await refused(`DROP TABLE audit_events`)).toBe('42501');
    expect(await refused(`ALTER ROLE ${APP_ROLE} SUPERUSER`)).toBe('42501');
  });

  it('is what openDatabase hands the application (a superuser DATABASE_URL runs application sessions as matrix_app)', async () => {
    const opened = await openDatabase(MODEL, { ...db.config, databaseUrl: db.url }, { migrate: false });
    try {
      const [r] = await opened.dataSource.query(`SELECT current_user AS u`);
      expect(r.u).toBe(APP_ROLE);
    } finally {
      await opened.close();
    }
  });
});

describe('the audit hash chain', () => {
  it('chains every insert (any path) and the verifier finds a row tampered with by a superuser', async () => {
    for (const c of ['one', 'two', 'three']) await app.query(AUDIT, [c]);
    await db.ds.query(AUDIT, ['four (multi-row)']);
    const ok = await verifyAuditChain(db.ds);
    expect(ok.problems).toEqual([]);
    expect(ok.rows).toBeGreaterThanOrEqual(5);
    const { rows: chained } = await app.query(`SELECT chain_no::int AS n, prev_hash, hash FROM audit_events ORDER BY chain_no`);
    for (let i = 1; i < chained.length; i++) {
      expect(chained[i].n).toBe(chained[i - 1].n + 1);
      expect(chained[i].prev_hash).toBe(chained[i - 1].hash);
    }

    // A superuser rewrites one row behind the triggers' back.
    await db.ds.query(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
    await db.ds.query(`UPDATE audit_events SET comment = 'rewritten' WHERE comment = 'two'`);
    await db.ds.query(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
    const [{ n: tampered }] = await db.ds.query(`SELECT chain_no::text AS n FROM audit_events WHERE comment = 'rewritten'`);
    const broken = await verifyAuditChain(db.ds);
    expect(broken.problems).toEqual([{ chainNo: tampered, id: expect.any(String), problem: 'hash' }]);

    // … and one who also recomputes that row's hash breaks the link of the next; a removed row leaves a gap.
    await db.ds.query(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
    await db.ds.query(`UPDATE audit_events e SET hash = 'forged' WHERE comment = 'rewritten'`);
    await db.ds.query(`DELETE FROM audit_events WHERE comment = 'four (multi-row)'`);
    await db.ds.query(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
    const problems = (await verifyAuditChain(db.ds)).problems.map((p) => p.problem);
    expect(problems).toContain('link');
  });
});
