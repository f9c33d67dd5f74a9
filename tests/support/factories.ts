import type { DataSource } from 'typeorm';
import { AccountStatus, AccountType, Level, Platform, UnitKind } from '../../server/common/enums';
import { refreshUnitPaths } from '../../server/units/unit-paths';

/** Small, explicit factories: each test says what it sets up. Units get their paths recomputed like an import. */

export interface UnitSpec {
  code: string;
  name?: string;
  kind?: UnitKind;
  level?: Level;
  parent?: string | null;
  region?: string | null;
  supervisor?: string | null;
}

export async function makeUnits(ds: DataSource, specs: UnitSpec[]): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const s of specs) {
    const [row] = await ds.query(
      `INSERT INTO units (code, name, kind, level, parent_id, region_code, supervisor_id, path)
       VALUES ($1, $2, $3, $4, (SELECT id FROM units WHERE code = $5), $6, (SELECT id FROM units WHERE code = $7), '') RETURNING id`,
      [s.code, s.name ?? `单位${s.code}`, s.kind ?? UnitKind.GOVERNMENT, s.level ?? Level.COUNTY, s.parent ?? null, s.region ?? null, s.supervisor ?? null],
    );
    ids[s.code] = row.id;
  }
  await refreshUnitPaths(ds.manager);
  return ids;
}

export interface AccountSpec {
  unit: string;
  platform?: Platform;
  handle: string;
  name?: string;
  type?: AccountType;
  status?: AccountStatus;
  filingNo?: string | null;
  openedOn?: string | null;
  followers?: number;
  interactionEnabled?: boolean;
  isMain?: boolean;
}

export async function makeAccounts(ds: DataSource, specs: AccountSpec[]): Promise<Record<string, number>> {
  const ids: Record<string, number> = {};
  for (const s of specs) {
    const [row] = await ds.query(
      `INSERT INTO accounts (platform, handle, name, unit_id, type, status, filing_no, opened_on, followers, interaction_enabled, is_main)
       VALUES ($1, $2, $3, (SELECT id FROM units WHERE code = $4), $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [s.platform ?? Platform.WECHAT, s.handle, s.name ?? s.handle, s.unit, s.type ?? AccountType.PUBLISHING, s.status ?? AccountStatus.ACTIVE,
        s.filingNo === undefined ? `备${s.handle}` : s.filingNo, s.openedOn ?? '2020-01-01', s.followers ?? 100, s.interactionEnabled ?? true, s.isMain ?? false],
    );
    ids[s.handle] = row.id;
  }
  return ids;
}

/** Posts at the given ISO times for one account; keeps the account's rollups (last_post_at, post_count) right. */
export async function makePosts(ds: DataSource, accountId: number, times: string[], opts: { reads?: number; original?: boolean } = {}): Promise<void> {
  if (times.length) {
    await ds.query(
      `INSERT INTO posts (account_id, published_at, title, original, reads)
       SELECT $1, t, '内容 ' || ord, $3, $4 FROM unnest($2::timestamptz[]) WITH ORDINALITY AS x(t, ord)`,
      [accountId, times, opts.original ?? true, opts.reads ?? 500],
    );
  }
  await ds.query(
    `UPDATE accounts a SET last_post_at = s.last, post_count = s.n
       FROM (SELECT max(published_at) AS last, count(*)::int AS n FROM posts WHERE account_id = $1) s WHERE a.id = $1`,
    [accountId],
  );
}

export async function makeMessages(ds: DataSource, accountId: number, items: { received: string; replied?: string | null }[]): Promise<void> {
  for (const m of items) {
    await ds.query(`INSERT INTO messages (account_id, received_at, replied_at) VALUES ($1, $2, $3)`, [accountId, m.received, m.replied ?? null]);
  }
}
