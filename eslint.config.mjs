import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { browserGlobals, browserOnlyNames, nodeGlobals } from './scripts/eslint-globals.mjs';

const BROWSER_FILES = 'lib/server/dashboard/browser/**';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    ignores: [BROWSER_FILES],
    languageOptions: { globals: nodeGlobals },
    rules: {
      // TypeScript has no DOM here (tsconfig.json), but @types/node declares an EventSource global; none of these
      // belongs in Node code (the dashboard's page code is where they live).
      'no-restricted-globals': ['error', ...browserOnlyNames.map((name) => ({ name, message: `${name} is the browser's; Node code must not use it` }))],
    },
  },
  {
    // The dashboard's page code: ES modules for the browser, with the browser's globals and none of Node's.
    files: [BROWSER_FILES],
    languageOptions: { sourceType: 'module', globals: browserGlobals },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The jest example is written as a user writes one: with jest's globals.
    files: ['examples/jest/**'],
    languageOptions: {
      globals: Object.fromEntries(['test', 'expect', 'beforeAll', 'afterEach', 'afterAll'].map((n) => [n, 'readonly'])),
    },
  },
);
