import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';

/**
 * The real command line: the server code is compiled with tsc into a private directory (so a concurrent
 * `npm run build` cannot get in the way, and the test never runs a stale dist/), then `server/cli/import.js`
 * runs against this file's test database through DATABASE_URL.
 */
const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'node_modules', '.cache', `mp-import-cli-${process.pid}`);
const CLI = path.join(OUT, 'server', 'cli', 'import.js');
const FIXTURES = path.join(__dirname, 'fixtures');

function runCli(db: TestDb, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_SQL: '' }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('npm run import (CLI)', () => {
  let db: TestDb;
  beforeAll(async () => {
    // tsc exits non-zero when any file of the project has a type error, but still emits; what matters is the CLI.
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', OUT, '--sourceMap', 'false'],
      { cwd: ROOT, encoding: 'utf8' });
    if (!fs.existsSync(CLI)) throw new Error(`tsc did not produce ${CLI}:\n${tsc.stdout}\n${tsc.stderr}`);
    db = await createTestDb();
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(OUT, { recursive: true, force: true });
  });

  it('prints every problem as file:line: column: reason, exits 1 and writes nothing', async () => {
    const r = await runCli(db, path.join(FIXTURES, 'bad'));
    expect(r.code).toBe(1);
    const problems = r.stderr.split('\n').filter((l) => /^[\w.]+:\d+: [\w-]+: .+/.test(l));
    expect(problems).toHaveLength(18);
    expect(problems).toContain('units.csv:5: kind: “bureau”不是有效的单位类型，可选值：government、department、institution、media_center、internal');
    expect(problems).toContain('accounts.csv:4: followers: 不能为负数：-5');
    expect(problems).toContain('messages.csv:2: replied_at: 回复时间早于收到时间');
    expect(problems).toContain('notes.txt:0: -: 不认识的文件名；只接受 units.csv、accounts.csv、services.csv、posts.csv、messages.csv');
    expect(r.stderr).toContain('导入失败：共 18 个问题，未写入任何数据');
    const [n] = await db.ds.query(`SELECT (SELECT count(*) FROM units)::int AS units, (SELECT count(*) FROM accounts)::int AS accounts`);
    expect(n).toEqual({ units: 0, accounts: 0 });
  });

  it('imports a good folder with a Chinese summary, then finds nothing to change', async () => {
    const first = await runCli(db, path.join(FIXTURES, 'good'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('导入完成');
    expect(first.stdout).toMatch(/units\.csv\s+共 7 行：新增 7，更新 0，未变 0/);
    expect(first.stdout).toMatch(/posts\.csv\s+共 6 行：新增 6，更新 0，未变 0/);
    expect(first.stdout).toContain('账号状态变更记录 7 条');
    const again = await runCli(db, path.join(FIXTURES, 'good'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/accounts\.csv\s+共 7 行：新增 0，更新 0，未变 7/);
    expect(again.stdout).toContain('账号状态变更记录 0 条');
    const [n] = await db.ds.query(`SELECT count(*)::int AS n FROM posts`);
    expect(n.n).toBe(6);
  });

  it('--dry-run validates without writing; a missing directory is a usage error', async () => {
    const dry = await runCli(db, path.join(FIXTURES, 'good'), '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('试运行完成（未写入任何数据）');
    const missing = await runCli(db, path.join(FIXTURES, 'no-such-dir'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('目录不存在');
  });
});
