import { AccountStatus, AccountType, FilingStatus, Level, Platform, UnitKind } from '../common/enums';

/**
 * The CSV import format: which files exist, their columns, and how each cell is checked and converted.
 * Every converter returns the value in PostgreSQL COPY text form (already escaped), `null` for an empty cell,
 * or an `Invalid` carrying the Chinese reason. Documented for users in the README ("导入格式").
 */

export class Invalid {
  constructor(readonly message: string) {}
}

export type CellValue = string | null | Invalid;

export interface ColumnSpec {
  name: string;
  /** SQL type of the staging column. */
  sqlType: 'text' | 'int' | 'boolean' | 'date' | 'timestamptz';
  /** The header must contain this column. Optional columns, when absent, leave stored values alone. */
  headerRequired: boolean;
  /** Part of the file's natural key: a row whose key does not parse is not staged at all. */
  key?: boolean;
  /** Converts a trimmed cell. */
  parse(raw: string): CellValue;
}

export interface FileSpec {
  name: FileName;
  /** Staging table (TEMP, dropped at the end of the transaction). */
  stage: string;
  label: string;
  columns: ColumnSpec[];
  /** Checks between cells of one row (after each cell parsed); `values` is indexed like `columns`. */
  rowCheck?(values: (string | null)[], report: (column: string, message: string) => void): void;
}

export const FILE_NAMES = ['units.csv', 'accounts.csv', 'services.csv', 'posts.csv', 'messages.csv'] as const;
export type FileName = (typeof FILE_NAMES)[number];

export function isFileName(name: string): name is FileName {
  return (FILE_NAMES as readonly string[]).includes(name);
}

// ---------------------------------------------------------------------------------------------------------------
// Cell converters

const INT_MAX = 2147483647;

/** COPY text format escaping (backslash, tab, newline, carriage return). */
export function copyEscape(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : s;
}

function charLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--; // surrogate pair counts once
  }
  return n;
}

function text(max: number, required: boolean, pattern?: { re: RegExp; message: string }) {
  return (raw: string): CellValue => {
    if (raw === '') return required ? new Invalid('不能为空') : null;
    if (raw.length > max && charLength(raw) > max) return new Invalid(`过长：${charLength(raw)} 个字符，最多 ${max} 个`);
    if (raw.includes('\u0000')) return new Invalid('包含非法字符（NUL）');
    if (pattern && !pattern.re.test(raw)) return new Invalid(pattern.message);
    return copyEscape(raw);
  };
}

function enumOf(what: string, values: Record<string, string>, required = true) {
  const allowed = Object.values(values);
  const set = new Set(allowed);
  return (raw: string): CellValue => {
    if (raw === '') return required ? new Invalid(`不能为空，可选值：${allowed.join('、')}`) : null;
    const v = set.has(raw) ? raw : raw.toLowerCase();
    if (!set.has(v)) return new Invalid(`“${raw}”不是有效的${what}，可选值：${allowed.join('、')}`);
    return v;
  };
}

const TRUE = new Set(['true', 'yes', '是']);
const FALSE = new Set(['false', 'no', '否']);

function bool(fallback: boolean | null) {
  return (raw: string): CellValue => {
    if (raw === '') return fallback === null ? new Invalid('不能为空，应为 true/false、yes/no 或 是/否') : fallback ? 't' : 'f';
    if (raw === 'true') return 't';
    if (raw === 'false') return 'f';
    const v = raw.toLowerCase();
    if (TRUE.has(v)) return 't';
    if (FALSE.has(v)) return 'f';
    return new Invalid(`“${raw}”不是有效的是/否值，应为 true/false、yes/no 或 是/否`);
  };
}

