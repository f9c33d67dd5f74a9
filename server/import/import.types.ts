import 'reflect-metadata';
import { Field, Int, ObjectType } from 'type-graphql';
import { DetectionRun } from '../detection/detection-run.entity';

/** Results of a CSV import, shared by the service (plain objects), the CLI and the GraphQL schema. */

@ObjectType({ description: '导入问题：文件、行号（表头为第 1 行，0 表示整个文件）、列名、原因' })
export class ImportProblem {
  @Field(() => String)
  file: string;

  @Field(() => Int)
  line: number;

  @Field(() => String, { description: '列名；整行或整个文件的问题为 "-"' })
  column: string;

  @Field(() => String)
  message: string;
}

@ObjectType({ description: '每个文件的导入计数' })
export class ImportFileCount {
  @Field(() => String)
  file: string;

  @Field(() => Int, { description: '数据行数（不含表头）' })
  rows: number;

  @Field(() => Int, { description: '新增' })
  inserted: number;

  @Field(() => Int, { description: '有变化而更新' })
  updated: number;

  @Field(() => Int, { description: '与库中一致，未改动' })
  unchanged: number;
}

@ObjectType({ description: 'CSV 导入结果；ok 为 false 时什么都没有写入' })
export class ImportResult {
  @Field(() => Boolean)
  ok: boolean;

  @Field(() => Boolean, { description: '仅校验（试运行）：计数为将会发生的变化，实际未写入' })
  dryRun: boolean;

  @Field(() => [ImportProblem], { description: '问题列表（按文件、行号排序；最多列出 maxErrors 个）' })
  errors: ImportProblem[];

  @Field(() => Int, { description: '问题总数（可能多于列出的个数）' })
  errorCount: number;

  @Field(() => [ImportFileCount])
  counts: ImportFileCount[];

  @Field(() => Int, { description: '写入的账号状态变更记录数' })
  statusChanges: number;

  @Field(() => Int, { description: '耗时（毫秒）' })
  elapsedMs: number;

  @Field(() => DetectionRun, {
    nullable: true,
    description: '导入提交后对所写数据（导入者管辖范围内有变化的单位）进行的检查；试运行、未写入任何变化或检查未完成时为空',
  })
  detectionRun?: DetectionRun | null;
}

export interface ImportOptions {
  /** Validate and compute the counts, then roll back: nothing is written. */
  dryRun?: boolean;
  /** Most problems listed (default 10,000); `errorCount` still gives the total. */
  maxErrors?: number;
  /** Progress messages (Chinese). */
  log?: (message: string) => void;
  /**
   * Check the content of the posts written once committed (content/content-prime.ts), so the next detection run need
   * not. Default true; false leaves it to that run.
   */
  checkContent?: boolean;
  /**
   * Once committed, run detection over the importer's region (server/detection: incremental, so only the units the
   * import changed are evaluated) so the findings match what was just imported. Default true; false leaves it to the
   * next run (the weekly job, a planner's run).
   */
  detect?: boolean;
  /** Check date (YYYY-MM-DD, Beijing) of that content check and detection run; default today. */
  checkDate?: string;
  /**
   * Files of at least this many bytes are parsed in a worker thread (csv-worker.ts); smaller ones on the calling
   * thread, where starting a worker would cost more than it saves. Default 1 MB; 0 = always in a worker.
   */
  workerMinBytes?: number;
  /**
   * Load posts.csv / messages.csv straight into their tables when those are empty (bulk-load.ts `loadDirect`; any
   * problem falls back to the staged path, which reports it). Default true; false = always staged (tests compare both).
   */
  direct?: boolean;
}

export interface ImportFile {
  name: string;
  content: string | Buffer;
}
