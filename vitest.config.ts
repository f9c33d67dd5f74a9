import swc from 'unplugin-swc';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// One copy of graphql: type-graphql and Apollo load its CommonJS build, so our code must too (otherwise
// "Cannot use GraphQLObjectType from another module or realm").
const graphqlDir = path.dirname(require.resolve('graphql/package.json'));

/** Tests that assert event-loop stall bounds: their own project, run last (below). */
const TIMING = ['tests/edge/flood.test.ts', 'tests/edge/import-flood.test.ts'];

// SWC (not esbuild) so decorators get their metadata; useDefineForClassFields must stay false.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true, tsx: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false, react: { runtime: 'automatic' } },
        target: 'es2022',
      },
    }),
  ],
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: path.join(graphqlDir, 'index.js') },
      { find: /^graphql\/(.*)$/, replacement: `${graphqlDir}/$1/index.js` },
    ],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two projects: `npx vitest run --project client` runs the component tests alone, with no database.
    projects: [
      {
        extends: true,
        test: {
          name: 'client',
          include: ['client/src/**/*.test.tsx'],
          environment: 'jsdom',
        },
      },
      {
        extends: true,
        test: {
          name: 'server',
          include: ['tests/**/*.test.ts'],
          // A project's `exclude` replaces the command line's, so `test:db` leaves the end-to-end tests out here.
          exclude: [...TIMING, ...(process.env.TEST_NO_E2E === '1' ? ['tests/e2e/**'] : [])],
          // PostgreSQL (embedded unless DATABASE_URL) and a migrated template database, once per run of this project.
          globalSetup: ['tests/support/global-setup.ts'],
          // Decorators need the metadata polyfill before any entity or resolver module loads.
          setupFiles: ['reflect-metadata'],
        },
      },
      {
        // The event-loop bounds of the edge (issue 10: no stall of the server's own over 100 ms) are measured after
        // the other projects, one file at a time: on 2 shared cores, another suite's CPU and memory use beside them
        // (a national-size import test, the e2e browser) made the measured stall move by 3×.
        extends: true,
        test: {
          name: 'timing',
          include: TIMING,
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: ['reflect-metadata'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
