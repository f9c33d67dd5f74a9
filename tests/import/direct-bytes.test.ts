import { Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DirectBytes, readCsvInto, type ProblemSink } from '../../server/import/csv-reader';
import { FILE_SPECS } from '../../server/import/csv-schema';

/**
 * posts.csv and messages.csv of a direct load read from their bytes (csv-reader.ts DirectBytes + RowsToCopy.directBytes)
 * against the text reader alone (`bytes: false`): the same binary COPY bytes, the same problems on the same lines, the same counts,
 * accounts' latest posts, month counts and announced months — on generated files mixing plain rows with every form
 * the byte reader must leave to the text reader (quotes, multi-line cells, CRLF, BOM, cells to trim, other offsets,
 * invalid values, unknown accounts, other column orders), cut into chunks at random places (inside characters too).
 */

const ACCOUNTS = new Map<string, number>([
  ['wechat\u0000gov_a', 11], ['wechat\u0000gov_b', 12], ['weibo\u0000gov_a', 13], ['douyin\u0000县融媒', 14], ['website\u0000a\\\\b', 15],
]);

const PLATFORMS = ['wechat', 'wechat', 'weibo', 'douyin', 'website', 'WeChat', ' wechat', '', 'nope'];
const HANDLES = ['gov_a', 'gov_a', 'gov_b', '县融媒', 'a\\b', 'gone', 'gov_a ', '\u3000gov_a', ''];
const TIMES = ['2024-06-30T23:59:59+08:00', '2024-07-01 00:00:00+08:00', '2024-06-30T16:30:00Z', '2024-06-30T09:30:00',
  '2024-12-31T23:00:00+08:00', '2024-02-29T10:00:00+08:00', '2023-02-29T10:00:00+08:00', '2024-06-30', '2024-06-30T24:00:00+08:00',
  '2024-06-30T09:30:00.5+08:00', '2024-06-30T09:30:00-05:00', '1899-12-31T23:59:59+08:00', 'yesterday', ''];
const TITLES = ['通知', '关于做好2024年防汛工作的通知', '【权威发布】标题', 'a\\b\tc', '标题，带逗号', '"引号"', '多\n行', '\u3000前空格',
  '后空格 ', '\u00a0nbsp', 'n\u0000ul', 'x'.repeat(1000), 'y'.repeat(1001), '长'.repeat(400), '😀 emoji', 'nul\u0000', ''];
const ORIGINALS = ['true', 'false', 'true', 'false', '是', 'no', 'TRUE', '', 'maybe'];
const READS = ['0', '17453', '007', '2147483647', '2147483648', '99999999999', '-1', '1.5', '', ' 5'];
const CONTENTS = ['', '', '正文内容', '含\\反斜杠', '正文，有逗号', '正文\n两行', ' 空格 ', 'z'.repeat(3000), '\u2003em'];

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

interface Outcome {
  bytes: string;
  problems: string[];
  outcome: unknown;
  latest: unknown;
  months: unknown;
  announced: string[];
}

async function read(chunks: Buffer[], bytes: boolean, file: 'posts.csv' | 'messages.csv' = 'posts.csv'): Promise<Outcome> {
  const out: Buffer[] = [];
  const problems: string[] = [];
  const announced: string[] = [];
  const sink: ProblemSink = { add: (f, line, column, message) => problems.push(`${f}:${line}:${column}:${message}`) };
  const target = new Writable({ write(c: Buffer, _e, cb) { out.push(Buffer.from(c)); cb(); } });
  const o = await readCsvInto(FILE_SPECS[file], Readable.from(chunks), target, sink, {
    bytes,
    direct: file === 'posts.csv'
      ? { accounts: ACCOUNTS, firstId: 500, readEdges: [100, 1000], onMonth: (m) => announced.push(m), binary: true, byMonth: true }
      : { accounts: ACCOUNTS, firstId: 500, binary: true },
  });
  const m = o.months;
  return {
    // By month: one stream of chunks, each its month's index then tuples; compared as the chunks' concatenation.
    bytes: Buffer.concat(out).toString('hex'),
    problems,
    outcome: { rows: o.rows, staged: o.staged, present: [...o.present].sort(), headerOk: o.headerOk },
    latest: [...o.latest.entries()],
    months: m ? { count: m.count, ints: [...m.ints.slice(0, m.count * m.width)], last: [...m.last.slice(0, m.count)] } : null,
    announced,
  };
}

