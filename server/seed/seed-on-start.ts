import type { DataSource } from 'typeorm';
import type { Config } from '../config';

/** Seeds the demo province on first start, when the database holds no units. (Filled in by the seed feature.) */
export async function seedIfEmpty(ds: DataSource, _config: Config, log: (m: string) => void): Promise<void> {
  const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM units');
  if (n === 0) log('数据库为空；演示数据生成尚未实现 (database is empty; demo seed not yet implemented)');
}
