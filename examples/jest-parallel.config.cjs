// Two test files in two jest workers at once against one app server (docs/guide.md, "Parallel test files
// against one app server"): each test's injections live in its own scope.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/jest-parallel/*.test.cjs'],
  transform: {},
  maxWorkers: 2,
  // jest runs up to 20 files it remembers as fast in its own process, one after the other; a cache of this run
  // only keeps the two files running at the same time, as a real suite's files do (unscoped, they then fail).
  cacheDirectory: path.join(__dirname, 'node_modules', '.cache', `jest-parallel-${process.pid}`),
  globalSetup: '<rootDir>/jest-parallel/global-setup.cjs',
  globalTeardown: '<rootDir>/jest-parallel/global-teardown.cjs',
};
