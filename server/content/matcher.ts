import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import { Automaton, Utf8Filter } from './automaton';
import type { ExpressionEntry, ExpressionKind, ExpressionSeverity, Lexicon, MarkerEntry, OffMissionCategory, UnitField } from './lexicon';

/**
 * Multi-pattern matching of a lexicon over a post (title and content, separately: offsets are per field).
 * One Aho–Corasick automaton (automaton.ts) holds the wrong terms, their right forms (the whitelist), the off-mission markers and
 * the warning words. A wrong term is dropped when a right form covers it (e.g. 旅游局 inside 文化和旅游局) or a
 * longer wrong term does; whole-word entries must start and end on a jieba word boundary (村长 is not in 农村长期).
 * Markers count unless the post is a warning (anti-fraud, police notices quoting the bait; not for cute/misery
 * baiting, which a warning post can commit too) or the marker belongs to the unit's own field.
 */

export interface ExpressionHit {
  term: string;
  correct: string;
  kind: ExpressionKind;
  severity: ExpressionSeverity;
  field: 'title' | 'content';
  start: number;
  end: number;
}

export interface MarkerHit {
  term: string;
  category: OffMissionCategory;
  field: 'title' | 'content';
  start: number;
  end: number;
  /** Why it does not count: the post warns about it, or it is the unit's own work. */
  exempt: 'warning' | 'field' | null;
}

export interface PostCheck {
  wrong: ExpressionHit[];
  markers: MarkerHit[];
  /** Categories of the markers that count (sorted). Non-empty = the post is off-mission. */
  categories: OffMissionCategory[];
  serious: boolean;
}

type Tag = { t: 'x'; e: ExpressionEntry } | { t: 'a' } | { t: 'm'; e: MarkerEntry } | { t: 'w' };

interface Compiled {
  ac: Automaton<Tag[]>;
  /** The wrong terms and markers as UTF-8 (built on first use; null: a term holds a character COPY escapes). */
  filter?: Utf8Filter | null;
  /** Marker term → the unit fields it belongs to (built once per lexicon, not per post). */
  fieldOf: Map<string, UnitField[]>;
}

let jieba: Jieba | null = null;
function segmenter(): Jieba {
  return (jieba ??= Jieba.withDict(dict));
}

/** Right forms of an entry usable as whitelist strings (alternatives split, bracketed notes dropped). */
function rightForms(e: ExpressionEntry): string[] {
  return [...e.correct.split('/'), ...e.allowed].map((s) => s.replace(/（[^）]*）/g, '').trim()).filter((s) => s.length > 0);
}

const cache = new Map<string, Compiled>();

export function compile(lex: Lexicon): Compiled {
  const hit = cache.get(lex.key);
  if (hit) return hit;
  const tags = new Map<string, Tag[]>();
  const add = (p: string, tag: Tag) => {
    const list = tags.get(p);
    if (list) list.push(tag);
    else tags.set(p, [tag]);
  };
  const wrongTerms = new Set(lex.expressions.map((e) => e.term));
  for (const e of lex.expressions) {
    add(e.term, { t: 'x', e });
    for (const r of rightForms(e)) if (!wrongTerms.has(r) && r.includes(e.term)) add(r, { t: 'a' });
  }
  for (const m of lex.markers) add(m.term, { t: 'm', e: m });
  for (const w of lex.warnings) add(w, { t: 'w' });
  const ac = new Automaton<Tag[]>([...tags].map(([pattern, data]) => ({ pattern, data })));
  const compiled = { ac, fieldOf: new Map(lex.markers.map((m) => [m.term, m.fields])) };
  if (cache.size > 64) cache.clear();
  cache.set(lex.key, compiled);
  return compiled;
}

/**
 * A test that bytes of COPY's text output (content-scan.ts) can hold a finding: true when they contain a wrong term or
 * a marker encoded as UTF-8 — the only matches checkPost() reports a post for (right forms and warning words only ever
 * take a finding away). Every occurrence in the decoded text is one in the bytes: COPY escapes only the backslash and
 * control characters, which no term holds — a lexicon where one does gets no filter (null), and every post is checked.
 */
export function copyTextFilter(lex: Lexicon): Utf8Filter | null {
  const c = compile(lex);
  if (c.filter !== undefined) return c.filter;
  const terms = [...lex.expressions.map((e) => e.term), ...lex.markers.map((m) => m.term)];
  const escaped = (t: string) => [...t].some((ch) => ch === '\\' || ch.charCodeAt(0) < 0x20);
  return (c.filter = terms.some(escaped) ? null : new Utf8Filter(terms));
}

function boundaries(text: string): Set<number> {
  const set = new Set<number>([0, text.length]);
  let at = 0;
  for (const w of segmenter().cut(text, true)) {
    at += w.length;
    set.add(at);
  }
  return set;
}

interface Raw {
  wrong: ExpressionHit[];
  markers: MarkerHit[];
  warning: boolean;
}

function scanField(c: Compiled, text: string, field: 'title' | 'content', out: Raw): void {
  const matches = c.ac.search(text);
  if (!matches.length) return;
  const allows: [number, number][] = [];
  const wrong: (ExpressionHit & { whole: boolean })[] = [];
  for (const m of matches) {
    for (const tag of m.data) {
      if (tag.t === 'a') allows.push([m.start, m.end]);
      else if (tag.t === 'w') out.warning = true;
      else if (tag.t === 'm') out.markers.push({ term: tag.e.term, category: tag.e.category, field, start: m.start, end: m.end, exempt: null });
      else wrong.push({ term: tag.e.term, correct: tag.e.correct, kind: tag.e.kind, severity: tag.e.severity, field, start: m.start, end: m.end, whole: tag.e.wholeWord });
    }
  }
  if (!wrong.length) return;
  let bounds: Set<number> | null = null;
  for (const w of wrong) {
    if (allows.some(([s, e]) => s <= w.start && e >= w.end)) continue;
    if (wrong.some((o) => o !== w && o.start <= w.start && o.end >= w.end && o.end - o.start > w.end - w.start)) continue;
    if (w.whole) {
      bounds ??= boundaries(text);
      if (!bounds.has(w.start) || !bounds.has(w.end)) continue;
    }
    const { whole: _whole, ...hit } = w;
    out.wrong.push(hit);
  }
}

/** Checks one post of a unit with the given field (unitField of the unit's name). */
export function checkPost(lex: Lexicon, title: string, content: string | null, field: UnitField | null): PostCheck {
  const c = compile(lex);
  const raw: Raw = { wrong: [], markers: [], warning: false };
  scanField(c, title, 'title', raw);
  if (content) scanField(c, content, 'content', raw);
  const fieldOf = c.fieldOf;
  const categories = new Set<OffMissionCategory>();
  for (const m of raw.markers) {
    if (field && fieldOf.get(m.term)?.includes(field)) m.exempt = 'field';
    else if (raw.warning && m.category !== 'baiting') m.exempt = 'warning';
    else categories.add(m.category);
  }
  return { wrong: raw.wrong, markers: raw.markers, categories: [...categories].sort(), serious: raw.wrong.some((w) => w.severity === 'serious') };
}
