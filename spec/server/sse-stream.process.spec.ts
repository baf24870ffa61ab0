import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { openInjectionStream } from '../../lib/client';
import { PACKAGE_ROOT } from '../helpers/run-node-script';

// What only a process that dies can show: the event of the hit that killed it still reaches the test. The event
// stream writes a callback's first frame to the socket inside `enter()`, so it is in the kernel before the
// injected error is thrown; written at the end of the callback (as node:http's `res.write` does, and our own
// flush did), it was lost with the process every time. The child loads the BUILT package.

const APP = `
  const { ErrorInjector } = require('faultline');
  const { ShardGroup, createInjectionServer } = require('faultline/server');
  (async () => {
    const injector = new ErrorInjector();
    injector.enable('crash_point');
    const server = await createInjectionServer({ port: 0, shards: new ShardGroup({ injector }) });
    console.log(server.url);
    // On the test's word, an injected error nobody catches: the process dies in this callback.
    process.stdin.once('data', () => setTimeout(() => injector.injectError('crash_point'), 1));
  })();
`;

/** Generous: only a guard against a hung child on a loaded 2-core machine, never a speed assertion. */
const DEADLINE_MS = 15_000;
const ROUNDS = 3;

async function crashRound(): Promise<void> {
  const child = spawn(process.execPath, ['-e', APP], { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': the child's stderr (the uncaught error) may still be arriving at 'exit'.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const guard = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
  try {
    const lines = createInterface({ input: child.stdout });
    const url = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', () => reject(new Error(`the app exited before serving\n${stderr}`)));
    });
    lines.close();
    const stream = await openInjectionStream(url, { reconnect: { attempts: 0 } });
    try {
      const hit = stream.waitForInjection('crash_point', { since: stream.mark(), timeout: DEADLINE_MS });
      // Settled either way before the child is gone, so a rejection is never left unhandled.
      const outcome = hit.then(
        (event) => ({ event }),
        (error: unknown) => ({ error }),
      );
      child.stdin.end('crash\n');
      expect(await exited).not.toBe(0);
      expect(stderr).toContain('InjectedError');
      const result = await outcome;
      expect(result).toEqual({ event: expect.objectContaining({ injection: 'crash_point', type: 'exception' }) });
    } finally {
      await stream.close();
    }
  } finally {
    clearTimeout(guard);
    child.kill('SIGKILL');
  }
}

describe('SseStream in an app process that dies right after a hit', () => {
  it(`delivers the hit that killed the process (${ROUNDS} processes)`, async () => {
    for (let round = 0; round < ROUNDS; round++) await crashRound();
  });
});
