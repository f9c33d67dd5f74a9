import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeUser, sessionFor } from '../support/auth';
import { makeAccounts, makeUnits } from '../support/factories';
import { Role } from '../../server/common/enums';
import { loadClient, pct, stallMonitor, STALL_BOUND_MS, startEdgeServer, threadCpuMs } from './edge-support';

/**
 * Big uploads on `/graphql/import` (issue 10): the body (tens of MB) is read as bytes and parsed — Base64 decoded,
 * encoding detected — in a worker thread, the CSV validated in the CSV worker; meanwhile the event loop never stalls
 * for 100 ms of its own making (measured as in flood.test.ts) and /healthz keeps answering. Malformed JSON,
 * bodies over the limit and bad Base64 still answer clean 4xx JSON.
 */
let db: TestDb;
let http: Awaited<ReturnType<typeof startEdgeServer>>;
let admin: Record<string, string>;
let dir: string;

const UPLOAD = 'mutation($files: [UploadFileInput!]!) { importUpload(files: $files, dryRun: true) { notices result { ok errorCount counts { file rows } } } }';
const CSV = 'mutation($files: [CsvFileInput!]!) { importCsv(files: $files, dryRun: true) { ok errorCount counts { file rows } } }';

beforeAll(async () => {
  db = await createTestDb();
  const u = await makeUser(db.ds, { username: 'big-uploader', role: Role.ADMIN, unit: null });
  admin = (await sessionFor(db.ds, db.config, u.id)).headers;
  await makeUnits(db.ds, [{ code: 'BIGUP' }]);
  await makeAccounts(db.ds, [{ unit: 'BIGUP', handle: 'bigup' }]);
  http = await startEdgeServer(db.ds, db.config);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-flood-'));
});

