import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { IsNotEmpty, MaxLength } from 'class-validator';
import type { Context } from '../kernel/context';
import { Role } from '../common/enums';
import { requireRole } from '../kernel/access';
import { badInput } from '../kernel/errors';
import { CsvFileInput } from './import.inputs';
import { ImportResult } from './import.types';
import { importService } from './import.service';
import { mergeDecoded } from './file-input';
import { decodeUploadFiles, takePrepared } from './upload-worker';
import { trackRun } from '../jobs/tracked';

@InputType({ description: '上传的文件（按字节，Base64）：CSV（UTF-8 或 GBK/GB18030，自动识别）或 Excel 工作簿 .xlsx（工作表名为 units/accounts/… 或 单位/账号/…）' })
export class UploadFileInput {
  @Field(() => String)
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @Field(() => String, { description: '文件内容的 Base64 编码' })
  base64: string;
}

@ObjectType({ description: '上传导入的结果：导入结果与编码等提示' })
export class UploadImportResult {
  @Field(() => ImportResult)
  result: ImportResult;

  @Field(() => [String], { description: '提示（如：已按 GBK 编码读取）' })
  notices: string[];
}

/**
 * An import's progress in `job_runs` (task `import`), polled by the import screen: each progress message of the import
 * (reading and checking a file, done; references checked; writing; written) is a step.
 */
async function tracked(ctx: Context, files: number, work: (log: (m: string) => void) => Promise<ImportResult>): Promise<ImportResult> {
  requireRole(ctx, Role.ADMIN, Role.PLANNER);
  // Steps: reading and read per file; the checks; writing; written; the statistics; the check of what it wrote, begun and done.
  const run = await trackRun(ctx, 'import', files * 2 + 5);
  try {
    const result = await work((m) => run.step(m));
    const checked = result.detectionRun ? `；检查发现 ${result.detectionRun.found} 个问题（新增 ${result.detectionRun.created}）` : '';
    await run.finish(result.ok ? `${result.dryRun ? '校验通过（未写入）' : '导入完成'}：${result.counts.map((c) => `${c.file} ${c.rows} 行`).join('，')}${checked}`
      : `发现 ${result.errorCount} 个问题，未写入任何数据`);
    return result;
  } catch (err) {
    await run.fail(err);
    throw err;
  }
}

@Resolver()
export class ImportResolver {
  // ADMIN and PLANNER only: checked in importService.importCsv (requireRole).
  @Mutation(() => ImportResult, {
    description: '导入 CSV 文件（与命令行 npm run import 相同的格式与校验）；有任何问题时 ok 为 false，列出全部问题且不写入任何数据',
    complexity: 5000,
  })
  importCsv(
    @Ctx() ctx: Context,
    @Arg('files', () => [CsvFileInput]) files: CsvFileInput[],
    @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false, description: '只校验（并给出将会发生的计数），不写入' })
    dryRun: boolean | null,
  ): Promise<ImportResult> {
    // Large texts on the import path arrive as UTF-8 bytes prepared off the event loop (upload-worker.ts).
    const contents = files.map((f) => {
      const p = takePrepared(f.content);
      return { name: f.name, content: p?.kind === 'csv' ? p.content : f.content };
    });
    return tracked(ctx, files.length, (log) => importService.importCsv(ctx, contents, { dryRun: dryRun ?? false, log }));
  }

  @Mutation(() => UploadImportResult, {
    description: '按字节上传并导入：CSV（自动识别 UTF-8 / GBK）或 .xlsx 工作簿；校验与 importCsv 相同，问题按 文件:工作表:行: 列 列出',
    complexity: 5000,
  })
  async importUpload(
    @Ctx() ctx: Context,
    @Arg('files', () => [UploadFileInput]) files: UploadFileInput[],
    @Arg('dryRun', () => Boolean, { nullable: true, defaultValue: false }) dryRun: boolean | null,
  ): Promise<UploadImportResult> {
    requireRole(ctx, Role.ADMIN, Role.PLANNER);
    // Base64, encoding detection and workbooks in a worker thread (upload-worker.ts): never on the event loop.
    const parts = await decodeUploadFiles(files.map((f) => ({ name: f.name, base64: f.base64 })));
    if ('invalid' in parts) throw badInput(`${parts.invalid.slice(0, 100)} 的内容不是有效的 Base64 (invalid base64)`, [{ field: 'base64', message: 'Base64' }]);
    const decoded = mergeDecoded(parts.decoded);
    // A file that could not be read: nothing is written (the rest is still validated).
    const result = await tracked(ctx, decoded.files.length,
      (log) => importService.importCsv(ctx, decoded.files, { dryRun: (dryRun ?? false) || decoded.problems.length > 0, log }));
    const errors = [...decoded.problems, ...result.errors.map((e) => ({ ...e, file: decoded.origin.get(e.file) ?? e.file }))];
    return { result: { ...result, ok: result.ok && !decoded.problems.length, errors, errorCount: result.errorCount + decoded.problems.length }, notices: decoded.notices };
  }
}
