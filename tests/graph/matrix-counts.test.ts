import fc from 'fast-check';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, appDataSource, type TestDb } from '../support/db';
import { makeAccounts, makeUnits, type AccountSpec } from '../support/factories';
import { AccountStatus, Level, Platform } from '../../server/common/enums';
import { createSystemContext, type Context } from '../../server/kernel/context';
import { Scope } from '../../server/kernel/scope';
import { matrixService } from '../../server/matrix/matrix.service';
import { sqlScope, type SqlScope } from '../../server/db/sql-counter';

/**
 * The matrix's maintained counts (migrations/1732946700000-MatrixAccountCounts.ts): after any sequence of writes —
 * accounts inserted, deleted, moved to another unit, their platform or status changed, one row or many per
 * statement, units moved to another region, the log folded — the sum per region × platform × status equals a count of
 * the accounts; the matrix read from them equals the matrix counted from the accounts; writers of the same county do
 * not wait for each other.
 */
let db: TestDb;

const REGIONS = ['3501', '350102', '350103', '3502', '350203', null] as const;
const PLATFORMS = [Platform.WECHAT, Platform.WEIBO, Platform.DOUYIN];
const STATUSES = [AccountStatus.ACTIVE, AccountStatus.SUSPENDED, AccountStatus.CLOSED];

beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [
    { code: 'P', level: Level.PROVINCE, region: '35' },
    ...REGIONS.map((region, i) => ({ code: `U${i}`, parent: 'P', region, supervisor: 'P' })),
    ...REGIONS.map((region, i) => ({ code: `V${i}`, parent: `U${i}`, region, supervisor: `U${i}` })),
  ]);
});

afterAll(async () => {
  await db?.close();
});

/** The maintained counts and the accounts' own counts, as sorted lists of `path platform status n`. */
async function bothCounts(): Promise<{ maintained: string[]; counted: string[] }> {
  const rows = async (sql: string) => ((await db.ds.query(sql)) as { k: string }[]).map((r) => r.k).sort();
  return {
    maintained: await rows(`SELECT concat_ws(' ', region_path, platform, status, sum(n)) AS k FROM matrix_account_counts
      GROUP BY region_path, platform, status HAVING sum(n) <> 0`),
    counted: await rows(`SELECT concat_ws(' ', u.region_path, a.platform, a.status, count(*)) AS k FROM accounts a JOIN units u ON u.id = a.unit_id
      WHERE u.region_path IS NOT NULL GROUP BY u.region_path, a.platform, a.status`),
  };
}

type Op =
  | { kind: 'insert'; unit: number; platform: number; status: number; n: number }
  | { kind: 'status'; pick: number; status: number; many: boolean }
  | { kind: 'platform'; pick: number; platform: number }
  | { kind: 'move'; pick: number; unit: number }
  | { kind: 'region'; unit: number; region: number }
  | { kind: 'regions'; region: number }
  | { kind: 'delete'; pick: number; many: boolean }
  | { kind: 'compact' };

const unitCodes = REGIONS.flatMap((_, i) => [`U${i}`, `V${i}`]);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), unit: fc.nat(unitCodes.length - 1), platform: fc.nat(2), status: fc.nat(2), n: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('status' as const), pick: fc.nat(1000), status: fc.nat(2), many: fc.boolean() }),
  fc.record({ kind: fc.constant('platform' as const), pick: fc.nat(1000), platform: fc.nat(2) }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat(1000), unit: fc.nat(unitCodes.length - 1) }),
  fc.record({ kind: fc.constant('region' as const), unit: fc.nat(unitCodes.length - 1), region: fc.nat(REGIONS.length - 1) }),
  fc.record({ kind: fc.constant('regions' as const), region: fc.nat(REGIONS.length - 1) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(1000), many: fc.boolean() }),
  fc.record({ kind: fc.constant('compact' as const) }),
);

let handles = 0;

