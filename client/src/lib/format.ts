/**
 * Numbers and dates the way Chinese civil servants read them: 12.3万, 1.2亿, 2024年6月30日, 97.92%.
 * Pure functions of (value, locale) so components and tests share them. Dates are shown in Asia/Shanghai, the
 * time zone every rule of the domain is judged in.
 */
export type Locale = 'zh-CN' | 'en';

export const TIME_ZONE = 'Asia/Shanghai';

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** 9,876 · 1.2万 · 12.3万 · 1.2亿 (zh); 9,876 · 12,300 · 1.2M (en). Negative numbers keep their sign. */
export function formatCount(n: number | null | undefined, locale: Locale = 'zh-CN'): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  if (locale === 'zh-CN') {
    if (a >= 1e8) return `${sign}${trimZeros((a / 1e8).toFixed(a >= 1e10 ? 0 : 1))}亿`;
    if (a >= 1e4) {
      const wan = a / 1e4;
      // 99,960 would round to "10000.0万": switch to 亿 only at 1e8, but never print more than one decimal.
      return `${sign}${trimZeros(wan.toFixed(wan >= 1000 ? 0 : 1))}万`;
    }
    return sign + Math.round(a).toLocaleString('en-US');
  }
  if (a >= 1e9) return `${sign}${trimZeros((a / 1e9).toFixed(1))}B`;
  if (a >= 1e6) return `${sign}${trimZeros((a / 1e6).toFixed(1))}M`;
  return sign + Math.round(a).toLocaleString('en-US');
}

/** 0.9792 → "97.92%"; null → "—". */
export function formatPercent(ratio: number | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return '—';
  return `${trimZeros((ratio * 100).toFixed(digits))}%`;
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
});

/** Calendar parts of a value: `YYYY-MM-DD` (a LocalDate) is taken as is; anything else as an instant in Shanghai. */
export function dateParts(value: string | Date): Parts | null {
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) return { year: +m[1], month: +m[2], day: +m[3], hour: 0, minute: 0, second: 0 };
  }
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return null;
  const p: Record<string, number> = {};
  for (const part of partsFormatter.formatToParts(d)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2024年6月30日" (zh) · "30 Jun 2024" (en). */
export function formatDate(value: string | Date | null | undefined, locale: Locale = 'zh-CN'): string {
  if (value === null || value === undefined || value === '') return '—';
  const p = dateParts(value);
  if (!p) return '—';
  return locale === 'zh-CN' ? `${p.year}年${p.month}月${p.day}日` : `${p.day} ${EN_MONTHS[p.month - 1]} ${p.year}`;
}

/** "2024年6月30日 09:05" (zh) · "30 Jun 2024 09:05" (en). */
export function formatDateTime(value: string | Date | null | undefined, locale: Locale = 'zh-CN'): string {
  if (value === null || value === undefined || value === '') return '—';
  const p = dateParts(value);
  if (!p) return '—';
  const hm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  return `${formatDate(value, locale)} ${hm}`;
}

/** "2024年6月30日 09:05:07" (zh) · "30 Jun 2024 09:05:07" (en), Beijing time: the audit trail's precision. */
export function formatDateTimeSeconds(value: string | Date | null | undefined, locale: Locale = 'zh-CN'): string {
  if (value === null || value === undefined || value === '') return '—';
  const p = dateParts(value);
  if (!p) return '—';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${formatDate(value, locale)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** "6月30日" — for chart axes. */
export function formatMonthDay(value: string | Date, locale: Locale = 'zh-CN'): string {
  const p = dateParts(value);
  if (!p) return '';
  return locale === 'zh-CN' ? `${p.month}月${p.day}日` : `${p.day} ${EN_MONTHS[p.month - 1]}`;
}
