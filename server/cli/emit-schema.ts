import 'reflect-metadata';
import { emitSchema } from '../graphql/schema';
import { RESOLVERS } from '../registry';

emitSchema(RESOLVERS).then((file) => console.log(`已生成 ${file}`)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
