import fs from 'node:fs';
import { Writable } from 'node:stream';
import { readCsvInto } from '../../server/import/csv-reader';
import { copyEscape, FILE_SPECS } from '../../server/import/csv-schema';
import { READ_EDGES } from '../../server/detection/post-months';

/**
 * The import's parse and validation of posts.csv alone, on this thread, into a discarding sink (what the worker of a
 * direct load does, without PostgreSQL): `node dist/tests/bench/parse-bench.js <posts.csv> <accounts.csv> [runs]`.
 * Prints rows, milliseconds and the bytes it would have sent per run.
 */
async function main(): Promise<void> {
  const [posts, accountsFile, runsArg] = process.argv.slice(2);
  const accounts = new Map<string, number>();
  const lines = fs.readFileSync(accountsFile, 'utf8').split('\n');
  const head = lines[0].split(',');
  const pi = head.indexOf('platform');
  const hi = head.indexOf('handle');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(',');
    if (f.length > 1) accounts.set(`${f[pi]}\u0000${copyEscape(f[hi])}`, i);
  }
  for (let r = 0; r < Number(runsArg ?? 3); r++) {
    let bytes = 0;
    const sink = new Writable({ decodeStrings: false, write(chunk: string | Buffer, _e, cb) { bytes += Buffer.byteLength(chunk); cb(); } });
    let problems = 0;
    const t = performance.now();
    const out = await readCsvInto(FILE_SPECS['posts.csv'], fs.createReadStream(posts, { highWaterMark: 1 << 20 }), sink,
      { add() { problems++; } }, { direct: { accounts, firstId: 1, readEdges: READ_EDGES, onMonth: () => undefined } });
    console.log(`rows ${out.rows} staged ${out.staged} problems ${problems} ${Math.round(performance.now() - t)} ms, ${bytes} bytes`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
