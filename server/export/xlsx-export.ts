import type { Router } from 'express';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Context } from '../kernel/context';
import { downloadHandler, type Authenticate } from '../kernel/download';
import { requireUser } from '../kernel/access';
import { AccountStatus, AccountType, DetectionRule, PLATFORM_NAMES_ZH, RULE_NAMES_ZH, type Platform } from '../common/enums';
import { summarize } from '../detection/finding-summary';
import { auditService } from '../audit/audit.service';

import { badInput } from '../kernel/errors';
import { beijingTime, MAX_ROWS, sheetXlsx, type Sheet } from './sheet';
import { matrixSheet, plansSheet } from './list-sheets';
import { isTemplateTable, templateCsv, templateLabel, templateXlsx } from './templates';

export { beijingTime };

const STATUS_ZH: Record<string, string> = { [AccountStatus.ACTIVE]: '正常', [AccountStatus.SUSPENDED]: '暂停更新', [AccountStatus.CLOSED]: '已注销' };
const TYPE_ZH: Record<string, string> = { [AccountType.PUBLISHING]: '发布类', [AccountType.SERVICE]: '服务类', [AccountType.BOTH]: '发布兼服务' };
const FINDING_STATUS_ZH: Record<string, string> = { open: '待处理', dismissed: '已忽略', resolved: '已解决' };
const SEVERITY_ZH: Record<string, string> = { veto: '否决', major: '严重', minor: '一般' };
const FILING_ZH: Record<string, string> = { filed: '已备案', changed: '已变更', deregistered: '已注销备案' };

async function accountsSheet(ctx: Context): Promise<Sheet> {
  requireUser(ctx);
  const scope = ctx.scope.raw('u', 2);
  const rows: Record<string, unknown>[] = await ctx.em.query(`
    SELECT a.platform, a.handle, a.name, u.name AS unit, a.type, a.status, a.filing_no, a.filing_status, a.opened_on::text, a.closed_on::text,
           a.followers, a.post_count, a.last_post_at
      FROM accounts a JOIN units u ON u.id = a.unit_id WHERE ${scope.sql} ORDER BY u.path, a.platform, a.handle LIMIT $1`,
  scope.value === null ? [MAX_ROWS] : [MAX_ROWS, scope.value]);
  return {
    title: '账号清单',
    headers: ['平台', '账号标识', '账号名称', '主办单位', '类型', '状态', '备案编号', '备案状态', '开设日期', '注销日期', '粉丝数', '发布数', '最近发布（北京时间）'],
    widths: [12, 20, 24, 28, 10, 10, 18, 12, 12, 12, 10, 8, 20],
    rows: rows.map((r) => [PLATFORM_NAMES_ZH[r.platform as Platform] ?? String(r.platform), r.handle as string, r.name as string, r.unit as string,
      TYPE_ZH[r.type as string] ?? String(r.type), STATUS_ZH[r.status as string] ?? String(r.status), (r.filing_no as string) ?? '',
      FILING_ZH[r.filing_status as string] ?? '', (r.opened_on as string) ?? '', (r.closed_on as string) ?? '', r.followers as number,
      r.post_count as number, beijingTime(r.last_post_at as Date | null)]),
  };
}

async function findingsSheet(ctx: Context): Promise<Sheet> {
  requireUser(ctx);
  const scope = ctx.scope.raw('u', 2);
  const rows: { rule: DetectionRule; severity: string; status: string; unit: string; evidence: Record<string, never>; first_seen_at: Date; last_seen_at: Date }[] =
    await ctx.em.query(`
    SELECT f.rule, f.severity, f.status, u.name AS unit, f.evidence, f.first_seen_at, f.last_seen_at
      FROM findings f JOIN units u ON u.id = f.unit_id WHERE ${scope.sql}
     ORDER BY CASE f.severity WHEN 'veto' THEN 0 WHEN 'major' THEN 1 ELSE 2 END, f.last_seen_at DESC, f.id LIMIT $1`,
    scope.value === null ? [MAX_ROWS] : [MAX_ROWS, scope.value]);
  return {
    title: '检查发现的问题',
    headers: ['规则', '严重程度', '状态', '主办单位', '说明', '首次发现（北京时间）', '最近发现（北京时间）'],
    widths: [20, 10, 10, 28, 80, 20, 20],
    rows: rows.map((r) => [RULE_NAMES_ZH[r.rule] ?? r.rule, SEVERITY_ZH[r.severity] ?? r.severity, FINDING_STATUS_ZH[r.status] ?? r.status, r.unit,
      summarize(r.rule, r.evidence), beijingTime(r.first_seen_at), beijingTime(r.last_seen_at)]),
  };
}