async function apply(o: Op): Promise<void> {
  const ids: number[] = ((await db.ds.query(`SELECT id FROM accounts ORDER BY id`)) as { id: number }[]).map((r) => r.id);
  const picked = ids.length ? ids[o.kind === 'insert' || o.kind === 'region' || o.kind === 'regions' || o.kind === 'compact' ? 0 : o.pick % ids.length] : null;
  switch (o.kind) {
    case 'insert': {
      // One statement, n rows (the statement trigger sees them as one transition table).
      const rows = Array.from({ length: o.n }, () => `h${++handles}`);
      await db.ds.query(`INSERT INTO accounts (platform, handle, name, type, unit_id, status)
        SELECT $1, h, h, 'publishing', (SELECT id FROM units WHERE code = $2), $3 FROM unnest($4::text[]) h`,
      [PLATFORMS[o.platform], unitCodes[o.unit], STATUSES[o.status], rows]);
      break;
    }
    case 'status':
      if (picked === null) break;
      // Many: every account of the picked one's unit (some may already have that status: unchanged rows add nothing).
      await db.ds.query(o.many
        ? `UPDATE accounts SET status = $2 WHERE unit_id = (SELECT unit_id FROM accounts WHERE id = $1)`
        : `UPDATE accounts SET status = $2 WHERE id = $1`, [picked, STATUSES[o.status]]);
      break;
    case 'platform':
      if (picked === null) break;
      // A handle is unique per platform: a clash changes nothing (the statement fails, its rows are rolled back).
      await db.ds.query(`UPDATE accounts SET platform = $2 WHERE id = $1`, [picked, PLATFORMS[o.platform]]).catch(() => undefined);
      break;
    case 'move':
      if (picked === null) break;
      await db.ds.query(`UPDATE accounts SET unit_id = (SELECT id FROM units WHERE code = $2) WHERE id = $1`, [picked, unitCodes[o.unit]]);
      break;
    case 'region':
      await db.ds.query(`UPDATE units SET region_code = $2::text, region_path = (SELECT path FROM regions WHERE code = $2::text) WHERE code = $1`,
        [unitCodes[o.unit], REGIONS[o.region]]);
      break;
    case 'regions':
      // Every lower unit at once (one statement, as the import sets the regions of its new units).
      await db.ds.query(`UPDATE units SET region_code = $1::text, region_path = (SELECT path FROM regions WHERE code = $1::text) WHERE code LIKE 'V%'`,
        [REGIONS[o.region]]);
      break;
    case 'delete':
      if (picked === null) break;
      await db.ds.query(o.many
        ? `DELETE FROM accounts WHERE unit_id = (SELECT unit_id FROM accounts WHERE id = $1)`
        : `DELETE FROM accounts WHERE id = $1`, [picked]);
      break;
    case 'compact':
      await db.ds.query(`SELECT matrix_account_counts_compact()`);
      break;
  }
}

