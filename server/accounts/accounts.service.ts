import type { Context } from '../kernel/context';
import { badInput, notFound, parseId } from '../kernel/errors';
import { likeEscape } from '../kernel/scope';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../kernel/pagination';
import type { Platform } from '../common/enums';
import { unitsService } from '../units/units.service';
import { regionsService } from '../regions/regions.service';
import { Account } from './account.entity';
import { Post } from './post.entity';
import { AccountSort, SortDirection, type AccountsArgs, type AccountFilter } from './accounts.inputs';

/** What the read planner (server/reads/) adds to a page of accounts (see `list`). */
export interface PlannedList {
  nodes: PlannedNodes | null;
  totalCount: boolean;
}

export interface PlannedNodes {
  /** An SQL expression over the list's `accounts a`: one JSON object per row. */
  select: string;
  params: Record<string, unknown>;
  /** The row's account, its relations handed to the loaders. */
  attach(json: unknown): Account;
}

const SORTS: Record<AccountSort, { expr: string; key: (a: Account) => unknown; defaultDir: SortDirection }> = {
  // `pinyin`: the collation made by migration PinyinCollation (福州 < 鼓楼 < 厦门, as Chinese readers expect).
  [AccountSort.NAME]: { expr: 'a.name COLLATE pinyin', key: (a) => a.name, defaultDir: SortDirection.ASC },
  [AccountSort.FOLLOWERS]: { expr: 'a.followers', key: (a) => a.followers, defaultDir: SortDirection.DESC },
  [AccountSort.LAST_POST]: {
    expr: `COALESCE(a.last_post_at, '-infinity'::timestamptz)`,
    key: (a) => (a.lastPostAt ? new Date(a.lastPostAt).toISOString() : '-infinity'),
    defaultDir: SortDirection.DESC,
  },
};

export const accountsService = {
  /**
   * Accounts visible to the request, filtered, keyset-paginated, with a lazy total count. `plan` (the read planner,
   * server/reads/): `nodes`, a JSON column with the relations the selection asks for, and `totalCount` (selected:
   * a later page reads it in the same statement), so the page is ONE statement.
   */
  async list(ctx: Context, args: AccountsArgs, plan?: PlannedList): Promise<ConnectionShape<Account>> {
    const nodes = plan?.nodes ?? null;
    const limit = pageSize(args.first, ctx.config.maxPageSize);
    const sort = SORTS[args.sort ?? AccountSort.NAME];
    const dir = args.direction ?? sort.defaultDir;
    const cursor = decodeCursor(args.after, 2);
    const base = async () => {
      const qb = ctx.em.getRepository(Account).createQueryBuilder('a');
      await applyFilter(ctx, qb, args.filter ?? {});
      return qb;
    };
    const qb = await base();
    const op = dir === SortDirection.ASC ? '>' : '<';
    if (cursor) qb.andWhere(`(${sort.expr}, a.id) ${op} (:cv, :cid)`, { cv: cursor[0], cid: cursor[1] });
    const order = dir === SortDirection.ASC ? 'ASC' : 'DESC';
    qb.orderBy(sort.expr, order).addOrderBy('a.id', order).limit(limit + 1);
    // Planned: the page's ids (and total) first, then the planner's JSON for those rows only — built after the LIMIT,
    // not for every matching row before the window count and the sort; no second copy of the columns for TypeORM.
    if (nodes) qb.select('a.id', 'id');
    let withTotal = false;
    const planned = (raw: { planned?: unknown }[]) => raw.map((r) => nodes!.attach(r.planned));
    const read = async <R>() => {
      if (!nodes) return qb.getRawAndEntities<R>();
      // The outer statement is written here, not by a TypeORM query builder: TypeORM rewrote the planner's long JSON
      // expression property by property on every request. The planner's parameters (`:plan_pN`) follow the page's.
      const [pageSql, pageParams] = qb.getQueryAndParameters();
      const names = Object.keys(nodes.params);
      const select = nodes.select.replace(/:(plan_p\d+)\b/g, (_m, n: string) => `$${pageParams.length + names.indexOf(n) + 1}`);
      const sql = `SELECT ${select} AS planned, ${withTotal ? 'p.total_count' : 'NULL'} AS total_count
        FROM (${pageSql}) p JOIN accounts a ON a.id = p.id ORDER BY ${sort.expr} ${order}, a.id ${order}`;
      // Not prepared (server/db/prepared.ts): a generic plan cannot see the region's `LIKE` prefix and guesses badly.
      return { entities: [] as Account[], raw: await ctx.em.query(sql, [...pageParams, ...names.map((n) => nodes.params[n])]) as R[] };
    };
    if (cursor) {
      const count = async () => (await base()).getCount();
      if (!nodes && !plan?.totalCount) return toConnection(await qb.getMany(), limit, (a) => [sort.key(a), a.id], true, count);
      if (plan?.totalCount) {
        // The total of every row matching the filter (not only those after the cursor): an uncorrelated subquery.
        const all = (await base()).select('count(*)');
        qb.addSelect(`(${all.getQuery()})`, 'total_count').setParameters(all.getParameters());
        withTotal = true;
      }
      const { entities, raw } = await read<{ total_count?: string; planned?: unknown }>();
      // An empty page carries no total: counted on its own then.
      const total = plan?.totalCount && raw.length ? async () => Number(raw[0].total_count) : count;
      return toConnection(nodes ? planned(raw) : entities, limit, (a) => [sort.key(a), a.id], true, total);
    }
    // First page: the total comes with the page (a window count over the filtered rows), one statement instead of
    // two; the count needs every matching row anyway, so the page costs nothing more (issue 6).
    qb.addSelect('count(*) OVER ()', 'total_count');
    withTotal = true;
    const { entities, raw } = await read<{ total_count: string; planned?: unknown }>();
    const total = raw.length ? Number(raw[0].total_count) : 0;
    return toConnection(nodes ? planned(raw) : entities, limit, (a) => [sort.key(a), a.id], false, async () => total);
  },

  /** One account, if the request may see it. */
  async byId(ctx: Context, id: string | number): Promise<Account> {
    const account = await ctx.loaders.accountById.load(parseId(id, 'accountId'));
    if (!account || !(await this.visible(ctx, account))) throw notFound('该账号');
    return account;
  },

  async byHandle(ctx: Context, platform: Platform, handle: string): Promise<Account> {
    const account = await ctx.em.getRepository(Account).findOneBy({ platform, handle });
    if (!account || !(await this.visible(ctx, account))) throw notFound(`账号 ${platform}:${handle}`);
    ctx.loaders.accountById.prime(account.id, account);
    return account;
  },

  /** Whether the account's sponsoring unit lies in the request's scope. */
  async visible(ctx: Context, account: Account): Promise<boolean> {
    if (ctx.scope.unrestricted) return true;
    const unit = await ctx.loaders.unitById.load(account.unitId);
    return ctx.scope.contains(unit?.path);
  },

  /** Recent posts of an account, newest first, keyset-paginated on (published_at, id). */
  async posts(ctx: Context, accountId: number, first?: number | null, after?: string | null): Promise<ConnectionShape<Post>> {
    const limit = pageSize(first, ctx.config.maxPageSize);
    const cursor = decodeCursor(after, 2);
    const qb = ctx.em.getRepository(Post).createQueryBuilder('p').where('p.account_id = :id', { id: accountId });
    if (cursor) qb.andWhere('(p.published_at, p.id) < (:t::timestamptz, :pid::bigint)', { t: cursor[0], pid: cursor[1] });
    qb.orderBy('p.published_at', 'DESC').addOrderBy('p.id', 'DESC').limit(limit + 1);
    const rows = await qb.getMany();
    return toConnection(rows, limit, (p) => [new Date(p.publishedAt).toISOString(), p.id], Boolean(cursor), () =>
      ctx.em.getRepository(Post).countBy({ accountId }));
  },
};

