import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvInto, type ProblemSink } from '../../server/import/csv-reader';
import { FILE_SPECS, type FileName } from '../../server/import/csv-schema';

/**
 * The fast CSV reader (csv-reader.ts FastCsv) against csv-parse alone (`reference: true`), which it must reproduce
 * exactly: the same COPY rows, the same problems at the same lines, the same outcome — on generated files full of
 * quotes, escaped quotes, embedded newlines, carriage returns, blank and empty lines, stray text after closing quotes,
 * unclosed quotes, BOMs and lone surrogates, cut into chunks at random places (as bytes and as text).
 */

interface Run {
  copy: string;
  problems: string[];
  outcome: unknown;
}

async function run(file: FileName, chunks: (string | Buffer)[], reference: boolean): Promise<Run> {
  let copy = '';
  const problems: string[] = [];
  const sink: ProblemSink = { add: (f, line, column, message) => problems.push(`${f}:${line}:${column}:${message}`) };
  const target = new Writable({ decodeStrings: false, write(c: string | Buffer, _e, cb) { copy += c.toString(); cb(); } });
  const o = await readCsvInto(FILE_SPECS[file], Readable.from(chunks), target, sink, { reference });
  return { copy, problems, outcome: { rows: o.rows, staged: o.staged, present: [...o.present], headerOk: o.headerOk } };
}

/** A small deterministic generator (xorshift), so a failure can be replayed from its seed. */
function rng(seed: number) {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const PIECES = ['a', 'b', '标题', '，', ',', '"', '""', '\n', '\r', '\r\n', ' ', '\t', '\\', 'wechat', '2024-06-30T09:30:00+08:00',
  '2024-06-30', 'true', '12', '-3', 'x"y', '😀'];

function cell(r: () => number, clean: boolean): string {
  const kind = clean ? r() * 0.75 : r();
  if (kind < 0.45) return ['wechat', 'weibo', 'h1', '2024-06-30T09:30:00', 'true', '7', '', ' ', '标题'][Math.floor(r() * 9)];
  if (kind < 0.75) {
    // A well-formed quoted cell (commas, quotes, newlines inside).
    let s = '';
    for (let i = Math.floor(r() * 4); i >= 0; i--) s += PIECES[Math.floor(r() * PIECES.length)];
    return `"${s.replace(/"/g, '""')}"`;
  }
  // Anything at all.
  let s = '';
  for (let i = Math.floor(r() * 4); i >= 0; i--) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

/** `clean`: only plain and well-formed quoted cells, LF line ends — the files the fast path reads without csv-parse. */
function generate(seed: number, clean: boolean): string {
  const r = rng(seed);
  const lines = [r() < 0.1 ? '\ufeffplatform,handle,published_at,title,original,reads' : 'platform,handle,published_at,title,original,reads'];
  const n = 5 + Math.floor(r() * 40);
  for (let i = 0; i < n; i++) {
    const t = r();
    if (t < 0.05) lines.push('');
    else if (t < 0.08) lines.push(' , ,');
    else {
      const cells: string[] = [];
      const width = r() < 0.9 ? 6 : Math.floor(r() * 8);
      for (let c = 0; c < width; c++) cells.push(cell(r, clean).replace(clean ? /\r/g : /$^/, ''));
      lines.push(cells.join(','));
    }
  }
  return lines.join(!clean && r() < 0.2 ? '\r\n' : '\n') + (r() < 0.7 ? '\n' : '');
}

function cut(text: string | Buffer, r: () => number): (string | Buffer)[] {
  const out: (string | Buffer)[] = [];
  for (let i = 0; i < text.length;) {
    const n = 1 + Math.floor(r() * 40);
    out.push(text.subarray ? (text as Buffer).subarray(i, i + n) : (text as string).slice(i, i + n));
    i += n;
  }
  return out;
}

describe('fast CSV reader = csv-parse', () => {
  it('on 600 generated files, as bytes and as text, in random chunks', async () => {
    for (let seed = 1; seed <= 600; seed++) {
      const text = generate(seed, seed % 4 < 2);
      const r = rng(seed * 7919);
      const chunks = seed % 2 ? cut(Buffer.from(text), r) : [text];
      const fast = await run('posts.csv', chunks, false);
      const ref = await run('posts.csv', chunks, true);
      expect({ seed, ...fast }).toEqual({ seed, ...ref });
    }
  });

  it('on the hand-picked cases', async () => {
    const cases: [FileName, string][] = [
      ['messages.csv', 'platform,handle,received_at,replied_at\nwechat,a,2024-06-30T09:30:00,2024-06-29\n\n\nwechat,"b\nc",2024-06-30,\n'],
      ['messages.csv', 'platform,handle,received_at\nwechat,a,"2024-06-30"x,\nwechat,b,2024-06-30\n'],
      ['messages.csv', 'platform,handle,received_at\nwechat,a,"2024-06-30\nwechat,b,2024-06-30\n'],
      ['messages.csv', 'platform,handle,received_at\r\nwechat,a,2024-06-30\r\nwechat,b\r,2024-06-30\n'],
      ['messages.csv', 'platform,handle,received_at\nwechat,a,2024-06-30,'],
      ['messages.csv', 'platform,handle,received_at\nwechat,a,"2024-06-30"'],
      ['messages.csv', 'platform,handle,received_at\nwechat,a"b,2024-06-30\n"",,\n'],
      ['messages.csv', 'platform,handle,received_at\nwechat,\ud800,2024-06-30\nwechat,b,2024-06-31\n'],
      ['messages.csv', ''],
      ['messages.csv', '\n\n'],
    ];
    for (const [file, text] of cases) {
      for (const chunks of [[text], [Buffer.from(text)], text.split('')]) {
        const fast = await run(file, chunks, false);
        const ref = await run(file, chunks, true);
        expect({ text, ...fast }).toEqual({ text, ...ref });
      }
    }
  });
});
