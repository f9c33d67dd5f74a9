import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startModuleWorker } from '../common/module-worker';
import { readCsvInto, type DirectLoad, type ProblemSink, type ReadOutcome } from './csv-reader';
import { FILE_SPECS, type FileName } from './csv-schema';

/**
 * CSV parsing and validation in a worker thread (node:worker_threads), so that the import's main thread only moves
 * bytes: it reads the file in 1 MB chunks and hands them over, and writes the COPY rows the worker sends back to the
 * staging table. Both directions are flow-controlled — the worker asks for the next chunk when its parser wants one,
 * and waits when the COPY stream is behind — so memory stays bounded whatever the file's size. The worker runs the
 * same validation (csv-reader.ts: readCsvInto) as before, so every problem and line number is unchanged.
 */

type ToWorker = { type: 'chunk'; data: Uint8Array | string } | { type: 'end' } | { type: 'written' };
type FromWorker =
  | { type: 'more' }
  | { type: 'month'; month: string }
  | { type: 'rows'; bytes: Uint8Array }
  | { type: 'problems'; list: [string, number, string, string][] }
  | { type: 'done'; outcome: { rows: number; staged: number; present: string[]; headerOk: boolean; latest: Latest; months: MonthArrays | null } }
  | { type: 'failed'; message: string };

/** COPY chunks the worker may send ahead of the main thread's writes. */
const ROWS_IN_FLIGHT = 4;
const PROBLEM_BATCH = 500;

/**
 * A direct load (csv-reader.ts `DirectLoad`) from the worker: the accounts as parallel arrays of keys and ids; for
 * posts, `month` is called with each new month before any of its rows is written, with no COPY open (the month's
 * partition is created then), and `open` gives each month's rows their COPY stream.
 */
export interface WorkerDirect {
  keys: string[];
  ids: number[];
  firstId: number;
  readEdges?: readonly number[];
  month?(month: string): Promise<void>;
  /** True once the load is known to fail (a problem reported): the rest of the file is not read. */
  stop?(): boolean;
  /** Rows in binary COPY format (csv-reader.ts DirectLoad.binary); each stream's header is the caller's. */
  binary?: boolean;
  /**
   * Posts kept apart by month (csv-reader.ts DirectLoad.byMonth; binary, with `month`): `open` answers with the COPY
   * stream that takes a month's rows (by month index), after the previous stream has ended.
   */
  open?(monthIndex: number): Promise<Writable>;
}

/** A direct load's accounts: their ids, and for posts each one's number of posts and latest `published_at` (else 0, ''). */
export interface Latest {
  ids: number[];
  n: number[];
  at: string[];
}

/** csv-reader.ts MonthCounts, handed over (transferred, not copied): `count` slots of `width` ints and one latest each. */
export interface MonthArrays {
  count: number;
  width: number;
  ints: Int32Array;
  last: Float64Array;
}

/** Reads, validates and converts one CSV file in a worker thread; the COPY rows go to `target` (ended at the end). */
export async function readCsvInWorker(name: FileName, source: Readable, initial: Writable | null, sink: ProblemSink,
  direct?: WorkerDirect): Promise<ReadOutcome & { latest: Latest; months: MonthArrays | null }> {
  const byMonth = direct?.open !== undefined;
  const worker = startWorker(name, direct ? { keys: direct.keys, ids: direct.ids, firstId: direct.firstId, readEdges: direct.readEdges,
    months: Boolean(direct.month), binary: direct.binary ?? false, byMonth } : undefined);
  const chunks = source[Symbol.asyncIterator]();
  /** The COPY stream written to (a by-month load: none between two months' streams), and the month it takes. */
  let target = initial;
  let targetMonth = -1;
  let copied: Promise<void> = target ? finished(target) : Promise.resolve();
  copied.catch(() => undefined); // awaited below; a COPY error must not go unhandled meanwhile
  let feeding = Promise.resolve();
  let writing = Promise.resolve();
  try {
    const outcome = await new Promise<ReadOutcome & { latest: Latest; months: MonthArrays | null }>((resolve, reject) => {
      const fail = (err: unknown) => reject(err instanceof Error ? err : new Error(String(err)));
      target?.once('error', fail);
      /** Ends the stream written to (its COPY finished), then writes to `next`. */
      const switchTo = async (next: Writable | null) => {
        if (target) {
          target.end();
          await copied;
        }
        target = next;
        copied = next ? finished(next) : Promise.resolve();
        copied.catch(() => undefined);
        next?.once('error', fail);
      };
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`CSV worker exited (${code}) before it finished`)));
      const send = (m: ToWorker) => worker.postMessage(m);
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'more':
            // One chunk per request, in order.
            feeding = feeding.then(async () => {
              const next: IteratorResult<unknown> = direct?.stop?.() ? { done: true, value: undefined } : await chunks.next();
              if (next.done) return send({ type: 'end' });
              const data = next.value as Buffer | string;
              if (typeof data === 'string') return send({ type: 'chunk', data });
              // A Buffer is cloned with its whole ArrayBuffer, whatever its own length: a 64 KB chunk of a 20 MB
              // upload (import.service.ts textChunks) copied the 20 MB on this thread each time — 3.5 s of the event
              // loop and 80–110 ms turns for one 21 MB upload (tests/edge/import-flood.test.ts). The chunk's own bytes
              // are copied once into a buffer of their own, which is transferred.
              const own = new Uint8Array(data.byteLength);
              own.set(data);
              worker.postMessage({ type: 'chunk', data: own } satisfies ToWorker, [own.buffer]);
            }).catch(fail);
            break;
          case 'rows':
            writing = writing.then(async () => {
              // The worker's UTF-8 bytes, received (transferred, not copied) and written as they are: no string on this
              // thread's heap, no encoding here (a 1 MB string per chunk made this thread the import's bottleneck:
              // UTF-8 encoding and the major GCs the large strings triggered).
              let bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
              if (byMonth) {
                // A month's rows, after its index: into that month's stream.
                const month = bytes.readInt32BE(0);
                bytes = bytes.subarray(4);
                if (!target || month !== targetMonth) {
                  await switchTo(null);
                  await switchTo(await direct!.open!(month));
                  targetMonth = month;
                }
              }
              const out = target!;
              if (!out.write(bytes)) await new Promise<void>((r) => out.once('drain', () => r()));
              send({ type: 'written' });
            }).catch(fail);
            break;
          case 'month':
            writing = writing.then(async () => {
              await switchTo(null);
              await direct!.month!(m.month);
            }).catch(fail);
            break;
          case 'problems':
            for (const [file, line, column, message] of m.list) sink.add(file, line, column, message);
            break;
          case 'done':
            writing.then(() => resolve({ ...m.outcome, present: new Set(m.outcome.present) }), fail);
            break;
          case 'failed':
            fail(new Error(m.message));
            break;
        }
      });
    });
    (target as Writable | null)?.end();
    await copied;
    return outcome;
  } catch (err) {
    (target as Writable | null)?.destroy(err as Error);
    throw err;
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
    await chunks.return?.();
  }
}

