import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { isMainThread, parentPort, Worker, workerData, type TransferListItem } from 'node:worker_threads';
import { startModuleWorker } from '../common/module-worker';
import { decodeUploadToBytes, type DecodedFiles } from './file-input';

/**
 * The import upload's heavy lifting off the event loop (issue 10: no request may stall the others for more than
 * about 100 ms). A body of up to 64 MB on `/graphql/import` is handed as bytes to a small pool of worker threads,
 * which parse the JSON and, for every file in the variables, do what would otherwise block the main thread:
 * - `importUpload` files (`{ name, base64 }`): check and decode the Base64, detect the encoding (UTF-8 / GB18030),
 *   read .xlsx workbooks — the decoded UTF-8 bytes come back transferred, not copied;
 * - `importCsv` files (`{ name, content }`, 64 KB and more): the text as UTF-8 bytes, after the checks the String
 *   scalar makes (NUL, lone surrogates: a text failing them is left in place for the scalar to refuse).
 * Each such value in the body is replaced by a token (`upload-prepared:<uuid>`, not valid Base64) whose prepared
 * result lives in this request's store only (AsyncLocalStorage): the resolvers take it from there. A token from any
 * other request means nothing (invalid Base64 / a CSV of one odd line), so nothing crosses between requests.
 */

export type Prepared =
  | { kind: 'upload'; decoded: DecodedFiles }
  | { kind: 'invalid-base64' }
  | { kind: 'csv'; content: Buffer };

type Task =
  | { kind: 'body'; bytes: Uint8Array; prepare: boolean }
  | { kind: 'decode'; files: { name: string; base64: string }[] };
type Outcome =
  | { kind: 'body'; ok: true; body: unknown; prepared: [string, Prepared][] }
  | { kind: 'body'; ok: false }
  | { kind: 'decode'; results: Prepared[] };

const TOKEN_PREFIX = 'upload-prepared:';
/** `importCsv` texts below this size stay in the body (cheap either way). */
const CSV_MIN_CHARS = 64 * 1024;
const BASE64 = /^[A-Za-z0-9+/=\s]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const store = new AsyncLocalStorage<Map<string, Prepared>>();

/** Runs `next` with the request's prepared files reachable by `takePrepared`. */
export function withPrepared(prepared: Map<string, Prepared>, next: () => void): void {
  store.run(prepared, next);
}

/** The prepared result a body token stands for (this request's only), or undefined for any other string. */
export function takePrepared(value: string): Prepared | undefined {
  if (!value.startsWith(TOKEN_PREFIX)) return undefined;
  const map = store.getStore();
  const p = map?.get(value);
  map?.delete(value);
  return p;
}

/**
 * Parses a request body (JSON) in a worker; null when it is not JSON. `prepare: false` (an anonymous caller, refused
 * by the edge guard next): the files are not decoded, only replaced by a token that stands for nothing.
 */
export async function parseImportBody(bytes: Buffer, prepare = true): Promise<{ body: unknown; prepared: Map<string, Prepared> } | null> {
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.byteLength >= 1 << 20;
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = await pool().run({ kind: 'body', bytes: view, prepare }, own ? [bytes.buffer as ArrayBuffer] : []);
  if (out.kind !== 'body' || !out.ok) return null;
  return { body: out.body, prepared: new Map(out.prepared.map(([k, p]) => [k, revive(p)])) };
}

/**
 * Decodes `importUpload` files: prepared ones from the request's store, the rest (small bodies on `/graphql`) in a
 * worker as well. Files in order; `{ invalid: name }` for the first that is not Base64.
 */
export async function decodeUploadFiles(files: { name: string; base64: string }[]): Promise<{ decoded: DecodedFiles[] } | { invalid: string }> {
  const results: (Prepared | undefined)[] = files.map((f) => takePrepared(f.base64));
  const missing = files.filter((_, i) => !results[i]);
  if (missing.length) {
    const out = await pool().run({ kind: 'decode', files: missing }, []);
    if (out.kind !== 'decode') throw new Error('upload worker: unexpected answer');
    let j = 0;
    for (let i = 0; i < results.length; i++) if (!results[i]) results[i] = revive(out.results[j++]);
  }
  const decoded: DecodedFiles[] = [];
  for (let i = 0; i < files.length; i++) {
    const r = results[i]!;
    if (r.kind !== 'upload') return { invalid: files[i].name };
    decoded.push(r.decoded);
  }
  return { decoded };
}

