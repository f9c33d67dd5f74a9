import 'reflect-metadata';
import { createSystemContext } from '../../server/kernel/context';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { runMigrations } from '../../server/db/database';
import { createDataSource } from '../../server/registry';
import { startEmbedded } from '../../server/db/embedded';
import { runDetectionProfiled } from '../../server/detection/detection.service';

/**
 * Profiles detection on the benchmark's national database (run `npm run bench` once first):
 *   npx tsc -p tests/bench/tsconfig.json && node dist/tests/bench/detect-profile.js [--runs 2] [--province 35]
 * Prints the milliseconds per step of each run; stops the embedded cluster on exit if it started it (--keep leaves it).
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = Number(argv[argv.indexOf('--runs') + 1] || 2) || 2;
  const province = argv.includes('--province') ? argv[argv.indexOf('--province') + 1] : '35';
  const dataDir = path.join(ROOT, 'tests', 'bench', 'data');
  const asOf = JSON.parse(fs.readFileSync(path.join(dataDir, 'csv-national', '.seed-manifest.json'), 'utf8')).asOf as string;
  const pg = await startEmbedded({ dir: path.join(dataDir, 'pg'), port: Number(process.env.BENCH_PG_PORT ?? 54339), database: 'bench_national' });
  const ds = createDataSource(pg.url, 4);
  await ds.initialize();
  await runMigrations(ds, (m) => console.log(m));
  try {
    for (let i = 0; i < runs; i++) {
      const { run, timings } = await runDetectionProfiled(createSystemContext(ds), { asOf });
      console.log(`national run ${i + 1}: found ${run.found}`, JSON.stringify(timings));
    }
    if (province) {
      const { run, timings } = await runDetectionProfiled(createSystemContext(ds), { asOf, regionCode: province });
      console.log(`province ${province}: found ${run.found}`, JSON.stringify(timings));
    }
  } finally {
    await ds.destroy();
    if (!argv.includes("--keep")) await pg.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