describe('maintained matrix counts', () => {
  it('the migration fills them from the accounts; an insert adds its accounts', async () => {
    await makeAccounts(db.ds, [
      { unit: 'U0', handle: 'a1' }, { unit: 'U1', handle: 'a2', platform: Platform.WEIBO }, { unit: 'U5', handle: 'a3' },
    ] as AccountSpec[]);
    const { maintained, counted } = await bothCounts();
    expect(counted.length).toBe(2); // the unit without a region has no row
    expect(maintained).toEqual(counted);
  });

  it('equal the accounts\' counts after any sequence of writes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      for (const o of ops) await apply(o);
      const { maintained, counted } = await bothCounts();
      expect(maintained).toEqual(counted);
    }), { numRuns: 25 });
    const [{ total }] = await db.ds.query(`SELECT count(*)::int AS total FROM accounts`);
    expect(total).toBeGreaterThan(0);
  });

  it('folding leaves one row per key and the same sums; a rolled-back write leaves nothing', async () => {
    const before = await bothCounts();
    const [{ rows }] = await db.ds.query(`SELECT matrix_account_counts_compact() AS rows`);
    const [{ n, keys }] = await db.ds.query(`SELECT count(*)::int AS n, count(DISTINCT (region_path, platform, status))::int AS keys FROM matrix_account_counts`);
    expect(n).toBe(rows);
    expect(n).toBe(keys);
    expect((await bothCounts()).maintained).toEqual(before.counted);
    await db.ds.transaction(async (em) => {
      await em.query(`UPDATE accounts SET status = 'closed' WHERE status <> 'closed'`);
      throw new Error('rollback');
    }).catch(() => undefined);
    expect((await bothCounts()).maintained).toEqual(before.counted);
  });

  it('the application role maintains them (least privilege)', async () => {
    const app = appDataSource(db.ds);
    await app.query(`INSERT INTO accounts (platform, handle, name, type, unit_id, status) VALUES ('wechat', 'app1', 'app1', 'publishing', (SELECT id FROM units WHERE code = 'U2'), 'active')`);
    await app.query(`UPDATE accounts SET status = 'suspended' WHERE handle = 'app1'`);
    const { maintained, counted } = await bothCounts();
    expect(maintained).toEqual(counted);
  });

  it('two writers of the same county and key do not wait for each other', async () => {
    const ids = await makeAccounts(db.ds, [{ unit: 'U1', handle: 'w1' }, { unit: 'U1', handle: 'w2' }]);
    const a = new Client({ connectionString: db.url });
    const b = new Client({ connectionString: db.url });
    await a.connect();
    await b.connect();
    try {
      await a.query('BEGIN');
      await a.query(`UPDATE accounts SET status = 'suspended' WHERE id = $1`, [ids.w1]);
      await b.query('BEGIN');
      await b.query(`SET LOCAL lock_timeout = '2s'`);
      await b.query(`UPDATE accounts SET status = 'suspended' WHERE id = $1`, [ids.w2]);
      await b.query('COMMIT'); // would time out if b waited for a's counter row
      await a.query('COMMIT');
    } finally {
      await a.end();
      await b.end();
    }
    const { maintained, counted } = await bothCounts();
    expect(maintained).toEqual(counted);
  });

  it('the matrix of a region read from them equals the matrix counted from the accounts, in one statement', async () => {
    const everything: Context = createSystemContext(db.ds, db.config);
    // The same units seen through a scope that covers them all: the accounts are counted.
    const counting: Context = { ...createSystemContext(db.ds, db.config), scope: Scope.ofPath('/') };
    const logged = async <T>(fn: () => Promise<T>): Promise<{ result: T; log: string[] }> => {
      const scope: SqlScope = { statements: 0, log: [] };
      const result = await sqlScope.run(scope, fn);
      return { result, log: scope.log! };
    };
    const strip = (m: Awaited<ReturnType<typeof matrixService.matrix>>) => ({ rows: m.rows, totals: m.totals, openFindings: m.openFindings });
    for (const code of ['35', '3501']) {
      const fromCounts = await logged(() => matrixService.matrix(everything, code, { findings: true, levels: false }));
      const fromAccounts = await logged(() => matrixService.matrix(counting, code, { findings: true, levels: false }));
      expect(strip(fromCounts.result)).toEqual(strip(fromAccounts.result));
      expect(fromCounts.result.rows.reduce((s, r) => s + r.totalCell.total, 0)).toBeGreaterThan(0);
      // One counting statement each: from the maintained counts for the whole country, from the accounts for a scope.
      expect(fromCounts.log.filter((q) => q.includes('matrix_account_counts'))).toHaveLength(1);
      expect(fromCounts.log.filter((q) => q.includes('FROM accounts a'))).toHaveLength(0);
      expect(fromAccounts.log.filter((q) => q.includes('matrix_account_counts'))).toHaveLength(0);
      expect(fromAccounts.log.filter((q) => q.includes('FROM accounts a'))).toHaveLength(1);
    }
  });
});
