import { describe, expect, it } from 'vitest';
import { matchesText, toCsv } from './csv';

describe('csv export', () => {
  it('writes a BOM, quotes commas and quotes, and neutralises formulas', () => {
    expect(toCsv(['名称', '说明'], [['平安福州', '含,逗号'], ['=HYPERLINK("x")', '说"明']])).toBe(
      '\uFEFF名称,说明\r\n平安福州,"含,逗号"\r\n"\'=HYPERLINK(""x"")","说""明"\r\n',
    );
  });
  it('matches text case-insensitively over several fields', () => {
    expect(matchesText('fuzhou', null, 'Pingan FUZHOU')).toBe(true);
    expect(matchesText(' ', 'x')).toBe(true);
    expect(matchesText('厦门', '福州市公安局', '平安福州')).toBe(false);
  });
});
