import type { Config } from '../config';

// jose 6 is ESM-only: loaded with a real dynamic import (kept as import() by tsc's node16 module mode).
type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let joseModule: Promise<Jose> | undefined;
const jose = () => (joseModule ??= import('jose'));

/** Session tokens: HS256 JWTs signed with `config.sessionSecret`, naming a row of `sessions` (jti) and a user (sub). */
export const SESSION_COOKIE = 'mp_session';
export const SESSION_TTL_SECONDS = 8 * 3600;
const ISSUER = 'matrix-planner';
const AUDIENCE = 'matrix-planner-session';

const keys = new Map<string, Uint8Array>();
function keyFor(secret: string): Uint8Array {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = new TextEncoder().encode(secret)));
  return key;
}

export interface SessionClaims {
  sessionId: string;
  userId: number;
}

export async function signSessionToken(config: Config, claims: SessionClaims, expiresAt: Date): Promise<string> {
  const { SignJWT } = await jose();
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.userId))
    .setJti(claims.sessionId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(keyFor(config.sessionSecret));
}

/**
 * Tokens this process has verified, by their exact text (signature included) and secret, until they expire: a
 * session sends the same token on every request, and checking its HMAC again (WebCrypto, a promise and a job per
 * call) was a measurable part of a small read. Only exact strings that passed the full check are remembered.
 */
const VERIFIED_MAX = 20_000;
const verified = new Map<string, { claims: SessionClaims; expMs: number; secret: string }>();

/** The claims of a valid, unexpired token signed with our secret; null for anything else (forged, expired, malformed). */
export async function verifySessionToken(config: Config, token: string): Promise<SessionClaims | null> {
  const known = verified.get(token);
  if (known && known.secret === config.sessionSecret) {
    if (known.expMs > Date.now()) return known.claims;
    verified.delete(token);
  }
  const claims = await verifyWithJose(config, token);
  if (claims) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
    verified.set(token, { claims: claims.claims, expMs: claims.expMs, secret: config.sessionSecret });
    return claims.claims;
  }
  return null;
}

async function verifyWithJose(config: Config, token: string): Promise<{ claims: SessionClaims; expMs: number } | null> {
  const { jwtVerify, errors: joseErrors } = await jose();
  try {
    const { payload } = await jwtVerify(token, keyFor(config.sessionSecret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'jti', 'sub'],
    });
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || typeof payload.jti !== 'string' || !/^[0-9a-f-]{36}$/.test(payload.jti)) return null;
    return { claims: Object.freeze({ sessionId: payload.jti, userId }), expMs: Number(payload.exp) * 1000 };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return null;
    throw err;
  }
}

/** Cookie options for `mp_session`: httpOnly, SameSite=Lax, Secure in production. */
export function sessionCookieOptions(config: Config, expiresAt?: Date): Record<string, unknown> {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.nodeEnv === 'production',
    path: '/',
    ...(expiresAt ? { expires: expiresAt } : {}),
  };
}
