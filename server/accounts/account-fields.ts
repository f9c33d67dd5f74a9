import { PLATFORM_NAMES_ZH } from '../common/enums';
import type { Account } from './account.entity';

/**
 * `Account.platformName` and `Account.filed`: one definition for the field resolvers and the direct reads
 * (server/reads/direct.ts), and its SQL form for the answers a planned statement renders (server/reads/render-sql.ts),
 * side by side so that they cannot drift apart (tests/graph/planner.test.ts compares both answers).
 */
export const accountFields = {
  platformName: (account: Account): string => PLATFORM_NAMES_ZH[account.platform],
  filed: (account: Account): boolean => account.filingNo !== null,
};

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The same fields in SQL over the account row `a` (NULL for a platform without a name: the renderer then declines). */
export const accountFieldsSql = {
  platformName: (a: string): string =>
    `CASE ${a}.platform ${Object.entries(PLATFORM_NAMES_ZH).map(([p, name]) => `WHEN ${quote(p)} THEN ${quote(name)}`).join(' ')} END`,
  filed: (a: string): string => `(${a}.filing_no IS NOT NULL)`,
};
