/**
 * A plain Aho–Corasick automaton over UTF-16 code units. modern-ahocorasick matches whole grapheme clusters through
 * Intl.Segmenter, which measured about 6,000 posts/s (≈0.4 M characters/s) on this machine — the demo province's 90
 * days of posts would take half a minute. Chinese text has no combining sequences inside the lexicon's words, so
 * code units are enough, and this runs two orders of magnitude faster. Reports every occurrence (overlaps included)
 * with half-open UTF-16 offsets.
 */
export interface AcMatch<T> {
  start: number;
  end: number;
  data: T;
}

/** The automaton as a table: a class per code unit, a row of `width` entries per state, states with an output. */
export interface AutomatonTable {
  classOf: Uint16Array;
  width: number;
  delta: Uint16Array | Int32Array;
  hasOut: Uint8Array;
}

export class Automaton<T> {
  /** Per state: transitions (code unit → state). */
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Pattern indexes ending at each state (own and through failure links). */
  private readonly out: number[][] = [[]];
  private readonly lengths: number[] = [];
  private readonly data: T[] = [];

  constructor(patterns: { pattern: string; data: T }[]) {
    patterns.forEach(({ pattern, data }, i) => {
      if (!pattern) return;
      let s = 0;
      for (let k = 0; k < pattern.length; k++) {
        const c = pattern.charCodeAt(k);
        let t = this.next[s].get(c);
        if (t === undefined) {
          t = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[s].set(c, t);
        }
        s = t;
      }
      this.out[s].push(i);
      this.lengths[i] = pattern.length;
      this.data[i] = data;
    });
    const queue: number[] = [];
    for (const t of this.next[0].values()) queue.push(t);
    for (let h = 0; h < queue.length; h++) {
      const s = queue[h];
      for (const [c, t] of this.next[s]) {
        let f = this.fail[s];
        while (f !== 0 && !this.next[f].has(c)) f = this.fail[f];
        const g = this.next[f].get(c);
        this.fail[t] = g !== undefined && g !== t ? g : 0;
        if (this.out[this.fail[t]].length) this.out[t] = [...this.out[t], ...this.out[this.fail[t]]];
        queue.push(t);
      }
    }
  }

  /**
   * The automaton as a table (built on the first search): every state's transition for every character class, the
   * failure links followed in advance, so a search reads one entry per code unit and never a Map. A code unit that
   * occurs in no pattern is class 0 and leads back to the root from any state. With the national lexicon (≈2,700
   * states, ≈850 distinct characters) the table is ≈4.6 MB; the first national detection after an import checks
   * ≈1 M texts (≈570 MB) with it — a Map lookup per character in the states past the root cost most of that check.
   */
  private table: AutomatonTable | null = null;

  compileTable(): AutomatonTable {
    if (this.table) return this.table;
    const classOf = new Uint16Array(65536);
    let width = 1;
    for (const map of this.next) for (const c of map.keys()) if (classOf[c] === 0) classOf[c] = width++;
    const states = this.next.length;
    const delta = states < 65536 ? new Uint16Array(states * width) : new Int32Array(states * width);
    const chars: number[] = [];
    for (let c = 0; c < 65536; c++) if (classOf[c]) chars.push(c);
    // Breadth first: a state's failure state is shallower, so its row is complete when the state's is filled.
    const order: number[] = [0];
    for (let h = 0; h < order.length; h++) for (const t of this.next[order[h]].values()) order.push(t);
    for (const s of order) {
      const row = s * width;
      const failRow = this.fail[s] * width;
      const own = this.next[s];
      for (const c of chars) {
        const k = classOf[c];
        const t = own.get(c);
        delta[row + k] = t !== undefined ? t : s === 0 ? 0 : delta[failRow + k];
      }
    }
    const hasOut = new Uint8Array(states);
    for (let s = 0; s < states; s++) hasOut[s] = this.out[s].length ? 1 : 0;
    return (this.table = { classOf, width, delta, hasOut });
  }

  search(text: string): AcMatch<T>[] {
    const { classOf, width, delta, hasOut } = this.table ?? this.compileTable();
    const out = this.out;
    let found: AcMatch<T>[] | null = null;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      s = delta[s * width + classOf[text.charCodeAt(i)]];
      if (hasOut[s]) {
        const o = out[s];
        found ??= [];
        for (let k = 0; k < o.length; k++) found.push({ start: i + 1 - this.lengths[o[k]], end: i + 1, data: this.data[o[k]] });
      }
    }
    return found ?? NONE;
  }
}

const NONE: never[] = [];

/**
 * Does a byte range of UTF-8 text hold any of the patterns? The automaton's table, walked one character at a time as
 * the bytes are decoded (one table step per character, where an automaton over bytes takes three for a Chinese
 * character, each waiting for the one before), stopping at the first occurrence. The content scan asks it before
 * decoding a post (content-scan.ts): a post whose title and content hold no wrong term and no marker has no finding,
 * and most posts are such — they are never decoded into strings at all. A character past U+FFFF is two steps, as
 * the two UTF-16 code units the patterns hold it as. The bytes must be valid UTF-8 (PostgreSQL's output is).
 */
export class Utf8Filter {
  private readonly table: AutomatonTable;

  constructor(patterns: string[]) {
    this.table = new Automaton(patterns.map((pattern) => ({ pattern, data: true }))).compileTable();
  }

  /** Whether bytes [from, to) of `buf` contain a pattern. */
  test(buf: Uint8Array, from: number, to: number): boolean {
    const { classOf, width, delta, hasOut } = this.table;
    let s = 0;
    for (let i = from; i < to;) {
      const b = buf[i];
      let c: number;
      if (b < 0x80) {
        c = b;
        i += 1;
      } else if (b < 0xe0) {
        c = ((b & 0x1f) << 6) | (buf[i + 1] & 0x3f);
        i += 2;
      } else if (b < 0xf0) {
        c = ((b & 0x0f) << 12) | ((buf[i + 1] & 0x3f) << 6) | (buf[i + 2] & 0x3f);
        i += 3;
      } else {
        const cp = (((b & 0x07) << 18) | ((buf[i + 1] & 0x3f) << 12) | ((buf[i + 2] & 0x3f) << 6) | (buf[i + 3] & 0x3f)) - 0x10000;
        i += 4;
        s = delta[s * width + classOf[0xd800 + (cp >> 10)]];
        if (hasOut[s]) return true;
        c = 0xdc00 + (cp & 0x3ff);
      }
      s = delta[s * width + classOf[c]];
      if (hasOut[s]) return true;
    }
    return false;
  }
}
