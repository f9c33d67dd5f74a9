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

/** Decodes binary COPY tuples (no header) into rows of texts as COPY text would read them back (null → null). */
function decodeBinary(buf: Buffer, types: string[]): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let o = 0;
  while (o < buf.length) {
    const n = buf.readInt16BE(o);
    o += 2;
    expect(n).toBe(types.length);
    const row: (string | null)[] = [];
    for (const type of types) {
      const len = buf.readInt32BE(o);
      o += 4;
      if (len === -1) {
        row.push(null);
        continue;
      }
      const v = buf.subarray(o, o + len);
      o += len;
      if (type === 'int8') row.push(String(v.readBigInt64BE(0)));
      else if (type === 'int4') row.push(String(v.readInt32BE(0)));
      else if (type === 'bool') row.push(v[0] ? 't' : 'f');
      else if (type === 'timestamptz') row.push(String(v.readBigInt64BE(0) + 946684800000000n)); // µs since the Unix epoch
      else row.push(v.toString('utf8'));
    }
    rows.push(row);
  }
  return rows;
}

/** A CSV cell, quoted when it must be. */
const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

async function direct(name: 'posts.csv' | 'messages.csv', csv: string, binary: boolean) {
  const chunks: Buffer[] = [];
  const target = new Writable({ decodeStrings: false, write(c: string | Buffer, _e, cb) { chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)); cb(); } });
  const problems: string[] = [];
  await readCsvInto(FILE_SPECS[name], Readable.from([csv]), target, { add: (_f, line, column) => problems.push(`${line}:${column}`) }, {
    direct: { accounts: ACCOUNTS, firstId: 4_294_967_290, readEdges: name === 'posts.csv' ? [100] : undefined, onMonth: name === 'posts.csv' ? () => undefined : undefined, binary },
  });
  return { bytes: Buffer.concat(chunks), problems };
}

describe('direct load in binary COPY format', () => {
  it('gives what the text rows give: ids past 2^32, texts with escapes, emoji and quotes, instants in any offset, nulls', async () => {
    const title = fc.string({ unit: fc.constantFrom('a', '\\', '\t', '\n', '"', ',', '政', '务', '😀', ' ', 'N', 'x'), minLength: 1, maxLength: 12 })
      .filter((s) => s.trim() !== '' && !s.includes('\r'));
    const row = fc.tuple(fc.nat({ max: 3 }), fc.constantFrom(...TIMES, '2024-06-30T09:30:00.123456+08:00', '1999-12-31T23:59:59Z', '2000-01-01T00:00:00.5-05:30'),
      title, fc.boolean(), fc.nat({ max: 2_147_483_647 }), fc.option(title, { nil: '' }));
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), async (rows) => {
      const csv = ['platform,handle,published_at,title,original,reads,content',
        ...rows.map(([h, at, t, original, reads, content]) => [HANDLES[h][0], HANDLES[h][1], at, cell(t), String(original), String(reads), cell(content)].join(','))].join('\n');
      const text = await direct('posts.csv', csv, false);
      const bin = await direct('posts.csv', csv, true);
      expect(bin.problems).toEqual(text.problems);
      const unescape = (v: string) => v.replace(/\\([\\tnr])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
      const want = text.bytes.toString('utf8').split('\n').filter(Boolean).map((l) => l.split('\t').map((v, i) =>
        v === '\\N' ? null : i === 2 ? String(Date.parse(v.replace(' ', 'T').replace(/\.(\d{3})(\d{3})/, '.$1')) * 1000 + Number(/\.\d{3}(\d{3})/.exec(v)?.[1] ?? 0)) : unescape(v)));
      expect(decodeBinary(bin.bytes, ['int8', 'int4', 'timestamptz', 'text', 'bool', 'int4', 'text'])).toEqual(want);
    }), { numRuns: 200 });
  });

  it('messages: both instants, the reply absent', async () => {
    const csv = 'platform,handle,received_at,replied_at\nwechat,gov_a,2024-06-30T09:30:00+08:00,2024-06-30T10:00:00.000001+08:00\nweibo,gov_a,2024-07-01T00:00:00Z,\n';
    const bin = await direct('messages.csv', csv, true);
    expect(bin.problems).toEqual([]);
    const base = Date.parse('2024-06-30T01:30:00Z') * 1000;
    expect(decodeBinary(bin.bytes, ['int8', 'int4', 'timestamptz', 'timestamptz'])).toEqual([
      ['4294967290', '11', String(base), String(base + 1_800_000_000 + 1)],
      ['4294967291', '13', String(Date.parse('2024-07-01T00:00:00Z') * 1000), null],
    ]);
  });
});