type Qb = ReturnType<ReturnType<Context['em']['getRepository']>['createQueryBuilder']>;

async function applyFilter(ctx: Context, qb: Qb, f: AccountFilter): Promise<void> {
  // The conditions on the account's unit (scope, region, unit subtree, level), written for a units alias.
  const unitConds: ((u: string) => string)[] = [(u) => ctx.scope.sql(u).sql];
  qb.setParameters(ctx.scope.sql('u').params);
  // A region or a subtree below the nation's root, or a restricted scope: a few thousand units at most. Their ids as
  // a list let the planner start from those units (accounts by unit_id index) instead of scanning every account in
  // sort order (issue 6: 28 → 8 ms for a province nationally), and the accounts need no join to units at all (a
  // province's 1,500 matching accounts: 1,500 look-ups of their unit, 3 of the statement's 10 ms).
  let narrow = ctx.scope.any && ctx.scope.prefix !== null;
  if (f.regionCode) {
    const region = await regionsService.byCode(ctx, f.regionCode);
    unitConds.push((u) => `${u}.region_path LIKE :rp`);
    qb.setParameter('rp', `${region.path}%`);
    if (region.parentCode !== null) narrow = true;
  }
  if (f.unitId !== undefined && f.unitId !== null) {
    const unit = await unitsService.byId(ctx, f.unitId);
    unitConds.push((u) => `${u}.path LIKE :up`);
    qb.setParameter('up', `${unit.path}%`);
    if (unit.parentId !== null) narrow = true;
  }
  if (f.level?.length) {
    unitConds.push((u) => `${u}.level = ANY(:levels)`);
    qb.setParameter('levels', f.level);
  }
  if (narrow) {
    qb.andWhere(`a.unit_id = ANY(ARRAY(SELECT ru.id FROM units ru WHERE ${unitConds.map((c) => c('ru')).join(' AND ')}))`);
  } else {
    qb.innerJoin('units', 'u', 'u.id = a.unit_id');
    for (const c of unitConds) qb.andWhere(c('u'));
  }
  if (f.platform?.length) qb.andWhere('a.platform = ANY(:platforms)', { platforms: f.platform });
  if (f.status?.length) qb.andWhere('a.status = ANY(:statuses)', { statuses: f.status });
  if (f.type?.length) qb.andWhere('a.type = ANY(:types)', { types: f.type });
  if (f.filed === true) qb.andWhere('a.filing_no IS NOT NULL');
  if (f.filed === false) qb.andWhere('a.filing_no IS NULL');
  if (f.isMain === true || f.isMain === false) qb.andWhere('a.is_main = :isMain', { isMain: f.isMain });
  if (f.search !== undefined && f.search !== null) {
    const text = f.search.trim();
    if (!text) throw badInput('搜索文字不能为空 (search must not be blank)', [{ field: 'filter.search', message: '不能为空' }]);
    qb.andWhere(`a.name ILIKE :search`, { search: `%${likeEscape(text)}%` });
  }
}
