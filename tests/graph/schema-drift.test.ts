import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getSchema, schemaSdl, SCHEMA_FILE } from '../../server/graphql/schema';
import { RESOLVERS } from '../../server/registry';

describe('schema/schema.graphql', () => {
  it('is exactly what the code emits (run `npm run schema` after changing the API)', async () => {
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    const current = schemaSdl(await getSchema(RESOLVERS));
    expect(committed).toBe(current);
  });
});
