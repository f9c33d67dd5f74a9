import DataLoader from 'dataloader';
import type { EntityManager } from 'typeorm';
import { Arg, Ctx, Field, FieldResolver, Float, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { LocalDateResolver } from 'graphql-scalars';
import type { Context } from '../kernel/context';
import { badInput } from '../kernel/errors';
import { Account } from './account.entity';

/**
 * Posting activity per week: `Account.activity(weeks)`. Weeks start on Monday in Asia/Shanghai; the last one is the
 * current week (partial), and every week of the window is present, with zeros when nothing was published. Batched:
 * every (account, weeks) pair requested in one tick is answered by ONE SQL statement.
 */
@ObjectType({ description: '一周的发布情况（周一为一周开始，按北京时间）' })
export class WeekActivity {
  @Field(() => LocalDateResolver, { description: '该周周一（北京时间）' })
  weekStart: string;

  @Field(() => Int, { description: '发布条数' })
  posts: number;

  @Field(() => Int, { description: '其中原创条数' })
  originals: number;

  @Field(() => Float, { description: '该周发布内容的阅读量合计（整数；可能超过 32 位整数范围，故为 Float）' })
  reads: number;
}

export const ACTIVITY_WEEKS_DEFAULT = 26;
export const ACTIVITY_WEEKS_MAX = 104;

export interface ActivityKey {
  accountId: number;
  weeks: number;
}

/** Throws BAD_USER_INPUT unless 1 ≤ weeks ≤ 104. */
export function validateWeeks(weeks: number): number {
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > ACTIVITY_WEEKS_MAX) {
    throw badInput(`weeks 应在 1 到 ${ACTIVITY_WEEKS_MAX} 之间，收到 ${weeks} (weeks must be 1–${ACTIVITY_WEEKS_MAX})`,
      [{ field: 'weeks', message: `1–${ACTIVITY_WEEKS_MAX}` }]);
  }
  return weeks;
}

/**
 * $1 account ids, $2 weeks per id (pairs), $3 the reference instant. `cur` is the Monday of the reference instant's
 * week in Shanghai; each pair gets weeks cur−(w−1)·7 … cur. Posts are aggregated once per account over its widest
 * window (range scan on posts (account_id, published_at)), then joined to the week series. Own posts only: posts
 * migrated in by a plan are an archive, not activity.
 */
export const ACTIVITY_SQL = `
  WITH k AS (SELECT DISTINCT account_id, weeks FROM unnest($1::int[], $2::int[]) AS k(account_id, weeks)),
  ref AS (SELECT date_trunc('week', $3::timestamptz AT TIME ZONE 'Asia/Shanghai')::date AS cur),
  span AS (SELECT account_id, max(weeks) AS weeks FROM k GROUP BY account_id),
  agg AS (
    SELECT p.account_id, date_trunc('week', p.published_at AT TIME ZONE 'Asia/Shanghai')::date AS week_start,
           count(*)::int AS posts, count(*) FILTER (WHERE p.original)::int AS originals, sum(p.reads)::float8 AS reads
      FROM span s CROSS JOIN ref
      JOIN posts p ON p.account_id = s.account_id AND p.origin_account_id IS NULL
                  AND p.published_at >= ((ref.cur - 7 * (s.weeks - 1))::timestamp AT TIME ZONE 'Asia/Shanghai')
                  AND p.published_at < ((ref.cur + 7)::timestamp AT TIME ZONE 'Asia/Shanghai')
     GROUP BY 1, 2)
  SELECT k.account_id, k.weeks, to_char(ref.cur - 7 * g.i, 'YYYY-MM-DD') AS week_start,
         COALESCE(agg.posts, 0) AS posts, COALESCE(agg.originals, 0) AS originals, COALESCE(agg.reads, 0) AS reads
    FROM k CROSS JOIN ref CROSS JOIN LATERAL generate_series(k.weeks - 1, 0, -1) AS g(i)
    LEFT JOIN agg ON agg.account_id = k.account_id AND agg.week_start = ref.cur - 7 * g.i
   ORDER BY k.account_id, k.weeks, g.i DESC`;

const keyOf = (k: ActivityKey) => `${k.accountId}:${k.weeks}`;

/** Per-request loader: key (account id, weeks) → weeks oldest first. Wired into `createLoaders`. */
export function createActivityLoaders(em: EntityManager, now: () => Date = () => new Date()) {
  return {
    activityByAccount: new DataLoader<ActivityKey, WeekActivity[], string>(async (keys) => {
      const rows: { account_id: number; weeks: number; week_start: string; posts: number; originals: number; reads: number }[] =
        await em.query(ACTIVITY_SQL, [keys.map((k) => k.accountId), keys.map((k) => k.weeks), now()]);
      const byKey = new Map<string, WeekActivity[]>();
      for (const r of rows) {
        const k = `${r.account_id}:${r.weeks}`;
        let list = byKey.get(k);
        if (!list) byKey.set(k, (list = []));
        list.push({ weekStart: r.week_start, posts: r.posts, originals: r.originals, reads: Number(r.reads) });
      }
      return keys.map((k) => byKey.get(keyOf(k)) ?? []);
    }, { cacheKeyFn: keyOf }),
  };
}

export const accountActivityService = {
  /** Weekly activity of an account the caller can already see (the account was loaded through a scoped query). */
  activity(ctx: Context, account: Account, weeks: number): Promise<WeekActivity[]> {
    return ctx.loaders.activityByAccount.load({ accountId: account.id, weeks: validateWeeks(weeks) });
  },
};

@Resolver(() => Account)
export class AccountActivityResolver {
  @FieldResolver(() => [WeekActivity], { description: '按周的发布情况（最近 weeks 周，含本周，最早在前；周一开始，北京时间）' })
  activity(@Ctx() ctx: Context, @Root() account: Account,
    @Arg('weeks', () => Int, { defaultValue: ACTIVITY_WEEKS_DEFAULT, description: `周数，1–${ACTIVITY_WEEKS_MAX}` }) weeks: number): Promise<WeekActivity[]> {
    return accountActivityService.activity(ctx, account, weeks);
  }
}

export type ActivityLoaders = ReturnType<typeof createActivityLoaders>;
declare module '../kernel/loaders' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging: the kernel's Loaders gain these
  interface Loaders extends ActivityLoaders {}
}
