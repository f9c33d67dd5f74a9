import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Locale as AntdLocale } from 'antd/es/locale';
import { zhCN, type MessageKey } from './zh-CN';
import { formatCount, formatDate, formatDateTime, formatPercent, type Locale } from '../lib/format';

export type { MessageKey } from './zh-CN';
export type { Locale } from '../lib/format';

/**
 * Chinese is in the first chunk; English is its own chunk (with antd's English locale), loaded when chosen — most
 * users never download it. Until it is there, a message falls back to Chinese.
 */
const MESSAGES: Partial<Record<Locale, Record<MessageKey, string>>> = { 'zh-CN': zhCN };
let english: Promise<void> | null = null;
let antdEnglish: AntdLocale | undefined;

/** antd's own English texts (pagination, pickers …), loaded with the English messages. */
export function antdEnglishLocale(): AntdLocale | undefined {
  return antdEnglish;
}

/** Makes a language's messages available (English: loads its chunk once). */
export function loadLocale(locale: Locale): Promise<void> {
  if (MESSAGES[locale]) return Promise.resolve();
  english ??= Promise.all([import('./en'), import('antd/locale/en_US')]).then(([m, a]) => {
    antdEnglish = a.default;
    MESSAGES.en = m.en;
  });
  return english;
}

/** For tests: registers messages synchronously. */
export function registerMessages(locale: Locale, messages: Record<MessageKey, string>): void {
  MESSAGES[locale] = messages;
}
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
  return interpolate(MESSAGES[locale]?.[key] ?? zhCN[key] ?? key, vars);
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
      const messages = MESSAGES[locale] ?? zhCN;
      return key in messages ? messages[key] : value;
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
  // The language shown: the chosen one once its messages are here (English: after its chunk loads), else the previous.
  const [shown, setShown] = useState<Locale>(() => (MESSAGES[locale] ? locale : 'zh-CN'));
  useEffect(() => {
    let live = true;
    void loadLocale(locale).then(() => { if (live) setShown(locale); });
    return () => { live = false; };
  }, [locale]);
  const value = useMemo(() => makeI18n(shown, setLocale), [shown, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
