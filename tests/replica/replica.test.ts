import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { MODEL, createDataSource as createOwnerDataSource } from '../../server/registry';
import { createDataSource, runMigrations } from '../../server/db/database';
import { EMBEDDED_PASSWORD } from '../../server/db/embedded';
import { APP_ROLE, applyAppGrants } from '../../server/db/roles';
import { PRIMARY_COOKIE, cookieValue, isPlainRead, readsFromReplica, replicaReads, requestManager } from '../../server/db/replication';
import { loadConfig, type Config } from '../../server/config';
import { createContext, createSystemContext } from '../../server/kernel/context';
import { transaction } from '../../server/kernel/transaction';
import { createApp } from '../../server/app';
import { authenticate } from '../../server/auth/authenticate';
import { DEMO_PASSWORD, ensureDemoUsers } from '../../server/auth/demo-users';
import { Region } from '../../server/regions/region.entity';
import { startReplicaPair, waitForCatchUp, type ReplicaPair } from './standby';

/**
 * Read replicas (issue 14) against a real streaming standby: its own embedded primary + hot standby pair (also when
 * DATABASE_URL points at another server — `npm run test:db`), the application connected to both as matrix_app.
 * The routing rule under test is server/db/replication.ts's.
 */
const DB = 'matrix_planner';
let pair: ReplicaPair;
let ds: DataSource;
let config: Config;
let server: Server;
let base: string;
let superPrimary: Client;
let superStandby: Client;

const appUrl = (superUrl: string) => {
  const u = new URL(superUrl);
  u.username = APP_ROLE;
  u.password = EMBEDDED_PASSWORD;
  return u.toString();
};
const WHERE = `SELECT pg_is_in_recovery() AS standby, current_user AS "user", inet_server_port() AS port`;

beforeAll(async () => {
  pair = await startReplicaPair();
  superPrimary = new Client({ connectionString: pair.primaryUrl() });
  await superPrimary.connect();
  await superPrimary.query(`CREATE DATABASE ${DB}`);
  await superPrimary.end();
  superPrimary = new Client({ connectionString: pair.primaryUrl(DB) });
  await superPrimary.connect();
  const owner = createOwnerDataSource(pair.primaryUrl(DB), 2);
  await owner.initialize();
  try {
    await runMigrations(owner);
    await applyAppGrants(owner);
    await owner.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${EMBEDDED_PASSWORD}'`);
    config = { ...loadConfig(), databaseUrl: pair.primaryUrl(DB), replicaUrls: [pair.standbyUrl(DB)], seedOnEmpty: false, replicaStickyMs: 10_000 };
    await ensureDemoUsers(createSystemContext(owner, config)); // no units: the admin only
  } finally {
    await owner.destroy();
  }
  await waitForCatchUp(pair);
  superStandby = new Client({ connectionString: pair.standbyUrl(DB) });
  await superStandby.connect();
  ds = createDataSource(MODEL, appUrl(pair.primaryUrl(DB)), 4, { replicas: [appUrl(pair.standbyUrl(DB))] });
  await ds.initialize();
  const { app } = await createApp(ds, config, authenticate);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 90_000);

afterAll(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  if (ds?.isInitialized) await ds.destroy();
  await superStandby?.end().catch(() => undefined);
  await superPrimary?.end().catch(() => undefined);
  await pair?.stop();
});

