// vitest as a consumer runs it; globals so the one test file also runs under `node --test`.
export default { test: { include: ['*.test.mjs', 'examples/vitest/*.test.mjs'], globals: true } };