/** Buffers arrive as plain Uint8Arrays: made Buffers again (no copy). */
function revive(p: Prepared): Prepared {
  const buf = (u: Uint8Array | string) => (typeof u === 'string' || Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
  if (p.kind === 'csv') return { kind: 'csv', content: buf(p.content) as Buffer };
  if (p.kind === 'upload') return { kind: 'upload', decoded: { ...p.decoded, files: p.decoded.files.map((f) => ({ name: f.name, content: buf(f.content) })) } };
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// The pool: up to two workers (one on a single core), started on first use, unref'd (they never keep the process
// alive); tasks queue while all are busy. A worker that dies fails its task and is replaced on the next one.

interface Slot { worker: Worker; busy: boolean; }
interface Queued { task: Task; transfer: TransferListItem[]; resolve: (o: Outcome) => void; reject: (e: Error) => void; }

class UploadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  constructor(private readonly size: number) {}

  run(task: Task, transfer: TransferListItem[]): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, transfer, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) {
        slot = { worker: startWorker(), busy: false };
        slot.worker.unref();
        this.slots.push(slot);
      }
      if (!slot) return;
      this.dispatch(slot, this.queue.shift()!);
    }
  }

  private dispatch(slot: Slot, q: Queued): void {
    slot.busy = true;
    const { worker } = slot;
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      slot.busy = false;
      this.pump();
    };
    const onMessage = (m: { ok: true; outcome: Outcome } | { ok: false; message: string }) => {
      done();
      if (m.ok) q.resolve(m.outcome);
      else q.reject(new Error(`upload worker: ${m.message}`));
    };
    const drop = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      done();
      q.reject(err);
    };
    const onError = (err: Error) => {
      drop(err);
      void worker.terminate();
    };
    const onExit = (code: number) => drop(new Error(`upload worker exited (${code})`));
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage(q.task, q.transfer);
  }
}

let shared: UploadPool | null = null;
function pool(): UploadPool {
  shared ??= new UploadPool(Math.max(1, Math.min(2, os.availableParallelism() - 1)));
  return shared;
}

/** The worker runs this module (server/common/module-worker.ts: compiled, or from the TypeScript sources). */
function startWorker(): Worker {
  return startModuleWorker(__filename, { uploadWorker: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Inside the worker.

async function decodeOne(name: string, base64: string): Promise<Prepared> {
  if (!BASE64.test(base64)) return { kind: 'invalid-base64' };
  return { kind: 'upload', decoded: await decodeUploadToBytes(name, Buffer.from(base64, 'base64')) };
}

/** Objects `{ name, base64 }` / `{ name, content }` anywhere in the variables (a few levels deep), replaced by tokens. */
async function prepareVariables(variables: unknown, prepare: boolean): Promise<[string, Prepared][]> {
  const prepared: [string, Prepared][] = [];
  const visit = async (v: unknown, depth: number): Promise<void> => {
    if (v === null || typeof v !== 'object' || depth > 6) return;
    if (Array.isArray(v)) {
      for (const c of v) await visit(c, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (!prepare && typeof o.name === 'string' && (typeof o.base64 === 'string' || typeof o.content === 'string')) {
      if (typeof o.base64 === 'string') o.base64 = `${TOKEN_PREFIX}unprepared`;
      else o.content = `${TOKEN_PREFIX}unprepared`;
      return;
    }
    if (typeof o.name === 'string' && typeof o.base64 === 'string') {
      const token = TOKEN_PREFIX + randomUUID();
      prepared.push([token, await decodeOne(o.name, o.base64)]);
      o.base64 = token;
      return;
    }
    if (typeof o.name === 'string' && typeof o.content === 'string' && o.content.length >= CSV_MIN_CHARS
      && !o.content.includes('\u0000') && !LONE_SURROGATE.test(o.content)) {
      const token = TOKEN_PREFIX + randomUUID();
      prepared.push([token, { kind: 'csv', content: Buffer.from(o.content, 'utf8') }]);
      o.content = token;
      return;
    }
    for (const k of Object.keys(o)) await visit(o[k], depth + 1);
  };
  await visit(variables, 0);
  return prepared;
}

/** The ArrayBuffers of large Buffers in `p` (small ones may share Node's pool: cloned, never transferred). */
function transferables(ps: Prepared[]): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  const add = (c: string | Buffer) => {
    if (typeof c !== 'string' && c.buffer.byteLength >= 64 * 1024) set.add(c.buffer as ArrayBuffer);
  };
  for (const p of ps) {
    if (p.kind === 'csv') add(p.content);
    if (p.kind === 'upload') for (const f of p.decoded.files) add(f.content);
  }
  return [...set];
}

async function perform(task: Task): Promise<{ outcome: Outcome; transfer: ArrayBuffer[] }> {
  if (task.kind === 'decode') {
    const results: Prepared[] = [];
    for (const f of task.files) results.push(await decodeOne(f.name, f.base64));
    return { outcome: { kind: 'decode', results }, transfer: transferables(results) };
  }
  let body: unknown;
  try {
    // As express.json (strict): an object or array, UTF-8.
    const text = new TextDecoder('utf-8').decode(task.bytes);
    if (!/^[\s\uFEFF]*[{[]/.test(text.slice(0, 64))) return { outcome: { kind: 'body', ok: false }, transfer: [] };
    body = JSON.parse(text);
  } catch {
    return { outcome: { kind: 'body', ok: false }, transfer: [] };
  }
  const variables = body && typeof body === 'object' ? (body as { variables?: unknown }).variables : undefined;
  const prepared = await prepareVariables(variables, task.prepare);
  return { outcome: { kind: 'body', ok: true, body, prepared }, transfer: transferables(prepared.map(([, p]) => p)) };
}

function runWorker(): void {
  const port = parentPort!;
  port.on('message', (task: Task) => {
    perform(task).then(
      ({ outcome, transfer }) => port.postMessage({ ok: true, outcome }, transfer),
      (err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
  });
}

if (!isMainThread && (workerData as { uploadWorker?: boolean } | null)?.uploadWorker) runWorker();
