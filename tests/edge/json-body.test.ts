import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDataSource, createTestDb, type TestDb } from '../support/db';
import { makeUser, sessionFor } from '../support/auth';
import { Role } from '../../server/common/enums';
import { INLINE_BYTES } from '../../server/graphql/json-body';
import { existingSessionCache } from '../../server/auth/session-cache';
import { makeUnits } from '../support/factories';
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

  it('large bodies and large documents sent together each keep their own request context (the SQL statement count)', async () => {
    // Large bodies and documents wait for a turn of their own (server/graphql/turns.ts); the turn that runs them was
    // scheduled by whichever request came first, so each must run in its own request's async context.
    const ids = await makeUnits(db.ds, [{ code: 'TURN1' }, { code: 'TURN2' }]);
    const doc = (id: number) => `{ unit(id: "${id}") { id code } }\n# ${'padding '.repeat(1_200)}`;
    expect(doc(ids.TURN1).length).toBeGreaterThan(8 * 1024);
    const one = async (id: number, big: boolean) => {
      const r = await fetch(`${http.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedIn },
        body: JSON.stringify({ query: doc(id), variables: big ? { pad } : undefined }) });
      return await r.json() as { data: { unit: { code: string } }; extensions: { sqlStatements: number } };
    };
    // The new units' paths NOTIFY every session out of the process's cache: wait for that notification, then the
    // session is checked once (a statement) and remembered, so each request below costs the same statements.
    const cache = existingSessionCache(appDataSource(db.ds));
    await cache?.ready();
    await cache?.settle();
    await one(ids.TURN1, false);
    const alone = await one(ids.TURN1, false);
    expect(alone.data.unit.code).toBe('TURN1');
    expect(alone.extensions.sqlStatements).toBeGreaterThan(0);
    const together = await Promise.all(Array.from({ length: 8 }, (_, i) => one(i % 2 ? ids.TURN2 : ids.TURN1, i % 4 < 2)));
    expect(together.map((r) => r.data.unit.code)).toEqual(Array.from({ length: 8 }, (_, i) => (i % 2 ? 'TURN2' : 'TURN1')));
    expect(together.map((r) => r.extensions.sqlStatements)).toEqual(together.map(() => alone.extensions.sqlStatements));
  });
});
