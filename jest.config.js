// Three layers, chosen by where a spec file is and how it is named, so a new spec lands in its layer without
// touching this file (the rule is in docs/architecture.md, "Test layers"):
// - reliability: everything under spec/reliability/ (faults, fuzz, soak);
// - integration: everything under spec/server/, spec/cli/commands/ and spec/package/, and any spec named
//   *.net.spec.ts (sockets), *.workers.spec.ts (worker threads), *.process.spec.ts (child processes) or
//   *.browser.spec.ts (Chromium);
// - unit: every other spec. Its environment fails a test that opens a socket or starts a thread or a process.
// `npm test` runs all three; `npm run test:unit` is the inner loop.

const INTEGRATION_DIRS = ['spec/server', 'spec/cli/commands', 'spec/package'];
const INTEGRATION_KINDS = ['net', 'workers', 'process', 'browser'];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const inDir = (dir) => `/${escape(dir)}/`;
const ofKind = `\\.(${INTEGRATION_KINDS.join('|')})\\.spec\\.ts$`;

/** @type {import('jest').Config} */
const common = {
  rootDir: __dirname,
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  testEnvironment: 'node',
  transform: {
    // Type errors are tsc's job (npm run typecheck); jest only needs to transpile.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testEnvironment: '<rootDir>/spec/helpers/unit-environment.js',
      testPathIgnorePatterns: ['/node_modules/', inDir('spec/reliability'), ...INTEGRATION_DIRS.map(inDir), ofKind],
    },
    {
      ...common,
      displayName: 'integration',
      // Worker fixtures and the CLI children load the BUILT package: build it first when it is stale.
      globalSetup: '<rootDir>/spec/helpers/fresh-build.js',
      testRegex: [...INTEGRATION_DIRS.map((dir) => `${inDir(dir)}.*\\.spec\\.ts$`), ofKind],
      testMatch: undefined,
      testPathIgnorePatterns: ['/node_modules/', inDir('spec/reliability')],
    },
    {
      ...common,
      displayName: 'reliability',
      globalSetup: '<rootDir>/spec/helpers/fresh-build.js',
      roots: ['<rootDir>/spec/reliability'],
    },
  ],
  // Global options: jest ignores them inside a project.
  testTimeout: 30000,
  // One worker per core (jest's default leaves one idle): the specs wait on sockets, threads and children
  // as much as they compute. On 2 cores this takes `npm test` from about 2 min 50 s to about 2 min 20 s.
  maxWorkers: '100%',
  // Worker-thread and socket tests must not keep jest alive; a leak shows up as a failure to exit.
  forceExit: false,
};
