import 'reflect-metadata';
import { Client } from 'pg';
import { inject } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource, MODEL } from '../../server/registry';
import { loadConfig, type Config } from '../../server/config';
import { createDataSource as createModelDataSource } from '../../server/db/database';
import { EMBEDDED_PASSWORD } from '../../server/db/embedded';
import { APP_ROLE } from '../../server/db/roles';
import { existingSessionCache } from '../../server/auth/session-cache';

export interface TestDb {
  /** The owner's (superuser's) connection: fixtures, seeding, checks that look behind the application's back. */
  ds: DataSource;
  /**
   * The same database as the application's least-privileged role `matrix_app` (as the server runs, issue 10): what
   * the GraphQL/HTTP harnesses run the application on (they find it from `ds` through `appDataSource`).
   */
  appDs: DataSource;
  url: string;
  name: string;
  config: Config;
  close(): Promise<void>;
}

let counter = 0;

const appSources = new WeakMap<DataSource, DataSource>();

/**
 * The application's data source (`matrix_app`) for a test database's owner data source — what the server would use
 * (openDatabase); `ds` itself when it is not a test database's.
 */
export function appDataSource(ds: DataSource): DataSource {
  return appSources.get(ds) ?? ds;
}

/** A pool logged in as `matrix_app` (embedded test cluster), else the URL's user with `-c role=matrix_app`. */
async function openAppDataSource(url: string): Promise<DataSource> {
  const login = new URL(url);
  login.username = APP_ROLE;
  login.password = EMBEDDED_PASSWORD;
  const asLogin = createModelDataSource(MODEL, login.toString(), 5);
  try {
    await asLogin.initialize();
    return asLogin;
  } catch {
    const asRole = createModelDataSource(MODEL, url, 5, { role: APP_ROLE });
    await asRole.initialize();
    return asRole;
  }
}

/** A fresh database for this test file, cloned from the migrated template (fast), dropped on close. */
export async function createTestDb(): Promise<TestDb> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  const name = `mpt_${template.split('_').pop()}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  // CREATE DATABASE ... TEMPLATE needs the template to have no other sessions; retry briefly if another file is cloning.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (err) {
      if (attempt > 50 || (err as { code?: string }).code !== '55006') throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  const url = adminUrl.replace(/\/postgres(\?.*)?$/, `/${name}$1`);
  const ds = createDataSource(url, 5);
  await ds.initialize();
  const appDs = await openAppDataSource(url);
  appSources.set(ds, appDs);
  const config: Config = { ...loadConfig(), databaseUrl: url, seedOnEmpty: false };
  return {
    ds,
    appDs,
    url,
    name,
    config,
    async close() {
      await existingSessionCache(appDs)?.close();
      await appDs.destroy();
      await ds.destroy();
      const a = new Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
