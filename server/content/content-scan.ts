import type { Readable } from 'node:stream';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startModuleWorker } from '../common/module-worker';
import type { Lexicon, UnitField } from './lexicon';
import type { Utf8Filter } from './automaton';
import { checkPost, copyTextFilter } from './matcher';

/**
 * The content scan's checking side: the posts to check arrive as the text of `COPY … TO STDOUT` (content.rule.ts: the
 * window query streams them straight out of posts, no copy into a temporary table and no read back through a cursor),
 * each row `id, published_at, content_hash, account_id, title, content, prov, key`, and are checked with their
 * province's lexicon (matcher.ts). Only the posts with a finding are kept.
 *
 * A large scan (the first run after an import: ≈1 M texts nationally) parses and checks in WORKERS worker threads, so
 * the database streams while the texts are matched and the detection's own thread only moves bytes: batches of whole
 * rows, transferred, at most CHUNKS_IN_FLIGHT waiting per worker (memory stays bounded whatever the scan's size). A
 * small one (a daily run, a province) checks on the calling thread: starting workers and building their automata
 * costs more than it saves there. Both run the same code (`Checker`).
 */

export interface Found {
  ids: string[];
  months: string[];
  hashes: (string | null)[];
  accounts: number[];
  keys: string[];
  wrong: string[];
  markers: string[];
  categories: string[];
  serious: boolean[];
}

export interface ScanResult {
  scanned: number;
  found: Found;
  /** Milliseconds spent checking (matching) on whichever thread did it. */
  checkMs: number;
}

export interface Scanner {
  /** Checks the rows of one COPY … TO STDOUT stream (ends when the stream ends). */
  consume(stream: Readable): Promise<void>;
  /** Every stream consumed: the result (the workers, if any, are stopped). */
  finish(): Promise<ScanResult>;
  /** Stops the workers, if any, without a result (on failure). */
  abort(): Promise<void>;
}

const CHUNKS_IN_FLIGHT = 4;
const BATCH_BYTES = 1 << 20;
/** Worker threads of a large scan (each checks whole rows of its own batches). */
const WORKERS = 2;

/**
 * Accounts looked at in full (no holding state) from which a run checks its texts in worker threads: a first run
 * after a national import (≈180,000 accounts, ≈1 M texts) does, a province's first run (≈3,000 accounts, ≈20,000 texts,
 * checked in ≈0.1 s) does not. Changed by tests only (both paths must give the same result).
 */
export const scanSettings = { workerMinAccounts: 20_000 };

/** COPY's text format: a field's escapes (PostgreSQL writes \\, \b, \f, \n, \r, \t, \v; \N alone is NULL). */
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
function field(raw: string): string | null {
  if (raw === '\\N') return null;
  return raw.includes('\\') ? raw.replace(/\\(.)/gs, (_, c: string) => ESCAPES[c] ?? c) : raw;
}

/**
 * Parses COPY text chunks into rows and checks each; keeps the posts with a finding. Rows are cut on bytes (a newline
 * or tab byte is never part of a multi-byte UTF-8 character), and a row whose title and content bytes hold no wrong
 * term or marker of its province's lexicon (matcher.ts copyTextFilter) is counted and left undecoded: it can have no
 * finding. Only the others (≈1 in 10 nationally) are decoded, split into fields and checked.
 */
export class Checker {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** The bytes of a row cut by the end of the last chunk. */
  private rest: Buffer | null = null;
  private readonly filters = new Map<string, Utf8Filter | null>();
  /** Filters by the number a province code's bytes make (filterAt). */
  private readonly byCode = new Map<number, Utf8Filter | null>();
  scanned = 0;
  checkMs = 0;
  readonly found: Found = { ids: [], months: [], hashes: [], accounts: [], keys: [], wrong: [], markers: [], categories: [], serious: [] };

  constructor(private readonly lexicons: Map<string, Lexicon>) {}

  /**
   * One chunk of a stream (a row cut by the chunk's end waits for the next chunk); null: the stream ended. Only the
   * bytes of the row cut by the last chunk are joined with the start of this one (not the whole chunk copied behind
   * them).
   */
  push(chunk: Uint8Array | null): void {
    const t = performance.now();
    const buf = chunk ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.alloc(0);
    let at = 0;
    if (this.rest) {
      const nl = chunk ? buf.indexOf(0x0a) : -1;
      if (chunk && nl < 0) {
        // No row ends in this chunk: it all waits.
        this.rest = Buffer.concat([this.rest, buf]);
        this.checkMs += performance.now() - t;
        return;
      }
      const row = nl < 0 ? this.rest : Buffer.concat([this.rest, buf.subarray(0, nl)]);
      this.rest = null;
      if (row.length) this.row(row, 0, row.length);
      at = nl < 0 ? buf.length : nl + 1;
    }
    const end = chunk ? Math.max(at, buf.lastIndexOf(0x0a) + 1) : buf.length;
    // Copied: a transferred or pooled chunk's memory is not kept alive by the few bytes that wait.
    if (chunk && end < buf.length) this.rest = Buffer.from(buf.subarray(end));
    while (at < end) {
      let nl = buf.indexOf(0x0a, at);
      if (nl < 0 || nl > end) nl = end;
      if (nl > at) this.row(buf, at, nl);
      at = nl + 1;
    }
    this.checkMs += performance.now() - t;
  }