const HEADERS = [
  ['platform', 'handle', 'published_at', 'title', 'original', 'reads', 'content'],
  ['platform', 'handle', 'published_at', 'title', 'original', 'reads'],
  ['title', 'reads', 'platform', 'content', 'original', 'published_at', 'handle'],
];

/** A row: an index into each list, mostly the plain first entries. */
const pick = (n: number) => fc.oneof({ weight: 4, arbitrary: fc.nat({ max: Math.min(3, n - 1) }) }, { weight: 1, arbitrary: fc.nat({ max: n - 1 }) });
const rowArb = fc.tuple(pick(PLATFORMS.length), pick(HANDLES.length), pick(TIMES.length), pick(TITLES.length), pick(ORIGINALS.length),
  pick(READS.length), pick(CONTENTS.length), fc.nat({ max: 19 }));

function fileOf(header: string[], rows: number[][], crlf: boolean, bom: boolean): Buffer {
  const lines = [header.join(',')];
  for (const [p, h, t, ti, o, r, c, shape] of rows) {
    const cells: Record<string, string> = { platform: PLATFORMS[p], handle: HANDLES[h], published_at: TIMES[t], title: TITLES[ti],
      original: ORIGINALS[o], reads: READS[r], content: CONTENTS[c] };
    if (shape === 0) lines.push('');
    else if (shape === 1) lines.push(' , ,');
    else {
      const row = header.map((k) => csvCell(cells[k]));
      if (shape === 2) row.pop(); // a cell short
      if (shape === 3) row.push('extra');
      lines.push(shape === 4 ? row.map((v) => `"${v.replace(/^"|"$/g, '')}"`).join(',') : row.join(','));
    }
  }
  const text = lines.join(crlf ? '\r\n' : '\n') + '\n';
  return Buffer.from(bom ? `\ufeff${text}` : text, 'utf8');
}

function cutAt(buf: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of at) {
    if (c > prev) out.push(buf.subarray(prev, c));
    prev = Math.max(prev, c);
  }
  if (prev < buf.length) out.push(buf.subarray(prev));
  return out;
}

