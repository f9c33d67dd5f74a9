import type { Context } from '../kernel/context';
import { requireUser } from '../kernel/access';
import { badInput } from '../kernel/errors';
import { LEVEL_NAMES_ZH, PLAN_STATUS_NAMES_ZH, PLATFORM_NAMES_ZH, PlanStatus, type Platform } from '../common/enums';
import { matrixService } from '../matrix/matrix.service';
import { historyService } from '../history/history.service';
import { plansService } from '../plans/plans.service';
import type { Plan } from '../plans/plan.entity';
import type { MatrixCell, MatrixLevelRow, MatrixRow } from '../matrix/matrix.types';
import { NATIONAL_REGION } from '../regions/regions.service';
import { beijingTime, MAX_ROWS, type Cell, type Sheet } from './sheet';

/** The region a matrix export is for: `regionCode`, else the user's own region, else the whole country. */
async function regionOf(ctx: Context, query: Record<string, string>): Promise<string> {
  const user = requireUser(ctx);
  if (query.regionCode) return query.regionCode;
  const unit = user.unitId !== null ? await ctx.loaders.unitById.load(user.unitId) : null;
  return unit?.regionCode ?? NATIONAL_REGION;
}

/**
 * The matrix (账号矩阵) as Excel: one line per row of the matrix (sub-region, the region's own units, or unit), live
 * accounts per platform, then by status, open findings; a total line and the levels below. `date` (YYYY-MM-DD) gives
 * the matrix as it was that day (time travel), else today's.
 */
export async function matrixSheet(ctx: Context, query: Record<string, string>): Promise<Sheet> {
  const regionCode = await regionOf(ctx, query);
  const asOf = query.date || query.asOf || null;
  const m = asOf ? await historyService.matrixAsOf(ctx, regionCode, asOf) : await matrixService.matrix(ctx, regionCode);
  const levels: MatrixLevelRow[] = asOf ? (m as Awaited<ReturnType<typeof historyService.matrixAsOf>>).byLevel
    : await matrixService.byLevel(ctx, m as Awaited<ReturnType<typeof matrixService.matrix>>);
  const live = (c: MatrixCell) => c.active + c.suspended;
  const line = (label: string, kind: string, cells: MatrixCell[], total: MatrixCell, findings: number): Cell[] =>
    [label, kind, ...cells.map(live), total.active, total.suspended, total.closed, total.total, findings];
  const KIND: Record<MatrixRow['kind'], string> = { REGION: '下级区划', SELF: '本级', UNIT: '单位' };
  const sum = m.totals.reduce((t, c) => ({ ...t, active: t.active + c.active, suspended: t.suspended + c.suspended, closed: t.closed + c.closed,
    total: t.total + c.total }), { platform: null, active: 0, suspended: 0, closed: 0, total: 0, openFindings: 0 } as MatrixCell);
  const rows: Cell[][] = [
    ...m.rows.map((r) => line(r.label, KIND[r.kind], r.cells, r.totalCell, r.openFindings)),
    line('合计', '', m.totals, sum, m.openFindings),
    ...levels.map((l) => line(LEVEL_NAMES_ZH[l.level], '按层级', l.cells, l.totalCell, l.openFindings)),
  ];
  return {
    title: `账号矩阵-${m.region.name}${asOf ? `-${asOf}` : ''}`.slice(0, 31),
    headers: ['区划/单位', '类型', ...m.platforms.map((p: Platform) => `${PLATFORM_NAMES_ZH[p] ?? p}（未注销）`), '正常', '暂停更新', '已注销', '合计（含注销）',
      asOf ? '当日待处理问题' : '待处理问题'],
    widths: [28, 10, ...m.platforms.map(() => 12), 8, 10, 8, 14, 12],
    rows,
  };
}

const SORTABLE: Record<string, (p: Plan) => string | number> = {
  id: (p) => p.id, title: (p) => p.title, status: (p) => p.status, createdAt: (p) => p.createdAt.getTime(),
  updatedAt: (p) => p.updatedAt.getTime(), submittedAt: (p) => p.submittedAt?.getTime() ?? 0,
};

/** `sort` as the list sends it: `field`, `-field`, `field:desc` or `field_desc` (default: newest first). */
function sorter(sort: string | undefined): ((a: Plan, b: Plan) => number) | null {
  if (!sort) return null;
  const m = /^(-)?([A-Za-z]+)(?:[:_ ](asc|desc|ascend|descend))?$/.exec(sort.trim());
  const key = m ? SORTABLE[m[2]] : undefined;
  if (!m || !key) throw badInput(`排序方式「${sort.slice(0, 40)}」无效 (invalid sort)`, [{ field: 'sort', message: Object.keys(SORTABLE).join(' / ') }]);
  const desc = m[1] === '-' || (m[3] ?? '').startsWith('desc');
  return (a, b) => {
    const [x, y] = [key(a), key(b)];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
    return (desc ? -c : c) || b.id - a.id;
  };
}

/** `status`: one or more (comma-separated) plan statuses, as GraphQL names (DRAFT) or values (draft). */
function statusesOf(raw: string | undefined): PlanStatus[] | null {
  if (!raw) return null;
  const all = Object.values(PlanStatus) as string[];
  return raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).map((s) => {
    if (!all.includes(s)) throw badInput(`方案状态「${s.slice(0, 40)}」无效 (invalid status)`, [{ field: 'status', message: all.join(' / ') }]);
    return s as PlanStatus;
  });
}

/** Plans (整合方案) the user may read, filtered like the plans list (`q` title text, `status`, `sort`), as Excel. */
export async function plansSheet(ctx: Context, query: Record<string, string>): Promise<Sheet> {
  const filter = { search: query.q?.trim() || null, status: statusesOf(query.status), regionCode: query.regionCode || null, mine: query.mine === 'true' || null };
  const order = sorter(query.sort);
  const plans: Plan[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await plansService.list(ctx, { first: ctx.config.maxPageSize, after, filter });
    plans.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage || plans.length >= MAX_ROWS) break;
    after = page.pageInfo.endCursor ?? null;
  }
  if (order) plans.sort(order);
  const ids = plans.map((p) => p.id);
  const counts: { plan_id: number; n: number; regions: string | null; units: string | null }[] = ids.length ? await ctx.em.query(`
    SELECT p.id AS plan_id, (SELECT count(*)::int FROM plan_actions pa WHERE pa.plan_id = p.id AND pa.removed_at IS NULL) AS n,
           (SELECT name FROM regions r WHERE r.code = p.scope_region_code) AS regions, (SELECT name FROM units u WHERE u.id = p.scope_unit_id) AS units
      FROM plans p WHERE p.id = ANY($1::int[])`, [ids]) : [];
  const extra = new Map(counts.map((c) => [c.plan_id, c]));
  return {
    title: '整合方案',
    headers: ['编号', '标题', '状态', '范围', '动作数', '编制人', '修订号', '创建时间（北京时间）', '提交时间（北京时间）', '审批完成（北京时间）',
      '开始执行（北京时间）', '完成时间（北京时间）'],
    widths: [8, 40, 10, 24, 8, 14, 8, 20, 20, 20, 20, 20],
    rows: plans.slice(0, MAX_ROWS).map((p) => {
      const x = extra.get(p.id);
      return [p.id, p.title, PLAN_STATUS_NAMES_ZH[p.status] ?? p.status, x?.units ?? x?.regions ?? '', x?.n ?? 0, p.authorName, p.revision,
        beijingTime(p.createdAt), beijingTime(p.submittedAt), beijingTime(p.decidedAt), beijingTime(p.executionStartedAt), beijingTime(p.completedAt)];
    }),
  };
}
