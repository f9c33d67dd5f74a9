import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestDb, type TestDb } from '../support/db';
import { createDataSource } from '../../server/registry';
import { preparedQuery } from '../../server/db/prepared';
import { sqlScope } from '../../server/db/sql-counter';

/** server/db/prepared.ts: hot planned statements become named prepared statements of their connection. */
let db: TestDb;
let one: DataSource;

beforeAll(async () => {
  db = await createTestDb();
  one = createDataSource(db.url, 1); // one connection: what it has prepared can be listed
  await one.initialize();
});

afterAll(async () => {
  await one?.destroy();
  await db?.close();
});

const prepared = async () => (await one.query(`SELECT name, statement FROM pg_prepared_statements`)) as { name: string; statement: string }[];

describe('preparedQuery', () => {
  it('runs a text once unprepared, prepares it from the second time, and answers the same', async () => {
    const sql = `SELECT $1::int + 1 AS n, 'prepared-test' AS tag`;
    const answers: number[] = [];
    const scope = { statements: 0 };
    await sqlScope.run(scope, async () => {
      for (let i = 0; i < 4; i++) answers.push((await preparedQuery<{ n: number }>(one.manager, sql, [i]))[0].n);
    });
    expect(answers).toEqual([1, 2, 3, 4]);
    expect(scope.statements).toBe(4); // counted like every other statement
    const mine = (await prepared()).filter((p) => p.statement.includes('prepared-test'));
    expect(mine).toHaveLength(1);
    expect(mine[0].name).toMatch(/^mp_[0-9a-f]{24}$/);
  });

  it('inside a transaction uses the transaction\'s connection', async () => {
    const sql = `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%in-tx-test%' AND $1::int = $1`;
    await one.transaction(async (em) => {
      for (let i = 0; i < 3; i++) await preparedQuery(em, sql, [i]);
      const [{ n }] = await em.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%in-tx-test%'`);
      expect(n).toBe(1);
    });
  });
});
