// jest as a consumer runs it: CommonJS test files, no transform.
module.exports = { testEnvironment: 'node', testMatch: ['**/*.test.cjs'], transform: {} };
