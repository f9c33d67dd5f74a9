import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createTestDb, type TestDb } from '../support/db';
import { ROOT } from '../../server/config';
import { DEMO_PASSWORD } from '../../server/auth/demo-users';

/**
 * Several API processes behind one port (issue 14): the BUILT server (dist/server/main.js — `npm test` and
 * `npm run test:db` build it first) with WEB_WORKERS=2, over real HTTP. The database is prepared and the job queue
 * started once (by the cluster's primary); a login on one worker is valid on the other.
 */
const MAIN = path.join(ROOT, 'dist', 'server', 'main.js');
let db: TestDb;
let proc: ChildProcess;
let port: number;
const output: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(p));
    });
  });
}

/** One POST on a NEW connection (no keep-alive), so that the cluster may hand it to either worker. */
function post(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: { data?: Record<string, unknown>; errors?: unknown[] } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', connection: 'close', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

const count = (re: RegExp) => output.join('').split('\n').filter((l) => re.test(l)).length;

beforeAll(async () => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} missing: run npm run build:server first (npm test and npm run test:db do)`);
  db = await createTestDb();
  port = await freePort();
  proc = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    detached: true, // its own process group: afterAll can end the primary and its workers together if need be
    env: { ...process.env, DATABASE_URL: db.url, PORT: String(port), WEB_WORKERS: '2', SEED_ON_EMPTY: 'false', NODE_ENV: 'test', LOG_SQL: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cluster did not start in 90 s:\n${output.join('')}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (/listening/.test(chunk.toString())) { clearTimeout(timer); resolve(); }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${output.join('')}`)); });
  });
}, 120_000);

afterAll(async () => {
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* the whole group is gone already */ }
  }
  await db?.close();
});

describe('WEB_WORKERS=2', () => {
  it('prepares the database and starts the job queue once, and listens once all workers do', () => {
    expect(count(/已连接数据库/)).toBe(1);
    expect(count(/定时任务已启动|job queue started/)).toBe(1);
    expect(count(/listening/)).toBe(1);
    expect(output.join('')).toMatch(/2 个工作进程/);
  });

  it('answers on one port from both workers, with one login valid on each', async () => {
    const login = await post({ query: `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, variables: { u: 'admin', p: DEMO_PASSWORD } });
    const token = (login.json.data?.login as { token?: string } | undefined)?.token;
    expect(token).toBeTruthy();
    const loggedInOn = login.headers['x-worker-id'];
    const seen = new Map<string, number>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      // The browser's way (the session cookie) and the scripts' way (bearer) alternately.
      const auth: Record<string, string> = i % 2 ? { cookie: `mp_session=${token}` } : { authorization: `Bearer ${token}` };
      const res = await post({ query: '{ me { username } }' }, auth);
      expect(res.status).toBe(200);
      expect(res.json.data?.me).toEqual({ username: 'admin' });
      const w = String(res.headers['x-worker-id']);
      seen.set(w, (seen.get(w) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['0', '1']);
    expect(seen.has(String(loggedInOn))).toBe(true);
  });

  it('stops the workers with the primary', async () => {
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    // No worker left in the process group.
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      try { process.kill(-proc.pid!, 0); await new Promise((r) => setTimeout(r, 100)); } catch { alive = false; }
    }
    expect(alive).toBe(false);
  });
});
