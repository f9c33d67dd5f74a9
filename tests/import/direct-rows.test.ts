import { Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthOf, readCsvInto, type ProblemSink } from '../../server/import/csv-reader';
import { FILE_SPECS } from '../../server/import/csv-schema';

/**
 * The rows of a direct load of posts (csv-reader.ts RowsToCopy, what the import's worker sends to COPY): the reader
 * reuses the previous row's account and month while they stay the same, so files where accounts and months change
 * at every row, come back, or are unknown must give exactly what a lookup per row gives — each row's account id, the
 * months announced before their first row, and the per account × month counts and latest posts.
 */

const ACCOUNTS = new Map<string, number>([
  ['wechat\u0000gov_a', 11], ['wechat\u0000gov_b', 12], ['weibo\u0000gov_a', 13], ['douyin\u0000县融媒', 14],
]);
const HANDLES: [string, string][] = [['wechat', 'gov_a'], ['wechat', 'gov_b'], ['weibo', 'gov_a'], ['douyin', '县融媒'], ['wechat', 'gone']];
/** Instants near month ends, written in Beijing time and in other offsets (the month is Beijing's either way). */
const TIMES = ['2024-06-30T23:59:59+08:00', '2024-07-01T00:00:00+08:00', '2024-06-30T16:30:00Z', '2024-06-30T15:59:59Z',
  '2024-12-31T23:00:00+08:00', '2025-01-01 00:00:01+08:00', '2024-12-31T16:00:00+00:00', '2024-07-15T10:00:00+08:00'];

describe('direct load of posts: each row its own account and month', () => {
  it('on generated files (accounts and months repeating, alternating, unknown)', async () => {
    // A row: which account, which instant, original or not, reads; runs of the same account and instant are common.
    const row = fc.tuple(fc.nat({ max: HANDLES.length - 1 }), fc.nat({ max: TIMES.length - 1 }), fc.boolean(), fc.nat({ max: 3000 }));
    const runs = fc.array(fc.tuple(row, fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 25 });
    await fc.assert(fc.asyncProperty(runs, async (spec) => {
      const lines = ['platform,handle,published_at,title,original,reads'];
      for (const [[hi, ti, original, reads], times] of spec) {
        for (let k = 0; k < times; k++) lines.push(`${HANDLES[hi][0]},${HANDLES[hi][1]},${TIMES[ti]},标题${lines.length},${original},${reads}`);
      }
      let copy = '';
      const problems: string[] = [];
      const sink: ProblemSink = { add: (_f, line, column) => problems.push(`${line}:${column}`) };
      const target = new Writable({ decodeStrings: false, write(c: string | Buffer, _e, cb) { copy += c.toString(); cb(); } });
      const announced: string[] = [];
      const out = await readCsvInto(FILE_SPECS['posts.csv'], Readable.from([`${lines.join('\n')}\n`]), target, sink, {
        direct: { accounts: ACCOUNTS, firstId: 1000, readEdges: [100, 1000], onMonth: (m) => announced.push(m) },
      });

      // What a lookup per row gives.
      const want = { rows: [] as string[], problems: [] as string[], months: [] as string[], counts: new Map<string, number[]>() };
      let next = 1000;
      for (let i = 1; i < lines.length; i++) {
        const [platform, handle, at, title, original, reads] = lines[i].split(',');
        const id = ACCOUNTS.get(`${platform}\u0000${handle}`);
        if (id === undefined) {
          want.problems.push(`${i + 1}:handle`);
          continue;
        }
        const us = Date.parse(at.replace(' ', 'T')) * 1000;
        const month = monthOf(new Date(us / 1000 + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ') + '+08:00');
        if (!want.months.includes(month)) want.months.push(month);
        const key = `${id}@${month.slice(0, 7)}`;
        const c = want.counts.get(key) ?? [0, 0, 0, 0, -Infinity];
        c[0]++;
        if (original === 'true') c[1]++;
        if (Number(reads) < 100) c[2]++;
        if (Number(reads) < 1000) c[3]++;
        c[4] = Math.max(c[4], us);
        want.counts.set(key, c);
        want.rows.push(`${next++}\t${id}\t${title}`);
      }
      const got = copy.split('\n').filter(Boolean).map((l) => { const f = l.split('\t'); return `${f[0]}\t${f[1]}\t${f[3]}`; });
      expect(got).toEqual(want.rows);
      expect(problems).toEqual(want.problems);
      expect(announced).toEqual(want.months);
      const m = out.months!;
      const counts = new Map<string, number[]>();
      for (let s = 0; s < m.count; s++) {
        const o = s * m.width;
        const month = m.ints[o + 1];
        counts.set(`${m.ints[o]}@${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`,
          [m.ints[o + 2], m.ints[o + 3], m.ints[o + 4], m.ints[o + 5], m.last[s]]);
      }
      expect(counts).toEqual(want.counts);
      const latest = new Map<number, number>();
      for (const r of want.rows) {
        const id = Number(r.split('\t')[1]);
        latest.set(id, (latest.get(id) ?? 0) + 1);
      }
      expect(new Map([...out.latest].map(([id, v]) => [id, v.n]))).toEqual(latest);
    }), { numRuns: 300 });
  });
});