afterAll(async () => {
  await http?.close();
  await db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** `rows` posts of the account `wechat/bigup`, each with a long Chinese text (many bytes, few rows for the database). */
function postsCsv(rows: number, day: string, contentChars: number): string {
  const lines = ['platform,handle,published_at,title,original,reads,content'];
  const text = '福建省人民政府办公厅关于进一步加强政务新媒体建设管理工作的通知，'.repeat(Math.ceil(contentChars / 32)).slice(0, contentChars);
  for (let i = 0; i < rows; i++) {
    const at = new Date(Date.parse(`${day}T00:00:00+08:00`) + i * 1000).toISOString();
    lines.push(`wechat,bigup,${at},第${i}号通知,true,${i},${text}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `rows` units with unique codes. */
function unitsCsv(rows: number, prefix: string): string {
  const lines = ['code,name,kind,level,parent_code,region_code,supervisor_code'];
  for (let i = 0; i < rows; i++) lines.push(`${prefix}${i},测试单位${i},government,province,,35,`);
  return `${lines.join('\n')}\n`;
}

/** A child process that, once started, POSTs the files' bytes to `url` (so that sending costs the server's thread nothing). */
function postFiles(url: string, files: string[], headers: Record<string, string>) {
  const script = `
    function main({ url, files, headers }) {
      return Promise.all(files.map(async (f) => {
        const t0 = performance.now();
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: require('fs').readFileSync(f) });
        return { status: r.status, text: await r.text(), ms: performance.now() - t0 };
      }));
    }`;
  return loadClient<unknown, { status: number; text: string; ms: number }[]>('upload client', script, { url, files, headers });
}

describe('import uploads of tens of MB', () => {
  it('parses, decodes and validates them off the event loop: no stall of its own reaches 100 ms', async () => {
    // A GB18030 CSV as Excel saves it, Base64 in importUpload (≈ 21 MB body), and a UTF-8 text in importCsv (≈ 6 MB):
    // posts with long texts, so that tens of MB are few rows for the database.
    const gbk = iconv.encode(postsCsv(2_000, '2024-06-01', 4_000), 'gb18030');
    const uploadBody = path.join(dir, 'upload.json');
    fs.writeFileSync(uploadBody, JSON.stringify({ query: UPLOAD, variables: { files: [{ name: 'posts.csv', base64: gbk.toString('base64') }] } }));
    const csvBody = path.join(dir, 'csv.json');
    fs.writeFileSync(csvBody, JSON.stringify({ query: CSV, variables: { files: [{ name: 'posts.csv', content: postsCsv(1_000, '2024-06-02', 2_000) }] } }));
    const sizes = [uploadBody, csvBody].map((f) => fs.statSync(f).size);
    expect(sizes[0]).toBeGreaterThan(20 * 1024 * 1024);
    expect(sizes[1]).toBeGreaterThan(5 * 1024 * 1024);

    // Run from the TypeScript sources (as here), each worker's code is compiled with SWC on its first use, on this
    // thread (server/common/module-worker.ts; the built server loads dist/*.js): 20–40 ms of the test harness, the
    // longest turn of a profile of this test. A small upload and a small CSV first, so the stall measured is the server's.
    const warmUpload = path.join(dir, 'warm-upload.json');
    fs.writeFileSync(warmUpload, JSON.stringify({ query: UPLOAD, variables: { files: [{ name: 'posts.csv', base64: iconv.encode(postsCsv(2, '2024-05-01', 10), 'gb18030').toString('base64') }] } }));
    const warmCsv = path.join(dir, 'warm-csv.json');
    fs.writeFileSync(warmCsv, JSON.stringify({ query: CSV, variables: { files: [{ name: 'posts.csv', content: postsCsv(2, '2024-05-02', 10) }] } }));
    const warm = await (await postFiles(`${http.url}/graphql/import`, [warmUpload, warmCsv], admin)).go();
    expect(warm.map((w) => [w.status, JSON.parse(w.text).errors])).toEqual([[200, undefined], [200, undefined]]);

    const client = await postFiles(`${http.url}/graphql/import`, [uploadBody, csvBody], admin);
    const monitor = stallMonitor();
    const cpu0 = threadCpuMs().ms;
    const t0 = performance.now();
    const { healthTimes, result } = await http.whileProbing(() => client.go());
    const wallMs = performance.now() - t0;
    const cpuMs = threadCpuMs().ms - cpu0;
    const { late, stall } = monitor.stop();
    const stallMax = Math.max(...stall);
    console.log(`import uploads: ${(sizes[0] / 2 ** 20).toFixed(1)} MB (importUpload, GB18030 Base64) + ${(sizes[1] / 2 ** 20).toFixed(1)} MB (importCsv) `
      + `in ${(wallMs / 1000).toFixed(1)} s (answers ${result.map((r) => `${r.status} in ${(r.ms / 1000).toFixed(1)} s`).join(', ')}); `
      + `event-loop CPU ${cpuMs.toFixed(0)} ms; event loop (${late.length} ticks): own stall max ${stallMax.toFixed(1)} ms, p99 ${pct(stall, 0.99).toFixed(1)} ms; `
      + `wall-clock delay max ${Math.max(...late).toFixed(1)} ms; /healthz ${healthTimes.length} probes, p50 ${pct(healthTimes, 0.5).toFixed(1)} ms, `
      + `p99 ${pct(healthTimes, 0.99).toFixed(1)} ms, max ${Math.max(...healthTimes).toFixed(1)} ms`);

    const [upload, csv] = result.map((r) => ({ status: r.status, json: JSON.parse(r.text) }));
    expect(upload.status).toBe(200);
    expect(upload.json.errors).toBeUndefined();
    expect(upload.json.data.importUpload.notices).toEqual([expect.stringContaining('posts.csv 的编码为 GBK/GB18030')]);
    expect(upload.json.data.importUpload.result).toMatchObject({ ok: true, errorCount: 0, counts: [{ file: 'posts.csv', rows: 2_000 }] });
    expect(csv.status).toBe(200);
    expect(csv.json.errors).toBeUndefined();
    expect(csv.json.data.importCsv).toMatchObject({ ok: true, errorCount: 0, counts: [{ file: 'posts.csv', rows: 1_000 }] });
    expect(healthTimes.length).toBeGreaterThan(5);
    expect(late.length).toBeGreaterThan(50);
    expect(stallMax).toBeLessThan(STALL_BOUND_MS);
  }, 180_000);

  it('answers malformed JSON, bad Base64 and bodies over the limit with clean 4xx JSON', async () => {
    const clean = (r: { status: number; contentType: string; text: string }) => {
      expect(r.contentType).toMatch(/^application\/json/);
      expect(r.text).not.toMatch(/<html|at [\w.<>]+ \(|\/work\/|node_modules/i);
    };
    const malformed = await http.raw('{"query": "mutation { x }", ', admin, '/graphql/import');
    expect(malformed.status).toBe(400);
    clean(malformed);
    expect(malformed.json.errors[0].extensions.code).toBe('BAD_REQUEST');
    const notObject = await http.raw('"just a string"', admin, '/graphql/import');
    expect(notObject.status).toBe(400);
    clean(notObject);

    const badBase64 = await http.post(UPLOAD, { files: [{ name: 'units.csv', base64: 'not base64!' }] }, admin, '/graphql/import');
    clean(badBase64);
    expect(badBase64.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    // A token of the worker's making is only good for the request it was made for.
    const forged = await http.post(UPLOAD, { files: [{ name: 'units.csv', base64: 'upload-prepared:00000000-0000-0000-0000-000000000000' }] }, admin, '/graphql/import');
    expect(forged.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    // Anonymous: refused by the edge guard, the file never decoded.
    const anonymous = await http.post(UPLOAD, { files: [{ name: 'units.csv', base64: Buffer.from(unitsCsv(10, 'ANON-')).toString('base64') }] }, {}, '/graphql/import');
    clean(anonymous);
    expect(anonymous.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const small = await startEdgeServer(db.ds, db.config, { importBodyBytes: 256 * 1024 });
    try {
      const content = unitsCsv(10_000, 'BIG-');
      const over = await small.post(CSV, { files: [{ name: 'units.csv', content }] }, admin, '/graphql/import');
      expect(over.status).toBe(413);
      clean(over);
      expect(over.json.errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', params: { limit: 256 } });
      // Within the limit, the same path still imports (the worker's parse, the resolver's prepared bytes).
      const within = await small.post(CSV, { files: [{ name: 'units.csv', content: unitsCsv(1_000, 'OK-') }] }, admin, '/graphql/import');
      expect(within.status).toBe(200);
      expect(within.json.data.importCsv).toMatchObject({ ok: true, counts: [{ file: 'units.csv', rows: 1_000 }] });
    } finally {
      await small.close();
    }
  }, 60_000);
});
