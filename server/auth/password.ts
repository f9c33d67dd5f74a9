import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ROOT } from '../config';

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), as standard PHC strings
 * (`$argon2id$v=19$m=19456,t=2,p=1$…`) that carry their own parameters. `hash-wasm` runs argon2 as WebAssembly:
 * no native addon to compile or to load (the prebuilt `argon2` addon crashed on load on these machines).
 */
const PARAMS = { parallelism: 1, iterations: 2, memorySize: 19456, hashLength: 32 } as const;

/** Password policy (also enforced by the GraphQL inputs): at least 8 characters, with letters and digits. */
export const PASSWORD_MAX_LENGTH = 128;
export const PASSWORD_PATTERN = /^(?=.*[A-Za-z])(?=.*\d).{8,128}$/s;
export const PASSWORD_POLICY_ZH = '密码至少 8 位，且须同时包含字母和数字';

/**
 * argon2 runs in worker threads: one verification is 60–150 ms of synchronous WebAssembly, which on the main thread
 * stalled every other request (and /healthz) during a login flood (issue 10: no stall over 100 ms). The worker is
 * plain JavaScript evaluated from a string, so it runs the same from the build and from the test runner's sources.
 */
const WORKER_SOURCE = `
  const { parentPort } = require('node:worker_threads');
  const { argon2id, argon2Verify } = require(${JSON.stringify(createRequire(path.join(ROOT, 'package.json')).resolve('hash-wasm'))});
  parentPort.on('message', async ({ id, op, args }) => {
    try {
      const result = op === 'hash' ? await argon2id({ ...args, salt: new Uint8Array(args.salt) }) : await argon2Verify(args);
      parentPort.postMessage({ id, result });
    } catch (err) {
      parentPort.postMessage({ id, error: String(err && err.message || err) });
    }
  });`;

interface Slot { worker: Worker; pending: number }
const POOL_SIZE = 2;
const pool: Slot[] = [];
const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; slot: Slot }>();
let nextId = 1;

function slot(): Slot {
  if (pool.length < POOL_SIZE && pool.every((s) => s.pending > 0)) {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref(); // an idle pool never keeps a CLI or a test process alive
    const s: Slot = { worker, pending: 0 };
    worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (--w.slot.pending === 0) w.slot.worker.unref();
      if (m.error !== undefined) w.reject(new Error(m.error));
      else w.resolve(m.result);
    });
    worker.on('error', (err) => {
      pool.splice(pool.indexOf(s), 1);
      for (const [id, w] of waiting) if (w.slot === s) { waiting.delete(id); w.reject(err); }
    });
    pool.push(s);
  }
  return pool.reduce((a, b) => (b.pending < a.pending ? b : a));
}

function run<T>(op: 'hash' | 'verify', args: Record<string, unknown>): Promise<T> {
  const s = slot();
  const id = nextId++;
  if (s.pending++ === 0) s.worker.ref(); // keep the process alive while an answer is owed
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, slot: s });
    s.worker.postMessage({ id, op, args });
  });
}

export function hashPassword(password: string): Promise<string> {
  return run<string>('hash', { ...PARAMS, password, salt: [...randomBytes(16)], outputType: 'encoded' });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (!hash.startsWith('$argon2')) return false;
  try {
    return await run<boolean>('verify', { password, hash });
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** A real hash to verify against when the user does not exist, so unknown users take as long as wrong passwords. */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword('matrix-planner-no-such-user-0'));
}
