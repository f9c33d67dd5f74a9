import 'reflect-metadata';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Session } from 'node:inspector/promises';
import { ROOT, loadConfig } from '../../server/config';
import { createDataSource } from '../../server/registry';
import { startEmbedded } from '../../server/db/embedded';
import { createApp } from '../../server/app';
import { authenticate } from '../../server/auth/authenticate';
import { DEMO_PASSWORD } from '../../server/auth/demo-users';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { BENCH_OPERATIONS, type BenchParams } from './operations';

/**
 * Profiles our API in-process on the quick benchmark database (run `npm run bench -- --quick` once first):
 *   npm run build:server && npx tsc -p tests/bench/tsconfig.json && node dist/tests/bench/read-profile.js [--op 4] [--n 200] [--profile out.cpuprofile]
 * Prints p50/mean of `n` sequential requests of the read (1 connection); with --profile, writes a CPU profile of the loop.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, dflt: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
  const ops = opt('--op', '4').split(',').map(Number);
  const n = Number(opt('--n', '200'));
  const profile = argv.includes('--profile') ? opt('--profile', 'read.cpuprofile') : null;
  // BENCH_PG_DIR / BENCH_DB: another cluster and database holding the demo province (e.g. a `npm run seed` with DATA_DIR).
  const pg = await startEmbedded({ dir: process.env.BENCH_PG_DIR ?? path.join(ROOT, 'tests', 'bench', 'data', 'pg'),
    port: Number(process.env.BENCH_PG_PORT ?? 54339), database: process.env.BENCH_DB ?? 'bench_quick' });
  process.env.DATABASE_URL = pg.url;
  process.env.SESSION_SECRET ??= crypto.randomBytes(24).toString('hex');
  process.env.NODE_ENV = 'production';
  const config = loadConfig();
  const ds = createDataSource(pg.url, 10);
  await ds.initialize();
  // The bench's parameters (bench.ts): the largest government county subtree of 福建 and its busiest account with findings.
  const [{ path: provincePath }] = await ds.query(`SELECT path FROM regions WHERE code = '35'`);
  const [county] = await ds.query(`
    SELECT u.id FROM units u WHERE u.level = 'county' AND u.kind = 'government' AND u.region_path LIKE $1
     ORDER BY (SELECT count(*) FROM units d WHERE d.path LIKE u.path || '%') DESC, u.id LIMIT 1`, [`${provincePath}%`]);
  const [account] = await ds.query(`
    SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id
     WHERE u.region_path LIKE $1 AND EXISTS (SELECT 1 FROM finding_accounts fa WHERE fa.account_id = a.id)
     ORDER BY a.post_count DESC, a.id LIMIT 1`, [`${provincePath}%`]);
  const params: BenchParams = { provinceCode: '35', provincePath, countyUnitId: county.id, accountId: account.id };
  const { app } = await createApp(ds, config, authenticate);
  const server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return (await res.json()) as { data?: { login?: { token?: string } }; errors?: unknown };
  };
  try {
    const login = await post({ query: `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, variables: { u: 'admin', p: DEMO_PASSWORD } });
    const headers = { authorization: `Bearer ${login.data!.login!.token!}` };
    for (const op of ops) {
      const o = BENCH_OPERATIONS[op - 1];
      const body = { query: o.ours.query, variables: o.ours.variables(params) };
      const first = await post(body, headers);
      if (first.errors) throw new Error(JSON.stringify(first.errors));
      if (argv.includes('--dump')) fs.writeFileSync(`/tmp/op${op}.json`, JSON.stringify(first));
      if (argv.includes('--sql')) {
        // Each statement of one request with its time in the database driver.
        const runner = PostgresQueryRunner.prototype as unknown as { query: (...a: unknown[]) => Promise<unknown> };
        const original = runner.query;
        runner.query = async function (this: unknown, ...a: unknown[]) {
          const t = performance.now();
          try { return await original.apply(this, a); } finally { console.log(`  ${(performance.now() - t).toFixed(2)} ms: ${String(a[0]).replace(/\s+/g, ' ').slice(0, 4000)} ${JSON.stringify(a[1])}`); }
        };
        for (let i = 0; i < 3; i++) await post(body, headers);
        runner.query = original;
      }
      for (let i = 0; i < 50; i++) await post(body, headers);
      const session = new Session();
      if (profile) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start'); }
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await post(body, headers);
        times.push(performance.now() - t);
      }
      if (profile) {
        const { profile: p } = await session.post('Profiler.stop');
        fs.writeFileSync(profile.replace(/(\.cpuprofile)?$/, `-op${op}.cpuprofile`), JSON.stringify(p));
        session.disconnect();
      }
      times.sort((a, b) => a - b);
      const mean = times.reduce((s, t) => s + t, 0) / n;
      console.log(`${o.label}: p50 ${times[Math.floor(n / 2)].toFixed(2)} ms, p90 ${times[Math.floor(n * 0.9)].toFixed(2)} ms, mean ${mean.toFixed(2)} ms (n=${n})`);
    }
  } finally {
    server.close();
    await ds.destroy();
    if (!argv.includes('--keep')) await pg.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