function nonNegativeInt(fallback: number | null) {
  return (raw: string): CellValue => {
    if (raw === '') return fallback === null ? new Invalid('不能为空，应为非负整数') : String(fallback);
    if (/^\d+$/.test(raw)) {
      const n = Number(raw);
      return n > INT_MAX ? new Invalid(`数值过大：${raw}，最大 ${INT_MAX}`) : String(n);
    }
    if (/^-\s*\d+(\.\d+)?$/.test(raw)) return new Invalid(`不能为负数：${raw}`);
    return new Invalid(`“${raw}”不是有效的整数`);
  };
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
// Asia/Shanghai (the default) is a fixed +08:00 since 1991 (no daylight saving time).

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validYmd(y: number, m: number, d: number): string | null {
  if (y < MIN_YEAR || y > MAX_YEAR) return `年份 ${y} 超出范围（${MIN_YEAR}–${MAX_YEAR}）`;
  if (m < 1 || m > 12) return `月份 ${m} 无效`;
  const days = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : DAYS_IN_MONTH[m - 1];
  if (d < 1 || d > days) return `${y} 年 ${m} 月没有 ${d} 日`;
  return null;
}

function date(required: boolean) {
  return (raw: string): CellValue => {
    if (raw === '') return required ? new Invalid('不能为空，格式如 2024-06-30') : null;
    const m = DATE_RE.exec(raw);
    if (!m) return new Invalid(`“${raw}”不是有效的日期，格式应为 YYYY-MM-DD（如 2024-06-30）`);
    const problem = validYmd(Number(m[1]), Number(m[2]), Number(m[3]));
    return problem ? new Invalid(`日期“${raw}”无效：${problem}`) : raw;
  };
}

/**
 * ISO 8601 date or date-time. Without an offset the time is Asia/Shanghai (+08:00); a bare date is midnight there.
 * Output: `YYYY-MM-DD HH:MM:SS[.ffffff]±HH:MM`, always with an explicit offset, which PostgreSQL reads exactly.
 */
export function parseTimestamp(raw: string): string | Invalid {
  const fast = raw.length === 25 || raw.length === 19 ? plainTimestamp(raw) : null;
  if (fast !== null) return fast;
  const m = TIMESTAMP_RE.exec(raw);
  if (!m) return new Invalid(`“${raw}”不是有效的时间，格式应为 ISO 8601（如 2024-06-30、2024-06-30T09:30:00 或 2024-06-30T09:30:00+08:00）`);
  const problem = validYmd(Number(m[1]), Number(m[2]), Number(m[3]));
  if (problem) return new Invalid(`时间“${raw}”无效：${problem}`);
  const h = m[4] ?? '00';
  const mi = m[5] ?? '00';
  const s = m[6] ?? '00';
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return new Invalid(`时间“${raw}”无效：时、分、秒超出范围`);
  let offset = '+08:00';
  const z = m[8];
  if (z === 'Z' || z === 'z') offset = '+00:00';
  else if (z) {
    const digits = z.slice(1).replace(':', '');
    const oh = digits.slice(0, 2);
    const om = digits.length > 2 ? digits.slice(2, 4) : '00';
    if (Number(oh) > 14 || Number(om) > 59) return new Invalid(`时间“${raw}”的时区偏移无效`);
    offset = `${z[0]}${oh}:${om}`;
  }
  return `${m[1]}-${m[2]}-${m[3]} ${h}:${mi}:${s}${m[7] ? `.${m[7]}` : ''}${offset}`;
}

/**
 * The common shapes `YYYY-MM-DDTHH:MM:SS` and `YYYY-MM-DDTHH:MM:SS±HH:MM` (`T` or a space), valid, read without the
 * regular expression: the same result as the general path below; anything else (or anything invalid, for its
 * message) → null, and the general path decides.
 */
function plainTimestamp(raw: string): string | null {
  const d = (i: number) => {
    const c = raw.charCodeAt(i) - 48;
    return c >= 0 && c <= 9 ? c : -100_000;
  };
  const sep = raw.charCodeAt(10);
  if (raw.charCodeAt(4) !== 45 || raw.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 32) || raw.charCodeAt(13) !== 58 || raw.charCodeAt(16) !== 58) return null;
  const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
  const mo = d(5) * 10 + d(6);
  const day = d(8) * 10 + d(9);
  const h = d(11) * 10 + d(12);
  const mi = d(14) * 10 + d(15);
  const s = d(17) * 10 + d(18);
  if (y < 0 || mo < 0 || day < 0 || h < 0 || mi < 0 || s < 0 || h > 23 || mi > 59 || s > 59 || validYmd(y, mo, day) !== null) return null;
  const local = `${raw.slice(0, 10)} ${raw.slice(11, 19)}`;
  if (raw.length === 19) return `${local}+08:00`;
  const z = raw.charCodeAt(19);
  if ((z !== 43 && z !== 45) || raw.charCodeAt(22) !== 58) return null;
  const oh = d(20) * 10 + d(21);
  const om = d(23) * 10 + d(24);
  if (oh < 0 || om < 0 || oh > 14 || om > 59) return null;
  return `${local}${raw.slice(19)}`;
}

