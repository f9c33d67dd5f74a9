import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { GraphQLError } from 'graphql';
import type { Config } from '../config';
import { createContext, type SessionUser } from '../kernel/context';
import type { AuditEvent } from './audit-event.entity';
import { auditService, type AuditFilterInput } from './audit.service';
import { ACTION_NAMES_ZH, beijingDateTime, ENTITY_NAMES_ZH, ROLE_NAMES_ZH } from './audit-labels';

/**
 * `GET /api/audit.csv?actorId=&accountId=&unitId=&includeSubunits=1&planId=&action=LOGIN,LOGOUT&entityType=&from=&to=`
 * CSV (UTF-8 with BOM, for Excel) of the audit events matching the filter, newest first, at most 50,000 rows
 * (header `X-Truncated: 1` when more matched). Session required (cookie or bearer); AUDITOR or ADMIN; the user's
 * unit scope applies. 401 / 403 / 400 with a plain-text Chinese message otherwise.
 */
export const AUDIT_CSV_PATH = '/api/audit.csv';
const MAX_ROWS = 50_000;

/** Names for the ids an event refers to, looked up once per export. */
export interface AuditNames {
  accounts: Map<string, string>;
  units: Map<string, string>;
  plans: Map<string, string>;
  users: Map<string, string>;
}

const name = (m: Map<string, string>, id: unknown) => (id === null || id === undefined ? null : m.get(String(id)) ?? null);
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

/**
 * Columns people read: Beijing time to the second, the actor's name, role and action in Chinese, the account, unit
 * and plan by name; the action code stays for scripts; IP and browser; before/after as JSON.
 */
const COLUMNS: [string, (e: AuditEvent, n: AuditNames) => unknown][] = [
  ['编号', (e) => e.id],
  ['时间（北京时间）', (e) => beijingDateTime(e.at)],
  ['操作人', (e, n) => name(n.users, e.actorId) ?? e.actorName],
  ['登录名', (e) => e.actorName],
  ['角色', (e) => (e.actorRole ? ROLE_NAMES_ZH[e.actorRole] ?? e.actorRole : null)],
  ['操作', (e) => ACTION_NAMES_ZH[e.action] ?? e.action],
  ['操作代码', (e) => e.action],
  ['对象', (e) => ENTITY_NAMES_ZH[e.entityType] ?? e.entityType],
  ['账号', (e, n) => name(n.accounts, e.accountId)],
  ['单位', (e, n) => name(n.units, e.unitId)],
  ['方案', (e, n) => name(n.plans, e.planId)],
  ['说明', (e) => e.comment],
  ['IP 地址', (e) => e.ip],
  ['浏览器', (e) => e.userAgent],
  ['变更前', (e) => json(e.before)],
  ['变更后', (e) => json(e.after)],
];

/** One CSV cell: quoted when needed; a leading = + - @ is neutralised so spreadsheets do not run it as a formula. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const NO_NAMES: AuditNames = { accounts: new Map(), units: new Map(), plans: new Map(), users: new Map() };

export function auditCsv(rows: AuditEvent[], names: AuditNames = NO_NAMES): string {
  const lines = [COLUMNS.map(([h]) => csvCell(h)).join(',')];
  for (const e of rows) lines.push(COLUMNS.map(([, get]) => csvCell(get(e, names))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function str(q: unknown): string | null {
  return typeof q === 'string' && q !== '' ? q : null;
}

function date(q: unknown, field: string): Date | null {
  const s = str(q);
  if (s === null) return null;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new GraphQLError(`${field} 不是有效的时间：${s}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return d;
}

export function auditCsvHandler(ds: DataSource, config: Config,
  authenticate: (req: Request, ds: DataSource, config: Config) => Promise<SessionUser | null>) {
  return async (req: Request, res: Response): Promise<void> => {
    res.type('text/plain; charset=utf-8');
    try {
      const user = await authenticate(req, ds, config);
      if (!user) {
        res.status(401).send('请先登录，或登录已过期请重新登录 (authentication required)');
        return;
      }
      const q = req.query;
      const filter: AuditFilterInput = {
        actorId: str(q.actorId), accountId: str(q.accountId), unitId: str(q.unitId), planId: str(q.planId),
        includeSubunits: str(q.includeSubunits) === '1' || str(q.includeSubunits) === 'true',
        action: str(q.action)?.split(',').map((a) => a.trim()).filter(Boolean) ?? null,
        entityType: str(q.entityType), from: date(q.from, 'from'), to: date(q.to, 'to'),
      };
      const ctx = createContext(ds, config, user, { ip: req.ip });
      const { rows, truncated } = await auditService.exportRows(ctx, filter, MAX_ROWS);
      const names = await auditService.names(ctx, rows);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
      res.status(200)
        .type('text/csv; charset=utf-8')
        .setHeader('Content-Disposition', `attachment; filename="audit-${stamp}.csv"`)
        .setHeader('Cache-Control', 'no-store')
        .setHeader('X-Truncated', truncated ? '1' : '0')
        .send(auditCsv(rows, names));
    } catch (err) {
      const code = err instanceof GraphQLError ? err.extensions?.code : undefined;
      const status = code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' ? 403 : code === 'BAD_USER_INPUT' || code === 'NOT_FOUND' ? 400 : 500;
      if (status === 500) console.error('[audit.csv]', err);
      res.status(status).send(status === 500 ? '服务器内部错误 (internal server error)' : (err as Error).message);
    }
  };
}
