import { dateParts } from '../../lib/format';

/**
 * Posts and reads per week (weeks start on Monday, Asia/Shanghai), computed in the browser from one page of an
 * account's latest posts: the API has no per-week series. When the page does not reach back over the whole window
 * (`complete` false), weeks older than the oldest fetched post's week are left out rather than shown as empty,
 * and that oldest week itself, which may be partial, too.
 */
export interface WeekPoint {
  /** Monday of the week, YYYY-MM-DD. */
  week: string;
  posts: number;
  reads: number;
}

const DAY = 86_400_000;

/** Monday (Shanghai calendar) of the week holding `value`, as a UTC-midnight timestamp. */
export function weekStart(value: string | Date): number {
  const p = dateParts(value);
  if (!p) return NaN;
  const utc = Date.UTC(p.year, p.month - 1, p.day);
  const dow = (new Date(utc).getUTCDay() + 6) % 7; // Monday = 0
  return utc - dow * DAY;
}

function iso(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

export function weeklySeries(
  posts: readonly { publishedAt: string; reads: number }[],
  asOf: string | Date,
  opts: { weeks?: number; complete?: boolean } = {},
): WeekPoint[] {
  const weeks = opts.weeks ?? 26;
  const last = weekStart(asOf);
  if (Number.isNaN(last)) return [];
  let first = last - (weeks - 1) * 7 * DAY;
  if (opts.complete === false && posts.length) {
    const oldest = Math.min(...posts.map((p) => weekStart(p.publishedAt)));
    first = Math.max(first, Math.min(oldest + 7 * DAY, last));
  }
  const points = new Map<number, WeekPoint>();
  for (let w = first; w <= last; w += 7 * DAY) points.set(w, { week: iso(w), posts: 0, reads: 0 });
  for (const post of posts) {
    const point = points.get(weekStart(post.publishedAt));
    if (point) {
      point.posts += 1;
      point.reads += post.reads;
    }
  }
  return [...points.values()];
}
