import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { zhCN, type MessageKey } from './zh-CN';
import { en } from './en';
import { formatCount, formatDate, formatDateTime, formatPercent, type Locale } from '../lib/format';

export type { MessageKey } from './zh-CN';
export type { Locale } from '../lib/format';

const MESSAGES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'mp.locale';

export type Vars = Record<string, string | number | null | undefined>;

/** Replaces `{name}` placeholders; unknown placeholders stay visible so a missing value is noticed. */
export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (vars[name] === undefined || vars[name] === null ? whole : String(vars[name])));
}

/** Whether a key (built at run time) has a message. */
export function hasMessage(key: string): key is MessageKey {
  return key in zhCN;
}

export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  return interpolate(MESSAGES[locale][key] ?? zhCN[key] ?? key, vars);
}

export interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, vars?: Vars): string;
  /** t() for keys built at run time (enum values): falls back to the raw value when there is no message. */
  tx(prefix: string, value: string | null | undefined): string;
  count(n: number | null | undefined): string;
  date(value: string | Date | null | undefined): string;
  dateTime(value: string | Date | null | undefined): string;
  percent(ratio: number | null | undefined): string;
}

function makeI18n(locale: Locale, setLocale: (l: Locale) => void): I18n {
  return {
    locale,
    setLocale,
    t: (key, vars) => translate(locale, key, vars),
    tx: (prefix, value) => {
      if (value === null || value === undefined) return '—';
      const key = `${prefix}.${value}` as MessageKey;
      return key in MESSAGES[locale] ? MESSAGES[locale][key] : value;
    },
    count: (n) => formatCount(n, locale),
    date: (v) => formatDate(v, locale),
    dateTime: (v) => formatDateTime(v, locale),
    percent: (r) => formatPercent(r),
  };
}

const I18nContext = createContext<I18n>(makeI18n('zh-CN', () => undefined));

function initialLocale(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [locale, setState] = useState<Locale>(fixed ?? initialLocale);
  const setLocale = useCallback((l: Locale) => {
    setState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    document.documentElement.lang = l;
  }, []);
  const value = useMemo(() => makeI18n(locale, setLocale), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
