import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { AccountStatus } from '../../server/common/enums';
import { ROOT } from '../../server/config';
import { createSystemContext } from '../../server/kernel/context';
import { runMigrations } from '../../server/db/database';
import { createDataSource } from '../../server/registry';
import { importDirectory } from '../../server/import/import.service';
import { generateDemoCsv, MANIFEST_FILE } from '../../server/seed/seed';
import { ContentWriter, CONTENT_WINDOW_DAYS } from '../../server/seed/content';
import { runDetectionProfiled } from '../../server/detection/detection.service';
import { buildLexicon, unitField } from '../../server/content/lexicon';
import { checkPost } from '../../server/content/matcher';
import type { SeedAccount } from '../../server/seed/accounts';

/**
 * Content-check figures (issue 13), part of `npm run bench` and alone with `npm run bench -- --content-only`:
 *   - scan throughput of the matcher (characters/s, posts/s) over post bodies from the seed's generator;
 *   - a national week of new posts: the demo data's national scale (≈30 million posts a year, 12 % with a body) is
 *     ≈577,000 posts a week; their bodies are generated with the seed's generator (ContentWriter) and checked, as the
 *     weekly detection does (only new or changed posts are scanned) — target < 10 s;
 *   - the demo province's full scan in the database: every post's check result (rows of posts with findings, the
 *     accounts' clean-hash sets) dropped, then detection of the province (its `content` step: window query, matching,
 *     writes) — target < 3 s; and the incremental re-run.
 */

export interface ContentFigures {
  measuredAt: string;
  throughput: { posts: number; chars: number; ms: number; postsPerSecond: number; charsPerSecond: number; hits: number };
  nationalWeek: { postsPerWeek: number; postsWithText: number; chars: number; ms: number; targetMs: number };
  provinceFullScan?: { posts: number; contentMs: number; detectionMs: number; targetMs: number };
  provinceRepeat?: { scanned: number; contentMs: number; detectionMs: number };
}

const NATIONAL_POSTS_PER_YEAR = 30_000_000;

/** Bodies from the seed's generator for `n` posts (accounts of varied fields, days in the content window). */
function generateBodies(n: number, seed = 20240630): { titles: string[]; bodies: (string | null)[]; fields: (ReturnType<typeof unitField>)[] } {
  const asOfDay = Math.floor(Date.UTC(2024, 5, 30) / 86_400_000);
  const unitNames = ['福州市鼓楼区人民政府', '福州市文化和旅游局', '福州市教育局', '福州市公安局', '福州市卫生健康委员会', '福州市鼓楼区东街街道办事处',
    '福州市市场监督管理局', '福州市人力资源和社会保障局', '福州市融媒体中心', '福州市生态环境局'];
  const titles: string[] = [];
  const bodies: (string | null)[] = [];
  const fields: (ReturnType<typeof unitField>)[] = [];
  const perAccount = 200;
  for (let a = 0; titles.length < n; a++) {
    const unitName = unitNames[a % unitNames.length];
    const acc = { platform: 'wechat', handle: `gh_bench_${a}`, name: unitName, unit: { name: unitName }, status: AccountStatus.ACTIVE } as unknown as SeedAccount;
    const w = new ContentWriter(seed, acc, asOfDay, { R: '福州市', r: '鼓楼区' });
    const field = unitField(unitName);
    for (let i = 0; i < perAccount && titles.length < n; i++) {
      const day = asOfDay - 1 - (i % CONTENT_WINDOW_DAYS);
      titles.push(`${unitName.replace(/人民政府|委员会/, '')}发布第${i}期工作动态`);
      bodies.push(w.body(day, ['政务服务', '民生保障', '营商环境', '安全生产', '乡村振兴']));
      fields.push(field);
    }
  }
  return { titles, bodies, fields };
}

