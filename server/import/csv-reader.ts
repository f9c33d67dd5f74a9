import { Transform, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse, type CsvError, type Info } from 'csv-parse';
import { Invalid, type FileSpec } from './csv-schema';

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

/** Pipes `source` (bytes from disk, or text) through validation into `target` (a COPY ... FROM STDIN stream). */
export async function readCsvInto(spec: FileSpec, source: Readable, target: Writable, sink: ProblemSink): Promise<ReadOutcome> {
  const file = spec.name;
  const rows = new RowsToCopy(spec, sink);
  const parser = parse({
    info: true,
    record_delimiter: '\n',
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      if (err) sink.add(file, Number(err.lines) || 0, '-', csvErrorMessage(err));
      return undefined;
    },
  });
  let badEncoding = false;
  const text = new Utf8Text((line) => {
    badEncoding = true;
    sink.add(file, line, '-', '文件不是 UTF-8 编码（可能是 GBK/GB18030），请另存为 UTF-8 后再导入');
  });
  await pipeline(source, text, parser, rows, target);
  if (!rows.sawHeader && !badEncoding) sink.add(file, 1, '-', '文件为空：缺少表头行');
  return { rows: rows.rows, staged: rows.staged, present: rows.present, headerOk: rows.headerOk };
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
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private first = true;
  private pendingCR = false;
  private failed = false;
  private newlines = 0;

  constructor(private readonly onBadEncoding: (line: number) => void) {
    super({ decodeStrings: false, encoding: 'utf8' });
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

/** csv-parse records → COPY text rows (`line`, then every spec column; absent columns are NULL). */
class RowsToCopy extends Transform {
  rows = 0;
  staged = 0;
  sawHeader = false;
  headerOk = false;
  present = new Set<string>();
  private indexes: number[] = [];
  private width = 0;
  private buf = '';

  constructor(private readonly spec: FileSpec, private readonly sink: ProblemSink) {
    super({ writableObjectMode: true, readableObjectMode: false, decodeStrings: false });
  }

  override _transform(item: { record: string[]; info: Info }, _enc: BufferEncoding, cb: TransformCallback): void {
    const { record, info } = item;
    let nl = 0;
    for (const f of record) if (f.indexOf('\n') !== -1) nl += f.split('\n').length - 1;
    const line = info.lines - nl;
    if (!this.sawHeader) {
      this.sawHeader = true;
      this.header(record, line);
      return cb();
    }
    this.rows++;
    if (this.headerOk) this.row(record, line);
    if (this.buf.length >= 1 << 16) {
      const out = this.buf;
      this.buf = '';
      return cb(null, out);
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    cb(null, this.buf || undefined);
  }

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
    let out = String(line);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out += v === null ? '\t\\N' : `\t${v}`;
    }
    this.buf += `${out}\n`;
    this.staged++;
  }
}