describe('a read replica (streaming standby)', () => {
  it('serves the reads of a read-only context, as matrix_app; the default manager stays on the primary', async () => {
    const replica = replicaReads(ds)!;
    expect(replica).not.toBeNull();
    const [fromReplica] = await replica.query(WHERE);
    expect(fromReplica).toEqual({ standby: true, user: APP_ROLE, port: pair.standbyPort });
    const [fromDefault] = await ds.manager.query(WHERE);
    expect(fromDefault).toEqual({ standby: false, user: APP_ROLE, port: pair.primaryPort });
    // SELECT query builders (find, repositories, loaders) of the read manager: the standby too.
    const qb = await replica.getRepository(Region).createQueryBuilder('r').select('pg_is_in_recovery()', 'standby').limit(1).getRawOne();
    expect(qb ?? { standby: true }).toEqual({ standby: true });
    const viaBuilder = await replica.createQueryBuilder().select('inet_server_port()', 'port').from(Region, 'r').getRawMany();
    expect(viaBuilder.every((r: { port: number }) => r.port === pair.standbyPort)).toBe(true);
    const ctx = createContext(ds, config, null, undefined, replica);
    const [viaCtx] = await ctx.em.query(WHERE);
    expect(viaCtx.standby).toBe(true);
  });

  it('sends writes and everything in transaction(ctx, …) to the primary, also from a read-only context', async () => {
    const ctx = createContext(ds, config, null, undefined, replicaReads(ds)!);
    const inTx = await transaction(ctx, async (tx) => {
      const [w] = await tx.em.query(WHERE);
      await tx.em.query(`INSERT INTO regions (code, name, level, parent_code, path) VALUES ('990001', '测试区', 'county', NULL, '990001')`);
      const [seen] = await tx.em.query(`SELECT count(*)::int AS n FROM regions WHERE code = '990001'`);
      return { ...w, seen: seen.n };
    });
    expect(inTx).toEqual({ standby: false, user: APP_ROLE, port: pair.primaryPort, seen: 1 });
    // A write statement on the read manager outside a transaction is not sent to the (read-only) standby.
    await ctx.em.query(`UPDATE regions SET name = '测试区二' WHERE code = '990001'`);
    const [{ name }] = await ds.manager.query(`SELECT name FROM regions WHERE code = '990001'`);
    expect(name).toBe('测试区二');
  });

  it('lag: a row written on the primary reaches the standby; before that, only the writer (sticky cookie) reads it', async () => {
    const gql = async (query: string, variables: Record<string, unknown>, cookie = '') => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify({ query, variables }),
      });
      return { body: await res.json() as { data?: Record<string, { name?: string } | null>; errors?: { extensions?: { code?: string } }[] }, cookies: res.headers.getSetCookie() };
    };
    const login = await gql(`mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`, { u: 'admin', p: DEMO_PASSWORD });
    const token = login.body.data!.login as unknown as { token: string };
    expect(token.token).toBeTruthy();
    const session = `mp_session=${token.token}`;
    const sticky = login.cookies.find((c) => c.startsWith(`${PRIMARY_COOKIE}=`));
    expect(sticky).toMatch(/HttpOnly/i); // the mutation set it
    const stickyPair = sticky!.split(';')[0];

    // Replay paused: the standby stops applying what the primary writes (a lag as long as we like).
    await superStandby.query('SELECT pg_wal_replay_pause()');
    await superPrimary.query(`INSERT INTO regions (code, name, level, parent_code, path) VALUES ('990002', '滞后区', 'county', NULL, '990002')`);
    const REGION = `query($c: String!) { region(code: $c) { name } }`;

    // Another browser (no sticky cookie) reads from the standby: the row is not there yet — documented, accepted.
    // Its session (written on the primary at login) is checked on the primary, so it is signed in all the same.
    const other = await gql(REGION, { c: '990002' }, session);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The writer's browser (sticky cookie from its mutation) reads from the primary: it sees the row.
    const writer = await gql(REGION, { c: '990002' }, `${session}; ${stickyPair}`);
    expect(writer.body.data?.region).toEqual({ name: '滞后区' });
    // A mutation request stays on the primary as a whole.
    expect(readsFromReplica('mutation', undefined)).toBe(false);

    // Replay resumed: the standby catches up and the replica read path sees the row.
    await superStandby.query('SELECT pg_wal_replay_resume()');
    await waitForCatchUp(pair);
    const later = await gql(REGION, { c: '990002' }, session);
    expect(later.body.data?.region).toEqual({ name: '滞后区' });
    const { rows: [{ standby }] } = await superStandby.query('SELECT pg_is_in_recovery() AS standby');
    expect(standby).toBe(true);
  });

  it('the standby refuses writes outright (it is a hot standby, not a copy)', async () => {
    const err = await superStandby.query(`INSERT INTO regions (code, name, level, path) VALUES ('990003', 'x', 'county', '990003')`).catch((e) => e);
    expect((err as { code?: string }).code).toBe('25006'); // read_only_sql_transaction
  });
});

describe('a replica that cannot answer', () => {
  it('is replaced by the primary for the read (the standby stopped)', async () => {
    const replica = replicaReads(ds)!;
    await superStandby.end();
    await pair.stopStandby();
    const [raw] = await replica.query(WHERE);
    expect(raw).toEqual({ standby: false, user: APP_ROLE, port: pair.primaryPort });
    const viaBuilder = await replica.createQueryBuilder().select('inet_server_port()', 'port').from(Region, 'r').limit(1).getRawMany();
    expect(viaBuilder.every((r: { port: number }) => r.port === pair.primaryPort)).toBe(true);
    const found = await replica.getRepository(Region).findOneBy({ code: '990002' });
    expect(found?.name).toBe('滞后区');
  });
});

describe('routing rule', () => {
  it('classifies statements: only plain reads may go to a replica', () => {
    expect(isPlainRead('SELECT 1')).toBe(true);
    expect(isPlainRead('  -- note\n WITH x AS (SELECT 1) SELECT * FROM x')).toBe(true);
    expect(isPlainRead('SELECT updated_at FROM plans')).toBe(true);
    expect(isPlainRead('WITH d AS (DELETE FROM x RETURNING *) SELECT * FROM d')).toBe(false);
    expect(isPlainRead('SELECT * FROM plans WHERE id = 1 FOR UPDATE')).toBe(false);
    expect(isPlainRead('SELECT pg_advisory_xact_lock(1)')).toBe(false);
    expect(isPlainRead(`SELECT nextval('s')`)).toBe(false);
    expect(isPlainRead('INSERT INTO x VALUES (1)')).toBe(false);
  });

  it('downloads and queries pick their manager the same way (the sticky cookie read from a raw Cookie header)', () => {
    const later = String(Date.now() + 60_000);
    expect(requestManager(ds, 'query', undefined)).toBe(replicaReads(ds));
    expect(requestManager(ds, 'query', later)).toBe(ds.manager);
    expect(requestManager(ds, 'mutation', undefined)).toBe(ds.manager);
    expect(cookieValue(`mp_session=abc; ${PRIMARY_COOKIE}=${later}`, PRIMARY_COOKIE)).toBe(later);
    expect(cookieValue('mp_session=abc', PRIMARY_COOKIE)).toBeUndefined();
    expect(cookieValue(undefined, PRIMARY_COOKIE)).toBeUndefined();
  });

  it('a query reads from a replica unless the sticky cookie is still valid; a mutation never', () => {
    const now = 1_000_000;
    expect(readsFromReplica('query', undefined, now)).toBe(true);
    expect(readsFromReplica('query', String(now + 5000), now)).toBe(false);
    expect(readsFromReplica('query', String(now - 1), now)).toBe(true);
    expect(readsFromReplica('query', 'garbage', now)).toBe(true);
    expect(readsFromReplica('mutation', undefined, now)).toBe(false);
    expect(readsFromReplica(undefined, undefined, now)).toBe(false);
  });
});
