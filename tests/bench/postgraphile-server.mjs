// PostGraphile v5 (amber preset) over the benchmark database, for the side-by-side comparison in bench.ts.
// Needs Node 22: run with node_modules/node/bin/node. Env: DATABASE_URL, PORT; prints "READY <port>" when listening.
// Exposes `public` (the tables, with their foreign keys as relations) and `pgl_bench` (the few SQL functions that
// stand in for our computed fields: matrix cells, accounts of a region, account statistics — see pgl-functions.sql).
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';

const connectionString = process.env.DATABASE_URL;
const port = Number(process.env.PORT ?? 5678);
if (!connectionString) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}

const preset = {
  extends: [PostGraphileAmberPreset],
  // Idle connections kept, as our server and the limit's pool keep theirs: each engine measured with its pool warm.
  pgServices: [makePgService({ connectionString, schemas: ['public', 'pgl_bench'], poolConfig: { max: Number(process.env.PG_POOL ?? 10), idleTimeoutMillis: 0 } })],
  grafserv: { port, graphiql: false, graphqlOverGET: false },
  grafast: { explain: false },
  schema: { pgForbidSetofFunctionsToReturnNull: true },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on('error', (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
await pgl.getSchema();
server.listen(port, '127.0.0.1', () => console.log(`READY ${port}`));
const stop = async () => {
  server.close();
  await pgl.release();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
