import DataLoader from 'dataloader';
import { In, type EntityManager } from 'typeorm';
import { manyByKey } from '../kernel/loaders';
import { FindingStatus } from '../common/enums';
import { Account } from '../accounts/account.entity';
import { Finding } from './finding.entity';
import type { InspectionVerdict } from './inspection.types';
import { verdictsFor } from './inspection.service';

export function createDetectionLoaders(em: EntityManager) {
  const inspections = new Map<string, DataLoader<Account, InspectionVerdict, number>>();
  return {
    /** All accounts a finding concerns: the suggested main first, then by platform and id. One query per batch. */
    accountsByFinding: new DataLoader<number, Account[]>(async (ids) => {
      const links: { finding_id: number; account_id: number }[] = await em.query(
        `SELECT finding_id, account_id FROM finding_accounts WHERE finding_id = ANY($1::int[])
          ORDER BY finding_id, (role = 'suggested_main') DESC, account_id`, [[...ids]]);
      const accounts = links.length ? await em.getRepository(Account).findBy({ id: In([...new Set(links.map((l) => l.account_id))]) }) : [];
      const byId = new Map(accounts.map((a) => [a.id, a]));
      return manyByKey(ids, links.filter((l) => byId.has(l.account_id)), (l) => l.finding_id).map((list) => list.map((l) => byId.get(l.account_id)!));
    }),
    /** Open and dismissed findings concerning an account (resolved ones are history). */
    findingsByAccount: new DataLoader<number, Finding[]>(async (ids) => {
      const rows: { account_id: number; finding_id: number }[] = await em.query(
        `SELECT fa.account_id, fa.finding_id FROM finding_accounts fa JOIN findings f ON f.id = fa.finding_id
          WHERE fa.account_id = ANY($1::int[]) AND f.status <> $2`, [[...ids], FindingStatus.RESOLVED]);
      const findings = rows.length ? await em.getRepository(Finding).find({
        where: { id: In([...new Set(rows.map((r) => r.finding_id))]) }, order: { severityRank: 'ASC', id: 'DESC' } }) : [];
      const order = new Map(findings.map((f, i) => [f.id, i]));
      const byId = new Map(findings.map((f) => [f.id, f]));
      return manyByKey(ids, rows.sort((a, b) => order.get(a.finding_id)! - order.get(b.finding_id)!), (r) => r.account_id)
        .map((list) => list.map((r) => byId.get(r.finding_id)!));
    }),
    /** Inspection verdicts for a check date, batched per date. */
    inspectionFor(asOf: string): DataLoader<Account, InspectionVerdict, number> {
      let loader = inspections.get(asOf);
      if (!loader) {
        loader = new DataLoader<Account, InspectionVerdict, number>((accounts) => verdictsFor(em, accounts, asOf), { cacheKeyFn: (a) => a.id });
        inspections.set(asOf, loader);
      }
      return loader;
    },
  };
}

export type DetectionLoaders = ReturnType<typeof createDetectionLoaders>;
declare module '../kernel/loaders' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging: the kernel's Loaders gain these
  interface Loaders extends DetectionLoaders {}
}
