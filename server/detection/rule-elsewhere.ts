import type { EntityManager, QueryRunner } from 'typeorm';
import type { PoolClient } from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { countStatement } from '../db/sql-counter';
import type { RuleOptions, RuleSql } from './detection.rules';
import { runRule, timed } from './run-rule';

/**
 * One rule evaluated on a second connection while the run's own connection evaluates the others (issue 14: a
 * nationwide run evaluated its rules one statement at a time, on one core of two; LOW_VALUE alone, its posts read
 * account by account, was a quarter of the first national run after an import).
 *
 * The second connection sees exactly what the run sees: it imports the run's snapshot (`pg_export_snapshot`,
 * REPEATABLE READ), receives the run's own temporary tables the rule reads (det_acc — only the rows and columns the
 * rule looks at — and det_pol, copied in binary through COPY with the same column types), keys and analyses them,
 * runs the rule's statements unchanged into a det_hits of its own and hands the rows back; the run copies
 * them into its det_hits when its other rules are done. What the run wrote itself and did not commit (the maintained
 * months it brought up to date) the second connection does not see: for those accounts the months are not current
 * in its snapshot, and the rule computes them from their posts, as it does for any account whose months are stale.
 * The second connection only reads the database (it writes its own temporary tables) and rolls back.
 *
 * Only for a run over many accounts (`elsewhereTuning.minAccounts`) and only when the pool has a connection free
 * within `acquireMs` (a run holds one connection and waits for none: with every connection of the pool held by
 * requests waiting for the detection lock, the rule runs on the run's own connection, as before).
 */
export const elsewhereTuning = { minAccounts: 20_000, acquireMs: 250 };

/**
 * A rule started elsewhere: `finish` waits for it and copies its rows into the run's det_hits; `settled` waits for it
 * without failing (when the run fails first: the second connection is back in the pool before the run's error goes on).
 */
export interface Elsewhere { finish(): Promise<void>; settled(): Promise<void> }

type Settled = { ok: true; rows: Buffer[] } | { ok: false; error: unknown };

/** Columns of a temporary table of this session (all, or those named), each with its exact type, in table order. */
async function columnsOf(em: EntityManager, table: string, only?: readonly string[]): Promise<{ names: string; defs: string }> {
  const [row] = await em.query(`
    SELECT string_agg(format('%I', attname), ', ' ORDER BY attnum) AS names,
           string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum) AS defs
      FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND ($2::text[] IS NULL OR attname = ANY ($2))`,
  [`pg_temp.${table}`, only ?? null]);
  return row as { names: string; defs: string };
}

/** The pool's next free connection, or null when none is free within `ms` (a late one goes straight back). */
async function acquire(em: EntityManager, ms: number): Promise<QueryRunner | null> {
  const runner = em.connection.createQueryRunner('master');
  const connected = runner.connect().then(() => true, () => false);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  const ok = await Promise.race([connected, late]);
  clearTimeout(timer);
  if (ok) return runner;
  void connected.then((c) => (c ? runner.release() : undefined)).catch(() => undefined);
  return null;
}

/** A COPY … TO STDOUT (binary) of this connection, read whole. */
async function copyOut(client: PoolClient, sql: string): Promise<Buffer[]> {
  const out = `COPY (${sql}) TO STDOUT (FORMAT binary)`;
  countStatement(out);
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(out))) chunks.push(chunk as Buffer);
  return chunks;
}

/** Binary rows (from `copyOut`) into `table` of the connection. */
async function copyIn(client: PoolClient, table: string, rows: Buffer[]): Promise<void> {
  const into = `COPY ${table} FROM STDIN (FORMAT binary)`;
  countStatement(into);
  await pipeline(Readable.from(rows), client.query(copyFrom(into)));
}

/** A rule that can be evaluated elsewhere: it says which rows and columns of det_acc it reads. */
export type RuleElsewhere = RuleSql & { accounts: NonNullable<RuleSql['accounts']> };

/**
 * Starts `rule` on a second connection, or returns null (then the caller evaluates it itself). Call after det_acc,
 * det_pol and det_hits exist, with nothing else running on the run's connection until this returns. The run's
 * connection only exports its snapshot and reads out what the rule reads (into memory: a nationwide run's 144,000
 * candidates' few columns); the second connection loads them while the run goes on.
 */
export async function startElsewhere(em: EntityManager, rule: RuleElsewhere, ruleOpts: RuleOptions, asOf: string,
  timings: Record<string, number>): Promise<Elsewhere | null> {
  const [{ n }] = await em.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'pg_temp.det_acc'::regclass`);
  if (Number(n) < elsewhereTuning.minAccounts || !em.queryRunner) return null;
  const helper = await acquire(em, elsewhereTuning.acquireMs);
  if (!helper) return null;
  const t0 = performance.now();
  let given: { snapshot: string; defs: Record<string, string>; rows: Record<string, Buffer[]> };
  const own = (await em.queryRunner.connect()) as PoolClient;
  try {
    const [{ snapshot }] = await em.query(`SELECT pg_export_snapshot() AS snapshot`);
    const acc = await columnsOf(em, 'det_acc', rule.accounts.columns);
    const defs = { det_acc: acc.defs, det_pol: (await columnsOf(em, 'det_pol')).defs, det_hits: (await columnsOf(em, 'det_hits')).defs };
    const rows = {
      det_pol: await copyOut(own, `SELECT * FROM det_pol`),
      det_acc: await copyOut(own, `SELECT ${acc.names} FROM det_acc a WHERE ${rule.accounts.where}`),
    };
    given = { snapshot: snapshot as string, defs, rows };
  } catch (err) {
    await close(helper);
    throw err;
  }
  timings[`${rule.rule}:handoff`] = Math.round(performance.now() - t0);
  const work = (async (): Promise<Buffer[]> => {
    const other = (await helper.connect()) as PoolClient;
    await helper.startTransaction('REPEATABLE READ');
    await helper.query(`SET TRANSACTION SNAPSHOT ${other.escapeLiteral(given.snapshot)}`);
    await timed(timings, `${rule.rule}:load`, async () => {
      for (const [table, columns] of Object.entries(given.defs)) await helper.query(`CREATE TEMP TABLE ${table} (${columns}) ON COMMIT DROP`);
      for (const [table, rows] of Object.entries(given.rows)) await copyIn(other, table, rows);
      await helper.query(`ALTER TABLE det_acc ADD PRIMARY KEY (id)`);
      await helper.query(`ANALYZE det_acc`);
    });
    await runRule(helper, rule, ruleOpts, asOf, timings);
    return copyOut(other, `SELECT * FROM det_hits`);
  })();
  const settled: Promise<Settled> = work
    .then((rows): Settled => ({ ok: true, rows }), (error: unknown): Settled => ({ ok: false, error }))
    .finally(() => close(helper).catch(() => undefined));
  return {
    finish: async () => {
      const tw = performance.now();
      const result = await settled;
      if (!result.ok) throw result.error;
      await copyIn(own, 'det_hits', result.rows);
      timings[`${rule.rule}:wait`] = Math.round(performance.now() - tw);
    },
    settled: async () => { await settled; },
  };
}

/** Rolls the second connection's transaction back (its temporary tables go with it) and returns it to the pool. */
async function close(helper: QueryRunner): Promise<void> {
  try {
    if (helper.isTransactionActive) await helper.rollbackTransaction();
  } finally {
    await helper.release();
  }
}