/** In-memory figures: throughput over posts with a body, and a national week. */
export function measureMatcher(log: (m: string) => void): Pick<ContentFigures, 'throughput' | 'nationalWeek'> {
  const lex = buildLexicon([], '35');
  // Warm-up: compile the automaton and the segmenter, JIT.
  const warm = generateBodies(5000, 1);
  for (let i = 0; i < warm.titles.length; i++) checkPost(lex, warm.titles[i], warm.bodies[i], warm.fields[i]);

  const postsPerWeek = Math.round(NATIONAL_POSTS_PER_YEAR / 52);
  const tg = performance.now();
  const week = generateBodies(postsPerWeek);
  log(`content: generated ${postsPerWeek} posts' bodies with the seed's generator in ${Math.round(performance.now() - tg)} ms`);
  let chars = 0;
  let withText = 0;
  let hits = 0;
  const t0 = performance.now();
  for (let i = 0; i < week.titles.length; i++) {
    const body = week.bodies[i];
    if (body === null) continue; // title-only posts are not scanned (content.rule.ts)
    withText++;
    chars += week.titles[i].length + body.length;
    const c = checkPost(lex, week.titles[i], body, week.fields[i]);
    hits += c.wrong.length + c.categories.length;
  }
  const ms = performance.now() - t0;
  const throughput = {
    posts: withText, chars, ms: Math.round(ms), postsPerSecond: Math.round(withText / (ms / 1000)), charsPerSecond: Math.round(chars / (ms / 1000)), hits,
  };
  log(`content: matcher ${throughput.postsPerSecond} posts/s, ${(throughput.charsPerSecond / 1e6).toFixed(2)} M characters/s (${withText} posts with text, ${chars} characters, ${hits} hits)`);
  log(`content: national week: ${postsPerWeek} new posts, ${withText} with text, scanned in ${Math.round(ms)} ms (target < 10,000 ms)`);
  return { throughput, nationalWeek: { postsPerWeek, postsWithText: withText, chars, ms: Math.round(ms), targetMs: 10_000 } };
}

/** The demo province's full scan (check results, clean sets and scan states dropped) and the incremental repeat, through detection. */
export async function measureProvinceScan(ds: DataSource, province: string, asOf: string, log: (m: string) => void):
  Promise<Pick<ContentFigures, 'provinceFullScan' | 'provinceRepeat'>> {
  const [{ path: provPath }] = await ds.query(`SELECT path FROM regions WHERE code = $1`, [province]);
  const accounts = `SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id WHERE u.region_path LIKE $1`;
  await ds.query(`DELETE FROM post_content_checks c USING posts p WHERE p.id = c.post_id AND p.published_at = c.published_at
     AND p.account_id IN (${accounts})`, [`${provPath}%`]);
  await ds.query(`DELETE FROM content_clean_hashes WHERE account_id IN (${accounts})`, [`${provPath}%`]);
  // And the accounts' maintained scan states (migrations/1732946400000-ContentScanState.ts): with them a run would read
  // only posts it has not checked yet, and the "full scan" would check nothing.
  await ds.query(`DELETE FROM content_scan_state WHERE account_id IN (${accounts})`, [`${provPath}%`]);
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM posts p JOIN accounts a ON a.id = p.account_id JOIN units u ON u.id = a.unit_id
     WHERE u.region_path LIKE $1 AND p.content IS NOT NULL AND p.origin_account_id IS NULL`, [`${provPath}%`]);
  // The posts checked: those with a finding have a check row, the clean ones are in their account's set of clean hashes.
  const checkedNow = async (): Promise<{ findings: number; clean: number }> => (await ds.query(`
    SELECT (SELECT count(*)::int FROM post_content_checks c JOIN posts p ON p.id = c.post_id AND p.published_at = c.published_at
             WHERE p.account_id IN (${accounts})) AS findings,
           (SELECT COALESCE(sum(cardinality(hashes)), 0)::int FROM content_clean_hashes WHERE account_id IN (${accounts})) AS clean`, [`${provPath}%`]))[0];
  // Every unit evaluated: the caches were emptied by hand, which changes no input (an incremental run would evaluate
  // no unit and check nothing).
  const full = await runDetectionProfiled(createSystemContext(ds), { asOf, regionCode: province, full: true });
  const after = await checkedNow();
  const scanned = after.findings + after.clean;
  log(`content: province ${province} full scan: ${scanned} texts checked (${after.findings} posts with findings + distinct clean texts per account; of ${n} with text, window ${CONTENT_WINDOW_DAYS} days), content step ${full.timings.content} ms (target < 3,000 ms), detection ${full.timings.total} ms, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  // As text: a JS Date would drop the microseconds and count every row as newer.
  const [{ before }] = await ds.query(`SELECT GREATEST((SELECT max(checked_at) FROM post_content_checks), (SELECT max(checked_at) FROM content_clean_hashes))::text AS before`);
  const again = await runDetectionProfiled(createSystemContext(ds), { asOf, regionCode: province, full: true });
  const [{ rescanned }] = await ds.query(`SELECT (SELECT count(*)::int FROM post_content_checks WHERE checked_at > $1::timestamptz)
     + (SELECT count(*)::int FROM content_clean_hashes WHERE checked_at > $1::timestamptz) AS rescanned`, [before]);
  log(`content: repeat (nothing changed): ${rescanned} check rows or clean sets rewritten, content step ${again.timings.content} ms, detection ${again.timings.total} ms`);
  return {
    provinceFullScan: { posts: scanned, contentMs: full.timings.content, detectionMs: full.timings.total, targetMs: 3000 },
    provinceRepeat: { scanned: rescanned, contentMs: again.timings.content, detectionMs: again.timings.total },
  };
}

