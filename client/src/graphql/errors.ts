import { CombinedGraphQLErrors } from '@apollo/client';
import type { Locale } from '../lib/format';
import { hasMessage, translate, type MessageKey, type Vars } from '../i18n';

export interface ProblemDetail {
  field: string;
  message: string;
}

export interface UiError {
  /** The message to show, in the UI language. */
  message: string;
  /** The server's code (BAD_USER_INPUT, NOT_FOUND, …) or NETWORK. */
  code: string;
  /** Field problems the server listed (`extensions.details`). */
  details: ProblemDetail[];
}

/**
 * The server writes "中文说明 (english)". Show the Chinese part in Chinese, the English part in English; a message
 * without that shape is shown as it is.
 */
export function localizeServerMessage(message: string, locale: Locale): string {
  const m = /^([\s\S]*?)\s*\(([^()]*)\)\s*$/.exec(message);
  if (!m || !m[1] || !/^[\x20-\x7e]+$/.test(m[2]) || !/[\u4e00-\u9fff]/.test(m[1])) return message;
  return locale === 'en' ? m[2] : m[1];
}

/**
 * The kernel's catalogue errors carry `extensions.messageKey` and `params`: rendered from the client's own
 * `serverError.<key>` messages in the chosen language (null when the key is unknown here: the message is used).
 */
export function catalogueMessage(extensions: Record<string, unknown> | undefined, locale: Locale): string | null {
  const retry = extensions?.retryAfterSeconds;
  if (extensions?.code === 'TOO_MANY_ATTEMPTS' && typeof retry === 'number') {
    return translate(locale, 'serverError.tooManyAttempts', { minutes: Math.max(1, Math.ceil(retry / 60)) });
  }
  const key = extensions?.messageKey;
  if (typeof key !== 'string') return null;
  const full = `serverError.${key}`;
  if (!hasMessage(full)) return null;
  const params = (extensions?.params && typeof extensions.params === 'object' ? extensions.params : {}) as Vars;
  return translate(locale, full as MessageKey, params);
}

export function toUiError(error: unknown, locale: Locale, networkMessage: string): UiError {
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const details = error.errors.flatMap((e) => {
      const d = e.extensions?.details;
      return Array.isArray(d) ? (d as ProblemDetail[]).filter((x) => x && typeof x.message === 'string') : [];
    });
    return {
      message: [...new Set(error.errors.map((e) => catalogueMessage(e.extensions, locale) ?? localizeServerMessage(e.message, locale)))].join('；'),
      code: String(first?.extensions?.code ?? 'ERROR'),
      details,
    };
  }
  return { message: networkMessage, code: 'NETWORK', details: [] };
}
