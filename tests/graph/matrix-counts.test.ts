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
import { runDetection } from '../../server/detection/detection.service';
import { MatrixCountsPlannedPerStatement1732947500000 } from '../../migrations/1732947500000-MatrixCountsPlannedPerStatement';

/**
 * The matrix's maintained counts (migrations/1732946700000-MatrixCounts.ts): after any sequence of writes —
 * accounts inserted, deleted, moved to another unit, their platform or status changed, one row or many per
 * statement, units moved to another region, the log folded — the sum per region × platform × status equals a count of
 * the accounts; the matrix read from them equals the matrix counted from the accounts; writers of the same county do
 * not wait for each other.
 */
let db: TestDb;
let runId: number;

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
  [{ id: runId }] = await db.ds.query(`INSERT INTO detection_runs (as_of, policy_versions, started_at) VALUES ('2026-11-30', '{}', now()) RETURNING id`);
});

afterAll(async () => {
  await db?.close();
});

/** The maintained counts and the accounts' own counts, as sorted lists of `path platform status n`. */
async function bothCounts(): Promise<{ maintained: string[]; counted: string[] }> {
  const rows = async (sql: string) => ((await db.ds.query(sql)) as { k: string }[]).map((r) => r.k).sort();
  return {
    maintained: [
      ...await rows(`SELECT concat_ws(' ', region_path, platform, status, sum(n)) AS k FROM matrix_account_counts
        GROUP BY region_path, platform, status HAVING sum(n) <> 0`),
      ...await rows(`SELECT concat_ws(' ', 'finding', region_path, finding_path, platform, sum(n)) AS k FROM matrix_finding_counts
        GROUP BY region_path, finding_path, platform HAVING sum(n) <> 0`)],
    counted: [
      ...await rows(`SELECT concat_ws(' ', u.region_path, a.platform, a.status, count(*)) AS k FROM accounts a JOIN units u ON u.id = a.unit_id
        WHERE u.region_path IS NOT NULL GROUP BY u.region_path, a.platform, a.status`),
      // Open findings per platform they concern (each once) and in all ('*'), by unit region and own region path.
      ...await rows(`SELECT concat_ws(' ', 'finding', u.region_path, f.region_path, COALESCE(p.platform, '*'), count(DISTINCT f.id)) AS k
        FROM findings f JOIN units u ON u.id = f.unit_id LEFT JOIN LATERAL unnest(f.platforms) p(platform) ON true
        WHERE f.status = 'open' AND u.region_path IS NOT NULL AND f.region_path IS NOT NULL
        GROUP BY GROUPING SETS ((u.region_path, f.region_path, p.platform), (u.region_path, f.region_path))`)],
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
  | { kind: 'compact' }
  | { kind: 'finding'; pick: number; platforms: number[]; status: number; elsewhere: boolean; many: boolean }
  | { kind: 'findingStatus'; pick: number; status: number; many: boolean }
  | { kind: 'findingPlatforms'; pick: number; platforms: number[] }
  | { kind: 'findingDelete'; pick: number; many: boolean };

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
  fc.record({ kind: fc.constant('finding' as const), pick: fc.nat(1000), platforms: fc.array(fc.nat(2), { minLength: 1, maxLength: 3 }),
    status: fc.nat(2), elsewhere: fc.boolean(), many: fc.boolean() }),
  fc.record({ kind: fc.constant('findingStatus' as const), pick: fc.nat(1000), status: fc.nat(2), many: fc.boolean() }),
  fc.record({ kind: fc.constant('findingPlatforms' as const), pick: fc.nat(1000), platforms: fc.array(fc.nat(2), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('findingDelete' as const), pick: fc.nat(1000), many: fc.boolean() }),
);

const FINDING_STATUSES = ['open', 'resolved', 'dismissed'];
let subjects = 0;
let withOpenFindings = 0;
let withAccounts = 0;
/** Sets a finding's status (a dismissal needs its reason and hash). */
const statusSet = `status = $2, dismissed_reason = CASE WHEN $2 = 'dismissed' THEN '不适用' END, dismissed_hash = CASE WHEN $2 = 'dismissed' THEN 'h' END`;

let handles = 0;

async function apply(o: Op): Promise<void> {
  const ids: number[] = ((await db.ds.query(`SELECT id FROM accounts ORDER BY id`)) as { id: number }[]).map((r) => r.id);
  const picked = ids.length && 'pick' in o ? ids[o.pick % ids.length] : null;
  const findingIds: number[] = ((await db.ds.query(`SELECT id FROM findings ORDER BY id`)) as { id: number }[]).map((r) => r.id);
  const finding = findingIds.length && 'pick' in o ? findingIds[o.pick % findingIds.length] : null;
  switch (o.kind) {
    case 'finding':
      if (picked === null) break;
      // Its region path as detection writes it (the unit's), or another one (the unit moved since the finding was written).
      // Many: one statement, a finding for every account of the picked one's unit, their statuses in turn from the
      // drawn one and every third without a region path (the statement trigger counts only the open ones with a path).
      await db.ds.query(`
        INSERT INTO findings (rule, severity, status, subject_key, unit_id, account_id, platforms, level, region_path, evidence, evidence_hash,
                              first_seen_run, last_seen_run, first_seen_at, last_seen_at, dismissed_reason, dismissed_hash)
        SELECT 'ZOMBIE', 'major', s.status, $3 || '-' || a.id, a.unit_id, a.id, $4::text[], u.level,
               CASE WHEN a.i % 3 = 2 THEN NULL WHEN $5 THEN '/0/35/3502/' ELSE u.region_path END, '{}', 'h',
               $6, $6, now(), now(), CASE WHEN s.status = 'dismissed' THEN '不适用' END, CASE WHEN s.status = 'dismissed' THEN 'h' END
          FROM (SELECT a.id, a.unit_id, (row_number() OVER (ORDER BY a.id))::int - 1 AS i FROM accounts a
                 WHERE ${o.many ? 'a.unit_id = (SELECT unit_id FROM accounts WHERE id = $1)' : 'a.id = $1'}) a
          JOIN units u ON u.id = a.unit_id
          CROSS JOIN LATERAL (SELECT ($7::text[])[1 + ($2 + a.i) % 3] AS status) s`,
      [picked, o.status, `s${++subjects}`, o.platforms.map((i) => PLATFORMS[i]), o.elsewhere, runId, FINDING_STATUSES]);
      break;
    case 'findingStatus':
      if (finding === null) break;
      await db.ds.query(o.many
        ? `UPDATE findings SET ${statusSet} WHERE unit_id = (SELECT unit_id FROM findings WHERE id = $1)`
        : `UPDATE findings SET ${statusSet} WHERE id = $1`, [finding, FINDING_STATUSES[o.status]]);
      break;
    case 'findingPlatforms':
      if (finding === null) break;
      await db.ds.query(`UPDATE findings SET platforms = $2::text[] WHERE id = $1`, [finding, o.platforms.map((i) => PLATFORMS[i])]);
      break;
    case 'findingDelete':
      if (finding === null) break;
      await db.ds.query(o.many
        ? `DELETE FROM findings WHERE unit_id = (SELECT unit_id FROM findings WHERE id = $1)`
        : `DELETE FROM findings WHERE id = $1`, [finding]);
      break;
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
      await db.ds.query(`SELECT matrix_counts_compact()`);
      break;
  }
}

describe('maintained matrix counts', () => {
  it('the migration fills them from the accounts; an insert adds its accounts', async () => {
    await makeAccounts(db.ds, [
      { unit: 'U0', handle: 'a1' }, { unit: 'U1', handle: 'a2', platform: Platform.WEIBO }, { unit: 'U5', handle: 'a3' },
    ] as AccountSpec[]);
    const { maintained, counted } = await bothCounts();
    expect(counted.length).toBe(2); // the unit without a region has no row; no findings yet
    expect(maintained).toEqual(counted);
  });

  it('equal the accounts\' counts after any sequence of writes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      for (const o of ops) await apply(o);
      const { maintained, counted } = await bothCounts();
      expect(maintained).toEqual(counted);
      // A statement whose findings count nowhere (none open, or no region path) writes no row to the log.
      expect(await db.ds.query(`SELECT count(*)::int AS n FROM matrix_finding_counts WHERE n = 0`)).toEqual([{ n: 0 }]);
      if (counted.some((k) => k.startsWith('finding'))) withOpenFindings++;
      if (counted.some((k) => !k.startsWith('finding'))) withAccounts++;
    }), {
      numRuns: 40,
      // First (then the generated ones): an open finding on two platforms, so the comparison always covers findings.
      // The second: findings of a whole unit in one statement (open, resolved, dismissed in turn, every third without
      // a region path), some made open or deleted together.
      examples: [
        [[{ kind: 'insert', unit: 2, platform: 0, status: 0, n: 2 }, { kind: 'finding', pick: 0, platforms: [0, 1], status: 0, elsewhere: false, many: false }]],
        [[{ kind: 'insert', unit: 3, platform: 1, status: 0, n: 4 }, { kind: 'insert', unit: 3, platform: 2, status: 1, n: 3 },
          { kind: 'finding', pick: 0, platforms: [0, 2, 2], status: 1, elsewhere: false, many: true },
          { kind: 'finding', pick: 1, platforms: [1], status: 0, elsewhere: true, many: true },
          { kind: 'findingStatus', pick: 2, status: 0, many: true }, { kind: 'findingDelete', pick: 5, many: true }]],
      ],
    });
    // The runs did compare accounts and open findings (the first example guarantees both; a later sequence may delete
    // every account, so the table's state at the end proves nothing).
    expect(withOpenFindings).toBeGreaterThan(0);
    expect(withAccounts).toBeGreaterThan(0);
    // The units' regions back as created, so that the tests below do not depend on where the sequences left them.
    for (const [i, region] of REGIONS.entries()) {
      await db.ds.query(`UPDATE units SET region_code = $2::text, region_path = (SELECT path FROM regions WHERE code = $2::text)
        WHERE code = ANY($1::text[])`, [[`U${i}`, `V${i}`], region]);
    }
    expect((await bothCounts()).maintained).toEqual((await bothCounts()).counted);
  });

  it('a finding resolved, dismissed, reopened or moved to other platforms moves its counts', async () => {
    // The only finding of its region: the sequences above may have left open findings there (an open finding on
    // douyin in 350103 made the expected counts below wrong), and the counts compared are the region's.
    await db.ds.query(`DELETE FROM findings`);
    await makeUnits(db.ds, [{ code: 'ST', parent: 'P', region: '350103', supervisor: 'P' }]);
    await makeAccounts(db.ds, [{ unit: 'ST', handle: 'st1' }]);
    const all: number[] = ((await db.ds.query(`SELECT id FROM accounts ORDER BY id`)) as { id: number }[]).map((r) => r.id);
    const [{ id: account }] = await db.ds.query(`SELECT id FROM accounts WHERE handle = 'st1'`);
    await apply({ kind: 'finding', pick: all.indexOf(account), platforms: [0, 1], status: 0, elsewhere: false, many: false });
    const [{ id }] = await db.ds.query(`SELECT max(id) AS id FROM findings`);
    const [{ path }] = await db.ds.query(`SELECT region_path AS path FROM units WHERE code = 'ST'`);
    const mine = (k: string) => k.startsWith(`finding ${path} ${path} `);
    const open = async () => (await bothCounts()).maintained.filter(mine);
    const expected = async () => (await bothCounts()).counted.filter(mine);
    const before = await open();
    expect(before).toEqual(await expected());
    expect(before.length).toBeGreaterThanOrEqual(3); // wechat, weibo, '*'
    for (const status of ['resolved', 'open', 'dismissed', 'open']) {
      await db.ds.query(`UPDATE findings SET ${statusSet} WHERE id = $1`, [id, status]);
      expect(await open()).toEqual(await expected());
      expect(await open()).toEqual(status === 'open' ? before : before.map((k) => k.replace(/\d+$/, (n) => String(Number(n) - 1))).filter((k) => !k.endsWith(' 0')));
    }
    await db.ds.query(`UPDATE findings SET platforms = '{douyin}' WHERE id = $1`, [id]);
    expect(await open()).toEqual(await expected());
  });

  it('detection runs keep them: new findings, findings seen again, findings resolved', async () => {
    const ctx = createSystemContext(db.ds, db.config);
    const first = await runDetection(ctx, { asOf: '2026-11-30' });
    expect(first.created).toBeGreaterThan(0);
    let both = await bothCounts();
    expect(both.maintained).toEqual(both.counted);
    // Accounts closed: their findings no longer hold and are resolved by the next run; the others are seen again.
    await db.ds.query(`UPDATE accounts SET status = 'closed' WHERE id IN (SELECT account_id FROM findings WHERE status = 'open' AND account_id IS NOT NULL LIMIT 3)`);
    const second = await runDetection(ctx, { asOf: '2026-11-30' });
    expect(second.resolved).toBeGreaterThan(0);
    both = await bothCounts();
    expect(both.maintained).toEqual(both.counted);
  });

  it('folding leaves one row per key and the same sums; a rolled-back write leaves nothing', async () => {
    const before = await bothCounts();
    const [{ rows }] = await db.ds.query(`SELECT matrix_counts_compact() AS rows`);
    const [{ n, keys }] = await db.ds.query(`
      SELECT (SELECT count(*)::int FROM matrix_account_counts) + (SELECT count(*)::int FROM matrix_finding_counts) AS n,
             (SELECT count(DISTINCT (region_path, platform, status))::int FROM matrix_account_counts)
               + (SELECT count(DISTINCT (region_path, finding_path, platform))::int FROM matrix_finding_counts) AS keys`);
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
    // Open findings in both cities, one concerning two platforms, one with its own region path elsewhere.
    await makeAccounts(db.ds, [{ unit: 'U0', handle: 'mf1' }, { unit: 'V3', handle: 'mf2', platform: Platform.DOUYIN }]);
    const all: number[] = ((await db.ds.query(`SELECT id FROM accounts ORDER BY id`)) as { id: number }[]).map((r) => r.id);
    for (const [handle, platforms, elsewhere] of [['mf1', [0, 1], false], ['mf2', [2], false], ['mf1', [0], true]] as const) {
      const [{ id }] = await db.ds.query(`SELECT id FROM accounts WHERE handle = $1`, [handle]);
      await apply({ kind: 'finding', pick: all.indexOf(id), platforms: [...platforms], status: 0, elsewhere, many: false });
    }
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
      if (code === '35') expect(fromCounts.result.openFindings).toBeGreaterThan(0);
      // One counting statement each: from the maintained counts for the whole country, from the accounts for a scope.
      const reads = (log: string[], what: string) => log.filter((q) => q.includes(what)).length;
      expect([reads(fromCounts.log, 'matrix_account_counts'), reads(fromCounts.log, 'matrix_finding_counts')]).toEqual([1, 1]);
      expect([reads(fromCounts.log, 'FROM accounts a'), reads(fromCounts.log, 'FROM findings f')]).toEqual([0, 0]);
      expect([reads(fromAccounts.log, 'matrix_account_counts'), reads(fromAccounts.log, 'matrix_finding_counts')]).toEqual([0, 0]);
      expect([reads(fromAccounts.log, 'FROM accounts a'), reads(fromAccounts.log, 'FROM findings f')]).toEqual([1, 1]);
    }
  });

  it('the planned statement function (MatrixCountsPlannedPerStatement) reverts to the earlier one and back, counting the same', async () => {
    const definition = async () => ((await db.ds.query(`SELECT prosrc FROM pg_proc WHERE proname = 'matrix_counts_statement'`)) as { prosrc: string }[])[0].prosrc;
    const insertMany = async () => {
      const ids: number[] = ((await db.ds.query(`SELECT id FROM accounts ORDER BY id`)) as { id: number }[]).map((r) => r.id);
      for (const status of [0, 1]) await apply({ kind: 'finding', pick: ids.length - 1, platforms: [0, 2], status, elsewhere: false, many: true });
    };
    const m = new MatrixCountsPlannedPerStatement1732947500000();
    const q = db.ds.createQueryRunner();
    try {
      expect(await definition()).toContain('EXECUTE');
      await m.down(q);
      expect(await definition()).not.toContain('EXECUTE');
      await insertMany();
      let both = await bothCounts();
      expect(both.maintained).toEqual(both.counted);
      await m.up(q);
      expect(await definition()).toContain('EXECUTE');
      await insertMany();
      await db.ds.query(`DELETE FROM findings WHERE status = 'open' AND id IN (SELECT id FROM findings ORDER BY id DESC LIMIT 5)`);
      both = await bothCounts();
      expect(both.maintained).toEqual(both.counted);
    } finally {
      await q.release();
    }
  });
});