/** Microseconds since the epoch of a `parseTimestamp` result (for comparisons inside one row). */
export function timestampMicros(canonical: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?([+-])(\d{2}):(\d{2})$/.exec(canonical)!;
  const local = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offsetMs = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60_000;
  return (local - offsetMs) * 1000 + Number((m[7] ?? '').padEnd(6, '0'));
}

function timestamp(required: boolean) {
  return (raw: string): CellValue => {
    if (raw === '') return required ? new Invalid('不能为空，格式如 2024-06-30T09:30:00+08:00') : null;
    return parseTimestamp(raw);
  };
}

/** The text of a post: optional, UTF-8, at most 100 KB (102,400 bytes, the column's check constraint). */
export const POST_CONTENT_MAX_BYTES = 102_400;

function postContent(raw: string): CellValue {
  if (raw === '') return null;
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > POST_CONTENT_MAX_BYTES) return new Invalid(`正文过长：${Math.ceil(bytes / 1024)} KB，最多 100 KB`);
  if (raw.includes('\u0000')) return new Invalid('包含非法字符（NUL）');
  return copyEscape(raw);
}

// ---------------------------------------------------------------------------------------------------------------
// Files

const col = (name: string, sqlType: ColumnSpec['sqlType'], headerRequired: boolean, parse: ColumnSpec['parse'], key = false): ColumnSpec =>
  ({ name, sqlType, headerRequired, parse, key });

const CODE = { re: /^[^\s\p{C}]+$/u, message: '不能包含空格或控制字符' };
const REGION = { re: /^\d{1,12}$/, message: '应为行政区划代码（1–12 位数字，如 35、3501、350102）' };

const platform = () => col('platform', 'text', true, enumOf('平台', Platform), true);
const handle = () => col('handle', 'text', true, text(200, true), true);

export const FILE_SPECS: Record<FileName, FileSpec> = {
  'units.csv': {
    name: 'units.csv',
    stage: '_imp_units',
    label: '单位',
    columns: [
      col('code', 'text', true, text(64, true, CODE), true),
      col('name', 'text', true, text(200, true)),
      col('kind', 'text', true, enumOf('单位类型', UnitKind)),
      col('level', 'text', true, enumOf('层级', Level)),
      col('parent_code', 'text', false, text(64, false, CODE)),
      col('region_code', 'text', false, text(12, false, REGION)),
      col('supervisor_code', 'text', false, text(64, false, CODE)),
    ],
  },
  'accounts.csv': {
    name: 'accounts.csv',
    stage: '_imp_accounts',
    label: '账号',
    columns: [
      platform(),
      handle(),
      col('name', 'text', true, text(200, true)),
      col('unit_code', 'text', true, text(64, true, CODE)),
      col('type', 'text', true, enumOf('账号类型', AccountType)),
      col('status', 'text', true, enumOf('账号状态', AccountStatus)),
      col('filing_no', 'text', false, text(100, false)),
      col('opened_on', 'date', false, date(false)),
      col('followers', 'int', false, nonNegativeInt(0)),
      col('interaction_enabled', 'boolean', false, bool(true)),
      col('is_main', 'boolean', false, bool(false)),
      col('closed_on', 'date', false, date(false)),
      col('filing_status', 'text', false, enumOf('备案状态', FilingStatus, false)),
      col('filing_changed_on', 'date', false, date(false)),
    ],
  },
  'services.csv': {
    name: 'services.csv',
    stage: '_imp_services',
    label: '办事服务',
    columns: [platform(), handle(), col('name', 'text', true, text(200, true), true), col('category', 'text', false, text(100, false))],
  },
  'posts.csv': {
    name: 'posts.csv',
    stage: '_imp_posts',
    label: '发布内容',
    columns: [
      platform(),
      handle(),
      col('published_at', 'timestamptz', true, timestamp(true), true),
      col('title', 'text', true, text(1000, true), true),
      col('original', 'boolean', true, bool(null)),
      col('reads', 'int', true, nonNegativeInt(null)),
      col('content', 'text', false, postContent),
    ],
  },
  'messages.csv': {
    name: 'messages.csv',
    stage: '_imp_messages',
    label: '留言',
    columns: [platform(), handle(), col('received_at', 'timestamptz', true, timestamp(true), true), col('replied_at', 'timestamptz', false, timestamp(false))],
    rowCheck(values, report) {
      const [, , received, replied] = values;
      if (received && replied && timestampMicros(replied) < timestampMicros(received)) report('replied_at', '回复时间早于收到时间');
    },
  },
};
