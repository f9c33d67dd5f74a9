// Dependency rules (`npm run depcheck`, in CI). The arrows point one way: features → kernel → db.
//   kernel/   imports no feature (only kernel/, db/, config.ts, common/)
//   db/       imports only db/ and config.ts
//   graphql/  imports no feature (only kernel/, db/, config.ts, common/, graphql/); no feature imports graphql/
//   registry.ts (the composition root) is imported only by main.ts, app.ts, cli/ and tests/
//   client/   never imports server/
// and no runtime import cycles (`import type` is erased by the compiler, so it cannot make one).
const FEATURES = '^server/(accounts|audit|auth|detection|import|matrix|plans|policy|regions|seed|units)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A runtime import cycle: modules of the cycle see each other half-initialised depending on load order.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'kernel-imports-no-feature',
      severity: 'error',
      comment: 'server/kernel is the request kernel every feature builds on: it imports only itself, db/, config.ts and common/.',
      from: { path: '^server/kernel/' },
      to: { path: '^server/', pathNot: '^server/(kernel/|db/|common/|config[.]ts$)' },
    },
    {
      name: 'db-imports-only-db',
      severity: 'error',
      comment: 'server/db (data source, embedded PostgreSQL, migrations runner) imports only itself and config.ts.',
      from: { path: '^server/db/' },
      to: { path: '^server/', pathNot: '^server/(db/|config[.]ts$)' },
    },
    {
      name: 'graphql-imports-no-feature',
      severity: 'error',
      comment: 'server/graphql builds the schema from what registry.ts hands it; it imports no feature.',
      from: { path: '^server/graphql/' },
      to: { path: '^server/', pathNot: '^server/(graphql/|kernel/|db/|common/|config[.]ts$)' },
    },
    {
      name: 'feature-imports-no-graphql',
      severity: 'error',
      comment: 'Features never import server/graphql (the schema layer composes features, not the other way round).',
      from: { path: FEATURES },
      to: { path: '^server/graphql/' },
    },
    {
      name: 'registry-only-from-entry-points',
      severity: 'error',
      comment: 'server/registry.ts is the composition root: only main.ts, app.ts, the CLI and the tests import it.',
      from: { pathNot: '^(server/(main|app)[.]ts$|server/cli/|tests/)' },
      to: { path: '^server/registry[.]ts$' },
    },
    {
      name: 'client-imports-no-server',
      severity: 'error',
      comment: 'The web client talks to the server over GraphQL only (types come from the generated schema).',
      from: { path: '^client/' },
      to: { path: '^server/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing (a typo, or a package missing from package.json).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|client/dist|node_modules|[.]data)/|^client/src/graphql/generated/' },
    // `import type` counts as a dependency (layering), marked type-only so the cycle rule can leave it out.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.tests.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
