import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureClient } from '../bench/client-measure';
import { startE2eServer, type E2eServer } from './support';

/**
 * The bench's client measurement alone (initial JavaScript, the planner's overview cold and warm) against the small
 * e2e province, for comparing client builds without the whole bench: `MEASURE_CLIENT=1 npx vitest run
 * tests/e2e/client-speed.test.ts`. Skipped otherwise (timings are not asserted in the suite).
 */
describe.skipIf(!process.env.MEASURE_CLIENT)('client measurement (small province)', () => {
  let server: E2eServer;
  beforeAll(async () => {
    server = await startE2eServer();
  }, 180_000);
  afterAll(async () => {
    await server?.close();
  });

  it('measures', async () => {
    const figures = await measureClient(server.url, (m) => console.log(m));
    console.log(JSON.stringify(figures));
    expect('skipped' in figures).toBe(false);
  }, 180_000);
});
