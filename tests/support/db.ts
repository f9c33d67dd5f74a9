import 'reflect-metadata';
import { Client } from 'pg';
import { inject } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../server/registry';
import { loadConfig, type Config } from '../../server/config';

export interface TestDb {
  ds: DataSource;
  url: string;
  name: string;
  config: Config;
  close(): Promise<void>;
}

let counter = 0;

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
  const config: Config = { ...loadConfig(), databaseUrl: url, seedOnEmpty: false };
  return {
    ds,
    url,
    name,
    config,
    async close() {
      await ds.destroy();
      const a = new Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
