import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from './scripts/eslint-globals.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals },
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
