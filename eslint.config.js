// Lint: typescript-eslint plus Nx module boundaries. The boundaries encode the dependency
// direction of DESIGN.md section 1; a forbidden import fails `nx lint` (see tools/lint-boundaries.test.ts).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const NODE_ONLY = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'better-sqlite3', 'express', 'yargs', 'yargs/*'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'runs/**', '**/*.js', '!eslint.config.js', 'apps/dashboard/public/vendor/**'] },
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
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:datasets', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:losses', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:samplers', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:metrics', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:tracking', onlyDependOnLibsWithTags: ['scope:config'] },
            { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['scope:tracking', 'scope:config'] },
            { sourceTag: 'scope:runner', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'scope:integration', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    // The math packages also run in a browser: no Node built-ins, no server-side libraries.
    files: ['packages/{core,datasets,losses,samplers,metrics}/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: NODE_ONLY, message: 'math packages must run in a browser (DESIGN.md section 1)' }] }],
    },
  },
  {
    // The dashboard never loads tfjs.
    files: ['apps/dashboard/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tensorflow/*', '@scorelab/core', '@scorelab/datasets', '@scorelab/losses', '@scorelab/samplers', '@scorelab/metrics'], message: 'the dashboard uses tracking and config only (DESIGN.md section 1)' }] }],
    },
  },
);
