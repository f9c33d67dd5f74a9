import express, { type Request, type RequestHandler } from 'express';
import { onePerTurn } from './turns';

/**
 * The JSON body of `/graphql`. Small bodies (up to INLINE_BYTES, the client's documents) are parsed by express.json
 * as they arrive. Larger ones (up to the body limit, 512 KB; or of unknown length) are read as bytes and parsed one
 * per turn of the event loop: parsing 890 KB of variables took 15–25 ms of the only thread on a 2-core machine, and
 * several such bodies completing in the same turn were parsed back to back — the event loop stalled for 110–143 ms
 * under tests/edge/flood.test.ts (the documented bound is 100 ms), 40–70 ms without that body. Queued (./turns.ts):
 * timers and other requests run between two large parses. Same answers as express.json: strict (an object or an
 * array), UTF-8, an empty body is `{}`, malformed JSON is `400` (entity.parse.failed), another charset `415`, too
 * large `413`.
 */
export const INLINE_BYTES = 64 * 1024;

const isJson = (req: Request) => Boolean(req.is('application/json'));
const large = (req: Request) => {
  const n = Number(req.headers['content-length']);
  return !(Number.isFinite(n) && n <= INLINE_BYTES);
};

/** An error as body-parser raises it (`status`, `type`): the JSON error handler (edge.ts jsonErrors) answers it. */
const bodyError = (status: number, type: string, message: string, extra: { limit?: number } = {}) =>
  Object.assign(new Error(message), { status, statusCode: status, type, ...extra });

/** The error express.json raises for malformed JSON (400, `entity.parse.failed`). */
export const parseFailed = () => bodyError(400, 'entity.parse.failed', 'malformed JSON body');

function parseLarge(): RequestHandler {
  return (req, _res, next) => {
    if (!Buffer.isBuffer(req.body)) return next();
    const charset = (req.headers['content-type'] ?? '').match(/;\s*charset\s*=\s*"?([^";\s]+)/i)?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') {
      return next(bodyError(415, 'charset.unsupported', `unsupported charset "${charset}"`));
    }
    const bytes: Buffer = req.body;
    onePerTurn(() => {
      if (bytes.length === 0) {
        req.body = {};
        return next();
      }
      const text = bytes.toString('utf8');
      const first = /\S/.exec(text)?.[0];
      if (first !== '{' && first !== '[') return next(parseFailed());
      try {
        req.body = JSON.parse(text);
      } catch {
        return next(parseFailed());
      }
      // The edge guard's checks of a large body (the depth of its variables: 5–17 ms for 60,000 objects) in a turn
      // of their own as well.
      onePerTurn(next);
    });
  };
}

/** The body parsers of `/graphql` (above), in order. */
export function graphqlJsonBody(limit: number): RequestHandler[] {
  return [
    express.json({ limit, type: (req) => isJson(req as Request) && !large(req as Request) }),
    express.raw({ limit, type: (req) => isJson(req as Request) && large(req as Request) }),
    parseLarge(),
  ];
}

/**
 * The import path's body as bytes (up to `limit`; 413 beyond, as express.raw). express.raw collects the chunks and
 * copies them into one buffer when the body ends: for a 21 MB upload that single copy (and the page faults of the
 * fresh memory) was one 60–100 ms turn of the event loop (tests/edge/import-flood.test.ts). With a Content-Length,
 * the buffer is made at once (its pages are touched as bytes arrive) and each chunk is copied in as it arrives, in the
 * turn that reads it. The buffer has an ArrayBuffer of its own: the upload worker receives it transferred. Without a
 * length (or an empty body), compressed, or not JSON, express.raw does it as before.
 */
export function importBody(limit: number): RequestHandler {
  const fallback = express.raw({ type: 'application/json', limit });
  return (req, res, next) => {
    const length = Number(req.headers['content-length']);
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (!isJson(req) || encoding !== 'identity' || !Number.isSafeInteger(length) || length <= 0) {
      return fallback(req, res, next);
    }
    if (length > limit) {
      req.resume();
      return next(bodyError(413, 'entity.too.large', 'request entity too large', { limit }));
    }
    const bytes = Buffer.allocUnsafeSlow(length);
    let received = 0;
    let settled = false; // next() called: with the body, or with the error
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.resume();
      next(err);
    };
    const sizeMismatch = () => bodyError(400, 'request.size.invalid', 'request size did not match content length');
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > length) return fail(sizeMismatch());
      chunk.copy(bytes, received);
      received += chunk.length;
    };
    req.on('data', onData);
    req.once('close', () => {
      if (!req.complete) fail(bodyError(400, 'request.aborted', 'request aborted'));
    });
    req.once('error', (err) => fail(Object.assign(err, { status: 400, statusCode: 400 })));
    req.once('end', () => {
      if (settled) return;
      if (received !== length) return fail(sizeMismatch());
      settled = true;
      req.body = bytes;
      next();
    });
  };
}
