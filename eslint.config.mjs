// ESLint 9 flat config: typescript-eslint's recommended rules (syntactic, not type-checked: a full lint stays fast on
// two cores) for every TypeScript file, and the React hooks rules for the client. `npm run lint` fails on any error.
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'client/dist/**',
      'client/src/graphql/generated/**',
      'node_modules/**',
      '.data/**',
      'tests/artifacts/**',
      'tests/bench/data/**',
    ],
  },
  // A disable comment that no longer suppresses anything is an error, so none are kept "just in case"; the others
  // name the rule, say why after `--`, and cover a line or a block closed by `eslint-enable` (no blanket or file-wide
  // disables).
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  comments.recommended,
  {
    rules: {
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: ['eslint-enable'] }],
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: false }],
    },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed parameters, variables and caught errors are deliberately unused (signature, destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Node code: the server, migrations, CLI scripts, tests and tool configs.
    files: ['server/**', 'migrations/**', 'tests/**', 'client/scripts/**', 'client/codegen.ts', 'client/vite.config.ts', '*.ts', '*.mjs', '*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['client/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules, 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Tests read GraphQL results as loose JSON (tests/support/graphql.ts) until they use the codegen's typed
    // documents; everything else, the benchmarks included, stays without `any`.
    files: ['tests/**'],
    ignores: ['tests/bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