interface DirectData {
  keys: string[];
  ids: number[];
  firstId: number;
  readEdges?: readonly number[];
  months: boolean;
  binary: boolean;
  byMonth: boolean;
}

/** The worker runs this module (server/common/module-worker.ts: compiled, or from the TypeScript sources). */
function startWorker(name: FileName, direct?: DirectData): Worker {
  return startModuleWorker(__filename, { csvWorker: true, name, direct });
}

function runWorker(name: FileName, directData?: DirectData): void {
  const port = parentPort!;
  const post = (m: FromWorker) => port.postMessage(m);
  let problems: [string, number, string, string][] = [];
  const flushProblems = () => {
    if (problems.length) post({ type: 'problems', list: problems });
    problems = [];
  };
  let pendingRead = false;
  const input = new Readable({
    highWaterMark: 2,
    objectMode: true,
    read() {
      if (pendingRead) return;
      pendingRead = true;
      // The problems so far first: the main thread stops reading at the first (a by-month load sends rows seldom).
      flushProblems();
      post({ type: 'more' });
    },
  });
  let inFlight = 0;
  let waiting: (() => void) | null = null;
  const output = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, cb) {
      flushProblems();
      inFlight++;
      const encoded = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      // Transferred: a buffer with an ArrayBuffer of its own (a small one comes from Node's shared pool: copied out).
      const bytes = encoded.byteOffset === 0 && encoded.buffer.byteLength === encoded.byteLength ? encoded : new Uint8Array(encoded);
      port.postMessage({ type: 'rows', bytes } satisfies FromWorker, [bytes.buffer as ArrayBuffer]);
      if (inFlight < ROWS_IN_FLIGHT) cb();
      else waiting = () => cb();
    },
  });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'chunk') {
      pendingRead = false;
      input.push(m.data);
    } else if (m.type === 'end') {
      pendingRead = false;
      input.push(null);
    } else if (m.type === 'written') {
      inFlight--;
      if (waiting && inFlight < ROWS_IN_FLIGHT) {
        const go = waiting;
        waiting = null;
        go();
      }
    }
  });
  const sink: ProblemSink = {
    add(file, line, column, message) {
      problems.push([file, line, column, message]);
      if (problems.length >= PROBLEM_BATCH) flushProblems();
    },
  };
  let direct: DirectLoad | undefined;
  if (directData) {
    const accounts = new Map<string, number>();
    for (let i = 0; i < directData.keys.length; i++) accounts.set(directData.keys[i], directData.ids[i]);
    direct = { accounts, firstId: directData.firstId, readEdges: directData.readEdges, onMonth: directData.months ? (month) => post({ type: 'month', month }) : undefined,
      binary: directData.binary, byMonth: directData.byMonth };
  }
  readCsvInto(FILE_SPECS[name], input, output, sink, { direct }).then(
    (o) => {
      flushProblems();
      const m = o.months;
      const months: MonthArrays | null = m
        ? { count: m.count, width: m.width, ints: m.ints.slice(0, m.count * m.width), last: m.last.slice(0, m.count) }
        : null;
      const done: FromWorker = { type: 'done', outcome: { rows: o.rows, staged: o.staged, present: [...o.present], headerOk: o.headerOk, latest: {
        ids: [...o.latest.keys()], n: [...o.latest.values()].map((r) => r.n), at: [...o.latest.values()].map((r) => r.at) }, months } };
      port.postMessage(done, months ? [months.ints.buffer as ArrayBuffer, months.last.buffer as ArrayBuffer] : []);
    },
    (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
}

if (!isMainThread && (workerData as { csvWorker?: boolean } | null)?.csvWorker) {
  const data = workerData as { name: FileName; direct?: DirectData };
  runWorker(data.name, data.direct);
}
