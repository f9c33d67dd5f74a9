import { isUtf8 } from 'node:buffer';
import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type CsvError, type Info, type Options } from 'csv-parse';
import { Invalid, POST_CONTENT_MAX_BYTES, timestampMicros, type FileSpec } from './csv-schema';

/**
 * Streaming validation of one CSV file: bytes → strict UTF-8 text (BOM stripped, CRLF → LF) → csv-parse records →
 * checked and converted rows in COPY text format. Nothing is held in memory beyond one chunk; every problem goes to
 * the sink with the physical line number (header = line 1).
 */

export interface ProblemSink {
  add(file: string, line: number, column: string, message: string): void;
}

export interface ReadOutcome {
  /** Data records read (header excluded). */
  rows: number;
  /** Rows written to the staging table (those whose key columns parsed). */
  staged: number;
  /** Columns present in the header (only meaningful when headerOk). */
  present: Set<string>;
  headerOk: boolean;
}

/** The csv-parse options of the import (the reference semantics; csv-fast.ts reproduces them for clean records). */
export function csvParseOptions(file: string, sink: ProblemSink, lineOffset = 0): Options {
  return {
    info: true,
    record_delimiter: '\n',
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      if (err) sink.add(file, (Number(err.lines) || 0) + (Number(err.lines) ? lineOffset : 0), '-', csvErrorMessage(err));
      return undefined;
    },
  };
}

/** Pipes `source` (bytes from disk, or text) through validation into `target` (a COPY ... FROM STDIN stream). */
export async function readCsvInto(spec: FileSpec, source: Readable, target: Writable, sink: ProblemSink,
  opts: { reference?: boolean; direct?: DirectLoad; bytes?: boolean } = {}): Promise<ReadOutcome & { latest: Map<number, { n: number; at: string }>; months: MonthCounts | null }> {
  const file = spec.name;
  const rows = new RowsToCopy(spec, sink, opts.direct);
  let badEncoding = false;
  const onBadEncoding = (line: number) => {
    badEncoding = true;
    sink.add(file, line, '-', '文件不是 UTF-8 编码（可能是 GBK/GB18030），请另存为 UTF-8 后再导入');
  };
  const text = new Utf8Text(onBadEncoding);
  if (opts.reference) {
    // csv-parse alone (the reference the fast parser is tested against: tests/import/csv-fast.test.ts).
    const parser = parse(csvParseOptions(file, sink));
    await pipeline(source, text, parser, new Transform({
      writableObjectMode: true,
      transform(item: { record: string[]; info: Info }, _enc, cb) {
        rows.parsed(item.record, lineOfParsed(item.record, item.info.lines));
        for (const c of rows.takeAll(1 << 16)) this.push(c);
        cb();
      },
      flush(cb) {
        for (const c of rows.takeAll(0)) this.push(c);
        cb();
      },
    }), target);
  } else if (opts.bytes !== false && opts.direct?.binary && (spec.name === 'posts.csv' ? opts.direct.byMonth : spec.name === 'messages.csv')) {
    const fast = new FastCsv(rows, (lineOffset) => parse(csvParseOptions(file, sink, lineOffset)));
    await pipeline(source, new DirectBytes(rows, fast, onBadEncoding), target);
  } else {
    await pipeline(source, text, new FastCsv(rows, (lineOffset) => parse(csvParseOptions(file, sink, lineOffset))), target);
  }
  if (!rows.sawHeader && !badEncoding) sink.add(file, 1, '-', '文件为空：缺少表头行');
  return { rows: rows.rows, staged: rows.staged, present: rows.present, headerOk: rows.headerOk, latest: rows.latest, months: rows.months_ };
}

/** The physical line a csv-parse record starts on: `info.lines` is the line it ends on. */
function lineOfParsed(record: string[], endLine: number): number {
  let nl = 0;
  for (const f of record) if (f.indexOf('\n') !== -1) nl += f.split('\n').length - 1;
  return endLine - nl;
}

/** What FastCsv needs of csv-parse's parser: its synchronous core (`api.parse`, as Parser._transform calls it). */
interface ParserCore {
  api: { parse(buf: Buffer | undefined, end: boolean, push: (item: { record: string[]; info: Info }) => void, close: () => void): Error | undefined };
}

/**
 * CSV records → COPY rows, fast: records are cut out of the decoded text with indexOf/split instead of csv-parse's
 * byte-by-byte state machine (≈5× faster), with exactly csv-parse's results under the import's options for every
 * record it accepts — unquoted fields (a quote inside one is an ordinary character, as with relax_quotes), quoted
 * fields with "" escapes closed by a quote followed by a comma, a newline or the end, empty and blank records skipped,
 * the physical line of each record's start. Anything else (a carriage return, a quote closed and followed by other
 * text, a quote never closed, text that is not well-formed UTF-16, a record longer than 8 MB) hands the rest of the
 * file, from the start of that record, to csv-parse with the line numbers shifted: csv-parse holds no state between
 * records, so every record and every problem comes out as if csv-parse had read the whole file
 * (tests/import/csv-fast.test.ts compares both on generated and hostile inputs).
 */
export class FastCsv extends Transform {
  private pending = '';
  /** Physical line number of the first character of `pending`. */
  private line = 1;
  private slow: { core: ParserCore; offset: number } | null = null;

  constructor(private readonly rows: RowsToCopy, private readonly makeSlow: (lineOffset: number) => unknown) {
    // Text rows are pushed as strings; a binary load's as bytes (no decoding on the readable side).
    super({ decodeStrings: false, encoding: rows.binary ? undefined : 'utf8' });
  }

  override _transform(chunk: string | Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    pushRows(this, this.rows, 1 << 16, () => this.feed(typeof chunk === 'string' ? chunk : chunk.toString('utf8')), cb);
  }

  override _flush(cb: TransformCallback): void {
    pushRows(this, this.rows, 0, () => this.endOfFile(), cb);
  }

  /** The next text of the file (what `_transform` reads; DirectBytes calls it for the lines it does not read itself). */
  feed(s: string): void {
    if (this.slow) this.feedSlow(s, false);
    else if (!isWellFormed(s)) {
      this.toSlow(this.pending + s, false);
      this.pending = '';
    } else {
      this.scan(this.pending + s, false);
    }
  }

  /** The end of the file (what `_flush` reads). */
  endOfFile(): void {
    if (this.slow) this.feedSlow(undefined, true);
    else this.scan(this.pending, true);
    if (this.slow) this.feedSlow(undefined, true);
  }

