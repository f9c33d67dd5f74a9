import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { ROOT } from '../../server/config';

/**
 * `npm run bench -- --fuzz [--fuzz-runs 60] [--fuzz-seed N]`: the property-based suites of tests/edge/fuzz.test.ts
 * (every String/ID argument of every operation, CSV imports) with many more runs than CI's 4 per target and a random
 * seed, printed first so that a failure can be replayed (`FUZZ_SEED=<seed> FUZZ_RUNS=<runs> npx vitest run
 * tests/edge/fuzz.test.ts`). Exits 1 when a property fails.
 */
export async function runFuzz(argv: string[]): Promise<void> {
  const at = (flag: string) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : undefined; };
  const runs = Number(at('--fuzz-runs') ?? 60);
  const seed = Number(at('--fuzz-seed') ?? crypto.randomInt(1, 2 ** 31 - 1));
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--fuzz-runs 应为正整数 (a positive integer)');
  if (!Number.isInteger(seed)) throw new Error('--fuzz-seed 应为整数 (an integer)');
  console.log(`[fuzz] seed ${seed}, ${runs} runs per target (CI: 4) — replay: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npx vitest run tests/edge/fuzz.test.ts`);
  const t0 = performance.now();
  const code = await new Promise<number>((resolve, reject) => {
    const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const child = spawn(process.execPath, [vitest, 'run', 'tests/edge/fuzz.test.ts', '--testTimeout', String(60 * 60_000)], {
      cwd: ROOT, stdio: 'inherit', env: { ...process.env, FUZZ_SEED: String(seed), FUZZ_RUNS: String(runs) },
    });
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  console.log(`[fuzz] ${code === 0 ? 'passed' : 'FAILED'} in ${Math.round((performance.now() - t0) / 1000)} s (seed ${seed}, ${runs} runs per target)`);
  if (code !== 0) process.exitCode = 1;
}
