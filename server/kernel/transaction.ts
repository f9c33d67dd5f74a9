import type { QueryRunner } from 'typeorm';
import { bindContext, type Context } from './context';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * THE way to run a unit of work (Vendure's TransactionalConnection): `fn` receives a context whose `em`, raw
 * queries (`tx.em.query`), repositories, loaders and audit writer are all bound to one transaction, so everything
 * it reads and writes — the change and its audit events — commits or rolls back together. Never use the outer
 * `ctx` inside `fn`. Nested calls join the running transaction. `tx.em.queryRunner` gives the raw connection
 * (e.g. for COPY).
 */
export async function transaction<T>(ctx: Context, fn: (tx: Context) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
  if (ctx.inTransaction) return fn(ctx);
  const runner: QueryRunner = ctx.ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction(isolation);
    const result = await fn(bindContext(ctx, runner.manager));
    await runner.commitTransaction();
    return result;
  } catch (err) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await runner.release();
  }
}

/** The pg client of the transaction's connection (COPY streams need it). Only inside `transaction`. */
export async function rawClient<C = unknown>(tx: Context): Promise<C> {
  const runner = tx.em.queryRunner;
  if (!tx.inTransaction || !runner) throw new Error('rawClient: call it inside transaction(ctx, …)');
  return (await runner.connect()) as C;
}

/**
 * Advisory lock ids, one meaning each (`pg_advisory_xact_lock(LOCKS.x)` or `(LOCKS.x, key)`): serialise work that
 * must not interleave. `migrations` is a session lock held by the migration runner.
 */
export const LOCKS = {
  migrations: 7310001,
  loginThrottle: 7310002,
  detection: 7310003,
  import: 7310004,
  policy: 7310005,
} as const;