  /** Between two records (nothing pending, csv-parse not taken over): the next text may start anywhere. */
  get idle(): boolean {
    return !this.slow && this.pending === '';
  }

  /** Between two records: the next text starts on physical line `line` (DirectBytes read the lines before it). */
  at(line: number): void {
    if (this.idle) this.line = line;
  }

  private toSlow(rest: string, end: boolean): void {
    const core = this.makeSlow(this.line - 1) as ParserCore;
    this.slow = { core, offset: this.line - 1 };
    this.pending = '';
    if (rest) this.feedSlow(rest, false);
    if (end) this.feedSlow(undefined, true);
  }

  private ended = false;

  private feedSlow(s: string | undefined, end: boolean): void {
    const slow = this.slow!;
    if (end) {
      if (this.ended) return;
      this.ended = true;
    }
    const err = slow.core.api.parse(s === undefined ? undefined : Buffer.from(s, 'utf8'), end, (item) => {
      this.rows.parsed(item.record, lineOfParsed(item.record, item.info.lines + slow.offset));
    }, () => undefined);
    if (err) throw err;
  }

  /** Emits every complete record of `text`; keeps the incomplete rest in `pending` (all of it when `end`). */
  private scan(text: string, end: boolean): void {
    const n = text.length;
    const rows = this.rows;
    let p = 0;
    let line = this.line;
    // The next quote and carriage return at or after p (n when there is none), found again only once p passes them.
    let q = -1;
    let cr = -1;
    while (p < n) {
      if (text.charCodeAt(p) === 10) { // an empty line
        p++;
        line++;
        continue;
      }
      const nl = text.indexOf('\n', p);
      const lineEnd = nl === -1 ? n : nl;
      if (nl === -1 && !end) {
        if (n - p >= 8 << 20) return this.bail(text, p, line, end);
        break;
      }
      if (q < p) q = next(text, '"', p);
      if (cr < p) cr = next(text, '\r', p);
      if (q >= lineEnd) {
        if (cr < lineEnd) return this.bail(text, p, line, end);
        const record = text.slice(p, lineEnd).split(',');
        if (!blank(record)) rows.parsed(record, line);
        p = lineEnd + 1;
        line++;
        continue;
      }
      // A record with quotes: field by field.
      const record: string[] = [];
      let i = p;
      let newlines = 0;
      let done = false;
      for (;;) {
        if (text.charCodeAt(i) === 34) { // a quoted field
          let value = '';
          let j = i + 1;
          for (;;) {
            const k = text.indexOf('"', j);
            if (k === -1 || (k + 1 >= n && !end)) {
              if (!end && n - p < 8 << 20) return this.keep(text, p, line);
              return this.bail(text, p, line, end);
            }
            value += text.slice(j, k);
            const next = k + 1 < n ? text.charCodeAt(k + 1) : -1;
            if (next === 34) {
              value += '"';
              j = k + 2;
              continue;
            }
            if (next === 44) i = k + 2; // ,
            else if (next === 10 || next === -1) { // newline or the end
              i = k + 2;
              done = true;
            } else return this.bail(text, p, line, end);
            break;
          }
          for (let x = value.indexOf('\n'); x !== -1; x = value.indexOf('\n', x + 1)) newlines++;
          record.push(value);
        } else {
          let c = text.indexOf(',', i);
          const e = text.indexOf('\n', i);
          const stop = e === -1 ? n : e;
          if (c === -1 || c > stop) c = -1;
          if (c !== -1) {
            record.push(text.slice(i, c));
            i = c + 1;
          } else {
            if (e === -1 && !end) return this.keep(text, p, line);
            record.push(text.slice(i, stop));
            i = stop + 1;
            done = true;
          }
        }
        if (done) break;
        if (i >= n) { // a comma right before the end of the text
          if (!end) return this.keep(text, p, line);
          record.push('');
          break;
        }
      }
      if (cr < i) return this.bail(text, p, line, end);
      if (!blank(record)) rows.parsed(record, line);
      line += newlines + 1;
      p = i;
    }
    this.pending = p < n ? text.slice(p) : '';
    this.line = line;
  }

  /** The record starting at `p` is incomplete: wait for more text. */
  private keep(text: string, p: number, line: number): void {
    this.pending = text.slice(p);
    this.line = line;
  }

