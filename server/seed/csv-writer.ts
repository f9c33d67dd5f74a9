import fs from 'node:fs';
import { once } from 'node:events';

/**
 * Streamed CSV output: rows are appended to a string buffer and written in ~256 KB chunks; `drain()` waits when
 * the file stream pushes back, so memory stays bounded however many rows are written.
 */
export class CsvFile {
  rows = 0;
  private buf: string;
  private blocked = false;
  private readonly stream: fs.WriteStream;

  constructor(readonly path: string, header: readonly string[]) {
    this.stream = fs.createWriteStream(path, { highWaterMark: 1 << 20 });
    this.buf = `${header.join(',')}\n`;
  }

  /** Appends one already-formatted line (fields joined by commas, each escaped with `csvField` where needed). */
  line(s: string): void {
    this.buf += s;
    this.buf += '\n';
    this.rows++;
    if (this.buf.length > 1 << 18) this.flush();
  }

  private flush(): void {
    if (!this.buf) return;
    if (!this.stream.write(this.buf)) this.blocked = true;
    this.buf = '';
  }

  async drain(): Promise<void> {
    if (this.blocked) {
      this.blocked = false;
      await once(this.stream, 'drain');
    }
  }

  async close(): Promise<void> {
    this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** RFC 4180 quoting, only when needed. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const DAY_MS = 86_400_000;
const SHANGHAI_MS = 8 * 3_600_000;

/** Day number (days since 1970-01-01) of a moment, in Asia/Shanghai. */
export function shanghaiDay(ms: number): number {
  return Math.floor((ms + SHANGHAI_MS) / DAY_MS);
}

/** The moment a Shanghai day starts (00:00 +08:00). */
export function dayStartMs(day: number): number {
  return day * DAY_MS - SHANGHAI_MS;
}

const dayCache = new Map<number, string>();
/** `YYYY-MM-DD` of a Shanghai day number. */
export function dayString(day: number): string {
  let s = dayCache.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dayCache.size > 20000) dayCache.clear();
    dayCache.set(day, s);
  }
  return s;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `YYYY-MM-DDTHH:MM:SS+08:00` for a day number and the second of that (Shanghai) day. */
export function timestampString(day: number, second: number): string {
  const h = Math.floor(second / 3600);
  const m = Math.floor((second % 3600) / 60);
  return `${dayString(day)}T${two(h)}:${two(m)}:${two(second % 60)}+08:00`;
}