  /**
   * The filter of the province whose code is bytes [from, to) of `buf`: a code of up to 6 bytes (every province's)
   * is looked up by the number its bytes make, so no string is made per row — that cost as much as the filter.
   */
  private filterAt(buf: Buffer, from: number, to: number): Utf8Filter | null {
    const len = to - from;
    if (len < 1 || len > 6) return this.filter(buf.toString('utf8', from, to));
    let k = len;
    for (let p = from; p < to; p++) k = k * 256 + buf[p];
    let f = this.byCode.get(k);
    if (f === undefined) this.byCode.set(k, (f = this.filter(buf.toString('utf8', from, to))));
    return f;
  }

  private filter(prov: string): Utf8Filter | null {
    let f = this.filters.get(prov);
    if (f === undefined) {
      const lex = this.lexicons.get(prov);
      if (!lex) throw new Error(`content scan: no lexicon for ${prov}`);
      this.filters.set(prov, (f = copyTextFilter(lex)));
    }
    return f;
  }

  /** The row in bytes [start, stop) of `buf`: id, published_at, content_hash, account_id, title, content, prov, key. */
  private row(buf: Buffer, start: number, stop: number): void {
    const tabs: number[] = [];
    for (let p = start; ;) {
      const q = buf.indexOf(0x09, p);
      if (q < 0 || q >= stop) break;
      tabs.push(q);
      p = q + 1;
    }
    if (tabs.length !== 7) throw new Error(`content scan: a row with ${tabs.length + 1} fields`);
    const filter = this.filterAt(buf, tabs[5] + 1, tabs[6]);
    if (filter && !filter.test(buf, tabs[3] + 1, tabs[4]) && !filter.test(buf, tabs[4] + 1, tabs[5])) {
      this.scanned++;
      return;
    }
    const f = this.decoder.decode(buf.subarray(start, stop)).split('\t');
    const [id, publishedAt, hash, accountId, title, content, prov, key] = f.map(field);
    this.check(id!, publishedAt!, hash, Number(accountId), title ?? '', content, prov!, key!);
  }

  private check(id: string, publishedAt: string, hash: string | null, accountId: number, title: string, content: string | null, prov: string, key: string): void {
    this.scanned++;
    const lex = this.lexicons.get(prov);
    if (!lex) throw new Error(`content scan: no lexicon for ${prov}`);
    const fieldOf = key.slice(key.lastIndexOf(':') + 1);
    const c = checkPost(lex, title, content, fieldOf === '-' ? null : (fieldOf as UnitField));
    if (!c.wrong.length && !c.categories.length) return;
    const found = this.found;
    found.ids.push(id);
    found.months.push(publishedAt);
    found.hashes.push(hash);
    found.accounts.push(accountId);
    found.keys.push(key);
    found.wrong.push(JSON.stringify(c.wrong));
    found.markers.push(JSON.stringify(c.markers));
    found.categories.push(JSON.stringify(c.categories));
    found.serious.push(c.serious);
  }

  /** The stream ended: a last row without its newline is checked too; the next stream starts afresh. */
  end(): void {
    this.push(null);
  }
}

/** A scanner checking on this thread, or in worker threads (`inWorker`). */
export function openScanner(lexicons: Map<string, Lexicon>, inWorker: boolean): Scanner {
  return inWorker ? workerScanner(lexicons) : localScanner(lexicons);
}

function localScanner(lexicons: Map<string, Lexicon>): Scanner {
  const checker = new Checker(lexicons);
  return {
    async consume(stream) {
      // Should checking fail, the rest of the stream is read and dropped (see workerScanner).
      let failure: unknown = null;
      for await (const chunk of stream) {
        if (failure) continue;
        try {
          checker.push(chunk as Buffer);
        } catch (err) {
          failure = err;
        }
      }
      if (failure) throw failure;
      checker.end();
    },
    async finish() {
      return { scanned: checker.scanned, found: checker.found, checkMs: checker.checkMs };
    },
    async abort() { /* nothing running */ },
  };
}

type ToWorker = { type: 'chunk'; data: Uint8Array } | { type: 'streamEnd' } | { type: 'finish' };
type FromWorker = { type: 'ack' } | { type: 'done'; result: ScanResult } | { type: 'failed'; message: string };

