import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryRunner } from 'typeorm';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts } from '../support/factories';
import { resetDemoData } from '../../server/seed/seed';
import { STATEMENT_REFERENCES, StatementReferences1732947100000 } from '../../migrations/1732947100000-StatementReferences';
import { ReferenceChecksPlannedPerStatement1732947200000 } from '../../migrations/1732947200000-ReferenceChecksPlannedPerStatement';
import { D, makeTree } from './fixture';

/**
 * The references of findings, their links, clean sets and scan states, kept by statement triggers instead of foreign
 * keys (migrations/1732947100000-StatementReferences.ts): the same refusals (23503, the old constraint names), the
 * same deletes (cascade, set null, refuse), the same behaviour under concurrency, and the old keys gone.
 */
let db: TestDb;
let units: Record<string, number>;
let run: number;

async function finding(key: string, unitId: number, accountId: number | null, suggested: number | null = null, firstRun = run,
  q: Pick<QueryRunner, 'query'> = db.ds): Promise<number> {
  const [{ id }] = await q.query(`
    INSERT INTO findings (rule, severity, subject_key, unit_id, account_id, platforms, level, evidence, evidence_hash, suggested_main_id,
                          first_seen_run, last_seen_run, first_seen_at, last_seen_at)
    VALUES ('ZOMBIE', 'major', $1, $2, $3, '{wechat}', 'county', '{}', 'h', $4, $5, $5, now(), now()) RETURNING id`,
  [key, unitId, accountId, suggested, firstRun]);
  return id;
}

const count = async (sql: string, params: unknown[] = []) => (await db.ds.query(sql, params))[0].n as number;

/** Two transactions on their own connections (a writer and a deleter), released whatever happens. */
async function racing(fn: (writer: QueryRunner, deleter: QueryRunner) => Promise<void>): Promise<void> {
  const writer = db.ds.createQueryRunner();
  const deleter = db.ds.createQueryRunner();
  try {
    await fn(writer, deleter);
  } finally {
    await writer.release();
    await deleter.release();
  }
}

/** The statement, started; after 300 ms it must still be waiting for a lock. (Wrapped: an async function would
 * await a returned promise.) */
async function waiting<T>(statement: Promise<T>): Promise<{ done: Promise<T> }> {
  let settled = false;
  const done = statement.finally(() => { settled = true; });
  done.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  expect(settled).toBe(false);
  return { done };
}

beforeAll(async () => {
  db = await createTestDb();
  units = await makeTree(db.ds);
  [{ id: run }] = await db.ds.query(`INSERT INTO detection_runs (as_of, policy_versions, started_at) VALUES ($1, '{}', now()) RETURNING id`, [D]);
});

afterAll(async () => {
  await db?.close();
});

