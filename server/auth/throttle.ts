import type { EntityManager } from 'typeorm';

/**
 * Throttling of failed logins, per (username, ip): after `maxFailures` failures within `windowMinutes`, further
 * attempts are refused until the window has moved past the oldest of them; each failure also waits a little longer.
 * A successful login clears the pair. Call inside the login transaction (an advisory lock serialises a pair).
 */
export const LOGIN_POLICY = {
  maxFailures: 5,
  windowMinutes: 15,
  /** Delay after the n-th failure in the window: n × this, at most `maxDelayMs`. */
  failureDelayMs: 150,
  maxDelayMs: 1000,
};

export interface ThrottleState {
  failures: number;
  /** Seconds until another attempt is allowed; null when not locked. */
  retryAfterSeconds: number | null;
}

export async function lockAttemptKey(em: EntityManager, username: string, ip: string): Promise<void> {
  await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7310002))`, [JSON.stringify([username, ip])]);
}

export async function throttleState(em: EntityManager, username: string, ip: string): Promise<ThrottleState> {
  const [row] = await em.query(
    `SELECT count(*)::int AS n,
            ceil(extract(epoch FROM (array_agg(at ORDER BY at DESC))[$3] + make_interval(mins => $4) - now()))::int AS wait
       FROM login_attempts
      WHERE username = $1 AND ip = $2 AND at > now() - make_interval(mins => $4)`,
    [username, ip, LOGIN_POLICY.maxFailures, LOGIN_POLICY.windowMinutes],
  );
  const failures = Number(row.n);
  const locked = failures >= LOGIN_POLICY.maxFailures;
  return { failures, retryAfterSeconds: locked ? Math.max(1, Number(row.wait)) : null };
}

/** Records one failure (and forgets failures older than a day); returns the failures now in the window. */
export async function recordFailure(em: EntityManager, username: string, ip: string): Promise<number> {
  await em.query(`DELETE FROM login_attempts WHERE at < now() - interval '1 day'`);
  await em.query(`INSERT INTO login_attempts (username, ip) VALUES ($1, $2)`, [username, ip]);
  return (await throttleState(em, username, ip)).failures;
}

export async function clearFailures(em: EntityManager, username: string, ip: string): Promise<void> {
  await em.query(`DELETE FROM login_attempts WHERE username = $1 AND ip = $2`, [username, ip]);
}

export function failureDelay(failures: number): number {
  return Math.min(LOGIN_POLICY.failureDelayMs * Math.max(1, failures), LOGIN_POLICY.maxDelayMs);
}
