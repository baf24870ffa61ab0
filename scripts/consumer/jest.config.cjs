// jest as a consumer runs it: CommonJS test files (its own and examples/jest's), no transform.
// examples/jest-parallel has a config of its own (its app server is started by its globalSetup).
module.exports = { testEnvironment: 'node', testMatch: ['<rootDir>/*.test.cjs', '<rootDir>/examples/jest/*.test.cjs'], transform: {} };