/**
 * The audit list's filters as query parameters: `action` (comma-separated), `entityType`, `from` / `to` (ISO times or
 * dates), `planId`, `accountId`, `unitId`; `q`: text in the action, the actor, the object or the comment.
 */
function auditFilter(query: Record<string, string>) {
  const time = (v: string | undefined, field: string) => {
    if (!v) return null;
    const t = new Date(v);
    if (Number.isNaN(t.getTime())) throw badInput(`${field} 不是有效的时间 (invalid time)`, [{ field, message: 'YYYY-MM-DD 或 ISO 时间' }]);
    return t;
  };
  return {
    action: query.action ? query.action.split(',').map((a) => a.trim()).filter(Boolean) : null,
    entityType: query.entityType || null, from: time(query.from, 'from'), to: time(query.to, 'to'),
    planId: query.planId || null, accountId: query.accountId || null, unitId: query.unitId || null,
  };
}

async function auditSheet(ctx: Context, query: Record<string, string> = {}): Promise<Sheet> {
  let { rows } = await auditService.exportRows(ctx, auditFilter(query), MAX_ROWS);
  const q = query.q?.trim().toLowerCase();
  if (q) rows = rows.filter((e) => [e.action, e.actorName, e.entityType, e.entityId, e.comment].some((v) => String(v ?? '').toLowerCase().includes(q)));
  if (query.sort === 'at' || query.sort === 'at:asc' || query.sort === 'at_asc') rows = [...rows].reverse();
  return {
    title: '审计记录',
    headers: ['时间（北京时间）', '操作人', '角色', '操作', '对象类型', '对象编号', '说明'],
    widths: [20, 16, 10, 24, 14, 12, 60],
    rows: rows.map((e) => [beijingTime(e.at), e.actorName, e.actorRole ?? '', e.action, e.entityType, e.entityId ?? '', e.comment ?? '']),
  };
}

const SHEETS: Record<string, (ctx: Context, query: Record<string, string>) => Promise<Sheet>> = {
  accounts: accountsSheet, findings: findingsSheet, audit: auditSheet, matrix: matrixSheet, plans: plansSheet,
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * `GET /api/export/(accounts|findings|audit|matrix|plans).xlsx`: lists as Excel with Chinese headers and Beijing times,
 * at most 50,000 rows, in the user's scope (audit: auditors and administrators). Query parameters are the lists'
 * filters: plans `q`, `status`, `sort`, `regionCode`, `mine`; audit `q`, `action`, `entityType`, `from`, `to`, …;
 * matrix `regionCode` and `date` (the matrix as it was that day).
 * `GET /api/templates/(units|accounts|services|posts|messages).(xlsx|csv)`: import templates (signed-in users).
 */
export function exportsRouter(ds: DataSource, config: Config, authenticate: Authenticate): Router {
  const router = express.Router();
  router.get(/^\/api\/export\/(accounts|findings|audit|matrix|plans)\.xlsx$/, downloadHandler(ds, config, authenticate, 'export', async (ctx, params, query) => {
    const kind = params[0];
    const sheet = await SHEETS[kind](ctx, query);
    const stamp = beijingTime(new Date()).replace(/[-: ]/g, '').slice(0, 12);
    return { asciiName: `${kind}-${stamp}.xlsx`, name: `${sheet.title}-${stamp}.xlsx`, contentType: XLSX, data: await sheetXlsx(sheet) };
  }));
  router.get(/^\/api\/templates\/([a-z]+)\.(xlsx|csv)$/, downloadHandler(ds, config, authenticate, 'template', async (ctx, params) => {
    requireUser(ctx);
    const [table, ext] = [params[0], params[1]];
    if (!isTemplateTable(table)) throw badInput(`没有「${table}」的导入模板 (unknown template)`, [{ field: 'table', message: 'units / accounts / services / posts / messages' }]);
    const name = `${templateLabel(table)}导入模板.${ext}`;
    return ext === 'xlsx'
      ? { asciiName: `${table}-template.xlsx`, name, contentType: XLSX, data: await templateXlsx(table) }
      : { asciiName: `${table}-template.csv`, name, contentType: 'text/csv; charset=utf-8', data: templateCsv(table) };
  }));
  return router;
}
