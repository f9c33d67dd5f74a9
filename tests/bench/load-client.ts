import autocannon from 'autocannon';

/**
 * One load run of the bench (bench.ts `load`), in a process of its own: `LOAD_SPEC` (JSON: url, headers, body,
 * connections, duration — negative: that many requests) in, one JSON line out (the response times and counts).
 *
 * A fresh client per run: when several autocannon runs followed one another in the bench's process, the first of the
 * 32 callers of a run were answered one every 50–80 ms (up to 1.3 s late; measured in a separate script making the
 * same runs in one process, and not when each run had its process), and that client artifact was the p99 of the run.
 */
interface Spec { url: string; headers: Record<string, string>; body: string; connections: number; duration: number }

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.LOAD_SPEC ?? '') as Spec;
  const times: number[] = [];
  const span = spec.duration > 0 ? { duration: spec.duration } : { amount: -spec.duration };
  const res = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: spec.url, method: 'POST', headers: spec.headers, body: spec.body, connections: spec.connections, ...span, pipelining: 1 },
      (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('response', (_client, _status, _bytes, responseTime) => times.push(responseTime));
  });
  process.stdout.write(`${JSON.stringify({ times, duration: res.duration, errors: res.errors + res.timeouts, non2xx: res.non2xx })}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
