import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeUser, sessionFor } from '../support/auth';
import { Role } from '../../server/common/enums';
import { INLINE_BYTES } from '../../server/graphql/json-body';
import { startEdgeServer } from './edge-support';

/**
 * Large /graphql bodies (over INLINE_BYTES) are read as bytes and parsed one per event-loop turn
 * (server/graphql/json-body.ts): they must be answered exactly as small ones.
 */
let db: TestDb;
let http: Awaited<ReturnType<typeof startEdgeServer>>;
let signedIn: Record<string, string>;

beforeAll(async () => {
  db = await createTestDb();
  const u = await makeUser(db.ds, { username: 'bigbody', role: Role.ADMIN, unit: null });
  signedIn = (await sessionFor(db.ds, db.config, u.id)).headers;
  http = await startEdgeServer(db.ds, db.config);
});
afterAll(async () => {
  await http?.close();
  await db?.close();
});

const post = async (body: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`${http.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedIn, ...headers }, body });
  return { status: r.status, json: await r.json() as { data?: { me?: { username: string } }; errors?: { extensions?: { code?: string } }[] } };
};

describe('large JSON bodies', () => {
  const pad = 'x'.repeat(INLINE_BYTES * 2);

  it('are parsed and answered like small ones (variables not declared by the operation are ignored)', async () => {
    const small = await post(JSON.stringify({ query: '{ me { username } }' }));
    const large = await post(JSON.stringify({ query: '{ me { username } }', variables: { pad } }));
    expect(large.status).toBe(200);
    expect(large.json.data?.me?.username).toBe('bigbody');
    expect(large.json).toEqual(small.json);
    // Several at once: each gets its own answer.
    const many = await Promise.all(Array.from({ length: 6 }, (_, i) => post(JSON.stringify({ query: `{ me { username } }`, variables: { pad: pad + i } }))));
    expect(many.every((r) => r.status === 200 && r.json.data?.me?.username === 'bigbody')).toBe(true);
  });

  it('malformed, or not an object, or in another charset: refused as a bad request, with a JSON answer', async () => {
    const bad = await post(`{"query": "{ me { username } }", "variables": {"pad": "${pad}"`);
    expect(bad.status).toBe(400);
    expect(bad.json.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    const scalar = await post(JSON.stringify(pad));
    expect(scalar.status).toBe(400);
    const latin = await post(JSON.stringify({ query: '{ me { username } }', variables: { pad } }), { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(latin.status).toBe(415);
    expect(latin.json.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });
});
