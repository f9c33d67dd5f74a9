import ExcelJS from 'exceljs';
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

type Cell = string | number | null;
interface Sheet { title: string; headers: string[]; rows: Cell[][]; widths: number[] }

const MAX_ROWS = 50_000;

/** `YYYY-MM-DD HH:mm:ss` in Beijing time (the times people read); empty for none. */
export function beijingTime(v: Date | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? '' : new Date(t + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

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

async function auditSheet(ctx: Context): Promise<Sheet> {
  const { rows } = await auditService.exportRows(ctx, {}, MAX_ROWS);
  return {
    title: '审计记录',
    headers: ['时间（北京时间）', '操作人', '角色', '操作', '对象类型', '对象编号', '说明'],
    widths: [20, 16, 10, 24, 14, 12, 60],
    rows: rows.map((e) => [beijingTime(e.at), e.actorName, e.actorRole ?? '', e.action, e.entityType, e.entityId ?? '', e.comment ?? '']),
  };
}

const SHEETS: Record<string, (ctx: Context) => Promise<Sheet>> = { accounts: accountsSheet, findings: findingsSheet, audit: auditSheet };

export async function sheetXlsx(sheet: Sheet): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'matrix-planner';
  const ws = wb.addWorksheet(sheet.title, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(sheet.headers).font = { bold: true };
  for (const r of sheet.rows) ws.addRow(r.map((c) => (typeof c === 'string' && /^[=+\-@]/.test(c) ? `'${c}` : c)));
  sheet.widths.forEach((w, i) => { ws.getColumn(i + 1).width = w; });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * `GET /api/export/accounts.xlsx`, `/api/export/findings.xlsx`, `/api/export/audit.xlsx`: lists as Excel with Chinese
 * headers and Beijing times, at most 50,000 rows, in the user's scope (audit: auditors and administrators).
 */
export function exportsRouter(ds: DataSource, config: Config, authenticate: Authenticate): Router {
  const router = express.Router();
  router.get(/^\/api\/export\/(accounts|findings|audit)\.xlsx$/, downloadHandler(ds, config, authenticate, 'export', async (ctx, params) => {
    const kind = params[0];
    const sheet = await SHEETS[kind](ctx);
    const stamp = beijingTime(new Date()).replace(/[-: ]/g, '').slice(0, 12);
    return { asciiName: `${kind}-${stamp}.xlsx`, name: `${sheet.title}-${stamp}.xlsx`,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: await sheetXlsx(sheet) };
  }));
  return router;
}
