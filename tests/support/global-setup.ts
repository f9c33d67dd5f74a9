import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import net from 'node:net';
import { EMBEDDED_PASSWORD, startEmbedded, type EmbeddedHandle } from '../../server/db/embedded';
import { APP_ROLE, applyAppGrants } from '../../server/db/roles';
import { runMigrations } from '../../server/db/database';
import { createDataSource } from '../../server/registry';

/**
 * Once per test run: a PostgreSQL server (DATABASE_URL if set, else a throw-away embedded one) and a migrated
 * template database. Each test file clones the template into its own database (tests/support/db.ts), so files run
 * in parallel and every file proves the migrations.
 */
let embedded: EmbeddedHandle | null = null;
let adminUrl = '';
let template = '';
let pgDataDir = '';

export async function setup(project: TestProject): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-test-pg-'));
    fs.chmodSync(dir, 0o755);
    // A free port (two test runs on one machine, or a developer's server, must not collide).
    const port = await freePort();
    embedded = await startEmbedded({ dir: path.join(dir, 'pg'), port, database: 'postgres', persistent: false, fast: true });
    pgDataDir = path.join(dir, 'pg');
    serverUrl = embedded.url;
  }
  adminUrl = serverUrl.replace(/\/[^/?]*(\?.*)?$/, '/postgres$1');
  template = `mp_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const ds = createDataSource(adminUrl.replace(/\/postgres(\?.*)?$/, `/${template}$1`), 2);
  await ds.initialize();
  await runMigrations(ds);
  // The application role's grants, as openDatabase applies them (cloned with the template into every test database).
  await applyAppGrants(ds);
  // On the throw-away cluster the application role can log in (tests/edge/db-roles.test.ts connects as it).
  if (embedded) await ds.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${EMBEDDED_PASSWORD}'`);
  await ds.destroy();
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);
  project.provide('pgDataDir', pgDataDir);
}

/** A TCP port nobody listens on now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function teardown(): Promise<void> {
  if (adminUrl) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [`mpt_${process.pid}_%`, template]);
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    await admin.end();
  }
  await embedded?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    /** The embedded test cluster's data directory ('' with DATABASE_URL). */
    pgDataDir: string;
  }
}
