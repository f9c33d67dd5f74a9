import { randomBytes } from 'node:crypto';
import type { Context } from '../kernel/context';
import { Scope } from '../kernel/scope';
import { recordAudit } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { badInput, notFound, parseId } from '../kernel/errors';
import { pageSize } from '../kernel/pagination';
import { NATIONAL_REGION, regionsService } from '../regions/regions.service';
import { detectionRegionFor, requireDetectionWriter } from '../policy/policy.access';
import { effectiveSettings, loadPolicies, provinceOfPath } from '../policy/policy.service';
import { checkDate } from '../detection/detection.dates';
import { scoreRegion, inspectionService } from '../detection/inspection.service';
import type { InspectionReport } from '../detection/inspection.types';
import { Inspection } from './inspection.entity';
import { quarterOf, stratifiedSample } from './sampling';

export interface CreateInspectionInput {
  regionCode: string;
  /** Check date (default today); the period is its calendar quarter up to the check date. */
  asOf?: string | null;
  /** 0.1–1; default the policy's `inspection.sampleRatio` for the region's province. */
  sampleRatio?: number | null;
  /** Recorded; default a random one. The same seed over the same population draws the same sample. */
  seed?: string | null;
}

export const inspectionsService = {
  /**
   * Stores an inspection (检查批次): every active account of the region is scored for the check date, a stratified
   * sample (level × platform) is drawn from the recorded seed, and the sampled verdicts are frozen with their
   * evidence and what each account was on that day. Planners and administrators, inside their region.
   */
  async create(ctx: Context, input: CreateInspectionInput): Promise<Inspection> {
    requireDetectionWriter(ctx);
    const asOf = checkDate(input.asOf);
    const region = (await detectionRegionFor(ctx, input.regionCode)) ?? (await regionsService.byCode(ctx, NATIONAL_REGION));
    const national = region.code === NATIONAL_REGION;
    let ratio = input.sampleRatio ?? null;
    if (ratio === null) ratio = effectiveSettings(await loadPolicies(ctx.em), national ? NATIONAL_REGION : provinceOfPath(region.path)).inspection.sampleRatio;
    if (!(ratio >= 0.1 && ratio <= 1)) {
      throw badInput('抽样比例应在 10% 到 100% 之间 (sample ratio must be 0.1–1)', [{ field: 'sampleRatio', message: '0.1–1' }]);
    }
    const seed = input.seed?.trim() || randomBytes(8).toString('hex');
    if (seed.length > 64) throw badInput('抽样种子不超过 64 个字符 (seed too long)', [{ field: 'seed', message: '≤ 64' }]);
    const period = quarterOf(asOf);
    return transaction(ctx, async (tx) => {
      const scored = await scoreRegion(tx.em, asOf, national ? null : region.path);
      const population = scored.accounts.filter((a) => tx.scope.contains(a.unitPath));
      const sample = stratifiedSample(population, ratio, seed, (a) => `${a.level}|${a.platform}`);
      const [row]: { id: number }[] = await tx.em.query(
        `INSERT INTO inspections (region_code, region_name, region_path, period_start, period_end, as_of, sample_ratio, seed, policy_versions,
                                  population, sampled, created_by, created_by_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
        [region.code, region.name, region.path, period.start, asOf, asOf, ratio, seed, JSON.stringify(scored.policyVersions),
          population.length, sample.length, tx.user?.id ?? null, tx.user?.username ?? 'system']);
      await tx.em.query(`
        INSERT INTO inspection_items (inspection_id, account_id, account_name, handle, unit_id, unit_name, unit_path, region_path, level, platform,
                                      grade, score, vetoes, deductions, reasons, evidence)
        SELECT $1, x.account_id, x.account_name, x.handle, x.unit_id, x.unit_name, x.unit_path, x.region_path, x.level, x.platform,
               x.grade, x.score, x.vetoes, x.deductions, x.reasons, x.evidence
          FROM jsonb_to_recordset($2::jsonb) AS x(account_id int, account_name text, handle text, unit_id int, unit_name text, unit_path text,
               region_path text, level text, platform text, grade text, score int, vetoes text[], deductions jsonb, reasons text[], evidence jsonb)`,
      [row.id, JSON.stringify(sample.map((a) => ({
        account_id: a.id, account_name: a.name, handle: a.handle, unit_id: a.unitId, unit_name: a.unitName, unit_path: a.unitPath,
        region_path: a.regionPath, level: a.level, platform: a.platform, grade: a.verdict.grade, score: a.verdict.score,
        vetoes: a.verdict.vetoes, deductions: a.verdict.deductions, reasons: a.verdict.reasons, evidence: a.evidence,
      })))]);
      const failed = sample.filter((a) => !a.verdict.passed).length;
      await recordAudit(tx, {
        action: 'INSPECTION_CREATED', entityType: 'inspection', entityId: row.id, unitId: await regionsService.unitOf(tx, region),
        after: { region: region.code, periodStart: period.start, asOf, sampleRatio: ratio, seed, population: population.length, sampled: sample.length, failed },
        comment: `${region.name}${period.label}检查：抽查 ${sample.length}/${population.length} 个账号，不合格 ${failed} 个`,
      });
      return tx.em.getRepository(Inspection).findOneByOrFail({ id: row.id });
    });
  },

  /** Stored inspections whose region lies in the request's region scope, newest first. */
  async list(ctx: Context, regionCode?: string | null, first?: number | null): Promise<Inspection[]> {
    const qb = ctx.em.getRepository(Inspection).createQueryBuilder('i')
      .orderBy('i.as_of', 'DESC').addOrderBy('i.id', 'DESC').limit(pageSize(first, ctx.config.maxPageSize));
    const visible = (await regionsService.scope(ctx)).sql('i.region_path');
    qb.where(visible.sql, visible.params);
    if (regionCode) qb.andWhere('i.region_code = :code', { code: (await regionsService.byCode(ctx, regionCode)).code });
    return qb.getMany();
  },

  /** One stored inspection; NOT_FOUND when missing or outside the request's region scope. */
  async byId(ctx: Context, id: string | number): Promise<Inspection> {
    const inspection = await ctx.em.getRepository(Inspection).findOneBy({ id: parseId(id, 'id') });
    if (!inspection || !(await regionsService.scope(ctx)).contains({ path: inspection.regionPath })) throw notFound('检查批次');
    return inspection;
  },

  /** The report of a stored inspection, as the request's scope sees it. */
  report(ctx: Context, inspection: Inspection, failuresLimit = 100): Promise<InspectionReport> {
    return inspectionService.reportOf(ctx, inspection, failuresLimit);
  },

  /** The whole report of a stored inspection as published (every sampled account, whoever asks): for bulletins. */
  fullReport(ctx: Context, inspection: Inspection): Promise<InspectionReport> {
    return inspectionService.reportOf({ ...ctx, scope: Scope.ALL }, inspection, 1000);
  },

  /** The previous stored inspection of the same region (the latest with an earlier check date), if any. */
  async previous(ctx: Context, inspection: Inspection): Promise<Inspection | null> {
    return ctx.em.getRepository(Inspection).createQueryBuilder('i')
      .where('i.region_code = :code AND i.as_of < :asOf', { code: inspection.regionCode, asOf: inspection.asOf })
      .orderBy('i.as_of', 'DESC').addOrderBy('i.id', 'DESC').getOne();
  },
};
