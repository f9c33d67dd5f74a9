import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeUser, sessionFor } from '../support/auth';
import { Role } from '../../server/common/enums';
import { startEdgeServer } from './edge-support';

/**
 * The import path's body reader (server/graphql/json-body.ts importBody): with a Content-Length, chunks are copied
 * into one buffer as they arrive; without one, compressed, or empty, express.raw reads it. Every way of sending the
 * same import gives the same answer; a body over the limit is 413; after one cut short the server goes on answering.
 */
let db: TestDb;
let server: Awaited<ReturnType<typeof startEdgeServer>>;
let small: Awaited<ReturnType<typeof startEdgeServer>>;
let admin: Record<string, string>;

const CSV = 'mutation($files: [CsvFileInput!]!) { importCsv(files: $files, dryRun: true) { ok errorCount counts { file rows } } }';
const unitsCsv = (rows: number, prefix: string) =>
  `code,name,kind,level,parent_code,region_code,supervisor_code\n${Array.from({ length: rows }, (_, i) => `${prefix}${i},测试单位${i},government,province,,35,`).join('\n')}\n`;

beforeAll(async () => {
  db = await createTestDb();
  const u = await makeUser(db.ds, { username: 'body-importer', role: Role.ADMIN, unit: null });
  admin = (await sessionFor(db.ds, db.config, u.id)).headers;
  server = await startEdgeServer(db.ds, db.config);
  small = await startEdgeServer(db.ds, db.config, { importBodyBytes: 256 * 1024 });
});

afterAll(async () => {
  await server?.close();
  await small?.close();
  await db?.close();
});

/**
 * POSTs `body` to `/graphql/import` over a raw HTTP request, in pieces of `piece` bytes with a turn between them;
 * `length` is the Content-Length sent (undefined: chunked), `end: false` closes the connection before the end.
 */
function send(url: string, body: Buffer, opts: { length?: number; gzip?: boolean; piece?: number; end?: boolean } = {}) {
  const { port } = new URL(url);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', ...admin };
  if (opts.length !== undefined) headers['content-length'] = opts.length;
  if (opts.gzip) headers['content-encoding'] = 'gzip';
  return new Promise<{ status: number; json: any } | 'closed'>((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/graphql/import', method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', () => resolve('closed'));
    const piece = opts.piece ?? body.length;
    let at = 0;
    const next = () => {
      if (at >= body.length) return opts.end === false ? req.destroy() : req.end();
      req.write(body.subarray(at, at + piece));
      at += piece;
      setTimeout(next, 1);
    };
    next();
  });
}

describe('the import path reads its body', () => {
  const body = Buffer.from(JSON.stringify({ query: CSV, variables: { files: [{ name: 'units.csv', content: unitsCsv(3_000, 'BODY-') }] } }));
  const expected = { ok: true, errorCount: 0, counts: [{ file: 'units.csv', rows: 3_000 }] };

  it('the same import, sent with a length in many pieces, chunked, and gzip-compressed', async () => {
    expect(body.length).toBeGreaterThan(128 * 1024);
    for (const opts of [{ length: body.length, piece: 7_919 }, { length: body.length }, { piece: 16_384 }]) {
      const r = await send(server.url, body, opts);
      expect(r === 'closed' ? r : [r.status, r.json.data?.importCsv]).toEqual([200, expected]);
    }
    const gz = zlib.gzipSync(body);
    const r = await send(server.url, gz, { length: gz.length, gzip: true });
    expect(r === 'closed' ? r : [r.status, r.json.data?.importCsv]).toEqual([200, expected]);
  });

  it('over the limit: 413 with the limit, by its length or as it arrives', async () => {
    expect(body.length).toBeGreaterThan(256 * 1024 / 2);
    const big = Buffer.concat([body.subarray(0, body.length - 2), Buffer.from(' '.repeat(200 * 1024)), body.subarray(body.length - 2)]);
    let answered = 0;
    for (const opts of [{ length: big.length }, { length: big.length, piece: 32_768 }, { piece: 32_768 }]) {
      const r = await send(small.url, big, opts);
      // Chunked, the server may answer 413 and close before the client has sent everything; with a length it is
      // refused before a byte is read.
      if (r === 'closed' && opts.length === undefined) continue;
      if (r === 'closed') throw new Error('closed without an answer');
      answered++;
      expect(r.status).toBe(413);
      expect(r.json.errors[0].extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', params: { limit: 256 } });
    }
    expect(answered).toBeGreaterThanOrEqual(2);
    const within = await send(small.url, body, { length: body.length, piece: 10_000 });
    expect(within === 'closed' ? within : within.json.data.importCsv).toEqual(expected);
  });

  it('a body cut short (the connection closes before Content-Length bytes): no answer, and the server goes on', async () => {
    const r = await send(server.url, body, { length: body.length, piece: 50_000, end: false });
    expect(r).toBe('closed');
    const again = await send(server.url, body, { length: body.length });
    expect(again === 'closed' ? again : again.json.data.importCsv).toEqual(expected);
  });
});
