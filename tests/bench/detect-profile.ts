import 'reflect-metadata';
import { createSystemContext } from '../../server/kernel/context';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { runMigrations } from '../../server/db/database';
import { createDataSource } from '../../server/registry';
import { startEmbedded } from '../../server/db/embedded';
import { runDetectionProfiled } from '../../server/detection/detection.service';
import { primeContentChecks } from '../../server/content/content-prime';
import { todayInBeijing } from '../../server/kernel/dates';
import { elsewhereTuning } from '../../server/detection/rule-elsewhere';

/**
 * Profiles detection on the benchmark's national database (run `npm run bench` once first):
 *   npx tsc -p tests/bench/tsconfig.json && node dist/tests/bench/detect-profile.js [--runs 2] [--province 35] [--keep]
 * Prints the milliseconds per step of each run; stops the embedded cluster on exit if it started it (--keep leaves it).
 * Another database: `--dir <cluster dir> --port <port> --database <name> --as-of YYYY-MM-DD` (e.g. a seeded demo
 * province: `--dir .data/pg --port 54329 --database matrix --as-of …`); `--runs 0` skips the nationwide runs.
 * `--full` evaluates every unit of the scope (server/detection/incremental.ts), as after an import.
 * `--explain MS` prints the plan (EXPLAIN ANALYZE, by auto_explain) of every statement that took longer than MS.
 * `--as-after-import` first leaves the database as a fresh import does — findings and their links emptied, the content
 * check rows, clean sets and scan states emptied and then written again by the import's content check
 * (content/content-prime.ts, timed) — so the first run is timed as the first after an import (without re-importing; on
 * a copy: `CREATE DATABASE det_national TEMPLATE bench_national`; refused on bench_national itself).
 * `--no-content-check` leaves the content state empty (an import told not to check: `checkContent: false`).
 * `--one-connection` evaluates every rule on the run's own connection (no rule on a second one: rule-elsewhere.ts).
 * `--edit` writes one account of the province before each province run (a planner's edit, then a re-check).
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const runs = Number(opt('--runs') ?? 2);
  const province = opt('--province') ?? '35';
  const dataDir = path.join(ROOT, 'tests', 'bench', 'data');
  const asOf = opt('--as-of')
    ?? (JSON.parse(fs.readFileSync(path.join(dataDir, 'csv-national', '.seed-manifest.json'), 'utf8')).asOf as string);
  const pg = await startEmbedded({
    dir: opt('--dir') ?? path.join(dataDir, 'pg'),
    port: Number(opt('--port') ?? process.env.BENCH_PG_PORT ?? 54339),
    database: opt('--database') ?? 'bench_national',
  });
  const poolSize = 4;
  const ds = createDataSource(pg.url, poolSize);
  await ds.initialize();
  // --explain MS: the plan, with actual times, of every statement slower than MS (auto_explain, printed as notices).
  const explainMs = opt('--explain');
  if (explainMs) {
    const pool = (ds.driver as unknown as { master: import('pg').Pool }).master;
    const explain = (client: import('pg').PoolClient) => {
      client.on('notice', (n) => console.log(`[explain] ${n.message}`));
      return client.query(`LOAD 'auto_explain'; SET auto_explain.log_min_duration = '${Number(explainMs)}ms';
        SET auto_explain.log_analyze = on; SET auto_explain.log_level = notice; SET auto_explain.log_nested_statements = on`);
    };
    // Every connection of the pool: checked out together, set up, handed back.
    const clients = await Promise.all(Array.from({ length: poolSize }, () => pool.connect()));
    for (const client of clients) await explain(client);
    for (const client of clients) client.release();
  }
  await runMigrations(ds, (m) => console.log(m));
  try {
    // --full: every unit evaluated (as after an import), not only those changed since (server/detection/incremental.ts).
    const full = argv.includes('--full') || argv.includes('--as-after-import');
    if (argv.includes('--one-connection')) elsewhereTuning.minAccounts = Number.MAX_SAFE_INTEGER;
    if (argv.includes('--as-after-import')) {
      if ((opt('--database') ?? 'bench_national') === 'bench_national') throw new Error('--as-after-import: on a copy of bench_national only');
      await ds.query(`BEGIN; DELETE FROM finding_accounts; DELETE FROM findings; DELETE FROM post_content_checks;
        DELETE FROM content_clean_hashes; DELETE FROM content_scan_state; COMMIT`);
      console.log('findings, content check rows, clean sets and scan states emptied (as after an import)');
      if (!argv.includes('--no-content-check')) {
        const t = performance.now();
        const stats = await ds.transaction((em) => primeContentChecks(em, todayInBeijing(), null));
        console.log(`the import's content check: ${stats.postsScanned} posts checked in ${Math.round(performance.now() - t)} ms`);
      }
    }
    for (let i = 0; i < runs; i++) {
      const { run, timings } = await runDetectionProfiled(createSystemContext(ds), { asOf, full });
      console.log(`national run ${i + 1}: found ${run.found}`, JSON.stringify(timings));
    }
    if (province && province !== 'none') {
      for (let i = 0; i < Math.max(1, Number(opt('--province-runs') ?? 1)); i++) {
        if (argv.includes('--edit')) {
          await ds.query(`UPDATE accounts SET updated_at = updated_at WHERE id = (SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id
            WHERE u.region_path LIKE (SELECT path || '%' FROM regions WHERE code = $1) ORDER BY a.id LIMIT 1 OFFSET $2)`, [province, i]);
        }
        const { run, timings } = await runDetectionProfiled(createSystemContext(ds), { asOf, regionCode: province, full });
        console.log(`province ${province}: found ${run.found}`, JSON.stringify(timings));
      }
    }
  } finally {
    await ds.destroy();
    if (!argv.includes('--keep')) await pg.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
