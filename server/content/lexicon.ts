import {
  EXPRESSION_GROUPS, FIELD_PATTERNS, LEXICON_VERSION, MARKER_GROUPS, WARNING_CONTEXT,
  type ExpressionKind, type ExpressionSeverity, type OffMissionCategory, type UnitField,
} from './lexicon.data';

/**
 * The lexicon as data: the shipped entries (lexicon.data.ts) and the edits of the nation and of a province
 * (content_lexicon_edits, applied in version order: national edits, then the province's). `key` names exactly what a
 * post was checked with, so a post is rescanned when its province's lexicon changes.
 */

export type { ExpressionKind, ExpressionSeverity, OffMissionCategory, UnitField };

export interface ExpressionEntry {
  term: string;
  /** The right form(s), `/`-separated; a note in brackets when there is no single right form. */
  correct: string;
  /** More right forms containing the term (never flagged). */
  allowed: string[];
  kind: ExpressionKind;
  severity: ExpressionSeverity;
  /** Match only at word boundaries (jieba segmentation): short words that also occur inside other words. */
  wholeWord: boolean;
  /** 'shipped', or the region code whose edit added it. */
  source: string;
}

export interface MarkerEntry {
  term: string;
  category: OffMissionCategory;
  /** Unit fields whose own work this marker belongs to (not off-mission there). */
  fields: UnitField[];
  source: string;
}

export interface Lexicon {
  key: string;
  expressions: ExpressionEntry[];
  markers: MarkerEntry[];
  warnings: string[];
}

export const EXPRESSION_KINDS: ExpressionKind[] = ['formulation', 'body', 'law', 'title', 'sensitive', 'typo'];
export const CATEGORIES: OffMissionCategory[] = ['celebrity', 'advertising', 'likes', 'baiting', 'gossip', 'gambling'];
export const UNIT_FIELDS: UnitField[] = FIELD_PATTERNS.map(([f]) => f);

function shippedExpressions(): ExpressionEntry[] {
  const out: ExpressionEntry[] = [];
  for (const g of EXPRESSION_GROUPS) {
    for (const line of g.entries) {
      const [raw, correct, allowed] = line.split('|');
      const wholeWord = raw.startsWith('~');
      out.push({ term: wholeWord ? raw.slice(1) : raw, correct, allowed: allowed ? allowed.split('/') : [], kind: g.kind, severity: g.severity, wholeWord, source: 'shipped' });
    }
  }
  return out;
}

function shippedMarkers(): MarkerEntry[] {
  return MARKER_GROUPS.flatMap((g) => g.markers.map((m) => {
    const [term, fields] = m.split('@');
    return { term, category: g.category, fields: fields ? (fields.split(',') as UnitField[]) : [], source: 'shipped' };
  }));
}

const SHIPPED = { expressions: shippedExpressions(), markers: shippedMarkers() };

/** Number of shipped entries (expressions + markers). */
export function shippedSize(): { expressions: number; markers: number } {
  return { expressions: SHIPPED.expressions.length, markers: SHIPPED.markers.length };
}

/** One stored edit (content_lexicon_edits row). */
export interface LexiconEdit {
  regionCode: string;
  version: number;
  op: 'add' | 'disable' | 'enable';
  term: string;
  entry: Partial<ExpressionEntry & MarkerEntry> & { type: 'expression' | 'marker' } | null;
}

/** The lexicon of one province: shipped ← national edits ← the province's edits. */
export function buildLexicon(edits: LexiconEdit[], province: string): Lexicon {
  const expressions = new Map(SHIPPED.expressions.map((e) => [e.term, e]));
  const markers = new Map(SHIPPED.markers.map((m) => [m.term, m]));
  const shippedX = new Map(expressions);
  const shippedM = new Map(markers);
  const mine = edits.filter((e) => e.regionCode === '0' || e.regionCode === province)
    .sort((a, b) => (a.regionCode === b.regionCode ? a.version - b.version : a.regionCode === '0' ? -1 : 1));
  let nat = 0;
  let prov = 0;
  for (const e of mine) {
    if (e.regionCode === '0') nat = Math.max(nat, e.version);
    else prov = Math.max(prov, e.version);
    if (e.op === 'disable') {
      expressions.delete(e.term);
      markers.delete(e.term);
    } else if (e.op === 'enable') {
      const x = shippedX.get(e.term);
      const m = shippedM.get(e.term);
      if (x) expressions.set(e.term, x);
      if (m) markers.set(e.term, m);
    } else if (e.entry?.type === 'marker') {
      markers.set(e.term, { term: e.term, category: e.entry.category!, fields: e.entry.fields ?? [], source: e.regionCode });
    } else if (e.entry) {
      expressions.set(e.term, {
        term: e.term, correct: e.entry.correct ?? '', allowed: e.entry.allowed ?? [], kind: e.entry.kind ?? 'typo',
        severity: e.entry.severity ?? 'general', wholeWord: e.entry.wholeWord ?? false, source: e.regionCode,
      });
    }
  }
  // The province's code is part of the key once it has edits of its own: two provinces at the same edit version have
  // different lexicons (compiled automata are cached by key: matcher.ts); without edits every province has the same.
  return { key: `v${LEXICON_VERSION}.n${nat}.p${prov}${prov ? `@${province}` : ''}`, expressions: [...expressions.values()], markers: [...markers.values()], warnings: WARNING_CONTEXT };
}

const FIELD_RES = FIELD_PATTERNS.map(([f, re]) => [f, new RegExp(re)] as const);

/** The field of a unit, from its name (null: none of the fields with own markers). */
export function unitField(unitName: string): UnitField | null {
  for (const [f, re] of FIELD_RES) if (re.test(unitName)) return f;
  return null;
}
