import type { Request } from 'express';
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config';
import type { SessionUser } from '../kernel/context';
import { SESSION_COOKIE, verifySessionToken } from './session-token';
import { sessionCacheFor } from './session-cache';

/**
 * `authenticate` for `createApp`: reads the session token from `Authorization: Bearer <token>` (scripts) or the
 * `mp_session` cookie (browser), verifies its signature and expiry, then checks the session row (not revoked, not
 * expired, user active) and loads the user's scope — one indexed SQL statement, at most once per request, and none
 * when this process verified the same session moments ago (server/auth/session-cache.ts: kept until a trigger's
 * NOTIFY says it changed, at most `SESSION_CACHE_MS`). Anything invalid gives null (anonymous), so a stale cookie
 * never blocks `login`.
 */
const perRequest = new WeakMap<Request, Promise<SessionUser | null>>();

export function authenticate(req: Request, ds: DataSource, config: Config): Promise<SessionUser | null> {
  let found = perRequest.get(req);
  if (!found) {
    found = resolveUser(req, ds, config);
    perRequest.set(req, found);
  }
  return found;
}

export function tokenFromRequest(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.trim() !== '') {
    const m = /^Bearer\s+([A-Za-z0-9_\-.]+)\s*$/i.exec(header);
    return m ? m[1] : null;
  }
  const fromParser = (req as { cookies?: Record<string, unknown> }).cookies?.[SESSION_COOKIE];
  if (typeof fromParser === 'string' && fromParser) return fromParser;
  const raw = req.headers.cookie;
  if (typeof raw === 'string') {
    for (const part of raw.split(';')) {
      const i = part.indexOf('=');
      if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(i + 1).trim()) || null;
    }
  }
  return null;
}

async function resolveUser(req: Request, ds: DataSource, config: Config): Promise<SessionUser | null> {
  const token = tokenFromRequest(req);
  if (!token || token.length > 4096) return null;
  const claims = await verifySessionToken(config, token);
  if (!claims) return null;
  const cache = sessionCacheFor(ds, config.sessionCacheMs);
  const cached = cache?.get(claims.sessionId, claims.userId);
  if (cached) return cached;
  const ticket = cache?.ticket() ?? 0;
  const found = await readSession(ds.manager, claims.sessionId, claims.userId);
  if (!found) return null;
  cache?.put(ticket, found.user, found.expiresAt);
  return found.user;
}

/** The user behind a live session (not revoked, not expired, user active), with their unit path and the expiry; else null. */
async function readSession(em: EntityManager, sessionId: string, userId: number):
  Promise<{ user: SessionUser & { sessionId: string }; expiresAt: number } | null> {
  const rows: { id: number; username: string; role: string; unitId: number | null; unitPath: string | null; expiresAt: Date }[] = await em.query(
    `SELECT u.id, u.username, u.role, u.unit_id AS "unitId", un.path AS "unitPath", s.expires_at AS "expiresAt"
       FROM sessions s
       JOIN users u ON u.id = s.user_id
       LEFT JOIN units un ON un.id = u.unit_id
      WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active`,
    [sessionId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  // A unit without a computed path would silently mean "no limit": refuse rather than widen the scope.
  if (row.unitId !== null && !row.unitPath) return null;
  const user = { id: row.id, username: row.username, role: row.role, unitId: row.unitId, unitPath: row.unitPath, sessionId };
  return { user: Object.freeze(user), expiresAt: new Date(row.expiresAt).getTime() };
}
