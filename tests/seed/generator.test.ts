import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_FILES, MANIFEST_FILE, generateDemoCsv, type GenerateResult } from '../../server/seed/generator';
import { normalizeName } from '../../server/seed/normalize';
import { accountFacts, median, readCsv, type AccountFacts } from './read-csv';

/** The demo generator on its own (no database): determinism, the shape of the province, the planted problems. */

const AS_OF = new Date('2024-06-29T16:00:00Z'); // 2024-06-30 00:00 Asia/Shanghai
const DAY = 86_400_000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const hashes = (dir: string) => Object.fromEntries([...CSV_FILES, MANIFEST_FILE].map((f) =>
  [f, crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')]));

describe('determinism', () => {
  it('gives byte-identical files for the same options, and different ones for another check date', async () => {
    const a = await generateDemoCsv(path.join(tmp, 'a'), { city: '3501', asOf: AS_OF });
    const b = await generateDemoCsv(path.join(tmp, 'b'), { city: '3501', asOf: AS_OF });
    const c = await generateDemoCsv(path.join(tmp, 'c'), { city: '3501', asOf: new Date(AS_OF.getTime() + DAY) });
    expect(a.counts.accounts).toBeGreaterThan(300);
    expect(hashes(a.dir)).toEqual(hashes(b.dir));
    expect(hashes(c.dir)['posts.csv']).not.toEqual(hashes(a.dir)['posts.csv']);
    // The structure does not depend on the date: same units and accounts.
    expect(hashes(c.dir)['units.csv']).toEqual(hashes(a.dir)['units.csv']);
  });

  it('one city alone has exactly the rows that city has inside the whole province', async () => {
    const city = fs.readFileSync(path.join(tmp, 'a', 'accounts.csv'), 'utf8').split('\n').filter((l) => /,3501/.test(l));
    const full = await generateDemoCsv(path.join(tmp, 'full'), { asOf: AS_OF });
    const inFull = new Set(fs.readFileSync(path.join(full.dir, 'accounts.csv'), 'utf8').split('\n'));
    expect(city.length).toBeGreaterThan(300);
    expect(city.filter((l) => !inFull.has(l))).toEqual([]);
  });
});

describe('the Fujian demo province', () => {
  let gen: GenerateResult;
  let facts: Map<string, AccountFacts>;
  const units = new Map<string, Record<string, string>>();
  const planted = (rule: string) => gen.planted.find((p) => p.rule === rule)!.handles;
  const asOfMs = AS_OF.getTime();

  beforeAll(async () => {
    gen = await generateDemoCsv(path.join(tmp, 'p35'), { asOf: AS_OF });
    await readCsv(gen.dir, 'units.csv', (r) => units.set(r.code, r));
    facts = await accountFacts(gen.dir, AS_OF);
  });

  it('has units at every level, real divisions, expected departments, offices as supervisors', () => {
    const byLevel = (l: string) => [...units.values()].filter((u) => u.level === l);
    expect(units.get('35-GOV')).toMatchObject({ name: '福建省人民政府', kind: 'government', parent_code: '' });
    expect(units.get('35-GOV-BGT')).toMatchObject({ name: '福建省人民政府办公厅', kind: 'internal' });
    expect(byLevel('city').filter((u) => u.kind === 'government')).toHaveLength(9);
    expect(byLevel('county').filter((u) => u.kind === 'government')).toHaveLength(84);
    expect(byLevel('township').filter((u) => u.kind === 'government')).toHaveLength(1170);
    expect(units.get('3501-GA')?.name).toBe('福州市公安局');
    expect(units.get('350102-GA')?.name).toBe('福州市公安局鼓楼分局');
    expect(units.get('350102001-GOV')).toMatchObject({ name: '鼓东街道办事处', parent_code: '350102-GOV', supervisor_code: '350102-GOV-BGS', region_code: '350102001' });
    for (const city of ['3501', '3502', '3505']) {
      for (const d of ['GA', 'SF', 'JY', 'WJ', 'RS', 'SJ', 'HB', 'YJ', 'WL', 'JT', 'ZJ', 'NY', 'MZ', 'SW']) {
        expect(units.get(`${city}-${d}`), `${city}-${d}`).toMatchObject({ parent_code: `${city}-GOV`, supervisor_code: `${city}-GOV-BGS` });
      }
    }
    expect(byLevel('county').filter((u) => u.kind === 'media_center')).toHaveLength(84);
    for (const u of units.values()) {
      if (u.parent_code) expect(units.has(u.parent_code), u.code).toBe(true);
      if (u.supervisor_code) expect(units.get(u.supervisor_code)?.kind, u.code).toBe('internal');
    }
    expect(units.get('3501-GOV')?.supervisor_code).toBe('35-GOV-BGT');
  });

  it('has a few thousand accounts on several platforms, unique handles, at most one main account per unit and platform', () => {
    expect(gen.counts.accounts).toBeGreaterThanOrEqual(2500);
    expect(gen.counts.accounts).toBeLessThanOrEqual(4000);
    expect(gen.counts.posts).toBeGreaterThanOrEqual(500_000);
    expect(gen.counts.posts).toBeLessThanOrEqual(1_500_000);
    expect(facts.size).toBe(gen.counts.accounts);
    const perPlatform = new Map<string, number>();
    const mains = new Map<string, number>();
    for (const f of facts.values()) {
      expect(units.has(f.unit)).toBe(true);
      perPlatform.set(f.platform, (perPlatform.get(f.platform) ?? 0) + 1);
      if (f.isMain) mains.set(`${f.unit}/${f.platform}`, (mains.get(`${f.unit}/${f.platform}`) ?? 0) + 1);
      expect(f.handle).toMatch(/^[a-z0-9_]+$/);
    }
    expect(Math.max(...mains.values())).toBe(1);
    expect(perPlatform.get('wechat')).toBeGreaterThan(perPlatform.get('weibo')!);
    expect(perPlatform.get('website')).toBe(1 + 9 + 84);
    expect(facts.get('wechat:gh_35_gov')?.name).toBe('福建发布');
    expect(facts.get('wechat:gh_3501_gov')?.name).toBe('福州发布');
    const prov = facts.get('weibo:35_gov')!;
    expect(prov.reads.length).toBeGreaterThan(1000); // provincial main accounts post daily
  });

  const minimum: Record<string, number> = {
    NO_UPDATE_14D: 100, ZOMBIE: 60, NO_INTERACTION: 60, STOPPED_NOT_DEREGISTERED: 15, REDUNDANT_SAME_PLATFORM: 60, NAME_INCONSISTENT: 20,
    UNFILED: 60, LOW_VALUE: 60,
  };
  it('plants every problem category at a realistic rate', () => {
    for (const [rule, n] of Object.entries(minimum)) {
      expect(planted(rule).length, rule).toBeGreaterThanOrEqual(n);
      expect(planted(rule).length, rule).toBeLessThan(gen.counts.accounts * 0.2);
      for (const h of planted(rule)) expect(facts.has(h), h).toBe(true);
    }
  });

  const serviceValued = (f: AccountFacts) => f.type === 'service' || f.platform === 'miniprogram' || f.platform === 'app';
  // Exact rules (national defaults): the planted list is precisely the set of accounts with the property.
  const exact: [string, (f: AccountFacts) => boolean][] = [
    // Service accounts, mini-programs and apps are judged by their services (no services = zombie), not their posts.
    ['NO_UPDATE_14D', (f) => f.status === 'active' && !serviceValued(f) && Date.parse(f.openedOn) < asOfMs - 14 * DAY
      && (f.lastPost === null || f.lastPost < asOfMs - 14 * DAY)],
    ['ZOMBIE', (f) => f.status === 'active' && (serviceValued(f) ? f.services === 0 && Date.parse(f.openedOn) < asOfMs - 90 * DAY
      : f.lastPost === null || f.lastPost < asOfMs - 90 * DAY)],
    ['NO_INTERACTION', (f) => f.status === 'active' && (!f.interaction || (f.oldestUnansweredMs !== null && f.oldestUnansweredMs < asOfMs - 5 * DAY))],
    ['STOPPED_NOT_DEREGISTERED', (f) => f.status === 'suspended' && f.lastPost !== null && f.lastPost < asOfMs - 30 * DAY],
    ['UNFILED', (f) => f.status === 'active' && !f.filed],
  ];
  for (const [rule, holds] of exact) {
    it(`${rule}: planted accounts are exactly those with the property in the rows`, () => {
      const expected = [...facts].filter(([, f]) => holds(f)).map(([h]) => h).sort();
      expect([...planted(rule)].sort()).toEqual(expected);
    });
  }

  it('REDUNDANT_SAME_PLATFORM: exactly the unit/platform pairs with more than one non-closed account', () => {
    const groups = new Map<string, string[]>();
    for (const [h, f] of facts) if (f.status !== 'closed') groups.set(`${f.unit}/${f.platform}`, [...(groups.get(`${f.unit}/${f.platform}`) ?? []), h]);
    const expected = [...groups.values()].filter((g) => g.length > 1).flat().sort();
    expect([...planted('REDUNDANT_SAME_PLATFORM')].sort()).toEqual(expected);
    // The textbook cases: a county police bureau with three WeChat accounts, a justice bureau with 掌上12348 + 普法.
    expect([...groups.values()].some((g) => g.length >= 3 && g[0].startsWith('wechat:') && /_ga/.test(g[0]))).toBe(true);
    expect([...facts.values()].some((f) => f.name.endsWith('掌上12348'))).toBe(true);
  });

  it('NAME_INCONSISTENT: planted units differ after normalisation; decoys differ only in script or decoration', () => {
    const unitsOf = (handles: string[]) => {
      const m = new Map<string, AccountFacts[]>();
      for (const h of handles) m.set(facts.get(h)!.unit, [...(m.get(facts.get(h)!.unit) ?? []), facts.get(h)!]);
      return m;
    };
    for (const [unit, accs] of unitsOf(planted('NAME_INCONSISTENT'))) {
      expect(new Set(accs.map((a) => normalizeName(a.name))).size, unit).toBeGreaterThan(1);
    }
    const decoys = unitsOf(gen.decoys.find((d) => d.rule === 'NAME_INCONSISTENT')!.handles);
    expect(decoys.size).toBeGreaterThanOrEqual(20);
    let traditional = 0;
    for (const [unit, accs] of decoys) {
      expect(new Set(accs.map((a) => a.name)).size, unit).toBeGreaterThan(1);
      expect(new Set(accs.map((a) => normalizeName(a.name))).size, unit).toBe(1);
      if (accs.some((a) => normalizeName(a.name) !== a.name.replace(/[\s\p{P}\p{S}]/gu, ''))) traditional++;
    }
    expect(traditional).toBeGreaterThanOrEqual(5);
  });

  it('LOW_VALUE: grassroots accounts with low reads, few originals, the same reposts again and again', () => {
    for (const h of planted('LOW_VALUE')) {
      const f = facts.get(h)!;
      expect(['county', 'township'], h).toContain(units.get(f.unit)!.level);
      expect(median(f.reads), h).toBeLessThan(1000);
      expect(f.originalsLastYear, h).toBeLessThan(12);
      if (f.reads.length >= 15) expect(Math.max(...f.titles.values()), h).toBeGreaterThanOrEqual(3);
    }
    // Healthy grassroots accounts are not low-read.
    const healthy = [...facts].filter(([h, f]) => f.status === 'active' && !planted('LOW_VALUE').includes(h) && f.reads.length >= 20
      && ['county', 'township'].includes(units.get(f.unit)!.level));
    const lowRead = healthy.filter(([, f]) => median(f.reads) < 1000);
    expect(lowRead.length).toBeLessThan(healthy.length * 0.02);
  });
});