describe('references kept per statement', () => {
  it('are no longer foreign keys, and are listed in the catalogue', async () => {
    const names = STATEMENT_REFERENCES.map((r) => r.name);
    expect(await count(`SELECT count(*)::int AS n FROM pg_constraint WHERE conname = ANY ($1)`, [names])).toBe(0);
    const listed = await db.ds.query(`SELECT name, child, child_column AS column, parent, on_delete AS "onDelete" FROM statement_references ORDER BY name`);
    expect(listed).toEqual([...STATEMENT_REFERENCES].sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('refuse a row pointing at no parent, in a statement of many rows, and write none of them', async () => {
    const { a } = await makeAccounts(db.ds, [{ unit: 'gov3501', handle: 'a' }]);
    const before = await count(`SELECT count(*)::int AS n FROM findings`);
    await expect(db.ds.query(`
      INSERT INTO findings (rule, severity, subject_key, unit_id, account_id, platforms, level, evidence, evidence_hash, first_seen_run,
                            last_seen_run, first_seen_at, last_seen_at)
      SELECT 'ZOMBIE', 'major', 'k' || g, CASE WHEN g = 500 THEN 999999 ELSE $1 END, $2, '{wechat}', 'county', '{}', 'h', $3, $3, now(), now()
        FROM generate_series(1, 1000) g`, [units.gov3501, a, run]))
      .rejects.toMatchObject({ code: '23503', constraint: 'findings_unit_id_fkey', detail: 'Key (unit_id)=(999999) is not present in table "units".' });
    expect(await count(`SELECT count(*)::int AS n FROM findings`)).toBe(before);
    await expect(finding('bad-account', units.gov3501, 999998)).rejects.toMatchObject({ code: '23503', constraint: 'findings_account_id_fkey' });
    await expect(finding('bad-main', units.gov3501, a, 999997)).rejects.toMatchObject({ code: '23503', constraint: 'findings_suggested_main_id_fkey' });
    await expect(finding('bad-run', units.gov3501, a, null, run + 1000)).rejects.toMatchObject({ code: '23503', constraint: 'findings_first_seen_run_fkey' });
    const f = await finding('ok', units.gov3501, a);
    await expect(db.ds.query(`INSERT INTO finding_accounts (finding_id, account_id, role) VALUES ($1, $2, 'member'), ($1, 999996, 'member')`, [f, a]))
      .rejects.toMatchObject({ code: '23503', constraint: 'finding_accounts_account_id_fkey' });
    await expect(db.ds.query(`INSERT INTO finding_accounts (finding_id, account_id, role) VALUES ($1, $2, 'member')`, [f + 100000, a]))
      .rejects.toMatchObject({ code: '23503', constraint: 'finding_accounts_finding_id_fkey' });
    await expect(db.ds.query(`INSERT INTO content_clean_hashes (account_id, lexicon_key) VALUES (999995, 'k')`))
      .rejects.toMatchObject({ code: '23503', constraint: 'content_clean_hashes_account_fkey' });
    await expect(db.ds.query(`INSERT INTO content_scan_state (account_id, lexicon_key, unit_name, field, scanned_through, covered_from, covered_to)
      VALUES (999994, 'k', 'u', '-', 0, now(), now())`)).rejects.toMatchObject({ code: '23503', constraint: 'content_scan_state_account_fkey' });
    expect(await count(`SELECT count(*)::int AS n FROM finding_accounts WHERE finding_id = $1`, [f])).toBe(0);
  });

  it('check an update only when it changes the reference', async () => {
    const { b } = await makeAccounts(db.ds, [{ unit: 'gov3501', handle: 'b' }]);
    const f = await finding('upd', units.gov3501, b);
    await expect(db.ds.query(`UPDATE findings SET account_id = 999993 WHERE id = $1`, [f]))
      .rejects.toMatchObject({ code: '23503', constraint: 'findings_account_id_fkey', detail: 'Key (account_id)=(999993) is not present in table "accounts".' });
    await expect(db.ds.query(`UPDATE findings SET unit_id = 999992 WHERE id = $1`, [f])).rejects.toMatchObject({ constraint: 'findings_unit_id_fkey' });
    await db.ds.query(`UPDATE findings SET unit_id = $2, account_id = $3, suggested_main_id = NULL WHERE id = $1`, [f, units.gov3502, b]);
    expect((await db.ds.query(`SELECT unit_id FROM findings WHERE id = $1`, [f]))[0].unit_id).toBe(units.gov3502);
    await expect(db.ds.query(`UPDATE accounts SET id = id + 100000 WHERE id = $1`, [b])).rejects.toMatchObject({ code: '23503' });
    await expect(db.ds.query(`UPDATE units SET id = id + 100000 WHERE id = $1`, [units.gov3502])).rejects.toMatchObject({ code: '23503' });
  });

  it('cascade, set null or refuse when the parent is deleted', async () => {
    const { c, d } = await makeAccounts(db.ds, [{ unit: 'gov3502', handle: 'c' }, { unit: 'gov3502', handle: 'd' }]);
    const own = await finding('own-c', units.gov3502, c);
    const other = await finding('other-d', units.gov3502, d, c);
    await db.ds.query(`INSERT INTO finding_accounts (finding_id, account_id, role) VALUES ($1, $2, 'member'), ($3, $2, 'suggested_main'), ($3, $4, 'member')`,
      [own, c, other, d]);
    await db.ds.query(`INSERT INTO content_clean_hashes (account_id, lexicon_key) VALUES ($1, 'k'), ($2, 'k')`, [c, d]);
    await db.ds.query(`INSERT INTO content_scan_state (account_id, lexicon_key, unit_name, field, scanned_through, covered_from, covered_to)
      VALUES ($1, 'k', 'u', '-', 0, now(), now()), ($2, 'k', 'u', '-', 0, now(), now())`, [c, d]);
    await db.ds.query(`DELETE FROM accounts WHERE id = $1`, [c]);
    expect(await count(`SELECT count(*)::int AS n FROM findings WHERE id = $1`, [own])).toBe(0);
    expect(await db.ds.query(`SELECT suggested_main_id FROM findings WHERE id = $1`, [other])).toEqual([{ suggested_main_id: null }]);
    expect(await db.ds.query(`SELECT finding_id, account_id FROM finding_accounts WHERE finding_id IN ($1, $2)`, [own, other]))
      .toEqual([{ finding_id: other, account_id: d }]);
    expect(await count(`SELECT count(*)::int AS n FROM content_clean_hashes WHERE account_id IN ($1, $2)`, [c, d])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM content_scan_state WHERE account_id IN ($1, $2)`, [c, d])).toBe(1);
    // A unit without accounts: its findings go with it.
    const [{ id: lone }] = await db.ds.query(`INSERT INTO units (code, name, kind, level, path) VALUES ('lone', '孤立单位', 'government', 'county', '') RETURNING id`);
    const unitFinding = await finding('lone', lone, null);
    await db.ds.query(`DELETE FROM units WHERE id = $1`, [lone]);
    expect(await count(`SELECT count(*)::int AS n FROM findings WHERE id = $1`, [unitFinding])).toBe(0);
    // A run that first saw a finding stays.
    const [{ id: r2 }] = await db.ds.query(`INSERT INTO detection_runs (as_of, policy_versions, started_at) VALUES ($1, '{}', now()) RETURNING id`, [D]);
    await finding('first-seen', units.gov3502, d, null, r2);
    await expect(db.ds.query(`DELETE FROM detection_runs WHERE id = $1`, [r2]))
      .rejects.toMatchObject({ code: '23503', constraint: 'findings_first_seen_run_fkey' });
    // TRUNCATE … CASCADE empties the tables that reference by foreign key; links kept by triggers refuse it.
    await expect(db.ds.transaction((em) => em.query(`TRUNCATE findings CASCADE`))).rejects.toMatchObject({ code: '0A000' });
    expect(await count(`SELECT count(*)::int AS n FROM findings WHERE id = $1`, [other])).toBe(1);
  });

  it('a delete waits for a transaction writing a reference to its row, then removes what that wrote', async () => {
    const { e } = await makeAccounts(db.ds, [{ unit: 'gov3501', handle: 'e' }]);
    await racing(async (writer, deleter) => {
      await writer.startTransaction();
      const f = await finding('race-e', units.gov3501, e, null, run, writer);
      await writer.query(`INSERT INTO finding_accounts (finding_id, account_id, role) VALUES ($1, $2, 'member')`, [f, e]);
      await deleter.startTransaction();
      const deleting = await waiting(deleter.query(`DELETE FROM accounts WHERE id = $1`, [e]));
      await writer.commitTransaction();
      await deleting.done;
      await deleter.commitTransaction();
      expect(await count(`SELECT count(*)::int AS n FROM findings WHERE id = $1`, [f])).toBe(0);
      expect(await count(`SELECT count(*)::int AS n FROM finding_accounts WHERE account_id = $1`, [e])).toBe(0);
    });
  });

  it('a write waits for a delete of its parent in progress, then refuses', async () => {
    const { g } = await makeAccounts(db.ds, [{ unit: 'gov3501', handle: 'g' }]);
    await racing(async (writer, deleter) => {
      await deleter.startTransaction();
      await deleter.query(`DELETE FROM accounts WHERE id = $1`, [g]);
      await writer.startTransaction();
      const writing = await waiting(writer.query(`INSERT INTO content_scan_state (account_id, lexicon_key, unit_name, field, scanned_through,
        covered_from, covered_to) VALUES ($1, 'k', 'u', '-', 0, now(), now())`, [g]));
      await deleter.commitTransaction();
      await expect(writing.done).rejects.toMatchObject({ code: '23503', constraint: 'content_scan_state_account_fkey' });
      await writer.rollbackTransaction();
      expect(await count(`SELECT count(*)::int AS n FROM content_scan_state WHERE account_id = $1`, [g])).toBe(0);
    });
  });

  it('the demo reset still finds the tables to empty through them', async () => {
    const order = await resetDemoData(db.ds);
    for (const t of ['findings', 'finding_accounts', 'content_clean_hashes', 'content_scan_state']) expect(order).toContain(t);
    expect(order.indexOf('finding_accounts')).toBeLessThan(order.indexOf('findings'));
    expect(order.indexOf('findings')).toBeLessThan(order.indexOf('accounts'));
    expect(await count(`SELECT count(*)::int AS n FROM findings`)).toBe(0);
  });

  it('down() gives the foreign keys back, up() takes them away again', async () => {
    const m = new StatementReferences1732947100000();
    const q = db.ds.createQueryRunner();
    const names = STATEMENT_REFERENCES.map((r) => r.name);
    const keys = `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND conname = ANY ($1)`;
    const triggers = `SELECT count(*)::int AS n FROM pg_trigger WHERE tgname LIKE '%references%' OR tgname LIKE '%keep_id'`;
    try {
      await m.down(q);
      expect(await count(keys, [names])).toBe(names.length);
      expect(await count(triggers)).toBe(1); // detection_runs_keep_id (SeenRunChecked)
      await m.up(q);
      expect(await count(keys, [names])).toBe(0);
      expect(await count(triggers)).toBe(16); // 4 children × insert, 4 parents × delete and truncate, 3 + 1 keep-id
      // The later migration's checks again (up() above wrote the first version of the insert checks).
      await new ReferenceChecksPlannedPerStatement1732947200000().up(q);
    } finally {
      await q.release();
    }
  });
});

describe('insert checks planned per statement (migrations/1732947200000-ReferenceChecksPlannedPerStatement.ts)', () => {
  let unit: number;
  beforeAll(async () => {
    // The demo reset above emptied the units.
    ({ gov350102: unit } = await makeTree(db.ds));
  });
  /** The plans of the statements `fn` runs on one connection, nested ones included (auto_explain, as notices). */
  async function plansOf(fn: (q: QueryRunner) => Promise<void>): Promise<string[]> {
    const q = db.ds.createQueryRunner();
    const plans: string[] = [];
    try {
      await q.connect();
      const client = (q as unknown as { databaseConnection: import('pg').PoolClient }).databaseConnection;
      const listen = (n: { message?: string }) => { if (n.message?.includes('Query Text')) plans.push(n.message); };
      client.on('notice', listen);
      await q.query(`LOAD 'auto_explain'`);
      await q.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice`);
      try {
        await fn(q);
      } finally {
        await q.query(`RESET auto_explain.log_min_duration; RESET auto_explain.log_nested_statements; RESET auto_explain.log_level`);
        client.off('notice', listen);
      }
    } finally {
      await q.release();
    }
    return plans.filter((p) => p.includes('FROM new_rows n'));
  }
  /** `n` accounts of one unit, in one statement. */
  const bulkAccounts = async (prefix: string, n: number): Promise<number[]> => (await db.ds.query(`
    INSERT INTO accounts (platform, handle, name, unit_id, type, status, opened_on, followers, interaction_enabled, is_main)
    SELECT 'wechat', $1 || g, $1 || g, $2, 'publishing', 'active', '2020-01-01', 100, true, false FROM generate_series(1, $3) g
    RETURNING id`, [prefix, unit, n])).map((r: { id: number }) => r.id);
  const states = (ids: string) => `INSERT INTO content_scan_state (account_id, lexicon_key, unit_name, field, scanned_through, covered_from, covered_to)
    SELECT id, 'k', 'u', '-', 0, now(), now() FROM ${ids}`;

  it('a statement of many rows is checked by one hash anti-join over the parent, a single row by its key; the same plans on one connection', async () => {
    const ids = await bulkAccounts('plan', 1500);
    const plans = await plansOf(async (q) => {
      await q.startTransaction();
      await q.query(states(`unnest($1::int[]) id`), [ids.slice(0, 1)]);
      await q.query(states(`unnest($1::int[]) id`), [ids.slice(1)]);
      await q.rollbackTransaction();
    });
    expect(plans).toHaveLength(2);
    expect(plans[0]).not.toContain('Hash Anti Join');
    expect(plans[0]).toContain('accounts_pkey');
    expect(plans[1]).toContain('Hash Anti Join');
  });

  it('refuses a statement with missing parents as a foreign key does, naming the smallest key missing, and writes nothing', async () => {
    const ids = await bulkAccounts('miss', 3);
    const [{ max }] = await db.ds.query(`SELECT max(id) AS max FROM accounts`);
    const missing = [Number(max) + 7, Number(max) + 5];
    await expect(db.ds.query(states(`unnest($1::int[]) id`), [[...ids, ...missing]])).rejects.toMatchObject({
      code: '23503', constraint: 'content_scan_state_account_fkey',
      detail: `Key (account_id)=(${Number(max) + 5}) is not present in table "accounts".`,
    });
    expect(await count(`SELECT count(*)::int AS n FROM content_scan_state WHERE account_id = ANY ($1)`, [[...ids, ...missing]])).toBe(0);
  });

  it('down() gives back the first checks, up() the planned ones', async () => {
    const m = new ReferenceChecksPlannedPerStatement1732947200000();
    const q = db.ds.createQueryRunner();
    const body = async () => (await db.ds.query(`SELECT prosrc FROM pg_proc WHERE proname = 'findings_references_insert'`))[0].prosrc as string;
    try {
      await m.down(q);
      expect(await body()).toContain('LIMIT 1');
      expect(await body()).not.toContain('EXECUTE');
      await m.up(q);
      expect(await body()).toContain('EXECUTE');
      expect(await body()).not.toContain('LIMIT 1');
    } finally {
      await q.release();
    }
  });
});
