import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'typeorm';

/** Per-request SQL statement counter: every statement TypeORM sends is attributed to the request that caused it. */
export interface SqlScope {
  statements: number;
  log?: string[];
}

export const sqlScope = new AsyncLocalStorage<SqlScope>();

/** Call from raw `pg` code paths (COPY) so the counter stays honest. */
export function countStatement(sql: string): void {
  const scope = sqlScope.getStore();
  if (scope) {
    scope.statements++;
    scope.log?.push(sql);
  }
}

export class CountingLogger implements Logger {
  constructor(private readonly verbose = false) {}

  logQuery(query: string): void {
    countStatement(query);
    if (this.verbose) console.log('[sql]', query);
  }
  logQueryError(error: string | Error, query: string): void {
    if (this.verbose) console.warn('[sql error]', String(error), query);
  }
  logQuerySlow(time: number, query: string): void {
    console.warn(`[sql slow ${time} ms]`, query.slice(0, 500));
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    if (this.verbose) console.log('[migration]', message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') console.warn('[db]', message);
  }
}
