import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Config } from '../../server/config';
import { Role } from '../../server/common/enums';
import type { SessionUser } from '../../server/kernel/context';
import { hashPassword } from '../../server/auth/password';
import { signSessionToken, SESSION_TTL_SECONDS } from '../../server/auth/session-token';

/** Test helpers for identity: real users, real sessions, real tokens (no shortcuts through the server). */

export interface TestUserSpec {
  username: string;
  role: Role;
  /** Unit code (from makeUnits) or null for an unscoped ADMIN. */
  unit?: string | null;
  password?: string;
  displayName?: string;
}

export interface TestUser {
  id: number;
  username: string;
  password: string;
  /** The SessionUser to pass to the harness's `exec`. */
  session: SessionUser;
}

let hashCache: Map<string, Promise<string>> | undefined;
function hashOnce(password: string): Promise<string> {
  hashCache ??= new Map();
  let h = hashCache.get(password);
  if (!h) hashCache.set(password, (h = hashPassword(password)));
  return h;
}

/** Inserts a user (password default `Passw0rd!`) and returns it with a SessionUser for the harness. */
export async function makeUser(ds: DataSource, spec: TestUserSpec): Promise<TestUser> {
  const password = spec.password ?? 'Passw0rd!';
  const [row] = await ds.query(
    `INSERT INTO users (username, display_name, password_hash, role, unit_id)
     VALUES ($1, $2, $3, $4, (SELECT id FROM units WHERE code = $5))
     RETURNING id, unit_id, (SELECT path FROM units WHERE code = $5) AS unit_path`,
    [spec.username, spec.displayName ?? spec.username, await hashOnce(password), spec.role, spec.unit ?? null],
  );
  if (spec.unit && row.unit_id === null) throw new Error(`makeUser: no unit with code ${spec.unit}`);
  return {
    id: row.id, username: spec.username, password,
    session: { id: row.id, username: spec.username, role: spec.role, unitId: row.unit_id, unitPath: row.unit_path },
  };
}

/** A live session for a user and the headers that carry it (`Authorization: Bearer …`). */
export async function sessionFor(ds: DataSource, config: Config, userId: number, ttlSeconds = SESSION_TTL_SECONDS) {
  const sessionId = randomUUID();
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await ds.query(`INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)`, [sessionId, userId, expiresAt]);
  const token = await signSessionToken(config, { sessionId, userId }, expiresAt);
  return { sessionId, token, headers: { authorization: `Bearer ${token}` } };
}

/** Shortcut: a new user plus bearer headers for `startHttp(...).post(query, vars, headers)`. */
export async function userWithSession(ds: DataSource, config: Config, spec: TestUserSpec) {
  const user = await makeUser(ds, spec);
  return { ...user, ...(await sessionFor(ds, config, user.id)) };
}
