import { filter, firstValueFrom, timeout } from 'rxjs';
import { openInjectionStream } from '../../../lib/client';
import { runCli, serveForSuite } from '../../helpers/cli-child';

describe('faultline message', () => {
  const server = serveForSuite(['--demo', '--shards', '2']);

  it('releases the handlers waiting for a message, on every shard', async () => {
    const stream = await openInjectionStream(server.url, { handlerEvents: true, injection: 'demo_handler' });
    try {
      const phases = (phase: string, shard: number) =>
        firstValueFrom(stream.handler$.pipe(filter((e) => e.phase === phase && e.shard === shard), timeout(20_000)));
      const waiting = Promise.all([phases('waiting', 0), phases('waiting', 1)]);
      const released = Promise.all([phases('released', 0), phases('released', 1)]);
      expect((await runCli(['enable', server.url, 'demo_handler', '--one-shot', '-p', 'timeout=600000'])).code).toBe(0);
      await waiting;
      const r = await runCli(['message', server.url, 'demo_handler']);
      // The one-shot fired (it reads as not enabled), but its handler is still running: no warning.
      expect(r).toMatchObject({ code: 0, stdout: `sent a message to demo_handler on ${new URL(server.url).host}\n`, stderr: '' });
      await released;
    } finally {
      await stream.close();
    }
  });

  it('is not an error for an injection that is not enabled, but says on stderr that it was dropped', async () => {
    const r = await runCli(['message', server.url, 'nobody_waits']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `faultline message: warning: nobody_waits is not enabled on ${new URL(server.url).host}; the message was dropped (enable it first)\n`,
    );
    const json = await runCli(['message', server.url, 'nobody_waits', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ messaged: 'nobody_waits', node: new URL(server.url).host, wasEnabled: false });
  });
});
