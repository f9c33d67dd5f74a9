import type { EntityManager } from 'typeorm';
import { AccountStatus, AccountType, Level, Platform, UnitKind } from '../common/enums';
import { effectiveSettings, loadPolicies, provinceOfPath } from '../policy/policy.service';

/**
 * Protected accounts (受保护账号): a careful planner never closes or merges them away.
 *   - GOV_MAIN: a government's main account on a platform, for governments at county level and above (the region's
 *     voice: XX发布, 微XX, the portal). "Main" = marked main; on a platform where the government marks none, its
 *     account with the most followers there.
 *   - SERVICE: an account whose value is its services — type `service`, a mini-program or an app, or any account
 *     that carries services (办事服务) people use.
 *   - FOLLOWERS: at least `protect.followers` followers (policy of the account's province; national default 50,000).
 * The draft proposes KEEP (rectify) for them; closing or merging one by hand is a validation error unless the action
 * records an override reason, which approvers see and the audit keeps.
 */
export enum ProtectionKind {
  GOV_MAIN = 'GOV_MAIN',
  SERVICE = 'SERVICE',
  FOLLOWERS = 'FOLLOWERS',
}

export interface Protection {
  kind: ProtectionKind;
  /** The reason in words, e.g. "县级及以上政府的主账号（鼓楼区人民政府，微信）". */
  reason: string;
}

const GOV_LEVELS = [Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY];
/** Platforms whose accounts are judged by their services, not their posts. */
export const SERVICE_PLATFORMS = [Platform.MINIPROGRAM, Platform.APP];

interface Row {
  id: number; unit_name: string; platform: Platform; type: AccountType; followers: number; region_path: string | null;
  gov_main: boolean; services: number;
}

/** The protections of each of `accountIds` (accounts without any are absent). Two statements. */
export async function protectionsOf(em: EntityManager, accountIds: number[]): Promise<Map<number, Protection[]>> {
  const out = new Map<number, Protection[]>();
  if (!accountIds.length) return out;
  const rows: Row[] = await em.query(
    `SELECT a.id, u.name AS unit_name, a.platform, a.type, a.followers, u.region_path,
            (u.kind = $2 AND u.level = ANY($3::text[]) AND (a.is_main OR (
               NOT EXISTS (SELECT 1 FROM accounts m WHERE m.unit_id = a.unit_id AND m.platform = a.platform AND m.is_main AND m.status <> $4)
               AND NOT EXISTS (SELECT 1 FROM accounts o WHERE o.unit_id = a.unit_id AND o.platform = a.platform AND o.status <> $4
                                 AND o.id <> a.id AND (o.followers > a.followers OR (o.followers = a.followers AND o.id < a.id)))))) AS gov_main,
            (SELECT count(*) FROM services s WHERE s.account_id = a.id AND s.merged_into_id IS NULL)::int AS services
       FROM accounts a JOIN units u ON u.id = a.unit_id
      WHERE a.id = ANY($1::int[])`,
    [accountIds, UnitKind.GOVERNMENT, GOV_LEVELS, AccountStatus.CLOSED]);
  const policies = await loadPolicies(em);
  const threshold = new Map<string, number>();
  for (const r of rows) {
    const list: Protection[] = [];
    if (r.gov_main) list.push({ kind: ProtectionKind.GOV_MAIN, reason: `县级及以上政府「${r.unit_name}」在该平台的主账号` });
    if (r.type === AccountType.SERVICE || SERVICE_PLATFORMS.includes(r.platform) || r.services > 0) {
      list.push({ kind: ProtectionKind.SERVICE, reason: r.services > 0 ? `提供 ${r.services} 项办事服务` : '服务类账号（小程序、客户端或服务号）' });
    }
    const province = provinceOfPath(r.region_path);
    if (!threshold.has(province)) threshold.set(province, effectiveSettings(policies, province).protect.followers);
    const min = threshold.get(province)!;
    if (r.followers >= min) list.push({ kind: ProtectionKind.FOLLOWERS, reason: `关注者 ${r.followers} 人（保护阈值 ${min}）` });
    if (list.length) out.set(r.id, list);
  }
  return out;
}
