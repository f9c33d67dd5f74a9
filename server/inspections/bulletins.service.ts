import type { Context } from '../kernel/context';
import { recordAudit } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { conflict, notFound, parseId } from '../kernel/errors';
import { PLATFORM_NAMES_ZH, type Platform } from '../common/enums';
import { regionsService } from '../regions/regions.service';
import { requireDetectionWriter } from '../policy/policy.access';
import type { InspectionGroup, InspectionReport } from '../detection/inspection.types';
import { Bulletin, Inspection } from './inspection.entity';
import { inspectionsService } from './inspections.service';
import { quarterOf } from './sampling';
import { bulletinDocx, bulletinXlsx, type BulletinContent, type BulletinRow } from './bulletin-files';

const round2 = (n: number) => Math.round(n * 100) / 100;

function rows(groups: InspectionGroup[], previous: InspectionGroup[] | null, keep: (g: InspectionGroup) => boolean = (g) => g.checked > 0): BulletinRow[] {
  return groups.filter(keep).map((g) => {
    const p = previous?.find((x) => x.key === g.key) ?? null;
    const prevRate = p?.passRate ?? null;
    return { label: g.label, checked: g.checked, failed: g.failed, passRate: g.passRate, previousPassRate: prevRate,
      change: g.passRate !== null && prevRate !== null ? round2(g.passRate - prevRate) : null };
  });
}

/** Everything the bulletin states, computed once from the stored inspection (and the previous one of the region). */
async function contentOf(ctx: Context, inspection: Inspection, previous: Inspection | null): Promise<BulletinContent> {
  const report: InspectionReport = await inspectionsService.fullReport(ctx, inspection);
  const prev = previous ? await inspectionsService.fullReport(ctx, previous) : null;
  const failures: { account_name: string; handle: string; platform: Platform; unit_name: string; score: number; reasons: string[] }[] = await ctx.em.query(
    `SELECT account_name, handle, platform, unit_name, score, reasons FROM inspection_items
      WHERE inspection_id = $1 AND grade = 'fail' ORDER BY cardinality(vetoes) DESC, score, account_id`, [inspection.id]);
  const q = quarterOf(inspection.asOf);
  const total = (r: InspectionReport | null, website: boolean): InspectionGroup | null => r && {
    key: 'all', label: website ? '门户网站' : '政务新媒体', checked: website ? r.websiteChecked : r.checked, failed: website ? r.websiteFailed : r.failed,
    good: 0, passRate: website ? r.websitePassRate : r.passRate,
  };
  return {
    title: `${inspection.regionName}政务新媒体${q.label}检查情况通报`,
    regionName: inspection.regionName,
    periodLabel: q.label,
    periodStart: inspection.periodStart,
    periodEnd: inspection.periodEnd,
    asOf: inspection.asOf,
    sampleRatio: inspection.sampleRatio,
    seed: inspection.seed,
    population: inspection.population,
    sampled: inspection.sampled,
    newMedia: rows([total(report, false)!], prev ? [total(prev, false)!] : null, () => true)[0],
    website: rows([total(report, true)!], prev ? [total(prev, true)!] : null, () => true)[0],
    byRegion: rows(report.byRegion, prev?.byRegion ?? null),
    byLevel: rows(report.byLevel, prev?.byLevel ?? null),
    byPlatform: rows(report.byPlatform, prev?.byPlatform ?? null),
    failures: failures.map((f) => ({ accountName: f.account_name, handle: f.handle, platform: PLATFORM_NAMES_ZH[f.platform] ?? f.platform,
      unitName: f.unit_name, score: f.score, reasons: f.reasons })),
    previous: previous && prev ? { asOf: previous.asOf, passRate: prev.passRate } : null,
  };
}

export const bulletinsService = {
  /**
   * Generates the bulletin (通报) of a stored inspection: figures per sub-region, level and platform, the failures
   * named, the change against the region's previous stored inspection; the .xlsx and .docx files are stored with it.
   * Once per inspection: a second request is a CONFLICT (a published bulletin never changes).
   */
  async create(ctx: Context, inspectionId: string): Promise<Bulletin> {
    requireDetectionWriter(ctx);
    const inspection = await inspectionsService.byId(ctx, inspectionId);
    const region = await regionsService.byCodeInScope(ctx, inspection.regionCode, 'forbidden');
    return transaction(ctx, async (tx) => {
      await tx.em.query(`SELECT id FROM inspections WHERE id = $1 FOR UPDATE`, [inspection.id]);
      if (await this.ofInspection(tx, inspection.id)) throw conflict('该检查批次已生成通报；通报一经生成不再重新生成 (the bulletin of this inspection already exists)');
      const previous = await inspectionsService.previous(tx, inspection);
      const content = await contentOf(tx, inspection, previous);
      const [xlsx, docx] = await Promise.all([bulletinXlsx(content), bulletinDocx(content)]);
      const [row]: { id: number }[] = await tx.em.query(
        `INSERT INTO bulletins (inspection_id, previous_inspection_id, title, content, xlsx, docx, created_by, created_by_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [inspection.id, previous?.id ?? null, content.title, JSON.stringify(content), xlsx, docx, tx.user?.id ?? null, tx.user?.username ?? 'system']);
      await recordAudit(tx, {
        action: 'BULLETIN_CREATED', entityType: 'bulletin', entityId: row.id, unitId: await regionsService.unitOf(tx, region),
        after: { inspectionId: inspection.id, previousInspectionId: previous?.id ?? null, passRate: content.newMedia.passRate }, comment: content.title,
      });
      return tx.em.getRepository(Bulletin).findOneByOrFail({ id: row.id });
    });
  },

  ofInspection(ctx: Context, inspectionId: number): Promise<Bulletin | null> {
    return ctx.em.getRepository(Bulletin).findOneBy({ inspectionId });
  },

  /** A stored file of a bulletin the request may see (its inspection's region in scope); NOT_FOUND otherwise. */
  async file(ctx: Context, id: string, kind: 'xlsx' | 'docx'): Promise<{ title: string; data: Buffer }> {
    const [row]: { inspection_id: number; title: string; data: Buffer }[] = await ctx.em.query(
      `SELECT inspection_id, title, ${kind === 'xlsx' ? 'xlsx' : 'docx'} AS data FROM bulletins WHERE id = $1`, [parseId(id, 'id')]);
    if (!row) throw notFound('通报');
    await inspectionsService.byId(ctx, row.inspection_id);
    return { title: row.title, data: row.data };
  },
};
