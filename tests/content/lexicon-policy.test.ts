import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeUnits } from '../support/factories';
import { makeUser, type TestUser } from '../support/auth';
import { createContext } from '../../server/kernel/context';
import { Level, Role } from '../../server/common/enums';
import { lexiconService } from '../../server/policy/lexicon.service';

/** The lexicon as policy: province edits with a reason, versioned, scoped by region, audited in the same transaction. */
let db: TestDb;
let provinceAdmin: TestUser;
let cityAdmin: TestUser;
let planner: TestUser;
const ctx = (u: TestUser) => createContext(db.ds, db.config, u.session);

beforeAll(async () => {
  db = await createTestDb();
  await makeUnits(db.ds, [
    { code: 'GOV35', level: Level.PROVINCE, region: '35' },
    { code: 'GOV3501', level: Level.CITY, parent: 'GOV35', region: '3501' },
    { code: 'GOV33', level: Level.PROVINCE, region: '33' },
  ]);
  provinceAdmin = await makeUser(db.ds, { username: 'admin-35', role: Role.ADMIN, unit: 'GOV35' });
  cityAdmin = await makeUser(db.ds, { username: 'admin-3501', role: Role.ADMIN, unit: 'GOV3501' });
  planner = await makeUser(db.ds, { username: 'planner-35', role: Role.PLANNER, unit: 'GOV35' });
});

afterAll(async () => {
  await db?.close();
});

describe('lexicon edits', () => {
  it('a provincial administrator adds and disables entries of their province, each a version, audited with the reason', async () => {
    const a = await lexiconService.edit(ctx(provinceAdmin), '35', {
      op: 'add', term: '闽政通办', reason: '本省平台名称常被写错', entry: { type: 'expression', correct: '闽政通', kind: 'body', severity: 'general' },
    });
    expect(a.version).toBe(1);
    expect(a.lexicon.expressions.find((e) => e.term === '闽政通办')?.source).toBe('35');
    const d = await lexiconService.edit(ctx(provinceAdmin), '35', { op: 'disable', term: '旅游局', reason: '本省部分县仍保留旅游局' });
    expect(d.version).toBe(2);
    expect(d.lexicon.key).toBe('v1.n0.p2@35');
    expect(d.lexicon.expressions.some((e) => e.term === '旅游局')).toBe(false);
    const audit = await db.ds.query(`SELECT entity_id, comment FROM audit_events WHERE action = 'LEXICON_EDITED' ORDER BY id`);
    expect(audit).toEqual([{ entity_id: '35', comment: '本省平台名称常被写错' }, { entity_id: '35', comment: '本省部分县仍保留旅游局' }]);
    // Other provinces keep the shipped lexicon.
    const zj = await db.ds.query(`SELECT count(*)::int AS n FROM content_lexicon_edits WHERE region_code = '33'`);
    expect(zj[0].n).toBe(0);
  });

  it('refuses edits without a reason, outside the scope, below province level, and by non-administrators', async () => {
    await expect(lexiconService.edit(ctx(provinceAdmin), '35', { op: 'disable', term: '村长', reason: '  ' })).rejects.toThrow(/必须说明理由/);
    await expect(lexiconService.edit(ctx(provinceAdmin), '33', { op: 'disable', term: '村长', reason: 'x' })).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(lexiconService.edit(ctx(cityAdmin), '3501', { op: 'disable', term: '村长', reason: 'x' })).rejects.toThrow(/省级/);
    await expect(lexiconService.edit(ctx(planner), '35', { op: 'disable', term: '村长', reason: 'x' })).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(lexiconService.edit(ctx(provinceAdmin), '35', { op: 'add', term: '错词', reason: 'x', entry: { type: 'expression', correct: '错词' } }))
      .rejects.toThrow(/不能与错误表述相同/);
    const n = await db.ds.query(`SELECT count(*)::int AS n FROM content_lexicon_edits`);
    expect(n[0].n).toBe(2);
  });
});

describe('browsing the lexicon (contentLexicon)', () => {
  it('lists shipped and added entries with their source and enabled state, searchable; a city sees its province', async () => {
    const all = await lexiconService.entries(ctx(cityAdmin), '3501');
    expect(all.length).toBe(512 + 142 + 1);
    expect(all.find((e) => e.term === '闽政通办')).toMatchObject({ type: 'expression', source: 'province', enabled: true, correct: '闽政通' });
    expect(all.find((e) => e.term === '旅游局')).toMatchObject({ source: 'shipped', enabled: false, lastEdit: { regionCode: '35', version: 2, op: 'disable', reason: '本省部分县仍保留旅游局' } });
    expect(all.find((e) => e.term === '秒杀')).toMatchObject({ type: 'marker', category: 'advertising', source: 'shipped', enabled: true, lastEdit: null });
    const found = await lexiconService.entries(ctx(cityAdmin), '3501', { search: '民法典', type: 'expression' });
    expect(found.length).toBeGreaterThan(3);
    expect(found.every((e) => e.type === 'expression' && `${e.term}${e.correct}`.includes('民法典'))).toBe(true);
    // Zhejiang keeps the shipped lexicon; outside the scope is NOT_FOUND.
    await expect(lexiconService.entries(ctx(cityAdmin), '33')).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
