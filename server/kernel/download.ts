import type { Request, RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import { GraphQLError } from 'graphql';
import type { Config } from '../config';
import { createContext, type Context, type SessionUser } from './context';
import { PRIMARY_COOKIE, cookieValue, requestManager } from '../db/replication';

/** How the HTTP layer finds the signed-in user of a request (session cookie or bearer token). */
export type Authenticate = (req: Request, ds: DataSource, config: Config) => Promise<SessionUser | null>;

export interface Download {
  /** Sent as Content-Disposition: an ASCII fallback name and the name people see (Chinese allowed). */
  asciiName: string;
  name: string;
  contentType: string;
  data: Buffer | Uint8Array;
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

/**
 * A GET handler for a file download (exports, bulletins): session required (401 otherwise), the request context
 * built as for GraphQL (user, scope, IP, user agent), catalogued errors answered with their status and plain-text
 * message, anything else 500 with no internals.
 */
export function downloadHandler(ds: DataSource, config: Config, authenticate: Authenticate, label: string,
  produce: (ctx: Context, params: Record<string, string>, query: Record<string, string>) => Promise<Download>): RequestHandler {
  return async (req: Request, res: Response) => {
    res.type('text/plain; charset=utf-8');
    try {
      const user = await authenticate(req, ds, config);
      if (!user) {
        res.status(401).send('请先登录，或登录已过期请重新登录 (authentication required)');
        return;
      }
      // Downloads only read: from a read replica when there is one (server/db/replication.ts), as GraphQL queries do.
      const ctx = createContext(ds, config, user, { ip: req.ip, userAgent: req.get('user-agent') ?? undefined },
        requestManager(ds, 'query', cookieValue(req.headers.cookie, PRIMARY_COOKIE)));
      // Query parameters as plain strings (the first of repeated ones): what list filters pass to an export.
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.query)) {
        const first = Array.isArray(v) ? v[0] : v;
        if (typeof first === 'string') query[k] = first.slice(0, 200);
      }
      const file = await produce(ctx, req.params as unknown as Record<string, string>, query);
      res.status(200).type(file.contentType)
        .setHeader('Content-Disposition', `attachment; filename="${file.asciiName}"; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        .setHeader('Cache-Control', 'no-store')
        .send(Buffer.from(file.data));
    } catch (err) {
      const code = err instanceof GraphQLError ? String(err.extensions?.code ?? '') : '';
      const status = STATUS[code] ?? 500;
      if (status === 500) console.error(`[${label}]`, err);
      res.status(status).send(status === 500 ? '服务器内部错误 (internal server error)' : (err as Error).message);
    }
  };
}
