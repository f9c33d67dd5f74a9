import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../kernel/context';
import { CsvFileInput } from './import.inputs';
import { ImportResult } from './import.types';
import { importService } from './import.service';

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
    return importService.importCsv(ctx, files, { dryRun: dryRun ?? false });
  }
}