export async function measureContent(ds: DataSource | null, province: string, asOf: string | null, log: (m: string) => void): Promise<ContentFigures> {
  const figures: ContentFigures = { measuredAt: new Date().toISOString(), ...measureMatcher(log) };
  if (ds && asOf) Object.assign(figures, await measureProvinceScan(ds, province, asOf, log));
  return figures;
}

export interface ContentHelpers {
  openBenchDatabase(name: string, reuse: boolean): Promise<{ url: string; embedded: { stop(): Promise<void> } | null; external: boolean }>;
}

/**
 * `npm run bench -- --content-only [--no-db]`: the figures above alone. The province scan uses the bench's demo
 * province database (`bench_quick`, kept), generating and importing it the first time (several minutes);
 * `--no-db` measures the matcher and the national week only. Writes tests/bench/content-results.json.
 */
export async function runContentOnly(argv: string[], h: ContentHelpers): Promise<void> {
  const log = (m: string) => console.log(`[bench] ${m}`);
  let figures: ContentFigures;
  if (argv.includes('--no-db')) {
    figures = await measureContent(null, '35', null, log);
  } else {
    const db = await h.openBenchDatabase('bench_quick', true);
    const ds = createDataSource(db.url, 4);
    try {
      await ds.initialize();
      await runMigrations(ds, log);
      const csvDir = path.join(os.tmpdir(), 'matrix-bench-content-csv');
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM accounts`);
      let asOf: string;
      const [last] = await ds.query(`SELECT as_of::text AS as_of FROM detection_runs ORDER BY id DESC LIMIT 1`).catch(() => []);
      if (n > 0 && last?.as_of) {
        asOf = last.as_of;
      } else {
        log('生成并导入演示省份 (generating and importing the demo province, several minutes) …');
        fs.rmSync(csvDir, { recursive: true, force: true });
        await generateDemoCsv(csvDir, { province: '35', scale: 'province' });
        asOf = JSON.parse(fs.readFileSync(path.join(csvDir, MANIFEST_FILE), 'utf8')).asOf;
        const r = await importDirectory(createSystemContext(ds), csvDir, {});
        if (!r.ok) throw new Error(`导入失败 (import failed): ${JSON.stringify(r.errors.slice(0, 5))}`);
        fs.rmSync(csvDir, { recursive: true, force: true });
        // The first detection of a fresh import (statistics, names): not part of the content figures.
        await runDetectionProfiled(createSystemContext(ds), { asOf, regionCode: '35' });
      }
      figures = await measureContent(ds, '35', asOf, log);
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await db.embedded?.stop();
    }
  }
  fs.writeFileSync(path.join(ROOT, 'tests', 'bench', 'content-results.json'), `${JSON.stringify(figures, null, 2)}\n`);
}
