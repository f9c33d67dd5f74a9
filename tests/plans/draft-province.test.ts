import { createSystemContext } from '../../server/kernel/context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import type { TestUser } from '../support/auth';
import { Role } from '../../server/common/enums';
import { seedDemo, type SeedSummary } from '../../server/seed/seed';
import { runDetection } from '../../server/detection/detection.service';

/**
 * Drafting at the scale of a province (the demo seed of Fujian, with planted problems): one call turns the open
 * findings into a plan; the planted redundant accounts are merged, zombies shut down; validation and impact run
 * with a bounded number of statements; nothing would be lost (services 100%).
 */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let seed: SeedSummary;
let planner: TestUser;

beforeAll(async () => {
  db = await createTestDb();
  gql = await createGraphqlHarness(db.ds, db.config);
  seed = await seedDemo(db.ds, { province: '35' });
  await runDetection(createSystemContext(db.ds), { asOf: seed.asOf });
  // The demo planner the seed created (provincial government scope).
  const [u] = await db.ds.query(`SELECT us.id, us.unit_id, un.path FROM users us JOIN units un ON un.id = us.unit_id WHERE us.username = 'planner'`);
  planner = { id: u.id, username: 'planner', password: '', session: { id: u.id, username: 'planner', role: Role.PLANNER, unitId: u.unit_id, unitPath: u.path } };
}, 600_000);

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const handles = (rule: string) => seed.planted.find((p) => p.rule === rule)?.handles ?? [];

describe('draft from findings for a whole province', () => {
  let planId: string;
  let actions: { type: string; account: { platform: string; handle: string } }[];

  it('builds the plan in one call', async () => {
    const t = performance.now();
    const r = await gql.exec(`mutation { draftPlanFromFindings(input: { regionCode: "35" }) { actionCount findingsUsed skipped
      plan { id actions { type account { platform handle } } } } }`, {}, planner.session);
    const ms = performance.now() - t;
    expect(r.errors).toBeUndefined();
    const d = r.data!.draftPlanFromFindings;
    console.log(`draft: ${d.findingsUsed} findings → ${d.actionCount} actions in ${Math.round(ms)} ms, ${r.sqlStatements} statements; skipped ${d.skipped.length}`);
    expect(d.actionCount).toBeGreaterThan(0);
    expect(r.sqlStatements).toBeLessThan(40);
    planId = d.plan.id;
    actions = d.plan.actions;
    const byType: Record<string, number> = {};
    for (const a of actions) byType[a.type] = (byType[a.type] ?? 0) + 1;
    console.log(`draft action counts by type: ${JSON.stringify(byType)}`);
  });

  it('merges the planted redundant accounts and shuts down the planted zombies (or merges them)', () => {
    const key = (a: { account: { platform: string; handle: string } }) => `${a.account.platform.toLowerCase()}:${a.account.handle}`;
    const typeOf = new Map(actions.map((a) => [key(a), a.type]));
    const redundant = handles('REDUNDANT_SAME_PLATFORM');
    expect(redundant.length).toBeGreaterThan(0);
    // Every planted redundant account is either merged, or is the group's main account (not in the plan as closing).
    const merged = redundant.filter((h) => typeOf.get(h) === 'MERGE');
    expect(merged.length).toBeGreaterThan(0);
    for (const h of redundant) expect(['MERGE', 'KEEP', 'RENAME', undefined]).toContain(typeOf.get(h));
    for (const h of handles('ZOMBIE')) expect(['SHUTDOWN', 'MERGE', 'KEEP']).toContain(typeOf.get(h));
  });

  it('validates and previews the impact with a bounded number of statements', async () => {
    const t = performance.now();
    const r = await gql.exec(`query($id: ID!) { plan(id: $id) {
      validation { valid errors { code } warnings { code } }
      impact { accountsBefore accountsAfter servicesBefore servicesKept postsBefore postsKept findingsResolved passRateBefore passRateAfter }
      actions { account { name unit { name } } target { name } serviceTarget { name } contentTarget { name } findingIds approvalRequests { id } } } }`,
    { id: planId }, planner.session);
    const ms = performance.now() - t;
    expect(r.errors).toBeUndefined();
    const p = r.data!.plan;
    const codes = [...new Set(p.validation.errors.map((e: any) => e.code))];
    console.log(`validation+impact+actions: ${Math.round(ms)} ms, ${r.sqlStatements} statements; errors ${p.validation.errors.length} ${JSON.stringify(codes)}, warnings ${p.validation.warnings.length}; impact ${JSON.stringify(p.impact)}`);
    // 76 measured: validation looks up the protected accounts (issue 11) in three statements, and the impact's
    // what-if detection sets up the content scan's work tables (policy, window posts, texts through a cursor read in
    // batches of 5,000, found spans: about a dozen fixed statements) — whatever the plan's size.
    expect(r.sqlStatements).toBeLessThan(85);
    expect(p.impact.accountsAfter).toBeLessThan(p.impact.accountsBefore);
    // Draft never leaves a service without a destination.
    expect(p.validation.errors.filter((e: any) => e.code === 'SERVICE_NO_DESTINATION')).toEqual([]);
    expect(p.impact.servicesKept).toBe(p.impact.servicesBefore);
  });
});
