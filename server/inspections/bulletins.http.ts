import type { Request, Response, Router } from 'express';
import express from 'express';
import type { DataSource } from 'typeorm';
import { GraphQLError } from 'graphql';
import type { Config } from '../config';
import { createContext, type SessionUser } from '../kernel/context';
import { bulletinsService } from './bulletins.service';

type Authenticate = (req: Request, ds: DataSource, config: Config) => Promise<SessionUser | null>;

const TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

/**
 * `GET /api/bulletins/:id.xlsx` and `.docx`: the stored files of a bulletin. Session required (cookie or bearer);
 * the bulletin's region must lie in the user's region scope (404 otherwise). Plain-text Chinese messages on errors.
 */
export function bulletinsRouter(ds: DataSource, config: Config, authenticate: Authenticate): Router {
  const router = express.Router();
  router.get(/^\/api\/bulletins\/(\d{1,12})\.(xlsx|docx)$/, async (req: Request, res: Response) => {
    res.type('text/plain; charset=utf-8');
    try {
      const user = await authenticate(req, ds, config);
      if (!user) {
        res.status(401).send('请先登录，或登录已过期请重新登录 (authentication required)');
        return;
      }
      const params = req.params as unknown as Record<string, string>;
      const kind = params[1] as 'xlsx' | 'docx';
      const ctx = createContext(ds, config, user, { ip: req.ip, userAgent: req.get('user-agent') ?? undefined });
      const file = await bulletinsService.file(ctx, params[0], kind);
      res.status(200).type(TYPES[kind])
        .setHeader('Content-Disposition', `attachment; filename="bulletin-${params[0]}.${kind}"; filename*=UTF-8''${encodeURIComponent(`${file.title}.${kind}`)}`)
        .setHeader('Cache-Control', 'no-store')
        .send(file.data);
    } catch (err) {
      const code = err instanceof GraphQLError ? err.extensions?.code : undefined;
      const status = code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' ? 403 : code === 'NOT_FOUND' ? 404 : code === 'BAD_USER_INPUT' ? 400 : 500;
      if (status === 500) console.error('[bulletins]', err);
      res.status(status).send(status === 500 ? '服务器内部错误 (internal server error)' : (err as Error).message);
    }
  });
  return router;
}
