import { AccountStatus, PLATFORM_NAMES_ZH } from '../common/enums';
import type { SeedAccount } from './accounts';
import { csvField, timestampString, dayString, type CsvFile } from './csv-writer';
import { GOV_TOPICS } from './names';
import { ContentWriter, type ContentRule } from './content';
import { rngFor } from './random';
import { closeNoticeTitle, originalTitle, stopNoticeTitle, type TitleContext } from './titles';

/**
 * Posts and messages of one account over the year before the check date, written straight to the CSV files.
 * Times are whole seconds in Asia/Shanghai; each account's post and message times are distinct, so the natural
 * keys of the import (account + time [+ title]) never collide.
 */

const DAY_S = 86_400;
/** Replies come within 4 days: a healthy account never leaves a message unanswered past the 5-day deadline. */
const MAX_REPLY_S = 4 * DAY_S;

export interface ActivityContext {
  seed: number;
  asOfDay: number;
  /** Titles grassroots accounts forward from above (province-wide pool). */
  repostPool: string[];
}

export interface ActivityResult {
  posts: number;
  messages: number;
  lastPostDay: number | null;
  /** What the account's post bodies planted for the content rules (content.ts). */
  content: { planted: ContentRule | null; decoys: ContentRule[] };
}

function distinctSorted(values: number[]): number[] {
  values.sort((a, b) => a - b);
  for (let i = 1; i < values.length; i++) if (values[i] <= values[i - 1]) values[i] = values[i - 1] + 1;
  return values;
}

export function writeActivity(ctx: ActivityContext, acc: SeedAccount, posts: CsvFile, messages: CsvFile): ActivityResult {
  const rng = rngFor(ctx.seed, 'activity', acc.platform, acc.handle);
  const key = `${acc.platform},${csvField(acc.handle)},`;
  const u = acc.unit;
  const tctx: TitleContext = { R: u.isGov ? u.regionFull : u.name, r: u.regionShort, topics: u.dept?.topics.length ? u.dept.topics : GOV_TOPICS };
  const a = ctx.asOfDay;
  const windowStart = Math.max(acc.openedDay, a - 365);
  let nPosts = 0;
  const bodies = new ContentWriter(ctx.seed, acc, a, { R: tctx.R, r: tctx.r });
  const body = (day: number) => {
    const text = bodies.body(day, tctx.topics);
    return text === null ? '' : csvField(text);
  };

  // ---- posts
  if (acc.endDay !== null) {
    const end = acc.endDay;
    const old = end < a - 365;
    const start = old ? Math.max(acc.openedDay, end - 150) : Math.min(windowStart, end);
    const rateFactor = acc.profile === 'zombie' ? (old ? 0.15 : 0.3) : 1;
    const low = acc.profile === 'low_value';
    const notice = acc.status === AccountStatus.SUSPENDED ? stopNoticeTitle(acc.name, PLATFORM_NAMES_ZH[acc.platform])
      : acc.status === AccountStatus.CLOSED ? closeNoticeTitle(acc.name, PLATFORM_NAMES_ZH[acc.platform]) : null;
    const lowPool = low ? rng.sample(ctx.repostPool, rng.int(2, 4)) : ctx.repostPool;
    const lowMedian = acc.readsMedian;
    for (let day = start; day <= end; day++) {
      let n: number;
      if (day === end && notice) n = 0;
      else {
        const lambda = acc.rate * rateFactor * (low ? (rng.chance(0.15) ? 4 : 0.25) : 1);
        n = rng.poisson(lambda);
        if (day === end && n === 0) n = 1;
      }
      if (n > 0) {
        const secs: number[] = [];
        for (let i = 0; i < n; i++) secs.push(rng.int(7 * 3600, 22 * 3600));
        distinctSorted(secs);
        const date = dayString(day);
        const month = Number(date.slice(5, 7));
        const year = Number(date.slice(0, 4));
        for (const s of secs) {
          const original = rng.chance(acc.originalShare);
          let title: string;
          if (original) title = low && rng.chance(0.7) ? `${u.name}第${Math.ceil((day - start + 1) / 7)}周工作简报` : originalTitle(rng, tctx, month, year);
          else title = rng.pick(lowPool);
          const reads = Math.round(rng.logNormal(low ? lowMedian : acc.readsMedian * (original ? 1 : 0.75), low ? 0.6 : 0.8));
          posts.line(`${key}${timestampString(day, s)},${csvField(title)},${original},${reads},${body(day)}`);
          nPosts++;
        }
      }
      if (day === end && notice) {
        posts.line(`${key}${timestampString(day, rng.int(9 * 3600, 17 * 3600))},${csvField(notice)},true,${Math.round(rng.logNormal(acc.readsMedian * 1.5, 0.5))},`);
        nPosts++;
      }
    }
  }

  // ---- messages
  let nMsgs = 0;
  const p = acc.profile;
  if (acc.interaction && p !== 'zombie' && p !== 'never') {
    const msgEnd = p === 'healthy' || p === 'low_value' ? a - 1 : (acc.endDay ?? a - 1);
    const msgStart = Math.min(windowStart, msgEnd);
    const count = rng.poisson((acc.msgsPerYear * (msgEnd - msgStart + 1)) / 365);
    // Time in seconds ×2, low bit = planted unanswered; kept distinct per account.
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push((rng.int(msgStart, msgEnd) * DAY_S + rng.int(0, DAY_S - 1)) * 2);
    for (let i = 0; i < acc.unansweredOld; i++) times.push((Math.max(msgStart, a - rng.int(7, 60)) * DAY_S + rng.int(0, DAY_S - 1)) * 2 + 1);
    times.sort((x, y) => x - y);
    const asOfS = a * DAY_S;
    let prev = -1;
    for (const v of times) {
      let t = Math.floor(v / 2);
      if (t <= prev) t = prev + 1;
      prev = t;
      const received = timestampString(Math.floor(t / DAY_S), t % DAY_S);
      let replied = '';
      if (v % 2 === 0) {
        const r = t + Math.min(MAX_REPLY_S, Math.round(rng.logNormal(6 * 3600, 1.0)));
        if (r < asOfS) replied = timestampString(Math.floor(r / DAY_S), r % DAY_S);
      }
      messages.line(`${key}${received},${replied}`);
      nMsgs++;
    }
  }
  return { posts: nPosts, messages: nMsgs, lastPostDay: acc.endDay, content: bodies.result() };
}