  private bail(text: string, p: number, line: number, end: boolean): void {
    this.line = line;
    this.toSlow(text.slice(p), end);
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `from[s, e)` into `to` at `o`: a loop for a few bytes (Buffer.copy costs more to call than to copy a title). */
function copyBytes(from: Buffer, s: number, e: number, to: Buffer, o: number): void {
  if (e - s > 96) from.copy(to, o, s, e);
  else for (let i = s; i < e; i++) to[o++] = from[i];
}

/**
 * Microseconds since the epoch of the `len` bytes at `b[o]` when they are a valid `YYYY-MM-DD[T ]HH:MM:SS` with
 * `+08:00` or no offset (what parseTimestamp and fastMicros give for that text), else NaN.
 */
function plainMicros(b: Buffer, o: number, len: number): number {
  if (len !== 19 && len !== 25) return NaN;
  if (b[o + 4] !== 45 || b[o + 7] !== 45 || (b[o + 10] !== 84 && b[o + 10] !== 32) || b[o + 13] !== 58 || b[o + 16] !== 58) return NaN;
  if (len === 25 && (b[o + 19] !== 43 || b[o + 20] !== 48 || b[o + 21] !== 56 || b[o + 22] !== 58 || b[o + 23] !== 48 || b[o + 24] !== 48)) return NaN;
  const y = digits(b, o, 4);
  const mo = digits(b, o + 5, 2);
  const day = digits(b, o + 8, 2);
  const h = digits(b, o + 11, 2);
  const mi = digits(b, o + 14, 2);
  const sec = digits(b, o + 17, 2);
  if (y < 1900 || y > 2100 || mo < 1 || mo > 12 || day < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return NaN;
  if (day > (mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[mo - 1])) return NaN;
  return (Date.UTC(y, mo - 1, day, h, mi, sec) - 8 * 3600_000) * 1000;
}

/** `a[s, e)` holds the bytes of `b` from `o` (a loop: a handle is a few bytes, Buffer.compare costs more to call). */
function sameBytes(a: Buffer, s: number, e: number, b: Buffer, o: number): boolean {
  for (let i = s; i < e; i++) if (a[i] !== b[o++]) return false;
  return true;
}

/** The number written by `len` ASCII digits at `b[o]`, or -1. */
function digits(b: Buffer, o: number, len: number): number {
  let v = 0;
  for (let i = o; i < o + len; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Whether the UTF-8 cell `b[s, e)` (not empty) starts or ends with a character String.prototype.trim removes — any
 * byte up to space, or U+00A0, U+1680, U+180E, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF (more
 * than trim removes is fine: such a cell goes to the text reader).
 */
function needsTrim(b: Buffer, s: number, e: number): boolean {
  const c = b[s];
  if (c <= 0x20) return true;
  if (c >= 0x80 && s + 1 < e && wideSpace(c, b[s + 1], s + 2 < e ? b[s + 2] : -1)) return true;
  const z = b[e - 1];
  if (z <= 0x20) return true;
  if (z < 0x80) return false;
  if (e - 2 >= s && b[e - 2] === 0xc2 && z === 0xa0) return true;
  return e - 3 >= s && wideSpace(b[e - 3], b[e - 2], z);
}

/** The UTF-8 sequence (c1, c2[, c3]) is one of needsTrim's spaces beyond ASCII. */
function wideSpace(c1: number, c2: number, c3: number): boolean {
  switch (c1) {
    case 0xc2: return c2 === 0xa0;
    case 0xe1: return (c2 === 0x9a && c3 === 0x80) || (c2 === 0xa0 && c3 === 0x8e);
    case 0xe2: return (c2 === 0x80 && ((c3 >= 0x80 && c3 <= 0x8a) || c3 === 0xa8 || c3 === 0xa9 || c3 === 0xaf)) || (c2 === 0x81 && c3 === 0x9f);
    case 0xe3: return c2 === 0x80 && c3 === 0x80;
    case 0xef: return c2 === 0xbb && c3 === 0xbf;
    default: return false;
  }
}

/**
 * posts.csv or messages.csv of a direct load (binary COPY) read from its bytes (issue 14: decoding the national posts
 * to text, then cutting and re-encoding every cell, was most of the import's parsing): each line RowsToCopy.directBytes accepts
 * goes from the file's bytes into the COPY tuple without becoming text; any other line — the header, a quoted or
 * multi-line record, a blank line inside a record, any cell not in its plainest form, an unknown account — is decoded
 * and handed to the text reader (FastCsv) on its physical line, as if it had read the whole file: while FastCsv holds
 * part of a record (or csv-parse has taken over) every line goes to it. Bytes that are not valid UTF-8 hand the rest
 * of the file to the usual decoding (Utf8Text), which reports them as before. Output: the binary chunks of RowsToCopy.
 */
export class DirectBytes extends Transform {
  private carry: Buffer | null = null;
  /** The physical line of the next line's first byte. */
  private line = 1;
  private started = false;
  /** The usual decoding, once the bytes were not valid UTF-8 (or arrived as text): everything from there on. */
  private text: Utf8Text | null = null;

  constructor(private readonly rows: RowsToCopy, private readonly fast: FastCsv, private readonly onBadEncoding: (line: number) => void) {
    super({ decodeStrings: false });
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, cb: TransformCallback): void {
    pushRows(this, this.rows, 1 << 16, () => this.readChunk(chunk), cb);
  }

  override _flush(cb: TransformCallback): void {
    pushRows(this, this.rows, 0, () => {
      // The last line, without a newline (only ever kept while the bytes are read here): the text reader's, it ends
      // the file.
      if (this.carry) {
        if (isUtf8(this.carry)) {
          this.fast.at(this.line);
          this.toFast(this.carry.toString('utf8'));
        } else this.handOver(this.carry);
        this.carry = null;
      }
      this.text?._flush(this.fromText);
      this.fast.endOfFile();
    }, cb);
  }

  private readChunk(chunk: Buffer | string): void {
    if (typeof chunk === 'string' || this.text) {
      if (!this.text) this.startText(!this.started);
      this.started = true;
      const rest = this.carry;
      this.carry = null;
      if (rest) this.toText(rest);
      this.toText(chunk);
      return;
    }
    let b = chunk;
    if (!this.started) {
      if (b.length < 3) { // too short to tell a BOM: the usual decoding reads the file
        this.startText(true);
        this.started = true;
        this.toText(b);
        return;
      }
      this.started = true;
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
    }
    let pos = 0;
    if (this.carry) {
      const nl = b.indexOf(10);
      if (nl === -1) {
        this.carry = Buffer.concat([this.carry, b]);
        // A line this long is not one of ours: the text reader decides (FastCsv hands it to csv-parse).
        if (this.carry.length > 8 << 20) this.handOver(this.carry);
        return;
      }
      const first = Buffer.concat([this.carry, b.subarray(0, nl + 1)]);
      this.carry = null;
      if (!this.lines(first)) return this.toText(b.subarray(nl + 1));
      pos = nl + 1;
    }
    const last = b.lastIndexOf(10);
    if (last >= pos) {
      if (!this.lines(b.subarray(pos, last + 1))) return this.toText(b.subarray(last + 1));
      pos = last + 1;
    }
    if (pos < b.length) this.carry = Buffer.from(b.subarray(pos));
  }

  /** Complete lines (the last byte a newline); false when they are not valid UTF-8 (handed to the usual decoding). */
  private lines(b: Buffer): boolean {
    if (!isUtf8(b)) {
      this.handOver(b);
      return false;
    }
    const { fast, rows } = this;
    let p = 0;
    while (p < b.length) {
      const nl = b.indexOf(10, p);
      if (!(fast.idle && (nl === p || rows.directBytes(b, p, nl)))) {
        fast.at(this.line);
        this.toFast(b.toString('utf8', p, nl + 1));
      }
      this.line++;
      p = nl + 1;
    }
    return true;
  }

  /** Decoded lines to the text reader, CRLF as LF (as Utf8Text gives them). */
  private toFast(s: string): void {
    this.fast.feed(s.indexOf('\r\n') === -1 ? s : s.replace(/\r\n/g, '\n'));
  }

  /** From `b` (starting on `this.line`) to the end of the file: the usual decoding. */
  private handOver(b: Buffer): void {
    this.carry = null;
    this.startText(false);
    this.toText(b);
  }

  private startText(fromStart: boolean): void {
    this.fast.at(this.line);
    this.text = new Utf8Text(this.onBadEncoding, this.line, !fromStart);
  }

  private toText(chunk: Buffer | string): void {
    this.text!._transform(chunk, 'utf8', this.fromText);
  }

  /** What the usual decoding gives (synchronously) goes to the text reader. */
  private readonly fromText = (err?: Error | null, s?: unknown): void => {
    if (err) throw err;
    if (typeof s === 'string' && s) this.fast.feed(s);
  };
}

/** One step of a reader stream (`work`), then the COPY chunks of at least `min` characters or bytes it made ready. */
function pushRows(stream: Transform, rows: RowsToCopy, min: number, work: () => void, cb: TransformCallback): void {
  try {
    work();
  } catch (err) {
    return cb(err as Error);
  }
  for (const c of rows.takeAll(min)) stream.push(c);
  cb();
}

function next(text: string, c: string, from: number): number {
  const i = text.indexOf(c, from);
  return i === -1 ? text.length : i;
}

/** csv-parse's `skip_records_with_empty_values`: every field blank. */
function blank(record: string[]): boolean {
  for (const f of record) if (f.trim() !== '') return false;
  return true;
}

/** No lone surrogates (csv-parse would have turned them into U+FFFD through Buffer.from). */
function isWellFormed(s: string): boolean {
  const f = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  if (f) return f.call(s);
  return !/\p{Surrogate}/u.test(s);
}

function csvErrorMessage(err: CsvError): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'CSV 格式错误：引号未闭合（此后的内容无法读取）';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'CSV 格式错误：引号闭合后紧跟了其他字符';
    default:
      return `CSV 格式错误：${err.message}`;
  }
}

/** A header cell: `platform`, or a downloaded template's `平台 (platform)` / `平台（platform）` — the name in the brackets. */
function headerName(h: string): string {
  const m = /[(（]\s*([A-Za-z_]+)\s*[)）]\s*$/.exec(h.trim());
  return (m ? m[1] : h.trim()).toLowerCase();
}

/** Strict UTF-8 decoding; strips a BOM; turns CRLF into LF (so csv-parse counts lines right). */
class Utf8Text extends Transform {
  private decoder = new TextDecoder('utf-8', { fatal: true });
  private first = true;
  private pendingCR = false;
  private failed = false;
  private newlines = 0;

  /**
   * `startLine`: the physical line of the first byte; `midFile`: the bytes are the rest of a file whose start (and BOM)
   * DirectBytes read itself.
   */
  constructor(private readonly onBadEncoding: (line: number) => void, startLine = 1, midFile = false) {
    super({ decodeStrings: false, encoding: 'utf8' });
    this.newlines = startLine - 1;
    if (midFile) {
      this.first = false;
      this.decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    }
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.failed) return cb();
    let s: string;
    if (typeof chunk === 'string') {
      s = chunk;
      if (this.first && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    } else {
      try {
        s = this.decoder.decode(chunk, { stream: true });
      } catch {
        this.failed = true;
        this.onBadEncoding(1 + this.newlines + countLfBytes(chunk, firstInvalidUtf8(chunk)));
        return cb();
      }
      this.newlines += countLfBytes(chunk, chunk.length);
    }
    this.first = false;
    cb(null, this.normalise(s) || undefined);
  }

  override _flush(cb: TransformCallback): void {
    if (this.failed) return cb();
    let tail = '';
    try {
      tail = this.decoder.decode();
    } catch {
      this.onBadEncoding(1 + this.newlines);
      return cb();
    }
    const out = this.normalise(tail) + (this.pendingCR ? '\r' : '');
    this.pendingCR = false;
    cb(null, out || undefined);
  }

  private normalise(s: string): string {
    if (this.pendingCR) {
      s = `\r${s}`;
      this.pendingCR = false;
    }
    if (s.indexOf('\r') === -1) return s;
    if (s.endsWith('\r')) {
      this.pendingCR = true;
      s = s.slice(0, -1);
    }
    return s.replace(/\r\n/g, '\n');
  }
}

function countLfBytes(buf: Buffer, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Offset of the first byte that cannot be valid UTF-8 (continuation bytes left over from the previous chunk skipped). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < 3 && i < buf.length && (buf[i] & 0xc0) === 0x80) i++;
  while (i < buf.length) {
    const b = buf[i];
    const len = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 && b >= 0xc2 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) if (i + k < buf.length && (buf[i + k] & 0xc0) !== 0x80) return i;
    i += len;
  }
  return buf.length;
}

/**
 * A direct load (an empty posts or messages table, csv-worker.ts / bulk-load.ts `loadDirect`): rows go straight into
 * the real table — `id` (numbered from `firstId`), `account_id` (resolved here from platform and handle; an unknown account is a problem), then the
 * file's other columns — instead of into a staging table.
 */
export interface DirectLoad {
  /** `${platform}\u0000${handle in COPY text form}` → account id. */
  accounts: Map<string, number>;
  /** The id of the first row (the rest follow in order): the table is locked, its sequence set past them afterwards. */
  firstId: number;
  /**
   * Posts: also count, per account and month, the rows `account_post_months` keeps (detection/post-months.ts): posts,
   * originals, the last one, and how many were read fewer than each of these edges (cumulative).
   */
  readEdges?: readonly number[];
  /** Called (before its row is emitted) for each new month of Beijing time, `YYYY-MM-01 00:00:00+08:00`. */
  onMonth?(month: string): void;
  /**
   * Rows in PostgreSQL's binary COPY format (tuples only: each COPY stream's header is the caller's, BINARY_COPY_HEADER)
   * instead of text: the server then parses no timestamp, number or escaped text — the national posts' COPY took
   * about 45 % less of its CPU. The reader already holds each timestamp as microseconds.
   */
  binary?: boolean;
  /**
   * A binary load of posts kept apart by month (bulk-load.ts: one COPY … FREEZE per month's partition): each chunk
   * taken is one month's rows, preceded by that month's index (int32, year × 12 + month - 1, Beijing time). A month's
   * rows are handed over once they reach MONTH_CHUNK bytes, or the largest month's when all together reach
   * MONTH_BUFFERED; what is left, at the end.
   */
  byMonth?: boolean;
}

/** A by-month load (DirectLoad.byMonth): one month's rows are handed over from this size… */
const MONTH_CHUNK = 2 << 20;
/** …and the largest month's whenever all months together hold this much (memory bounded, whatever the months). */
const MONTH_BUFFERED = 32 << 20;

/** The header of a binary COPY stream: signature, flags 0, no header extension. */
export const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);

