import { describe, expect, it } from 'vitest';
import { CombinedGraphQLErrors } from '@apollo/client';
import { catalogueMessage, toUiError } from './errors';
import { registerMessages } from '../i18n';
import { en } from '../i18n/en';

registerMessages('en', en);

describe('server errors in the chosen language', () => {
  const readOnly = { code: 'FORBIDDEN', messageKey: 'auth.readOnly', params: {} };
  it('renders a catalogue key with its parameters in Chinese and in English', () => {
    expect(catalogueMessage({ code: 'BAD_USER_INPUT', messageKey: 'input.region', params: { code: '99' } }, 'zh-CN')).toBe('未找到行政区划 99');
    expect(catalogueMessage({ code: 'BAD_USER_INPUT', messageKey: 'input.region', params: { code: '99' } }, 'en')).toBe('Unknown region 99');
    expect(catalogueMessage(readOnly, 'en')).toBe('Auditors can view but not change data');
    expect(catalogueMessage({ code: 'X', messageKey: 'no.such.key' }, 'en')).toBeNull();
    expect(catalogueMessage({ code: 'X' }, 'en')).toBeNull();
    // Throttled logins: minutes, not "约 894 秒".
    expect(catalogueMessage({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: 894 }, 'zh-CN')).toBe('登录失败次数过多，请 15 分钟后再试');
    expect(catalogueMessage({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: 20 }, 'en')).toBe('Too many failed logins; try again in 1 min');
  });
  it('prefers the key over the message; falls back to the bilingual message', () => {
    const error = new CombinedGraphQLErrors({ errors: [
      { message: '审计员只能查看，不能修改数据 (forbidden: auditors are read-only)', extensions: readOnly },
      { message: '方案已被他人修改 (plan changed)', extensions: { code: 'CONFLICT' } },
    ] });
    expect(toUiError(error, 'en', 'network').message).toBe('Auditors can view but not change data；plan changed');
    expect(toUiError(error, 'zh-CN', 'network').message).toBe('审计员只能查看，不能修改数据；方案已被他人修改');
  });
});
