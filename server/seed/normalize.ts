// opencc-js ships ESM types but a CommonJS (UMD) build: load the build directly.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- opencc-js's types describe its ESM build, not the CommonJS one Node loads
const OpenCC: { Converter(o: { from: string; to: string }): (s: string) => string } = require('opencc-js');

/**
 * Name comparison used to plant (and check) name inconsistencies: simplified/traditional script, spaces,
 * punctuation and quote marks do not make two names different.
 */
let toSimplified: ((s: string) => string)[] | null = null;
let toTraditional: ((s: string) => string) | null = null;

export function normalizeName(name: string): string {
  toSimplified ??= (['t', 'tw', 'hk'] as const).map((from) => OpenCC.Converter({ from, to: 'cn' }));
  let s = name;
  for (const c of toSimplified) s = c(s);
  return s.replace(/[\s\p{P}\p{S}]/gu, '');
}

/** Traditional-script form of a name, or the name itself when it does not convert back exactly. */
export function traditional(name: string): string {
  const convert = (toTraditional ??= OpenCC.Converter({ from: 'cn', to: 'tw' }));
  const t = convert(name);
  return normalizeName(t) === normalizeName(name) ? t : name;
}