describe('posts read from bytes = posts read as text', () => {
  it('on generated files, cut anywhere', async () => {
    await fc.assert(fc.asyncProperty(fc.nat({ max: HEADERS.length - 1 }), fc.array(rowArb, { minLength: 0, maxLength: 40 }), fc.boolean(), fc.boolean(),
      fc.array(fc.nat(), { maxLength: 8 }), async (hi, rows, crlf, bom, cuts) => {
        const file = fileOf(HEADERS[hi], rows, crlf && rows.length % 3 === 0, bom);
        const chunks = cutAt(file, cuts);
        expect(await read(chunks, true)).toEqual(await read(chunks, false));
      }), { numRuns: 400 });
  });

  it('on a clean file every row is read from bytes, and the same as the text reader', async () => {
    const lines = ['platform,handle,published_at,title,original,reads,content'];
    for (let i = 0; i < 300; i++) {
      lines.push(`wechat,${i % 7 < 4 ? 'gov_a' : 'gov_b'},2024-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:3${i % 6}:00+08:00,标题 ${i}，${'甲'.repeat(i % 50)},${i % 3 ? 'true' : 'false'},${i * 37},${i % 4 ? '' : `正文${i}`}`);
    }
    const file = Buffer.from(`${lines.join('\n')}\n`);
    const chunks = cutAt(file, [17, 4000, 4001, 9999, 20000]);
    // The lines handed to the text reader: the header alone.
    const toText = vi.spyOn(DirectBytes.prototype as unknown as { toFast(s: string): void }, 'toFast');
    const bytes = await read(chunks, true);
    expect(toText.mock.calls.map((c) => c[0])).toEqual(['platform,handle,published_at,title,original,reads,content\n']);
    toText.mockRestore();
    expect(bytes).toEqual(await read(chunks, false));
    expect(bytes.problems).toEqual([]);
    expect(bytes.outcome).toMatchObject({ rows: 300, staged: 300 });
    expect(bytes.announced).toHaveLength(9);
  });

  it('on each value, alone in an otherwise plain row', async () => {
    const base: Record<string, string> = { platform: 'wechat', handle: 'gov_a', published_at: TIMES[0], title: '标题', original: 'true', reads: '1', content: '' };
    const lists: Record<string, string[]> = { platform: PLATFORMS, handle: HANDLES, published_at: TIMES, title: TITLES, original: ORIGINALS,
      reads: READS, content: CONTENTS };
    const header = HEADERS[0];
    for (const [column, values] of Object.entries(lists)) {
      for (const v of values) {
        const cells = header.map((k) => csvCell(k === column ? v : base[k]));
        const file = Buffer.from(`${header.join(',')}\n${cells.join(',')}\n${header.map((k) => csvCell(base[k])).join(',')}\n`);
        const want = await read([file], false);
        expect({ column, v, got: await read([file], true) }).toEqual({ column, v, got: want });
      }
    }
  });

  it('on raw lines the CSV writer above never makes', async () => {
    const header = 'platform,handle,published_at,title,original,reads,content';
    const plain = 'wechat,gov_a,2024-06-30T09:30:00+08:00,标题,true,1,';
    for (const line of ['wechat,gov_a,2024-06-30T09:30:00+08:00,ab\rcd,true,1,', 'wechat,gov_a,2024-06-30T09:30:00+08:00,标题,true,1,正\r文',
      'wechat,gov_a,2024-06-30T09:30:00+08:00,a"b,true,1,', 'wechat,gov_a,2024-06-30T09:30:00+08:00,标题,true,1,"正文', 'wechat,gov_a,,,,,',
      ',,,,,,', 'wechat,gov_a,2024-06-30T09:30:00+08:00,标题,true,1,,', '\ufeffwechat,gov_a,2024-06-30T09:30:00+08:00,标题,true,1,']) {
      const file = Buffer.from(`${header}\n${line}\n${plain}\n`);
      expect({ line, got: await read([file], true) }).toEqual({ line, got: await read([file], false) });
    }
  });

  it('a month past its 2 MB chunk within one input chunk: every tuple once, in order (the month buffer grows)', async () => {
    const lines = ['platform,handle,published_at,title,original,reads'];
    const n = 40_000;
    for (let i = 0; i < n; i++) lines.push(`wechat,gov_a,2024-06-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00+08:00,标题${i}${'政'.repeat(20)},true,${i}`);
    const chunks: Buffer[] = [];
    const target = new Writable({ write(c: Buffer, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
    await readCsvInto(FILE_SPECS['posts.csv'], Readable.from([Buffer.from(`${lines.join('\n')}\n`)]), target, { add: () => undefined }, {
      direct: { accounts: ACCOUNTS, firstId: 1, readEdges: [100], onMonth: () => undefined, binary: true, byMonth: true },
    });
    const ids: number[] = [];
    const titles: string[] = [];
    for (const c of chunks) {
      expect(c.readInt32BE(0)).toBe(2024 * 12 + 5);
      for (let o = 4; o < c.length;) {
        o += 2;
        ids.push(Number(c.readBigInt64BE(o + 4)));
        o += 12 + 8 + 12; // id, account, published_at
        const len = c.readInt32BE(o);
        titles.push(c.toString('utf8', o + 4, o + 4 + len));
        o += 4 + len + 5 + 8 + 4; // title, original, reads, content (NULL)
      }
    }
    expect(Math.max(...chunks.map((c) => c.length))).toBeGreaterThan(2 << 20); // grown past its chunk before being handed over
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(titles[n - 1]).toBe(`标题${n - 1}${'政'.repeat(20)}`);
  });

  it('messages: on generated files, cut anywhere', async () => {
    const times = ['2024-06-30T09:30:00+08:00', '2024-06-30 10:00:00+08:00', '2024-06-30T09:30:00', '2024-06-30T01:30:00Z', '2024-06-30T09:29:59+08:00',
      '2024-02-30T09:00:00+08:00', '2024-06-30T09:30:00.25+08:00', ' 2024-06-30T11:00:00+08:00', 'soon', ''];
    const headers = [['platform', 'handle', 'received_at', 'replied_at'], ['platform', 'handle', 'received_at'], ['replied_at', 'received_at', 'handle', 'platform']];
    const row = fc.tuple(pick(PLATFORMS.length), pick(HANDLES.length), pick(times.length), pick(times.length), fc.nat({ max: 9 }));
    await fc.assert(fc.asyncProperty(fc.nat({ max: headers.length - 1 }), fc.array(row, { maxLength: 30 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }),
      async (hi, rows, crlf, cuts) => {
        const header = headers[hi];
        const lines = [header.join(',')];
        for (const [p, h, r, q, shape] of rows) {
          const cells: Record<string, string> = { platform: PLATFORMS[p], handle: HANDLES[h], received_at: times[r], replied_at: shape < 3 ? '' : times[q] };
          lines.push(shape === 9 ? '' : header.map((k) => (shape === 8 ? `"${cells[k]}"` : csvCell(cells[k]))).join(','));
        }
        const file = Buffer.from(lines.join(crlf ? '\r\n' : '\n') + '\n');
        const chunks = cutAt(file, cuts);
        expect(await read(chunks, true, 'messages.csv')).toEqual(await read(chunks, false, 'messages.csv'));
      }), { numRuns: 300 });
  });

  it('messages: a clean file is read from bytes, the same as the text reader', async () => {
    const lines = ['platform,handle,received_at,replied_at'];
    for (let i = 0; i < 200; i++) lines.push(`weibo,gov_a,2024-06-${String(1 + (i % 28)).padStart(2, '0')}T08:00:0${i % 10}+08:00,${i % 3 ? `2024-06-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00+08:00` : ''}`);
    const chunks = cutAt(Buffer.from(`${lines.join('\n')}\n`), [33, 1000, 5000]);
    const toText = vi.spyOn(DirectBytes.prototype as unknown as { toFast(s: string): void }, 'toFast');
    const bytes = await read(chunks, true, 'messages.csv');
    expect(toText.mock.calls).toHaveLength(1);
    toText.mockRestore();
    expect(bytes).toEqual(await read(chunks, false, 'messages.csv'));
    expect(bytes.outcome).toMatchObject({ rows: 200, staged: 200 });
  });

  it('bytes that are not UTF-8 are reported by the usual decoding, on their line', async () => {
    const good = 'platform,handle,published_at,title,original,reads\nwechat,gov_a,2024-06-30T09:30:00+08:00,标题,true,1\n';
    const bad = Buffer.concat([Buffer.from(good), Buffer.from('wechat,gov_a,2024-06-30T09:31:00+08:00,'), Buffer.from([0xb1, 0xea, 0xcc, 0xe2]),
      Buffer.from(',true,2\nwechat,gov_a,2024-06-30T09:32:00+08:00,又一条,true,3\n')]);
    for (const chunks of [[bad], cutAt(bad, [60]), cutAt(bad, [100, 101, 102])]) {
      const r = await read(chunks, true);
      expect(r.problems.some((p) => p.startsWith('posts.csv:3:-:文件不是 UTF-8 编码'))).toBe(true);
    }
    // The last line, without a newline (GBK bytes there only): the usual decoding reports it too.
    const last = Buffer.concat([Buffer.from(good), Buffer.from('wechat,gov_a,2024-06-30T09:31:00+08:00,'), Buffer.from([0xb1, 0xea, 0xcc, 0xe2]), Buffer.from(',true,2')]);
    for (const chunks of [[last], cutAt(last, [90])]) {
      const r = await read(chunks, true);
      expect(r.problems).toEqual(['posts.csv:3:-:文件不是 UTF-8 编码（可能是 GBK/GB18030），请另存为 UTF-8 后再导入']);
      expect(r.outcome).toMatchObject({ rows: 1, staged: 1 });
    }
    // …and a plain last line without a newline is read like any other.
    const plain = Buffer.from(`${good}wechat,gov_a,2024-06-30T09:33:00+08:00,末行,false,4`);
    expect(await read([plain], true)).toEqual(await read([plain], false));
  });
});
