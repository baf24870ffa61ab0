// jest as a consumer runs it: CommonJS test files (its own and examples/jest's), no transform.
module.exports = { testEnvironment: 'node', testMatch: ['**/*.test.cjs'], transform: {} };
