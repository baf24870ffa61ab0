/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    // Type errors are tsc's job (npm run typecheck); jest only needs to transpile.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testTimeout: 30000,
  // Worker-thread and socket tests must not keep jest alive; a leak shows up as a failure to exit.
  forceExit: false,
};
