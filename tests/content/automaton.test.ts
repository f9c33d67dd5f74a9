import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Automaton } from '../../server/content/automaton';
import { buildLexicon } from '../../server/content/lexicon';

/**
 * The automaton's table (failure links followed in advance, characters in classes) against the definition: every
 * occurrence of every pattern, overlaps included, as half-open UTF-16 offsets.
 */
function naive(patterns: string[], text: string): string[] {
  const hits: string[] = [];
  patterns.forEach((p, i) => {
    if (!p) return;
    for (let at = text.indexOf(p); at >= 0; at = text.indexOf(p, at + 1)) hits.push(`${at}-${at + p.length}:${i}`);
  });
  return hits.sort();
}
const found = (ac: Automaton<number>, text: string) => ac.search(text).map((m) => `${m.start}-${m.end}:${m.data}`).sort();

describe('Aho–Corasick automaton', () => {
  it('finds exactly the occurrences a search pattern by pattern finds (random patterns and texts)', () => {
    // A small alphabet so that patterns overlap, share prefixes and suffixes; one character no pattern can hold, and
    // a surrogate pair.
    const alphabet = ['发', '布', '会', '议', '县', '长', '村', 'a', '😀'];
    const char = fc.constantFrom(...alphabet);
    const word = fc.array(char, { minLength: 1, maxLength: 5 }).map((cs) => cs.join(''));
    fc.assert(fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 12 }), fc.array(fc.oneof(char, fc.constant('外')), { maxLength: 60 }),
      (patterns, text) => {
        const ac = new Automaton(patterns.map((pattern, i) => ({ pattern, data: i })));
        const t = text.join('');
        expect(found(ac, t)).toEqual(naive(patterns, t));
      }), { numRuns: 400 });
  });

  it('the shipped lexicon: every term found where it occurs, amid text it does not match', () => {
    const lex = buildLexicon([], '35');
    const patterns = [...new Set([...lex.expressions.map((e) => e.term), ...lex.markers.map((m) => m.term), ...lex.warnings])];
    const ac = new Automaton(patterns.map((pattern, i) => ({ pattern, data: i })));
    const text = patterns.map((p, i) => `第${i}条：${p}。`).join('据悉，') + patterns.slice(0, 50).join('');
    const hits = found(ac, text);
    expect(hits).toEqual(naive(patterns, text));
    expect(hits.length).toBeGreaterThan(patterns.length);
  });
});
