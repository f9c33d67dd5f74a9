import type { Router } from 'express';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { downloadHandler, type Authenticate } from '../kernel/download';
import { bulletinsService } from './bulletins.service';

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
  router.get(/^\/api\/bulletins\/(\d{1,12})\.(xlsx|docx)$/, downloadHandler(ds, config, authenticate, 'bulletins', async (ctx, params) => {
    const kind = params[1] as 'xlsx' | 'docx';
    const file = await bulletinsService.file(ctx, params[0], kind);
    return { asciiName: `bulletin-${params[0]}.${kind}`, name: `${file.title}.${kind}`, contentType: TYPES[kind], data: file.data };
  }));
  return router;
}