function workerScanner(lexicons: Map<string, Lexicon>): Scanner {
  let failure: Error | null = null;
  /** Whoever waits for a worker to take a batch (or for a failure). */
  let waiting: (() => void)[] = [];
  const wake = () => {
    const now = waiting;
    waiting = [];
    for (const w of now) w();
  };
  const failed = new Set<(err: Error) => void>();
  const fail = (err: Error) => {
    failure ??= err;
    wake();
    for (const f of failed) f(failure);
  };
  const workers = Array.from({ length: WORKERS }, () => {
    const w = { worker: startModuleWorker(__filename, { contentScan: true, lexicons: [...lexicons] }), inFlight: 0,
      done: null as ((r: ScanResult) => void) | null };
    w.worker.on('message', (m: FromWorker) => {
      if (m.type === 'ack') {
        w.inFlight--;
        wake();
      } else if (m.type === 'done') w.done?.(m.result);
      else fail(new Error(m.message));
    });
    w.worker.once('error', fail);
    w.worker.once('exit', (code) => fail(new Error(`content scan worker exited (${code})`)));
    return w;
  });
  const stop = async () => {
    await Promise.all(workers.map(async ({ worker }) => {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }));
  };
  let waited = 0;
  let bytes = 0;
  const t0 = performance.now();
  /** To the worker with the fewest batches waiting, once one has fewer than CHUNKS_IN_FLIGHT (flow control). */
  const dispatch = async (data: Uint8Array) => {
    const tw = performance.now();
    for (;;) {
      if (failure) throw failure;
      const w = workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (w.inFlight < CHUNKS_IN_FLIGHT) {
        w.inFlight++;
        bytes += data.byteLength;
        w.worker.postMessage({ type: 'chunk', data } satisfies ToWorker, [data.buffer as ArrayBuffer]);
        break;
      }
      await new Promise<void>((r) => waiting.push(r));
    }
    waited += performance.now() - tw;
  };
  return {
    async consume(stream) {
      // The stream's chunks (a COPY stream gives one per row) gathered into batches of about BATCH_BYTES, each cut
      // after its last complete row (the rest starts the next batch: a worker only ever gets whole rows, so the
      // workers read independently), copied once into a buffer of its own and transferred.
      let parts: Buffer[] = [];
      let size = 0;
      /** Sends the rows gathered up to byte `cut` of the last part (its end when omitted); the rest stays. */
      const flush = async (cut?: number) => {
        if (!size) return;
        const last = parts[parts.length - 1];
        const end = cut ?? last.byteLength;
        const own = new Uint8Array(size - last.byteLength + end);
        let at = 0;
        for (const p of parts.slice(0, -1)) { own.set(p, at); at += p.byteLength; }
        own.set(last.subarray(0, end), at);
        parts = end < last.byteLength ? [last.subarray(end)] : [];
        size = last.byteLength - end;
        await dispatch(own);
      };
      // 'data' events rather than an async iterator: a COPY stream has a chunk per row, and a promise per row was
      // a good part of this thread's work.
      // Should checking fail, the rest of the stream is read and dropped: a COPY left unread would leave the
      // connection in the middle of it.
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => {
          if (failure) return;
          parts.push(chunk);
          size += chunk.byteLength;
          if (size < BATCH_BYTES) return;
          const nl = chunk.lastIndexOf(0x0a); // a batch ends with a complete row
          if (nl < 0) return;
          stream.pause();
          flush(nl + 1).catch((err: unknown) => fail(err as Error)).finally(() => stream.resume());
        });
        stream.once('end', resolve);
        stream.once('error', reject);
      });
      if (failure) throw failure;
      await flush();
      for (const { worker } of workers) worker.postMessage({ type: 'streamEnd' } satisfies ToWorker);
      if (process.env.CONTENT_PROFILE) console.log(`[content] ${WORKERS} workers: ${Math.round(bytes / 1e6)} MB streamed in ${Math.round(performance.now() - t0)} ms, ${Math.round(waited)} ms waiting for them`);
    },
    async finish() {
      try {
        const results = await Promise.all(workers.map((w) => new Promise<ScanResult>((resolve, reject) => {
          if (failure) return reject(failure);
          w.done = resolve;
          failed.add(reject);
          w.worker.postMessage({ type: 'finish' } satisfies ToWorker);
        })));
        // The workers' findings one after the other (their order does not matter to the writes that follow).
        const found = results[0].found;
        for (const r of results.slice(1)) {
          for (const k of Object.keys(found) as (keyof Found)[]) for (const v of r.found[k]) (found[k] as unknown[]).push(v);
        }
        return { scanned: results.reduce((n, r) => n + r.scanned, 0), found, checkMs: results.reduce((n, r) => n + r.checkMs, 0) };
      } finally {
        await stop();
      }
    },
    abort: stop,
  };
}

function runWorker(lexicons: [string, Lexicon][]): void {
  const port = parentPort!;
  const checker = new Checker(new Map(lexicons));
  port.on('message', (m: ToWorker) => {
    try {
      if (m.type === 'chunk') {
        checker.push(m.data);
        port.postMessage({ type: 'ack' } satisfies FromWorker);
      } else if (m.type === 'streamEnd') {
        checker.end();
      } else {
        port.postMessage({ type: 'done', result: { scanned: checker.scanned, found: checker.found, checkMs: checker.checkMs } } satisfies FromWorker);
      }
    } catch (err) {
      port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
    }
  });
}

if (!isMainThread && (workerData as { contentScan?: boolean } | null)?.contentScan) {
  runWorker((workerData as { lexicons: [string, Lexicon][] }).lexicons);
}
