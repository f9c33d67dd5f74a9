import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { createGraphqlHarness } from '../support/graphql';
import type { SessionUser } from '../../server/kernel/context';
import { makeTree } from '../detection/fixture';

/** An import records its progress in job_runs (task `import`) as it goes: the import screen polls it. */
let db: TestDb;
let gql: Awaited<ReturnType<typeof createGraphqlHarness>>;
let planner: SessionUser;

beforeAll(async () => {
  db = await createTestDb();
  await makeTree(db.ds);
  const [u] = await db.ds.query(`SELECT id, path FROM units WHERE code = 'gov3501'`);
  await db.ds.query(`INSERT INTO users (id, username, display_name, password_hash, role, unit_id) VALUES (61, 'planner-fz', '规划', '!', 'PLANNER', $1)`, [u.id]);
  planner = { id: 61, username: 'planner-fz', role: 'PLANNER', unitId: u.id, unitPath: u.path };
  gql = await createGraphqlHarness(db.ds, db.config);
});

afterAll(async () => {
  await gql?.stop();
  await db?.close();
});

const UPLOAD = `mutation($files: [UploadFileInput!]!, $dryRun: Boolean!) { importUpload(files: $files, dryRun: $dryRun) { result { ok errorCount } } }`;
const file = (csv: string) => [{ name: 'accounts.csv', base64: Buffer.from(csv).toString('base64') }];

describe('import progress', () => {
  it('every step of an import is recorded; the run is filed under the importer region and named 数据导入', async () => {
    const res = await gql.exec(UPLOAD, { files: file('platform,handle,name,unit_code,type,status\nwechat,fz-new,福州发布,gov3501,publishing,active\n'), dryRun: false }, planner);
    expect(res.errors).toBeUndefined();
    expect(res.data!.importUpload.result).toEqual({ ok: true, errorCount: 0 });
    const runs = await gql.exec(`{ jobRuns(task: "import") { taskName status progress done total phase message requestedBy regionCode } }`, undefined, planner);
    expect(runs.errors).toBeUndefined();
    const [run] = runs.data!.jobRuns;
    const [checked] = await db.ds.query(`SELECT found, created FROM detection_runs ORDER BY id DESC LIMIT 1`);
    expect(checked.created).toBeGreaterThan(0);
    expect(run).toMatchObject({ taskName: '数据导入', status: 'succeeded', progress: 100, done: 7, total: 7, requestedBy: 'planner-fz', regionCode: '3501',
      message: `导入完成：accounts.csv 1 行；检查发现 ${checked.found} 个问题（新增 ${checked.created}）` });
    // The last step: the check of what it wrote (after the commit and the statistics of the table it changed).
    expect(run.phase).toBe(`检查完成（${/（([\d.]+) 秒）/.exec(run.phase)?.[1]} 秒）：共 ${checked.found} 个问题，新增 ${checked.created}，重新打开 0，已解决 0`);
  });

  it('an import with problems is recorded as checked with its problem count, nothing written', async () => {
    const res = await gql.exec(UPLOAD, { files: file('platform,handle,name,unit_code,type,status\nwechat,fz-x,福州发布,nowhere,publishing,active\n'), dryRun: false }, planner);
    expect(res.data!.importUpload.result.ok).toBe(false);
    const [run] = await db.ds.query(`SELECT status, message FROM job_runs WHERE task = 'import' ORDER BY id DESC LIMIT 1`);
    expect(run).toEqual({ status: 'succeeded', message: `发现 ${res.data!.importUpload.result.errorCount} 个问题，未写入任何数据` });
  });
});
