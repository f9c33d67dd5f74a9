import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents from the committed server schema. Run `npm run codegen` after changing a document or the schema;
 * the output (client/src/graphql/generated/) is committed, so `npm run build` needs no codegen step.
 * Paths are relative to the repository root (the script runs there).
 */
const config: CodegenConfig = {
  // CODEGEN_SCHEMA: try documents against a freshly emitted schema elsewhere before it is committed.
  schema: process.env.CODEGEN_SCHEMA ?? 'schema/schema.graphql',
  documents: ['client/src/**/*.{ts,tsx}', '!client/src/graphql/generated/**', '!client/src/**/*.test.{ts,tsx}'],
  ignoreNoDocuments: true,
  generates: {
    'client/src/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTimeISO: 'string', LocalDate: 'string', JSON: 'unknown', JSONObject: 'Record<string, unknown>' },
        skipTypename: false,
      },
    },
  },
};

export default config;
