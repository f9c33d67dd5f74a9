import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { monthOf, readCsvInto, type ProblemSink } from '../../server/import/csv-reader';
import { FILE_SPECS } from '../../server/import/csv-schema';

/**
 * The rows of a direct load of posts (csv-reader.ts RowsToCopy, what the import's worker sends to COPY): the reader
 * reuses the previous row's account and month while they stay the same, so files where accounts and months change
 * at every row, come back, or are unknown must give exactly what a lookup per row gives — each row's account id, the
 * months announced before their first row, and the per account × month counts and latest posts.
 */

function rng(seed: number) {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const ACCOUNTS = new Map<string, number>([
  ['wechat\u0000gov_a', 11], ['wechat\u0000gov_b', 12], ['weibo\u0000gov_a', 13], ['douyin\u0000县融媒', 14],
]);
const HANDLES: [string, string][] = [['wechat', 'gov_a'], ['wechat', 'gov_b'], ['weibo', 'gov_a'], ['douyin', '县融媒'], ['wechat', 'gone']];
/** Instants near month ends, written in Beijing time and in other offsets (the month is Beijing's either way). */
const TIMES = ['2024-06-30T23:59:59+08:00', '2024-07-01T00:00:00+08:00', '2024-06-30T16:30:00Z', '2024-06-30T15:59:59Z',
  '2024-12-31T23:00:00+08:00', '2025-01-01 00:00:01+08:00', '2024-12-31T16:00:00+00:00', '2024-07-15T10:00:00+08:00'];

describe('direct load of posts: each row its own account and month', () => {
  it('on 200 generated files (accounts and months repeating, alternating, unknown)', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const lines = ['platform,handle,published_at,title,original,reads'];
      const n = 20 + Math.floor(r() * 60);
      let h = HANDLES[0];
      let t = TIMES[0];
      for (let i = 0; i < n; i++) {
        if (r() < 0.3) h = HANDLES[Math.floor(r() * HANDLES.length)];
        if (r() < 0.4) t = TIMES[Math.floor(r() * TIMES.length)];
        lines.push(`${h[0]},${h[1]},${t},标题${i},${r() < 0.5},${Math.floor(r() * 3000)}`);
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
      expect(got, `seed ${seed}`).toEqual(want.rows);
      expect(problems, `seed ${seed}`).toEqual(want.problems);
      expect(announced, `seed ${seed}`).toEqual(want.months);
      const m = out.months!;
      const counts = new Map<string, number[]>();
      for (let s = 0; s < m.count; s++) {
        const o = s * m.width;
        const month = m.ints[o + 1];
        counts.set(`${m.ints[o]}@${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`,
          [m.ints[o + 2], m.ints[o + 3], m.ints[o + 4], m.ints[o + 5], m.last[s]]);
      }
      expect(counts, `seed ${seed}`).toEqual(want.counts);
      const latest = new Map<number, number>();
      for (const row of want.rows) latest.set(Number(row.split('\t')[1]), (latest.get(Number(row.split('\t')[1])) ?? 0) + 1);
      expect(new Map([...out.latest].map(([id, v]) => [id, v.n])), `seed ${seed}`).toEqual(latest);
    }
  });
});
