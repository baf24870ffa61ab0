// The test environment of the unit layer (jest.config.js): Node's, except that opening a socket, starting a
// worker thread or a child process fails the test with the rule it broke. So a spec that does real I/O cannot
// sit in the unit layer by mistake: it fails there at once, and the message says where it belongs.
//
// Node's built-in modules are shared by every test file a jest worker runs, whichever layer it is in, so the
// guards are put in place when a file's environment is set up and taken out when it is torn down.
'use strict';
const { ChildProcess } = require('node:child_process');
const net = require('node:net');
const workerThreads = require('node:worker_threads');
const { TestEnvironment } = require('jest-environment-node');

const RULE =
  'unit specs open no sockets and start no threads or processes. Put this spec in the integration layer: ' +
  'under spec/server/, spec/cli/commands/ or spec/package/, or name it *.net.spec.ts, *.workers.spec.ts, ' +
  '*.process.spec.ts or *.browser.spec.ts (docs/architecture.md, "Test layers").';

class UnitLayerError extends Error {
  constructor(what) {
    super(`${what}: ${RULE}`);
    this.name = 'UnitLayerError';
    this.code = 'ERR_UNIT_LAYER_IO';
  }
}

/** [owner, key, replacement] for every way a spec could reach a socket, a thread or a process. */
const GUARDS = [
  [net.Server.prototype, 'listen', function listen() { throw new UnitLayerError('a server started listening'); }],
  [net.Socket.prototype, 'connect', function connect() { throw new UnitLayerError('a socket connected'); }],
  [ChildProcess.prototype, 'spawn', function spawn() { throw new UnitLayerError('a child process was started'); }],
  [workerThreads, 'Worker', function Worker() { throw new UnitLayerError('a worker thread was started'); }],
];

class UnitEnvironment extends TestEnvironment {
  originals = [];

  async setup() {
    await super.setup();
    for (const [owner, key, guard] of GUARDS) {
      this.originals.push([owner, key, owner[key]]);
      owner[key] = guard;
    }
  }

  async teardown() {
    for (const [owner, key, original] of this.originals.reverse()) owner[key] = original;
    this.originals = [];
    await super.teardown();
  }
}

module.exports = UnitEnvironment;
