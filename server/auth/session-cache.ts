import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { SessionUser } from '../kernel/context';

/**
 * Verified sessions kept in this process's memory, so that a request costs no session statement when the same
 * session was checked a moment ago (issue 14: the session lookup was the second statement of every planned read).
 *
 * Safe because every change that can end or narrow a session is pushed to us: the `SessionNotify` migration's
 * triggers NOTIFY `mp_sessions` when a session is revoked, its expiry moved or it is deleted (its id), when a user's
 * active flag, role, unit or name changes or the user is deleted (`user:<id>`), and when units' paths change (`*`).
 * A dedicated connection LISTENs on the primary; the cache answers only while that connection is up and listening —
 * when it drops, everything is forgotten and every request asks the database until it is back. Besides:
 *   - an entry lives at most `SESSION_CACHE_MS` (default 60 s; 0 turns the cache off) and never past the session's
 *     own expiry;
 *   - a lookup stores its answer only if no invalidation arrived while it ran (a generation counter), so a
 *     revocation racing with a lookup cannot be overwritten by the older answer;
 *   - changes made by this process (logout, deactivating a user) are forgotten here as soon as their transaction
 *     commits (`forgetSessions`), before the response leaves; other processes hear of it when the notification
 *     arrives (milliseconds after the commit).
 */
export const SESSION_CHANNEL = 'mp_sessions';
const MAX_ENTRIES = 50_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

interface Entry {
  user: SessionUser;
  /** The session row's `expires_at`, in ms. */
  expiresAt: number;
  /** When it was read from the database, in ms. */
  readAt: number;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private listening = false;
  private client: Client | null = null;
  private connecting = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_MIN_MS;
  private closed = false;
  /** Counters for tests and the bench. */
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(private readonly url: string, private readonly ttlMs: number) {}

  /** Whether the cache may answer (its listener is connected and LISTENing). */
  get live(): boolean {
    return this.listening;
  }

  /** The cached user of a live session, or null (then ask the database, with `ticket()` taken first). */
  get(sessionId: string, userId: number, now = Date.now()): SessionUser | null {
    if (!this.listening) {
      this.listen();
      return null;
    }
    const e = this.entries.get(sessionId);
    if (!e || e.user.id !== userId || e.expiresAt <= now || now - e.readAt >= this.ttlMs) {
      if (e) this.entries.delete(sessionId);
      this.stats.misses++;
      return null;
    }
    this.stats.hits++;
    return e.user;
  }

  /** Taken before reading a session from the database; `put` stores the answer only if nothing changed meanwhile. */
  ticket(): number {
    return this.generation;
  }

  put(ticket: number, user: SessionUser & { sessionId: string }, expiresAt: number, readAt = Date.now()): void {
    if (!this.listening || this.closed || ticket !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(user.sessionId, { user, expiresAt, readAt });
  }

  /** A notification's payload: a session id, `user:<id>`, or `*`. */
  forget(payload: string): void {
    this.generation++;
    this.stats.invalidations++;
    if (payload === '*' || payload === '') this.entries.clear();
    else if (payload.startsWith('user:')) {
      const id = Number(payload.slice(5));
      for (const [key, e] of this.entries) if (e.user.id === id) this.entries.delete(key);
    } else this.entries.delete(payload);
  }

  /** Waits until the listener is up (tests, start-up); false if it could not connect within `timeoutMs`. */
  async ready(timeoutMs = 5000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.listening && !this.closed && Date.now() < until) {
      this.listen();
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.listening;
  }

  /**
   * Every notification committed before this call has been received when it resolves: PostgreSQL sends a backend's
   * pending notifications before it answers the next query on that connection.
   */
  async settle(): Promise<void> {
    if (this.client && this.listening) await this.client.query('SELECT 1').catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.down();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }

  private listen(): void {
    if (this.listening || this.connecting || this.closed || this.retryTimer) return;
    this.connecting = true;
    const client = new Client({ connectionString: this.url, application_name: 'matrix-planner-sessions', connectionTimeoutMillis: 5000 });
    client.on('notification', (m) => {
      if (m.channel === SESSION_CHANNEL) this.forget(m.payload ?? '*');
    });
    const lost = () => {
      if (this.client === client) this.client = null;
      this.down();
      client.end().catch(() => undefined);
      this.retryLater();
    };
    client.on('error', lost);
    client.on('end', () => {
      if (this.client === client) lost();
    });
    (async () => {
      await client.connect();
      // The listener must never keep a process alive (CLIs, tests): its socket does not hold the event loop.
      (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      await client.query(`LISTEN ${SESSION_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.generation++; // lookups that started before we listened must not store their answers
      this.listening = true;
      this.retryMs = RETRY_MIN_MS;
    })().catch(() => {
      client.end().catch(() => undefined);
      this.retryLater();
    }).finally(() => {
      this.connecting = false;
    });
  }

  private down(): void {
    this.listening = false;
    this.generation++;
    this.entries.clear();
  }

  private retryLater(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.listen();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }
}

const caches = new WeakMap<DataSource, SessionCache | null>();

/** The primary's URL of a data source (the listener must hear the primary: standbys do not relay NOTIFY). */
function primaryUrl(ds: DataSource): string | null {
  const o = ds.options as { url?: string; replication?: { master?: { url?: string } } };
  return o.replication?.master?.url ?? o.url ?? null;
}

/** The session cache of a data source (one per process and data source), or null when turned off. */
export function sessionCacheFor(ds: DataSource, ttlMs: number): SessionCache | null {
  let cache = caches.get(ds);
  if (cache === undefined) {
    const url = primaryUrl(ds);
    cache = ttlMs > 0 && url ? new SessionCache(url, ttlMs) : null;
    caches.set(ds, cache);
  }
  return cache;
}

/** The cache of a data source if one was made (tests: `ready`, `settle`, `stats`). */
export function existingSessionCache(ds: DataSource): SessionCache | null {
  return caches.get(ds) ?? null;
}

/** After a commit that revoked sessions or changed a user: forget them here at once (other processes: NOTIFY). */
export function forgetSessions(ds: DataSource, payload: string): void {
  caches.get(ds)?.forget(payload);
}
