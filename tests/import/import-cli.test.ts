import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { makeAccounts, makeUnits } from '../support/factories';
import { makeUser } from '../support/auth';
import { Role } from '../../server/common/enums';

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
    // Then the check of what it wrote, summed up in the same summary.
    expect(first.stdout).toMatch(/检查（基准日 \d{4}-\d{2}-\d{2}）：共 \d+ 个问题，新增 \d+，已解决 0/);
    const again = await runCli(db, path.join(FIXTURES, 'good'));
    expect(again.code).toBe(0);
    // Nothing changed: nothing to check again.
    expect(again.stdout).not.toContain('检查（基准日');
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

  describe('--as <username>: the import runs with that user\'s role and scope', () => {
    let dir: string;
    const snapshotOf = async () => (await db.ds.query(`SELECT (SELECT md5(string_agg(x::text, '|' ORDER BY x.id)) FROM accounts x) AS a,
      (SELECT md5(string_agg(x::text, '|' ORDER BY x.id)) FROM units x) AS u, (SELECT count(*)::int FROM audit_events) AS e`))[0];
    beforeAll(async () => {
      // After the good folder: Fuzhou's units exist under FJ-GOV; Xiamen is added beside Fuzhou.
      await makeUnits(db.ds, [{ code: 'XM-GOV', parent: 'FJ-GOV', region: '3502' }, { code: 'XM-EDU', parent: 'XM-GOV', region: '3502' }]);
      await makeAccounts(db.ds, [{ unit: 'XM-GOV', handle: 'xmfb', name: '厦门发布' }]);
      await makeUser(db.ds, { username: 'fz-planner', role: Role.PLANNER, unit: 'FZ-GOV' });
      await makeUser(db.ds, { username: 'fz-auditor', role: Role.AUDITOR, unit: 'FZ-GOV' });
      await makeUser(db.ds, { username: 'gone', role: Role.PLANNER, unit: 'FZ-GOV' });
      await db.ds.query(`UPDATE users SET active = false WHERE username = 'gone'`);
      dir = fs.mkdtempSync(path.join(OUT, 'as-'));
      fs.writeFileSync(path.join(dir, 'accounts.csv'), 'platform,handle,name,unit_code,type,status\nwechat,xmfb,被改名,XM-GOV,publishing,suspended\n');
      fs.writeFileSync(path.join(dir, 'units.csv'), 'code,name,kind,level,parent_code\nXM-EDU,厦门市教育局,department,city,FZ-GOV\n');
    });

    it('a city planner cannot change another city: every row refused as out of scope, nothing written', async () => {
      const before = await snapshotOf();
      const r = await runCli(db, dir, '--as', 'fz-planner');
      expect(r.code).toBe(1);
      const problems = r.stderr.split('\n').filter((l) => /^[\w.]+:\d+: [\w-]+: .+/.test(l));
      expect(problems).toEqual([
        'units.csv:2: code: 超出管辖范围：单位 XM-EDU 不在您的管辖范围内（outside your scope）',
        'accounts.csv:2: handle: 超出管辖范围：账号 wechat:xmfb 不在您的管辖范围内（outside your scope）',
      ]);
      expect(await snapshotOf()).toEqual(before);
    });

    it('refuses an unknown or deactivated user and a role that may not import (exit 2, nothing written)', async () => {
      const before = await snapshotOf();
      const unknown = await runCli(db, dir, '--as', 'nobody');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('用户 nobody 不存在或已停用');
      const inactive = await runCli(db, dir, '--as', 'gone');
      expect(inactive.code).toBe(2);
      expect(inactive.stderr).toContain('用户 gone 不存在或已停用');
      const auditor = await runCli(db, dir, '--as', 'fz-auditor');
      expect(auditor.code).toBe(2);
      expect(auditor.stderr).toContain('无权执行此操作');
      const noName = await runCli(db, dir, '--as');
      expect(noName.code).toBe(2);
      expect(await snapshotOf()).toEqual(before);
    });

    it('without --as the operator imports the same rows; audited as system under the province', async () => {
      const r = await runCli(db, dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const [moved] = await db.ds.query(`SELECT p.code FROM units u JOIN units p ON p.id = u.parent_id WHERE u.code = 'XM-EDU'`);
      expect(moved.code).toBe('FZ-GOV');
      const ev = await db.ds.query(`SELECT e.action, e.actor_name, u.code FROM audit_events e LEFT JOIN units u ON u.id = e.unit_id ORDER BY e.id`);
      expect(ev.slice(-6)).toEqual([
        { action: 'ACCOUNT_STATUS_CHANGED', actor_name: 'system', code: 'XM-GOV' },
        { action: 'ACCOUNT_RENAMED', actor_name: 'system', code: 'XM-GOV' },
        { action: 'UNIT_MOVED', actor_name: 'system', code: 'FJ-GOV' },
        { action: 'UNIT_RENAMED', actor_name: 'system', code: 'XM-EDU' },
        { action: 'CSV_IMPORTED', actor_name: 'system', code: 'FJ-GOV' },
        { action: 'DETECTION_RUN', actor_name: 'system', code: null }, // the operator's check: the whole database
      ]);
    });

    it('a city planner imports inside the city, audited under their name', async () => {
      const own = fs.mkdtempSync(path.join(OUT, 'own-'));
      fs.writeFileSync(path.join(own, 'accounts.csv'), 'platform,handle,name,unit_code,type,status\nwechat,glfb,鼓楼发布号,GL-GOV,publishing,active\n');
      const r = await runCli(db, own, '--as', 'fz-planner');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const ev = await db.ds.query(`SELECT e.action, e.actor_name, e.user_agent, u.code FROM audit_events e LEFT JOIN units u ON u.id = e.unit_id ORDER BY e.id DESC LIMIT 3`);
      expect(ev).toEqual([
        // The check of what it wrote covers the planner's own region, filed under its government unit.
        { action: 'DETECTION_RUN', actor_name: 'fz-planner', user_agent: 'npm run import (CLI)', code: 'FZ-GOV' },
        { action: 'CSV_IMPORTED', actor_name: 'fz-planner', user_agent: 'npm run import (CLI)', code: 'GL-GOV' },
        { action: 'ACCOUNT_RENAMED', actor_name: 'fz-planner', user_agent: 'npm run import (CLI)', code: 'GL-GOV' },
      ]);
      // --no-detect: imported, the check left to the next run.
      fs.writeFileSync(path.join(own, 'accounts.csv'), 'platform,handle,name,unit_code,type,status\nwechat,glfb,鼓楼发布,GL-GOV,publishing,active\n');
      const runs = async () => (await db.ds.query(`SELECT count(*)::int AS n FROM detection_runs`))[0].n;
      const before = await runs();
      const quiet = await runCli(db, own, '--as', 'fz-planner', '--no-detect');
      expect(quiet.code).toBe(0);
      expect(quiet.stdout).toMatch(/accounts\.csv\s+共 1 行：新增 0，更新 1，未变 0/);
      expect(quiet.stdout).not.toContain('检查（基准日');
      expect(await runs()).toBe(before);
    });
  });
});
