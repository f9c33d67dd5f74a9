import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSystemContext } from '../../server/kernel/context';
import { importFiles } from '../../server/import/import.service';
import { runDetection } from '../../server/detection/detection.service';
import { todayInBeijing } from '../../server/kernel/dates';
import { checkPost } from '../../server/content/matcher';
import { primeContentChecks } from '../../server/content/content-prime';
import { appDataSource, createTestDb, type TestDb } from '../support/db';

// Counts the posts checked (the real matcher, wrapped; without the byte filter, so every post read is counted).
vi.mock('../../server/content/matcher', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/content/matcher')>();
  return { ...real, checkPost: vi.fn(real.checkPost), copyTextFilter: () => null };
});
const checked = vi.mocked(checkPost);
// The import's content check, wrapped so that one test can make it fail.
vi.mock('../../server/content/content-prime', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/content/content-prime')>();
  return { ...real, primeContentChecks: vi.fn(real.primeContentChecks) };
});
const prime = vi.mocked(primeContentChecks);

/**
 * An import checks the content of the posts it wrote (content/content-prime.ts): the first detection run after it reads
 * no post again, and finds exactly what a run finds that checks every post of the window itself (an import told not to
 * check, `checkContent: false`, into another database).
 */
const today = todayInBeijing();
const day = (back: number) => {
  const d = new Date(`${today}T12:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() - back);
  return d.toISOString().slice(0, 10);
};

function files() {
  const units = ['code,name,kind,level,parent_code,region_code,supervisor_code',
    'FJ-GOV,福建省人民政府,government,province,,35,', 'XM-GOV,厦门市人民政府,government,city,FJ-GOV,3502,',
    'XM-NY,厦门市农业农村局,department,city,XM-GOV,3502,XM-GOV'].join('\n');
  const accounts = ['platform,handle,name,unit_code,type,status,filing_no,opened_on,followers,interaction_enabled,is_main',
    'wechat,fjfb,福建发布,FJ-GOV,publishing,active,闽备1,2015-01-01,1000,true,true',
    'wechat,xmfb,厦门发布,XM-GOV,publishing,active,闽备2,2015-01-01,1000,true,true',
    'weibo,xmny,厦门农业,XM-NY,publishing,active,闽备3,2015-01-01,1000,true,true',
    'douyin,xmny,厦门农业,XM-NY,publishing,closed,闽备4,2015-01-01,1000,true,false'].join('\n');
  const routine = '市委召开专题会议，部署乡村振兴和营商环境优化工作。';
  const posts = ['platform,handle,published_at,title,original,reads,content'];
  for (const [platform, handle] of [['wechat', 'fjfb'], ['wechat', 'xmfb'], ['weibo', 'xmny'], ['douyin', 'xmny']]) {
    for (let back = 1; back <= 60; back += 4) posts.push(`${platform},${handle},${day(back)}T10:00:00,工作动态${back},true,800,${routine}`);
  }
  posts.push(`wechat,fjfb,${day(3)}T11:00:00,认真学习十九大四中全会精神,true,800,省人大常委会主任出席。`);
  posts.push(`weibo,xmny,${day(5)}T11:00:00,限时抢购！全场包邮,true,800,本地蜜柚秒杀，扫码领券。`);
  posts.push(`weibo,xmny,${day(6)}T11:00:00,小编哭晕在厕所,true,800,宝宝们求点赞，求转发！`);
  posts.push(`douyin,xmny,${day(2)}T11:00:00,认真学习十九大四中全会精神,true,800,已关闭的账号不检查。`);
  // A title-only post: nothing to check.
  posts.push(`wechat,xmfb,${day(2)}T11:00:00,十九大四中全会,true,800,`);
  return [{ name: 'units.csv', content: units }, { name: 'accounts.csv', content: accounts }, { name: 'posts.csv', content: posts.join('\n') }];
}

const contentFindings = (db: TestDb) => db.ds.query(`SELECT f.subject_key, f.rule, f.status, f.evidence_hash, f.evidence FROM findings f
  WHERE f.rule IN ('WRONG_EXPRESSION_SERIOUS', 'WRONG_EXPRESSION', 'OFF_MISSION') ORDER BY f.subject_key`);
const handlesOf = (db: TestDb, table: string) => db.ds.query(`SELECT a.platform || ':' || a.handle AS account FROM ${table} t
  JOIN accounts a ON a.id = t.account_id GROUP BY 1 ORDER BY 1`).then((r: { account: string }[]) => r.map((x) => x.account));

describe('the import checks the content of the posts it wrote', () => {
  let primed: TestDb;
  let plain: TestDb;
  beforeAll(async () => { [primed, plain] = await Promise.all([createTestDb(), createTestDb()]); });
  afterAll(async () => { await Promise.all([primed?.close(), plain?.close()]); });

  it('the first detection run reads no post again and finds what a run checking every post finds', async () => {
    for (const [db, checkContent] of [[primed, true], [plain, false]] as const) {
      const log: string[] = [];
      checked.mockClear();
      // As the server imports: as matrix_app (the check writes the content tables with the application's rights).
      // (detect: false — the detection run after the import is the run compared below, made here by hand.)
      const r = await importFiles(createSystemContext(appDataSource(db.ds)), files(), { log: (m) => log.push(m), checkContent, detect: false });
      expect(r.errors).toEqual([]);
      // The import checked the posts with text of the open accounts (16 + 15 + 17; not the closed one's, not the title-only post).
      expect(checked.mock.calls.length).toBe(checkContent ? 48 : 0);
      expect(log.some((m) => m.startsWith('内容预检完成'))).toBe(checkContent);
    }
    // What the import left: a state for every open account, the check rows of the posts with a finding.
    expect(await handlesOf(primed, 'content_scan_state')).toEqual(['wechat:fjfb', 'wechat:xmfb', 'weibo:xmny']);
    expect(await handlesOf(primed, 'post_content_checks')).toEqual(['wechat:fjfb', 'weibo:xmny']);
    expect(await handlesOf(plain, 'content_scan_state')).toEqual([]);

    checked.mockClear();
    const a = await runDetection(createSystemContext(primed.ds), { asOf: today });
    expect(checked.mock.calls.length).toBe(0);
    const b = await runDetection(createSystemContext(plain.ds), { asOf: today });
    expect(checked.mock.calls.length).toBe(48);
    expect(a.found).toBe(b.found);
    const found = await contentFindings(primed);
    expect(found.map((f: { rule: string }) => f.rule).sort()).toEqual(['OFF_MISSION', 'WRONG_EXPRESSION_SERIOUS']);
    expect(found).toEqual(await contentFindings(plain));
  });

  it('a later import of more posts checks only those', async () => {
    checked.mockClear();
    const more = `platform,handle,published_at,title,original,reads,content\nwechat,xmfb,${day(1)}T15:00:00,又一条,true,800,小编哭晕在厕所，宝宝们求点赞！`;
    const r = await importFiles(createSystemContext(appDataSource(primed.ds)), [{ name: 'posts.csv', content: more }]);
    expect(r.errors).toEqual([]);
    expect(checked.mock.calls.length).toBe(1);
    checked.mockClear();
    await runDetection(createSystemContext(primed.ds), { asOf: today });
    expect(checked.mock.calls.length).toBe(0);
    expect(await handlesOf(primed, 'post_content_checks')).toEqual(['wechat:fjfb', 'wechat:xmfb', 'weibo:xmny']);
  });

  it('a failed check leaves the import committed, says so plainly, and the next run checks the posts itself', async () => {
    const db = await createTestDb();
    try {
      prime.mockRejectedValueOnce(new Error('relation "content_scan_state" does not exist'));
      const log: string[] = [];
      const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const r = await importFiles(createSystemContext(appDataSource(db.ds)), files(), { log: (m) => log.push(m), detect: false });
      quiet.mockRestore();
      expect(r.ok).toBe(true);
      const postRows = files().find((f) => f.name === 'posts.csv')!.content.split('\n').length - 1;
      expect(postRows).toBe(65);
      expect(r.counts.find((c) => c.file === 'posts.csv')?.inserted).toBe(postRows);
      const said = log.find((m) => m.startsWith('内容预检未完成'));
      expect(said).toBeDefined();
      expect(said).not.toMatch(/content_scan_state|relation/);
      expect(await handlesOf(db, 'content_scan_state')).toEqual([]);
      checked.mockClear();
      await runDetection(createSystemContext(db.ds), { asOf: today });
      expect(checked.mock.calls.length).toBe(48);
      expect((await contentFindings(db)).map((f: { rule: string }) => f.rule).sort()).toEqual(['OFF_MISSION', 'WRONG_EXPRESSION_SERIOUS']);
    } finally {
      await db.close();
    }
  });

  it('a dry run or a refused import checks nothing', async () => {
    const db = await createTestDb();
    try {
      checked.mockClear();
      const dry = await importFiles(createSystemContext(db.ds), files(), { dryRun: true });
      expect(dry.errors).toEqual([]);
      const bad = files().map((f) => (f.name === 'posts.csv' ? { ...f, content: `${f.content}\nwechat,nobody,${day(1)},x,true,1,y` } : f));
      const refused = await importFiles(createSystemContext(db.ds), bad);
      expect(refused.ok).toBe(false);
      expect(checked.mock.calls.length).toBe(0);
      expect(await handlesOf(db, 'content_scan_state')).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
