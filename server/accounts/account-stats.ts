import { Field, Float, Int, ObjectType } from 'type-graphql';

/**
 * Activity statistics of one account, computed relative to `asOf` (now by default). Only the account's own posts
 * count: posts migrated in by a plan (`origin_account_id` set) are its archive (the `last_post_at` / `post_count`
 * rollups are own posts only too — see plans/execution.service.ts).
 */
@ObjectType({ description: '账号活跃度统计' })
export class AccountStats {
  accountId: number;

  @Field(() => Date, { description: '统计基准时间' })
  asOf: Date;

  @Field(() => Date, { nullable: true, description: '最近一次发布时间' })
  lastPostAt: Date | null;

  @Field(() => Int, { nullable: true, description: '距最近一次发布的天数（从未发布为空）' })
  daysSinceLastPost: number | null;

  @Field(() => Int, { description: '累计发布数' })
  postsTotal: number;

  @Field(() => Int)
  postsLast30Days: number;

  @Field(() => Int)
  postsLast90Days: number;

  @Field(() => Int)
  originalsLast30Days: number;

  @Field(() => Int)
  originalsLast90Days: number;

  @Field(() => Float, { nullable: true, description: '近一年发布的阅读量中位数' })
  medianReads: number | null;

  @Field(() => Int, { description: '近一年收到的留言数' })
  messagesReceived: number;

  @Field(() => Int)
  messagesReplied: number;

  @Field(() => Int, { description: '当前未回复的留言数' })
  messagesUnanswered: number;

  @Field(() => Date, { nullable: true })
  oldestUnansweredAt: Date | null;

  @Field(() => Float, { nullable: true, description: '回复率（0–1），无留言为空' })
  replyRate: number | null;

  @Field(() => Float, { nullable: true, description: '回复用时中位数（小时）' })
  medianReplyHours: number | null;
}

/**
 * The statistics of the accounts `a` matching `where`, relative to the instant `asOf` (an SQL expression of type
 * timestamptz). The loader batches ids (`a.id = ANY($1)`); the read planner embeds it per account (server/reads/),
 * also rendering its columns straight into the answer (server/reads/render-sql.ts) — so every figure, the derived ones
 * too (rates rounded to 3 decimals, reply hours to 1, whole days since the last post), is computed here, once.
 */
export function statsSql(where: string, asOf: string): string {
  return `
  SELECT a.id AS "accountId", a.last_post_at AS "lastPostAt", a.post_count AS "postsTotal",
         COALESCE(p.posts30, 0)::int AS "postsLast30Days", COALESCE(p.posts90, 0)::int AS "postsLast90Days",
         COALESCE(p.orig30, 0)::int AS "originalsLast30Days", COALESCE(p.orig90, 0)::int AS "originalsLast90Days",
         p.median_reads AS "medianReads",
         COALESCE(m.received, 0)::int AS "messagesReceived", COALESCE(m.replied, 0)::int AS "messagesReplied",
         COALESCE(u.unanswered, 0)::int AS "messagesUnanswered", u.oldest AS "oldestUnansweredAt",
         round(m.median_reply_hours::numeric, 1)::float8 AS "medianReplyHours",
         CASE WHEN m.received > 0 THEN round(m.replied::numeric / m.received, 3)::float8 END AS "replyRate",
         floor((extract(epoch FROM ${asOf}) - extract(epoch FROM date_trunc('milliseconds', a.last_post_at))) / 86400)::int AS "daysSinceLastPost"
    FROM accounts a
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE published_at > ${asOf} - interval '30 days') AS posts30,
             count(*) FILTER (WHERE published_at > ${asOf} - interval '90 days') AS posts90,
             count(*) FILTER (WHERE original AND published_at > ${asOf} - interval '30 days') AS orig30,
             count(*) FILTER (WHERE original AND published_at > ${asOf} - interval '90 days') AS orig90,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY reads) AS median_reads
        FROM posts WHERE account_id = a.id AND origin_account_id IS NULL
         AND published_at > ${asOf} - interval '365 days' AND published_at <= ${asOf}
    ) p ON true
    LEFT JOIN LATERAL (
      SELECT count(*) AS received, count(replied_at) AS replied,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM replied_at - received_at) / 3600.0)
               FILTER (WHERE replied_at IS NOT NULL) AS median_reply_hours
        FROM messages WHERE account_id = a.id AND received_at > ${asOf} - interval '365 days' AND received_at <= ${asOf}
    ) m ON true
    LEFT JOIN LATERAL (
      SELECT count(*) AS unanswered, min(received_at) AS oldest
        FROM messages WHERE account_id = a.id AND replied_at IS NULL AND received_at <= ${asOf}
    ) u ON true
   WHERE ${where}`;
}

/** The SQL type of each column of statsSql (server/reads/render-sql.ts writes them into answers by type). */
export const STATS_COLUMN_TYPES: Readonly<Record<string, string>> = {
  accountId: 'int', lastPostAt: 'timestamptz', postsTotal: 'int', postsLast30Days: 'int', postsLast90Days: 'int',
  originalsLast30Days: 'int', originalsLast90Days: 'int', medianReads: 'float8', messagesReceived: 'int', messagesReplied: 'int',
  messagesUnanswered: 'int', oldestUnansweredAt: 'timestamptz', medianReplyHours: 'float8', replyRate: 'float8', daysSinceLastPost: 'int',
};

export const STATS_SQL = statsSql('a.id = ANY($1::int[])', '$2::timestamptz');

export function toStats(row: Record<string, unknown>, asOf: Date): AccountStats {
  const s = Object.assign(new AccountStats(), row) as AccountStats;
  s.asOf = asOf;
  for (const k of ['medianReads', 'medianReplyHours', 'replyRate'] as const) s[k] = row[k] === null || row[k] === undefined ? null : Number(row[k]);
  return s;
}
