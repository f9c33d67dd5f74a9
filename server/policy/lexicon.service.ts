import type { Context } from '../kernel/context';
import { recordAudit } from '../kernel/audit';
import { LOCKS, transaction } from '../kernel/transaction';
import { badInput } from '../kernel/errors';
import { Level } from '../common/enums';
import { regionsService } from '../regions/regions.service';
import { buildLexicon, CATEGORIES, EXPRESSION_KINDS, UNIT_FIELDS, type Lexicon, type LexiconEdit } from '../content/lexicon';
import { loadLexiconEdits } from '../content/content.rule';
import { requirePolicyAdmin } from './policy.access';

/**
 * The 错敏 lexicon as policy: the shipped entries plus versioned edits of the nation ('0') and of each province.
 * An administrator adds or disables (or re-enables) an entry for a region in their scope, always with a reason; each
 * edit is the region's next version and is audited in the same transaction. Detection rescans a province's posts
 * when its lexicon key changes.
 */
export interface LexiconEditInput {
  op: 'add' | 'disable' | 'enable';
  term: string;
  reason: string;
  /** For `add`: an expression (correct form, kind, severity) or a marker (category, fields). */
  entry?: LexiconEdit['entry'];
}

function checkEdit(input: LexiconEditInput): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const term = input.term?.trim() ?? '';
  if (term.length < 1 || term.length > 100) problems.push({ field: 'term', message: '词条应为 1–100 个字符' });
  if (!input.reason?.trim()) problems.push({ field: 'reason', message: '必须说明理由' });
  if (!['add', 'disable', 'enable'].includes(input.op)) problems.push({ field: 'op', message: '应为 add、disable 或 enable' });
  if (input.op === 'add') {
    const e = input.entry;
    if (!e || (e.type !== 'expression' && e.type !== 'marker')) problems.push({ field: 'entry.type', message: '应为 expression 或 marker' });
    else if (e.type === 'expression') {
      if (!e.correct?.trim()) problems.push({ field: 'entry.correct', message: '必须给出正确表述' });
      if (e.kind && !EXPRESSION_KINDS.includes(e.kind)) problems.push({ field: 'entry.kind', message: `应为 ${EXPRESSION_KINDS.join('、')} 之一` });
      if (e.severity && e.severity !== 'serious' && e.severity !== 'general') problems.push({ field: 'entry.severity', message: '应为 serious 或 general' });
      if (e.correct && e.correct.split('/').includes(term)) problems.push({ field: 'entry.correct', message: '正确表述不能与错误表述相同' });
    } else {
      if (!e.category || !CATEGORIES.includes(e.category)) problems.push({ field: 'entry.category', message: `应为 ${CATEGORIES.join('、')} 之一` });
      if (e.fields && !e.fields.every((f) => UNIT_FIELDS.includes(f))) problems.push({ field: 'entry.fields', message: `应为 ${UNIT_FIELDS.join('、')} 中的值` });
    }
  }
  return problems;
}

/** One entry as an administrator browses it: where it comes from and whether it is in force for the province. */
export interface LexiconEntryView {
  type: 'expression' | 'marker';
  term: string;
  correct: string | null;
  kind: string | null;
  severity: string | null;
  category: string | null;
  fields: string[];
  source: 'shipped' | 'national' | 'province';
  enabled: boolean;
  /** The latest edit of this term for the province (national or provincial): its version, region and reason. */
  lastEdit: { regionCode: string; version: number; op: string; reason: string } | null;
}