/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 00:00:00 UTC). */
const PG_EPOCH_MICROS = 946_684_800_000_000;

/** The reverse of copyEscape (csv-schema.ts). */
function copyUnescape(v: string): string {
  return v.indexOf('\\') === -1 ? v : v.replace(/\\([\\tnr])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

/** A signed 64-bit integer (a JS number within ±2^53) at `o`, big-endian. */
function writeInt64(b: Buffer, v: number, o: number): void {
  b.writeInt32BE(Math.floor(v / 4294967296), o);
  b.writeUInt32BE(v >>> 0, o + 4);
}

/** `timestampMicros`, without a regular expression for the common `YYYY-MM-DD HH:MM:SS+08:00`. */
function fastMicros(canonical: string): number {
  if (canonical.length !== 25 || !canonical.endsWith('+08:00')) return timestampMicros(canonical);
  const n = (i: number, len: number) => {
    let v = 0;
    for (let k = i; k < i + len; k++) v = v * 10 + canonical.charCodeAt(k) - 48;
    return v;
  };
  return (Date.UTC(n(0, 4), n(5, 2) - 1, n(8, 2), n(11, 2), n(14, 2), n(17, 2)) - 8 * 3600_000) * 1000;
}

/** year × 12 + month - 1 of a `YYYY-MM-DD HH:MM:SS+08:00` text (its Beijing month; `monthOf`'s results are such texts). */
function monthIndexOf(canonical: string): number {
  const d = (i: number) => canonical.charCodeAt(i) - 48;
  return (d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)) * 12 + d(5) * 10 + d(6) - 1;
}

/** The month (Beijing time) of a `parseTimestamp` result, as the timestamp of its first instant. */
export function monthOf(canonical: string): string {
  if (canonical.endsWith('+08:00')) return `${canonical.slice(0, 7)}-01 00:00:00+08:00`;
  const d = new Date(Math.floor(timestampMicros(canonical) / 1000) + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01 00:00:00+08:00`;
}

/** Account × month counts in typed arrays (one slot per pair: ~60 bytes; the national data has ~2 M pairs). */
export class MonthCounts {
  /** account × 4096 + month index since 1900 (a small integer key) → slot. */
  private readonly slots = new Map<number, number>();
  count = 0;
  /** Per slot: account, month (year × 12 + month - 1), posts, originals, then one count per edge. */
  ints: Int32Array;
  /** Per slot: the latest post, microseconds since the epoch. */
  last: Float64Array;
  readonly width: number;

  constructor(private readonly edges: readonly number[]) {
    this.width = 4 + edges.length;
    this.ints = new Int32Array(1024 * this.width);
    this.last = new Float64Array(1024);
  }

  add(account: number, month: number, original: boolean, reads: number, micros: number): void {
    const key = account * 4096 + (month - 1900 * 12);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.count++;
      this.slots.set(key, slot);
      if (slot >= this.last.length) {
        const ints = new Int32Array(this.ints.length * 2);
        ints.set(this.ints);
        this.ints = ints;
        const last = new Float64Array(this.last.length * 2);
        last.set(this.last);
        this.last = last;
      }
      const o = slot * this.width;
      this.ints[o] = account;
      this.ints[o + 1] = month;
      this.last[slot] = -Infinity;
    }
    const o = slot * this.width;
    this.ints[o + 2]++;
    if (original) this.ints[o + 3]++;
    const { edges } = this;
    for (let i = 0; i < edges.length; i++) if (reads < edges[i]) this.ints[o + 4 + i]++;
    if (micros > this.last[slot]) this.last[slot] = micros;
  }
}

/** A microsecond timestamp as PostgreSQL timestamptz text (exact). */
export function microsText(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  const frac = (ms - Math.floor(ms / 1000) * 1000) * 1000 + (us - ms * 1000);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String(frac).padStart(6, '0')}+00`;
}

/** Parsed records → COPY text rows (`line`, then every spec column; absent columns are NULL), collected in `buf`. */
class RowsToCopy {
  rows = 0;
  staged = 0;
  sawHeader = false;
  headerOk = false;
  present = new Set<string>();
  private indexes: number[] = [];
  private width = 0;
  private buf = '';

  /** Direct load of posts: per account, its number of rows and the latest `published_at`; the months seen. */
  readonly latest = new Map<number, { n: number; micros: number; at: string }>();
  private readonly months = new Set<string>();
  /** The previous row's account (platform, handle → id) and Beijing month (year × 12 + month - 1; -1 before the first). */
  private lastPlatform: string | null = null;
  private lastHandle: string | null = null;
  private lastId: number | undefined;
  private lastMonthIndex = -1;
  /** Direct load of posts with `readEdges`: the account × month counts. */
  readonly months_: MonthCounts | null;
  /** A binary direct load (DirectLoad.binary): the rows encoded so far are `bin.buf[0, bin.len)`. */
  private bin: { buf: Buffer; len: number } | null;
  /** A by-month load (DirectLoad.byMonth): each month's rows so far, by month index, and their total size. */
  private readonly monthBins = new Map<number, { buf: Buffer; len: number }>();
  private monthBytes = 0;

  constructor(private readonly spec: FileSpec, private readonly sink: ProblemSink, private readonly direct?: DirectLoad) {
    this.months_ = direct?.readEdges ? new MonthCounts(direct.readEdges) : null;
    this.bin = direct?.binary && !direct.byMonth ? { buf: Buffer.allocUnsafeSlow(1 << 20), len: 0 } : null;
  }

  get binary(): boolean {
    return this.direct?.binary === true;
  }

  /** One record that starts on physical line `line` (the first one is the header). */
  parsed(record: string[], line: number): void {
    if (!this.sawHeader) {
      this.sawHeader = true;
      this.header(record, line);
      return;
    }
    this.rows++;
    if (this.headerOk) this.row(record, line);
  }

  /**
   * The COPY text collected so far when it has at least `min` characters (then forgotten), else ''; for a binary load
   * the bytes, in a buffer of their own (transferable to the main thread as it is).
   */
  take(min: number): string | Buffer {
    if (this.direct?.byMonth) return this.takeMonth(min);
    if (this.bin) {
      if (this.bin.len < min || this.bin.len === 0) return '';
      const out = Buffer.allocUnsafeSlow(this.bin.len);
      this.bin.buf.copy(out, 0, 0, this.bin.len);
      this.bin.len = 0;
      return out;
    }
    if (this.buf.length < min || this.buf.length === 0) return '';
    const out = this.buf;
    this.buf = '';
    return out;
  }

  /** Every chunk `take(min)` has to give now (a by-month load may have several; the end, `min` 0, takes all). */
  takeAll(min: number): (string | Buffer)[] {
    const out: (string | Buffer)[] = [];
    for (let c = this.take(min); c !== ''; c = this.direct?.byMonth ? this.take(min) : '') out.push(c);
    return out;
  }

  /**
   * A by-month load's next chunk (DirectLoad.byMonth): the month index, then the month's rows. With `min` 0 any month
   * with rows; else a month of MONTH_CHUNK bytes, or the largest when all hold MONTH_BUFFERED.
   */
  private takeMonth(min: number): Buffer | '' {
    let pick: number | undefined;
    let size = 0;
    for (const [month, b] of this.monthBins) {
      if (b.len === 0) continue;
      if (min === 0 || b.len >= MONTH_CHUNK) {
        pick = month;
        break;
      }
      if (this.monthBytes >= MONTH_BUFFERED && b.len > size) {
        pick = month;
        size = b.len;
      }
    }
    if (pick === undefined) return '';
    const b = this.monthBins.get(pick)!;
    const out = Buffer.allocUnsafeSlow(4 + b.len);
    out.writeInt32BE(pick, 0);
    b.buf.copy(out, 4, 0, b.len);
    this.monthBytes -= b.len;
    b.len = 0;
    return out;
  }

  /**
   * The file positions of the columns DirectBytes reads, once the header is read and valid (posts: platform, handle,
   * published_at, title, original, reads, content or -1; messages: platform, handle, received_at, replied_at or -1);
   * null when this load is not one DirectBytes reads.
   */
  private plainCols: { posts: boolean; cols: number[] } | null | undefined;
  /** DirectBytes: the previous row's platform and handle as bytes (`platform\0handle`) and the account they named. */
  private postKey = Buffer.alloc(512);
  private postKeyLen = -1;
  private postKeyId = 0;

  /**
   * One record of posts.csv or messages.csv read from its UTF-8 bytes `b[s, e)` (no newline), without decoding it —
   * what `parsed` + `row` do, for the records whose every cell is in the plainest form those accept unchanged: no
   * quote, carriage return or NUL on the line; as many cells as the header; no cell that trimming would change; a
   * platform and handle the column's own check returns as they are, of a known account; each instant as
   * `YYYY-MM-DD[T ]HH:MM:SS` with `+08:00` or no offset, valid (a reply not before its message); posts: a title of
   * 1–1,000 bytes, `true` or `false`, reads as 1–10 digits within int4, content empty or at most 100 KB. Anything else
   * returns false having changed nothing: the caller hands the line to the text reader, which accepts, converts or
   * reports it as it always has.
   */
  directBytes(b: Buffer, s: number, e: number): boolean {
    const direct = this.direct;
    if (!this.sawHeader) return false;
    if (this.plainCols === undefined) {
      const posts = ['platform', 'handle', 'published_at', 'title', 'original', 'reads', 'content'];
      const messages = ['platform', 'handle', 'received_at', 'replied_at'];
      const names = this.spec.name === 'posts.csv' ? posts : messages;
      const shape = this.spec.name === 'posts.csv' ? direct?.byMonth === true && direct.onMonth !== undefined
        : this.spec.name === 'messages.csv' && !direct?.byMonth && !direct?.onMonth;
      const fits = this.headerOk && direct?.binary === true && shape
        && this.spec.columns.length === names.length && this.spec.columns.every((c, i) => c.name === names[i]);
      this.plainCols = fits ? { posts: this.spec.name === 'posts.csv', cols: this.indexes.slice() } : null;
    }
    const plain = this.plainCols;
    if (!plain || !direct) return false;
    const cols = plain.cols;
    // Cell boundaries: starts[i], ends[i] for the file's cells.
    const width = this.width;
    const starts = this.cellStarts.length >= width ? this.cellStarts : (this.cellStarts = new Int32Array(width));
    const ends = this.cellEnds.length >= width ? this.cellEnds : (this.cellEnds = new Int32Array(width));
    let k = 0;
    let f = s;
    for (;;) {
      let c = f;
      for (; c < e; c++) {
        const x = b[c];
        if (x === 44) break;
        if (x === 34 || x === 13 || x === 0) return false; // a quote, a carriage return, a NUL: the text reader's
      }
      if (k >= width) return false;
      starts[k] = f;
      ends[k] = c;
      k++;
      if (c >= e) break;
      f = c + 1;
    }
    if (k !== width) return false;
    // platform and handle: the previous row's account while the bytes are the same.
    const ps = starts[cols[0]];
    const pe = ends[cols[0]];
    const hs = starts[cols[1]];
    const he = ends[cols[1]];
    if (pe - ps > 64 || he - hs > 200 || he <= hs) return false;
    let id: number;
    const keyLen = pe - ps + 1 + he - hs;
    if (keyLen === this.postKeyLen && sameBytes(b, ps, pe, this.postKey, 0) && sameBytes(b, hs, he, this.postKey, pe - ps + 1)) {
      id = this.postKeyId;
    } else {
      if (needsTrim(b, ps, pe) || needsTrim(b, hs, he)) return false;
      const platform = b.toString('utf8', ps, pe);
      const handle = b.toString('utf8', hs, he);
      if (this.spec.columns[0].parse(platform) !== platform || this.spec.columns[1].parse(handle) !== handle) return false;
      const found = direct.accounts.get(`${platform}\u0000${handle}`);
      if (found === undefined) return false;
      id = found;
      b.copy(this.postKey, 0, ps, pe);
      this.postKey[pe - ps] = 0;
      b.copy(this.postKey, pe - ps + 1, hs, he);
      this.postKeyLen = keyLen;
      this.postKeyId = id;
    }
    return plain.posts ? this.postRow(b, cols, starts, ends, id) : this.messageRow(b, cols, starts, ends, id);
  }

  /** directBytes for posts.csv, once the account is known. */
  private postRow(b: Buffer, cols: number[], starts: Int32Array, ends: Int32Array, id: number): boolean {
    const direct = this.direct!;
    // published_at: YYYY-MM-DD[T ]HH:MM:SS, then +08:00 or nothing; its Beijing month from the text.
    const ts = starts[cols[2]];
    const micros = plainMicros(b, ts, ends[cols[2]] - ts);
    if (Number.isNaN(micros)) return false;
    const y = digits(b, ts, 4);
    const mo = digits(b, ts + 5, 2);
    // title: 1–1,000 bytes (so at most 1,000 characters), nothing to trim.
    const tis = starts[cols[3]];
    const tie = ends[cols[3]];
    if (tie <= tis || tie - tis > 1000 || needsTrim(b, tis, tie)) return false;
    // original: true / false.
    const os = starts[cols[4]];
    const ol = ends[cols[4]] - os;
    let original: boolean;
    if (ol === 4 && b[os] === 116 && b[os + 1] === 114 && b[os + 2] === 117 && b[os + 3] === 101) original = true;
    else if (ol === 5 && b[os] === 102 && b[os + 1] === 97 && b[os + 2] === 108 && b[os + 3] === 115 && b[os + 4] === 101) original = false;
    else return false;
    // reads: 1–10 digits, at most 2,147,483,647.
    const rs = starts[cols[5]];
    const rl = ends[cols[5]] - rs;
    if (rl < 1 || rl > 10) return false;
    const reads = digits(b, rs, rl);
    if (reads < 0 || reads > 2147483647) return false;
    // content: absent or empty (NULL), else at most 100 KB with nothing to trim.
    let cs = 0;
    let ce = 0;
    if (cols[6] !== -1) {
      cs = starts[cols[6]];
      ce = ends[cols[6]];
      if (ce - cs > POST_CONTENT_MAX_BYTES || (ce > cs && needsTrim(b, cs, ce))) return false;
    }

    // Accepted: what `parsed` and `row` do with it.
    this.rows++;
    const canonical = () => `${b.toString('latin1', ts, ts + 10)} ${b.toString('latin1', ts + 11, ts + 19)}+08:00`;
    const r = this.latest.get(id);
    if (!r) this.latest.set(id, { n: 1, micros, at: canonical() });
    else {
      r.n++;
      if (micros > r.micros) {
        r.micros = micros;
        r.at = canonical();
      }
    }
    const monthIndex = y * 12 + mo - 1;
    if (monthIndex !== this.lastMonthIndex) {
      const month = `${b.toString('latin1', ts, ts + 7)}-01 00:00:00+08:00`;
      this.lastMonthIndex = monthIndex;
      if (!this.months.has(month)) {
        this.months.add(month);
        direct.onMonth!(month);
      }
    }
    this.months_?.add(id, monthIndex, original, reads, micros);
    // The tuple, as binaryRow writes it: id, account, published_at, title, original, reads, content.
    const room = 22 + 12 + 4 + (tie - tis) + 5 + 8 + 4 + (ce - cs);
    const target = this.binTarget(monthIndex, room);
    const out = target.buf;
    let o = target.len;
    out.writeInt16BE(7, o);
    out.writeInt32BE(8, o + 2);
    writeInt64(out, direct.firstId + this.staged, o + 6);
    out.writeInt32BE(4, o + 14);
    out.writeInt32BE(id, o + 18);
    out.writeInt32BE(8, o + 22);
    writeInt64(out, micros - PG_EPOCH_MICROS, o + 26);
    o += 34;
    out.writeInt32BE(tie - tis, o);
    copyBytes(b, tis, tie, out, o + 4);
    o += 4 + tie - tis;
    out.writeInt32BE(1, o);
    out[o + 4] = original ? 1 : 0;
    out.writeInt32BE(4, o + 5);
    out.writeInt32BE(reads, o + 9);
    o += 13;
    if (ce > cs) {
      out.writeInt32BE(ce - cs, o);
      copyBytes(b, cs, ce, out, o + 4);
      o += 4 + ce - cs;
    } else {
      out.writeInt32BE(-1, o);
      o += 4;
    }
    this.monthBytes += o - target.len;
    target.len = o;
    this.staged++;
    return true;
  }

  /** directBytes for messages.csv, once the account is known. */
  private messageRow(b: Buffer, cols: number[], starts: Int32Array, ends: Int32Array, id: number): boolean {
    const rs = starts[cols[2]];
    const received = plainMicros(b, rs, ends[cols[2]] - rs);
    if (Number.isNaN(received)) return false;
    let replied = NaN;
    if (cols[3] !== -1 && ends[cols[3]] > starts[cols[3]]) {
      const qs = starts[cols[3]];
      replied = plainMicros(b, qs, ends[cols[3]] - qs);
      if (Number.isNaN(replied) || replied < received) return false; // a reply before its message: the text reader reports it
    }
    // Accepted: what `parsed` and `row` do with it.
    this.rows++;
    if (!this.latest.has(id)) this.latest.set(id, { n: 0, micros: 0, at: '' });
    const target = this.binTarget(-1, 2 + 12 + 8 + 12 + 12);
    const out = target.buf;
    let o = target.len;
    out.writeInt16BE(4, o);
    out.writeInt32BE(8, o + 2);
    writeInt64(out, this.direct!.firstId + this.staged, o + 6);
    out.writeInt32BE(4, o + 14);
    out.writeInt32BE(id, o + 18);
    out.writeInt32BE(8, o + 22);
    writeInt64(out, received - PG_EPOCH_MICROS, o + 26);
    o += 34;
    if (Number.isNaN(replied)) {
      out.writeInt32BE(-1, o);
      o += 4;
    } else {
      out.writeInt32BE(8, o);
      writeInt64(out, replied - PG_EPOCH_MICROS, o + 4);
      o += 12;
    }
    target.len = o;
    this.staged++;
    return true;
  }

  private cellStarts = new Int32Array(0);
  private cellEnds = new Int32Array(0);

  private header(record: string[], line: number): void {
    const { spec, sink } = this;
    const names = record.map(headerName);
    const allowed = spec.columns.map((c) => c.name);
    let ok = true;
    const seen = new Map<string, number>();
    names.forEach((name, i) => {
      if (name === '') {
        sink.add(spec.name, line, `第${i + 1}列`, '表头中有空列名');
        ok = false;
      } else if (!allowed.includes(name)) {
        sink.add(spec.name, line, record[i].trim(), `未知的列；${spec.name} 允许的列：${allowed.join(',')}`);
        ok = false;
      } else if (seen.has(name)) {
        sink.add(spec.name, line, name, `列名重复（第 ${seen.get(name)! + 1} 列与第 ${i + 1} 列）`);
        ok = false;
      } else seen.set(name, i);
    });
    for (const c of spec.columns) {
      if (c.headerRequired && !seen.has(c.name)) {
        sink.add(spec.name, line, c.name, '缺少必需的列');
        ok = false;
      }
    }
    this.headerOk = ok;
    this.width = record.length;
    this.indexes = spec.columns.map((c) => seen.get(c.name) ?? -1);
    this.present = new Set(seen.keys());
  }

  private row(record: string[], line: number): void {
    const { spec, sink } = this;
    if (record.length !== this.width) {
      sink.add(spec.name, line, '-', `本行有 ${record.length} 列，表头有 ${this.width} 列`);
      return;
    }
    const cols = spec.columns;
    const values: (string | null)[] = new Array(cols.length);
    let keyBad = false;
    for (let i = 0; i < cols.length; i++) {
      const idx = this.indexes[i];
      if (idx === -1) {
        values[i] = null;
        continue;
      }
      const v = cols[i].parse(record[idx].trim());
      if (v instanceof Invalid) {
        sink.add(spec.name, line, cols[i].name, v.message);
        if (cols[i].key) keyBad = true;
        values[i] = null;
      } else values[i] = v;
    }
    spec.rowCheck?.(values, (column, message) => sink.add(spec.name, line, column, message));
    if (keyBad) return;
    const direct = this.direct;
    if (direct) {
      // platform and handle (the first two columns of posts and messages) → the account's id; a file lists an
      // account's rows together, so the previous row's answer is reused while the account stays the same.
      let id: number | undefined;
      if (values[0] === this.lastPlatform && values[1] === this.lastHandle) id = this.lastId;
      else {
        id = direct.accounts.get(`${values[0]}\u0000${values[1]}`);
        this.lastPlatform = values[0];
        this.lastHandle = values[1];
        this.lastId = id;
      }
      if (id === undefined) {
        sink.add(spec.name, line, 'handle', `账号 ${values[0]}:${values[1]} 不存在（既不在 accounts.csv 中，也不在数据库中）`);
        return;
      }
      let micros: number | undefined;
      if (direct.onMonth) {
        // Posts: each account's count and latest post (accounts.post_count / last_post_at of an empty table's load).
        const at = values[2]!;
        micros = fastMicros(at);
        const r = this.latest.get(id);
        if (!r) this.latest.set(id, { n: 1, micros, at });
        else {
          r.n++;
          if (micros > r.micros) {
            r.micros = micros;
            r.at = at;
          }
        }
        // The month (Beijing time) as year × 12 + month - 1: read from the text when it is in +08:00, else computed.
        const mi = at.length === 25 && at.endsWith('+08:00') ? monthIndexOf(at) : -1;
        let monthIndex = this.lastMonthIndex;
        if (mi === -1 || mi !== monthIndex) {
          const month = monthOf(at);
          monthIndex = monthIndexOf(month);
          this.lastMonthIndex = monthIndex;
          if (!this.months.has(month)) {
            this.months.add(month);
            direct.onMonth(month);
          }
        }
        this.months_?.add(id, monthIndex, values[4] === 't', Number(values[5]), micros);
      }
      else this.latest.set(id, { n: 0, micros: 0, at: '' });
      if (this.bin || direct.byMonth) {
        this.binaryRow(direct.firstId + this.staged, id, values, micros, direct.byMonth ? this.lastMonthIndex : -1);
        this.staged++;
        return;
      }
      let out = `${direct.firstId + this.staged}\t${id}`;
      for (let i = 2; i < values.length; i++) {
        const v = values[i];
        out += v === null ? '\t\\N' : `\t${v}`;
      }
      this.buf += `${out}\n`;
      this.staged++;
      return;
    }
    let out = String(line);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out += v === null ? '\t\\N' : `\t${v}`;
    }
    this.buf += `${out}\n`;
    this.staged++;
  }

  /** Where the next tuple of at most `room` bytes goes: the month's buffer (a by-month load), else the one buffer. */
  private binTarget(month: number, room: number): { buf: Buffer; len: number } {
    let bin = this.bin;
    if (month !== -1) {
      bin = this.monthBins.get(month) ?? null;
      if (!bin) this.monthBins.set(month, bin = { buf: Buffer.allocUnsafeSlow(1 << 18), len: 0 });
    }
    const target = bin!;
    const want = target.len + room;
    if (want > target.buf.length) {
      // A month's buffer grows to a chunk (it is handed over once the current input chunk is read); past that, by half
      // again at least — growing by one row at a time copied the whole 2 MB buffer for each further row of that month
      // (a fifth of the posts parse). Memory: per month, a chunk plus what one input chunk adds.
      const cap = month === -1 ? Infinity : MONTH_CHUNK + room;
      const size = want <= cap ? Math.max(Math.min(target.buf.length * 2, cap), want) : Math.max(want, Math.floor(target.buf.length * 1.5));
      const grown = Buffer.allocUnsafeSlow(size);
      target.buf.copy(grown, 0, 0, target.len);
      target.buf = grown;
    }
    return target;
  }

  /**
   * One tuple of a binary direct load: `id` (int8), `account` (int4), then the file's columns after platform and handle
   * by their SQL type. `firstMicros`: the first of them (posts' published_at) as microseconds, already computed.
   */
  private binaryRow(rowId: number, account: number, values: (string | null)[], firstMicros: number | undefined, month: number): void {
    const cols = this.spec.columns;
    // The most this tuple can take: a UTF-16 code unit is at most 3 bytes of UTF-8.
    let room = 2 + 12 + 8;
    for (let i = 2; i < values.length; i++) room += 4 + (cols[i].sqlType === 'text' && values[i] !== null ? values[i]!.length * 3 : 8);
    const target = this.binTarget(month, room);
    const b = target.buf;
    const start = target.len;
    let o = start;
    b.writeInt16BE(values.length, o);
    b.writeInt32BE(8, o + 2);
    writeInt64(b, rowId, o + 6);
    b.writeInt32BE(4, o + 14);
    b.writeInt32BE(account, o + 18);
    o += 22;
    for (let i = 2; i < values.length; i++) {
      const v = values[i];
      if (v === null) {
        b.writeInt32BE(-1, o);
        o += 4;
        continue;
      }
      switch (cols[i].sqlType) {
        case 'text': {
          const n = b.write(copyUnescape(v), o + 4, 'utf8');
          b.writeInt32BE(n, o);
          o += 4 + n;
          break;
        }
        case 'timestamptz':
          b.writeInt32BE(8, o);
          writeInt64(b, (i === 2 && firstMicros !== undefined ? firstMicros : fastMicros(v)) - PG_EPOCH_MICROS, o + 4);
          o += 12;
          break;
        case 'int':
          b.writeInt32BE(4, o);
          b.writeInt32BE(Number(v), o + 4);
          o += 8;
          break;
        case 'boolean':
          b.writeInt32BE(1, o);
          b[o + 4] = v === 't' ? 1 : 0;
          o += 5;
          break;
        default:
          // No direct load has another type (posts, messages); a new one needs its encoding here.
          throw new Error(`binary COPY: no encoding for ${cols[i].sqlType} (${this.spec.name} ${cols[i].name})`);
      }
    }
    target.len = o;
    if (month !== -1) this.monthBytes += o - start;
  }
}
