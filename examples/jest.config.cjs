// The examples' jest config: CommonJS test files, no transform.
module.exports = { testEnvironment: 'node', testMatch: ['<rootDir>/jest/*.test.cjs'], transform: {} };