export const lexiconService = {
  /** The effective lexicon of a region's province (the region must be in the user's scope, else NOT_FOUND). */
  async get(ctx: Context, regionCode: string): Promise<Lexicon> {
    const region = await regionsService.byCodeInScope(ctx, regionCode);
    const province = region.path.split('/')[2] || '0';
    return buildLexicon(await loadLexiconEdits(ctx.em), province);
  },

  /**
   * Every entry the province could use — shipped and added ones, enabled or disabled — with its source and state,
   * filtered by `search` (term, correct form, kind, severity or category) and `type`, sorted by type then term.
   */
  async entries(ctx: Context, regionCode: string, filter: { search?: string | null; type?: 'expression' | 'marker' | null } = {}): Promise<LexiconEntryView[]> {
    const region = await regionsService.byCodeInScope(ctx, regionCode);
    const province = region.path.split('/')[2] || '0';
    const edits = await loadLexiconEdits(ctx.em);
    const all = buildLexicon(edits.filter((e) => e.op === 'add'), province);
    const live = buildLexicon(edits, province);
    const liveX = new Set(live.expressions.map((e) => e.term));
    const liveM = new Set(live.markers.map((m) => m.term));
    const reasons: { region_code: string; version: number; op: string; term: string; reason: string }[] = await ctx.em.query(
      `SELECT DISTINCT ON (term) region_code, version, op, term, reason FROM content_lexicon_edits WHERE region_code IN ('0', $1)
        ORDER BY term, (region_code = '0'), version DESC`, [province]);
    const last = new Map(reasons.map((r) => [r.term, { regionCode: r.region_code, version: r.version, op: r.op, reason: r.reason }]));
    const source = (s: string): LexiconEntryView['source'] => (s === 'shipped' ? 'shipped' : s === '0' ? 'national' : 'province');
    const rows: LexiconEntryView[] = [
      ...all.expressions.map((e) => ({ type: 'expression' as const, term: e.term, correct: e.correct, kind: e.kind, severity: e.severity, category: null,
        fields: [], source: source(e.source), enabled: liveX.has(e.term), lastEdit: last.get(e.term) ?? null })),
      ...all.markers.map((m) => ({ type: 'marker' as const, term: m.term, correct: null, kind: null, severity: null, category: m.category,
        fields: m.fields, source: source(m.source), enabled: liveM.has(m.term), lastEdit: last.get(m.term) ?? null })),
    ];
    const q = filter.search?.trim().toLowerCase();
    return rows
      .filter((r) => !filter.type || r.type === filter.type)
      .filter((r) => !q || [r.term, r.correct, r.kind, r.severity, r.category].some((v) => v?.toLowerCase().includes(q)))
      .sort((a, b) => (a.type === b.type ? (a.term < b.term ? -1 : a.term > b.term ? 1 : 0) : a.type === 'expression' ? -1 : 1));
  },

  /** Stores one edit as the region's next version (nation or province, in the admin's scope) and audits it. */
  async edit(ctx: Context, regionCode: string, input: LexiconEditInput): Promise<{ version: number; lexicon: Lexicon }> {
    requirePolicyAdmin(ctx);
    const region = await regionsService.byCodeInScope(ctx, regionCode, 'forbidden');
    if (region.level !== Level.NATIONAL && region.level !== Level.PROVINCE) {
      throw badInput(`词库只能按全国（0）或省级维护，${region.name}不是省级区划 (the lexicon is kept per province)`, [{ field: 'regionCode', message: '应为 0 或省级代码' }]);
    }
    const problems = checkEdit(input);
    if (problems.length) throw badInput(`词库修改有误：${problems.map((p) => `${p.field}：${p.message}`).join('；')} (invalid lexicon edit)`, problems);
    const term = input.term.trim();
    const version = await transaction(ctx, async (tx) => {
      await tx.em.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [LOCKS.policy, `lexicon:${region.code}`]);
      const [row] = await tx.em.query(
        `INSERT INTO content_lexicon_edits (region_code, version, op, term, entry, reason, created_by)
         SELECT $1::varchar, COALESCE(max(version), 0) + 1, $2, $3, $4::jsonb, $5, $6 FROM content_lexicon_edits WHERE region_code = $1::varchar
         RETURNING version`,
        [region.code, input.op, term, input.op === 'add' ? JSON.stringify(input.entry) : null, input.reason.trim(), tx.user?.id ?? null]);
      await recordAudit(tx, {
        action: 'LEXICON_EDITED', entityType: 'lexicon', entityId: region.code, unitId: await regionsService.unitOf(tx, region),
        before: null, after: { version: row.version, op: input.op, term, entry: input.entry ?? null }, comment: input.reason.trim(),
      });
      return row.version as number;
    });
    return { version, lexicon: await this.get(ctx, region.code) };
  },
};
