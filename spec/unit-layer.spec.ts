import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
import { thrownBy } from './helpers/expect-error';

// The unit layer's environment (spec/helpers/unit-environment.js), seen from a unit spec: every way to a
// socket, a thread or a process throws, with the rule that says where such a spec belongs.

const RULE = /unit specs open no sockets and start no threads or processes.*docs\/architecture\.md/;

test.each([
  ['a server listening', () => createServer().listen(0, '127.0.0.1')],
  ['a socket connecting', () => connect({ port: 9, host: '127.0.0.1' }).on('error', () => undefined)],
  ['a child process', () => spawn(process.execPath, ['-e', '0'])],
  ['a worker thread', () => new Worker('0', { eval: true })],
])('%s fails the test with the layer rule', (_what, act) => {
  // Made by the environment, outside the test's realm: compared by fields, not instanceof.
  expect(thrownBy(act)).toMatchObject({ name: 'UnitLayerError', code: 'ERR_UNIT_LAYER_IO', message: expect.stringMatching(RULE) });
});
