import { recordAudit } from '../kernel/audit';
import { LOCKS, transaction } from '../kernel/transaction';
import type { EntityManager } from 'typeorm';
import type { Context } from '../kernel/context';
import { badInput } from '../kernel/errors';
import { Level } from '../common/enums';
import { NATIONAL_REGION as NATIONAL, regionsService } from '../regions/regions.service';
import { Policy } from './policy.entity';
import { mergeSettings, NATIONAL_DEFAULTS, validateSettings, type PolicySettings } from './policy.settings';
import { requirePolicyAdmin } from './policy.access';

/** The latest override of every region that has one, and the province codes. */
export interface LoadedPolicies {
  national: { version: number; settings: Record<string, unknown> } | null;
  provinces: Map<string, { version: number; settings: Record<string, unknown> }>;
  provinceCodes: string[];
}

export async function loadPolicies(em: EntityManager): Promise<LoadedPolicies> {
  const rows: { region_code: string; version: number; settings: Record<string, unknown> }[] = await em.query(
    `SELECT DISTINCT ON (region_code) region_code, version, settings FROM policies ORDER BY region_code, version DESC`);
  const codes: { code: string }[] = await em.query(`SELECT code FROM regions WHERE level = 'province' ORDER BY code`);
  const provinces = new Map<string, { version: number; settings: Record<string, unknown> }>();
  let national: LoadedPolicies['national'] = null;
  for (const r of rows) {
    if (r.region_code === NATIONAL) national = { version: r.version, settings: r.settings };
    else provinces.set(r.region_code, { version: r.version, settings: r.settings });
  }
  return { national, provinces, provinceCodes: codes.map((c) => c.code) };
}

/** Effective settings of a province ('0' or unknown: the national policy). */
export function effectiveSettings(p: LoadedPolicies, province: string): PolicySettings {
  return mergeSettings(NATIONAL_DEFAULTS, p.national?.settings, province === NATIONAL ? undefined : p.provinces.get(province)?.settings);
}

/** `{ "0": n, "35": m }`: the versions a run over these provinces uses. */
export function versionsUsed(p: LoadedPolicies, provinces: string[]): Record<string, number> {
  const out: Record<string, number> = { [NATIONAL]: p.national?.version ?? 0 };
  for (const c of provinces) {
    const v = p.provinces.get(c)?.version;
    if (v) out[c] = v;
  }
  return out;
}

/** Province code of a region path (`/0/35/3501/` → '35'), '0' for the nation or no region. */
export function provinceOfPath(path: string | null | undefined): string {
  return path?.split('/')[2] || NATIONAL;
}

export interface PolicyView {
  regionCode: string;
  regionName: string;
  /** Version of this region's own override (null: none yet, the national policy applies unchanged). */
  version: number | null;
  override: Record<string, unknown>;
  effective: PolicySettings;
  nationalVersion: number;
  note: string | null;
  createdAt: Date | null;
  createdBy: number | null;
}

export const policyService = {
  /**
   * The policy that applies to a region: its province's (or the national) override and the effective settings.
   * The region must lie in the user's scope (NOT_FOUND otherwise; the nation only for unrestricted users).
   */
  async get(ctx: Context, regionCode: string): Promise<PolicyView> {
    const region = await regionsService.byCodeInScope(ctx, regionCode);
    const code = provinceOfPath(region.path);
    const owner = code === region.code ? region : await regionsService.byCode(ctx, code);
    const loaded = await loadPolicies(ctx.em);
    const own = await ctx.em.getRepository(Policy).findOne({ where: { regionCode: code }, order: { version: 'DESC' } });
    return {
      regionCode: code,
      regionName: owner.name,
      version: own?.version ?? null,
      override: own?.settings ?? {},
      effective: effectiveSettings(loaded, code),
      nationalVersion: loaded.national?.version ?? 0,
      note: own?.note ?? null,
      createdAt: own?.createdAt ?? null,
      createdBy: own?.createdBy ?? null,
    };
  },

  /** Every version of a region's override, newest first; the region must lie in the user's scope (else NOT_FOUND). */
  async history(ctx: Context, regionCode: string): Promise<Policy[]> {
    const region = await regionsService.byCodeInScope(ctx, regionCode);
    return ctx.em.getRepository(Policy).find({ where: { regionCode: region.code }, order: { version: 'DESC' } });
  },

  /**
   * Stores `settings` as the next version of the override of the nation ('0') or a province: the complete
   * override (it replaces the previous one; keys not given fall back to the national policy / defaults).
   * Validated key by key; nothing is written on a problem. Administrators only, for a region in their scope (a
   * provincial administrator: their province; the nation only for an unrestricted administrator). The audit event
   * is filed under the region's government, so the auditors of the region see it.
   */
  async update(ctx: Context, regionCode: string, settings: unknown, note?: string | null): Promise<PolicyView> {
    requirePolicyAdmin(ctx);
    const region = await regionsService.byCodeInScope(ctx, regionCode, 'forbidden');
    if (region.level !== Level.NATIONAL && region.level !== Level.PROVINCE) {
      throw badInput(`政策只能按全国（0）或省级设置，${region.name}（${region.code}）不是省级区划 (policy is set per province)`,
        [{ field: 'regionCode', message: '应为 0 或省级代码' }]);
    }
    const problems = validateSettings(settings);
    if (!problems.length) {
      const loaded = await loadPolicies(ctx.em);
      const eff = mergeSettings(NATIONAL_DEFAULTS, region.code === NATIONAL ? settings : loaded.national?.settings,
        region.code === NATIONAL ? undefined : settings);
      if (eff.inspection.passMark > eff.inspection.goodMark) {
        problems.push({ field: 'settings.inspection.passMark', message: `合格线 ${eff.inspection.passMark} 不能高于良好线 ${eff.inspection.goodMark}` });
      }
    }
    if (problems.length) {
      throw badInput(`政策设置有误：${problems.map((p) => `${p.field}：${p.message}`).join('；')} (invalid policy settings)`, problems);
    }
    await transaction(ctx, async (tx) => {
      const em = tx.em;
      await em.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [LOCKS.policy, region.code]);
      await em.query(
        `INSERT INTO policies (region_code, version, settings, note, created_by)
         SELECT $1::varchar, COALESCE(max(version), 0) + 1, $2::jsonb, $3::text, $4::int FROM policies WHERE region_code = $1::varchar`,
        [region.code, JSON.stringify(settings), note ?? null, tx.user?.id ?? null],
      );
      const [previous] = await em.query(
        `SELECT version, settings FROM policies WHERE region_code = $1 ORDER BY version DESC OFFSET 1 LIMIT 1`, [region.code]);
      await recordAudit(tx, {
        action: 'POLICY_UPDATED', entityType: 'policy', entityId: region.code, unitId: await regionsService.unitOf(tx, region),
        before: previous ? { version: previous.version, settings: previous.settings } : null,
        after: { settings }, comment: note ?? null,
      });
    });
    return this.get(ctx, region.code);
  },
};
