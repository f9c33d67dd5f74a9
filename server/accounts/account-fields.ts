import { PLATFORM_NAMES_ZH } from '../common/enums';
import type { Account } from './account.entity';

/** `Account.platformName` and `Account.filed`: one definition for the field resolvers and the direct reads (server/reads/direct.ts). */
export const accountFields = {
  platformName: (account: Account): string => PLATFORM_NAMES_ZH[account.platform],
  filed: (account: Account): boolean => account.filingNo !== null,
};
