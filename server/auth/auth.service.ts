import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Context } from '../kernel/context';
import { appError, badInput, forbidden, notFound } from '../kernel/errors';
import { recordAudit } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { requireUser } from '../kernel/access';
import { dummyHash, verifyPassword, PASSWORD_MAX_LENGTH } from './password';
import { SESSION_COOKIE, SESSION_TTL_SECONDS, sessionCookieOptions, signSessionToken } from './session-token';
import { clearFailures, failureDelay, lockAttemptKey, recordFailure, throttleState, LOGIN_POLICY } from './throttle';
import { User } from './user.entity';
import { forgetSessions } from './session-cache';

export interface LoginOutcome {
  token: string;
  expiresAt: Date;
  user: User;
}

/** Same message for an unknown user and a wrong password (no account enumeration). */
export const LOGIN_FAILED_MESSAGE = '用户名或密码错误 (invalid username or password)';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tooManyAttempts(retryAfterSeconds: number): GraphQLError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new GraphQLError(
    `登录失败次数过多，请 ${minutes} 分钟后再试（约 ${retryAfterSeconds} 秒） (too many failed logins; retry in ${retryAfterSeconds} s)`,
    { extensions: { code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds, maxFailures: LOGIN_POLICY.maxFailures, windowMinutes: LOGIN_POLICY.windowMinutes } },
  );
}

/** The `me` row of each request's context (see `me`). */
const meOfRequest = new WeakMap<Context, Promise<User>>();

export const authService = {
  /**
   * Password login. Throttled per (username, ip); failures and successes are audited; on success a session row
   * is created (8 h), a signed token returned and, over HTTP, set as the `mp_session` cookie.
   */
  async login(ctx: Context, rawUsername: string, password: string): Promise<LoginOutcome> {
    const username = (rawUsername ?? '').trim().toLowerCase();
    if (!username) throw badInput('请输入用户名', [{ field: 'username', message: '不能为空' }]);
    if (!password) throw badInput('请输入密码', [{ field: 'password', message: '不能为空' }]);
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
    if (/[\u0000-\u001f]/.test(username)) throw badInput('用户名含有非法字符', [{ field: 'username', message: '不能含控制字符' }]);
    if (username.length > 64) throw badInput('用户名过长', [{ field: 'username', message: '最多 64 个字符' }]);
    if (password.length > PASSWORD_MAX_LENGTH) throw badInput('密码过长', [{ field: 'password', message: `最多 ${PASSWORD_MAX_LENGTH} 个字符` }]);
    const ip = ctx.http?.ip ?? 'local';

    type Result = { ok: true; outcome: LoginOutcome } | { ok: false; error: GraphQLError; delayMs: number };
    const result: Result = await transaction(ctx, async (tx) => {
      const em = tx.em;
      await lockAttemptKey(em, username, ip);
      const state = await throttleState(em, username, ip);
      const user = await em.getRepository(User).findOneBy({ username });
      const auditBase = { entityType: 'user', entityId: user?.id ?? null, unitId: user?.unitId ?? null };
      const actor = { id: user?.id ?? null, username, role: user?.role ?? null };
      if (state.retryAfterSeconds !== null) {
        await recordAudit(tx, { ...auditBase, actor, action: 'LOGIN_THROTTLED', comment: `连续失败 ${state.failures} 次，拒绝登录` });
        return { ok: false, error: tooManyAttempts(state.retryAfterSeconds), delayMs: 0 };
      }
      const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
      if (!user || !valid) {
        const failures = await recordFailure(em, username, ip);
        await recordAudit(tx, { ...auditBase, actor, action: 'LOGIN_FAILED', comment: user ? '密码错误 (wrong password)' : '用户不存在 (unknown user)' });
        return { ok: false, error: appError('UNAUTHENTICATED', LOGIN_FAILED_MESSAGE), delayMs: failureDelay(failures) };
      }
      if (!user.active) {
        await recordAudit(tx, { ...auditBase, actor, action: 'LOGIN_FAILED', comment: '用户已停用 (user deactivated)' });
        return { ok: false, error: forbidden('该用户已停用，请联系管理员 (user deactivated)'), delayMs: 0 };
      }
      await clearFailures(em, username, ip);
      const sessionId = randomUUID();
      const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + SESSION_TTL_SECONDS * 1000);
      await em.query(`DELETE FROM sessions WHERE user_id = $1 AND expires_at < now() - interval '7 days'`, [user.id]);
      await em.query(`INSERT INTO sessions (id, user_id, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5)`,
        [sessionId, user.id, expiresAt, ip, ctx.http?.userAgent?.slice(0, 400) ?? null]);
      await em.query(`UPDATE users SET last_login_at = now() WHERE id = $1`, [user.id]);
      user.lastLoginAt = new Date();
      await recordAudit(tx, { ...auditBase, actor, action: 'LOGIN', entityType: 'session', entityId: sessionId });
      const token = await signSessionToken(ctx.config, { sessionId, userId: user.id }, expiresAt);
      return { ok: true, outcome: { token, expiresAt, user } };
    });

    if (!result.ok) {
      if (result.delayMs) await sleep(result.delayMs);
      throw result.error;
    }
    ctx.http?.setCookie?.(SESSION_COOKIE, result.outcome.token, sessionCookieOptions(ctx.config, result.outcome.expiresAt));
    return result.outcome;
  },

  /** Revokes the current session (the token stops working at once) and clears the cookie. */
  async logout(ctx: Context): Promise<boolean> {
    const user = requireUser(ctx);
    await transaction(ctx, async (tx) => {
      if (user.sessionId) {
        await tx.em.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [user.sessionId]);
      }
      await recordAudit(tx, { actor: user, action: 'LOGOUT', entityType: 'session', entityId: user.sessionId ?? null,
        unitId: user.unitId });
    });
    if (user.sessionId) forgetSessions(ctx.ds, user.sessionId);
    ctx.http?.clearCookie?.(SESSION_COOKIE);
    return true;
  },

  /**
   * The signed-in user, read once per request: `me` is a query field (nothing in the same operation writes), and a
   * document selecting it under 42 aliases built 42 TypeORM queries in one turn of the event loop (tests/edge/flood.test.ts).
   */
  me(ctx: Context): Promise<User> {
    const user = requireUser(ctx);
    let row = meOfRequest.get(ctx);
    if (!row) {
      row = ctx.em.getRepository(User).findOneBy({ id: user.id }).then((r) => {
        if (!r) throw notFound(`用户 ${user.username}`);
        return r;
      });
      meOfRequest.set(ctx, row);
    }
    return row;
  },
};
