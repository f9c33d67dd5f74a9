import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Automaton, Utf8Filter } from '../../server/content/automaton';
import { Checker } from '../../server/content/content-scan';
import { buildLexicon, unitField } from '../../server/content/lexicon';
import { checkPost, copyTextFilter } from '../../server/content/matcher';

/**
 * The content scan reads COPY's text output as bytes and decodes only the posts whose bytes hold a wrong term or a
 * marker (content-scan.ts, matcher.ts copyTextFilter). Its findings must be exactly those of checking every post.
 */
const lex = buildLexicon([], '35');
/** Other provinces' lexicons (one with a term of its own; one code longer than six bytes): each row is checked with its own. */
const lexicons = new Map([['35', lex], ['11', buildLexicon([{ regionCode: '11', version: 1, op: 'add', term: '京城错词', entry: { type: 'expression', correct: '京城正词', severity: 'general' } }], '11')],
  ['6501999', buildLexicon([], '6501999')]]);
const terms = ['京城错词', ...new Set([...lex.expressions.flatMap((e) => [e.term, e.correct, ...e.allowed]), ...lex.markers.map((m) => m.term), ...lex.warnings])];
const filler = ['，', '。', '的', '工作', '会议', '县政府', '召开', '群众', '\n', '\t', '\\', '\r', '😀', 'abc', ' ', '“', '”', '第十九', '四中全会'];

/** A field as COPY's text format writes it. */
const copyField = (v: string | null) => (v === null ? '\\N'
  : v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t'));

const text = fc.array(fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...terms) }, { weight: 6, arbitrary: fc.constantFrom(...filler) }),
  { maxLength: 40 }).map((parts) => parts.join(''));
const post = fc.record({ title: text, content: fc.option(text, { nil: null }), unit: fc.constantFrom('某县人民政府办公室', '某县公安局', '某县卫生健康委员会'),
  prov: fc.constantFrom(...lexicons.keys()) });

describe('content scan on bytes', () => {
  it('finds exactly the posts, terms, spans and markers that checking every decoded post with its province\'s lexicon finds, however the rows are cut', () => {
    fc.assert(fc.property(fc.array(post, { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }),
      (posts, cuts) => {
        const rows = posts.map((p, i) => {
          const field = unitField(p.unit) ?? '-';
          return [String(i + 1), '2024-06-01 12:00:00+08', '00000000-0000-0000-0000-000000000000', '7', p.title, p.content, p.prov, `k:${field}`]
            .map(copyField).join('\t');
        });
        const bytes = Buffer.from(rows.join('\n') + '\n', 'utf8');
        const checker = new Checker(lexicons);
        // Chunks of arbitrary sizes: rows and characters cut anywhere.
        for (let at = 0, k = 0; at < bytes.length; k++) {
          const n = cuts[k % cuts.length];
          checker.push(new Uint8Array(bytes.subarray(at, at + n)));
          at += n;
        }
        checker.end();
        const expected = posts.flatMap((p, i) => {
          const c = checkPost(lexicons.get(p.prov)!, p.title, p.content, unitField(p.unit));
          return c.wrong.length || c.categories.length ? [{ id: String(i + 1), wrong: JSON.stringify(c.wrong), markers: JSON.stringify(c.markers) }] : [];
        });
        expect(checker.scanned).toBe(posts.length);
        expect(checker.found.ids.map((id, k) => ({ id, wrong: checker.found.wrong[k], markers: checker.found.markers[k] }))).toEqual(expected);
      }), { numRuns: 300 });
  });

  it('the filter says yes exactly where the automaton finds a pattern (Chinese, ASCII, characters past U+FFFF)', () => {
    const alphabet = ['发', '布', '会', 'a', 'b', '😀', '𠀀', 'é', '外'];
    const word = fc.array(fc.constantFrom(...alphabet.slice(0, 7)), { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
    fc.assert(fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 8 }), fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }),
      (patterns, chars) => {
        const t = chars.join('');
        const bytes = Buffer.from(`x${t}y`, 'utf8');
        const ac = new Automaton(patterns.map((pattern) => ({ pattern, data: 1 })));
        expect(new Utf8Filter(patterns).test(bytes, 1, bytes.length - 1)).toBe(ac.search(t).length > 0);
      }), { numRuns: 500 });
  });

  it('a lexicon term holding a character COPY escapes gets no filter: every post is checked', () => {
    const edited = buildLexicon([{ regionCode: '35', version: 1, op: 'add', term: '错误\\写法', entry: { type: 'expression', correct: '正确写法', severity: 'general' } }], '35');
    expect(edited.expressions.map((e) => e.term)).toContain('错误\\写法');
    expect(copyTextFilter(lex)).not.toBeNull();
    expect(copyTextFilter(edited)).toBeNull();
  });
});
