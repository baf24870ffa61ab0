import { startServe, withRest, type ServeChild } from '../helpers/cli-child';
import { API } from '../server/support/http';
import { SseClient } from '../server/support/sse-client';

// `faultline serve --demo` (the BUILT command: `npm run build` first) given parameters its points cannot use.
// Before issue 17, `{"timeout":"abc"}` on demo_handler stopped that loop on every shard for good, and with 2+
// shards SIGTERM then never exited; `{"ms":"1e308"}` stalled demo_sleep for good. Now each such pass fails
// loudly (a line on stderr naming the injection, the key and the value), the loops go on, and SIGTERM ends the
// process within seconds.

/** A hang guard on the whole shutdown; the figure each run took is printed. */
const EXIT_GUARD_MS = 15_000;

const children: ServeChild[] = [];
const clients: SseClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const c of children.splice(0)) await c.kill();
});

/** Waits until stderr holds a line matching `pattern` for every shard 0..shards-1 (in any order). */
async function expectLineOnEveryShard(child: ServeChild, shards: number, pattern: (shard: number) => RegExp): Promise<void> {
  const missing = new Set(Array.from({ length: shards }, (_, s) => s));
  while (missing.size > 0) {
    const line = await child.stderr.next((l) => [...missing].some((s) => pattern(s).test(l)));
    for (const s of missing) if (pattern(s).test(line)) missing.delete(s);
  }
}

/** Waits for `count` hits of `name` from every shard, on a stream opened now. */
async function expectHitsOnEveryShard(url: string, name: string, shards: number, count: number): Promise<void> {
  const stream = await SseClient.open(`${url}${API}/events?injection=${name}`);
  clients.push(stream);
  const seen = new Array<number>(shards).fill(0);
  while (seen.some((n) => n < count)) {
    const message = await stream.next((m) => m.event === undefined, `hits of ${name} from every shard (so far ${seen.join(', ')})`);
    seen[(JSON.parse(message.data) as { shard: number }).shard]++;
  }
  stream.close();
}

describe.each([1, 4])('faultline serve --demo --shards %i with bad parameters', (shards) => {
  test('a bad handler timeout or sleep fails each pass loudly, the workload goes on, and SIGTERM exits', async () => {
    const server = await startServe(['--shards', String(shards), '--demo']);
    children.push(server);
    await withRest(server.url, async (api) => {
      for (const timeout of ['abc', '-5']) {
        await api.enable('demo_handler', { parameters: { timeout } });
        const expected = timeout === 'abc' ? 'not an integer' : 'not an integer >= 0';
        // Twice on every shard: the loop failed a pass, then came round and failed the next one too.
        for (let round = 0; round < 2; round++) {
          await expectLineOnEveryShard(server, shards, (s) =>
            new RegExp(`^faultline serve: shard ${s}: a pass of demo_handler failed: injection "demo_handler": parameter "timeout" is "${timeout}", ${expected}$`),
          );
        }
      }
      await api.enable('demo_sleep', { parameters: { ms: '1e308' } });
      await expectLineOnEveryShard(server, shards, (s) =>
        new RegExp(`^faultline serve: shard ${s}: a pass of demo_sleep failed: injection "demo_sleep": parameter "ms" is "1e308", not a number of milliseconds from 0 to 60000$`),
      );
      // A valid re-enable works at once on every shard: both loops are still running.
      await api.enable('demo_handler', { parameters: { timeout: '1' } });
      await api.enable('demo_sleep', { parameters: { ms: '1' } });
      await expectHitsOnEveryShard(server.url, 'demo_handler', shards, 2);
      await expectHitsOnEveryShard(server.url, 'demo_sleep', shards, 2);
      // And a bad parameter left enabled does not hold up the shutdown.
      await api.enable('demo_handler', { parameters: { timeout: 'abc' } });
      await api.enable('demo_sleep', { parameters: { ms: '1e308' } });
    });
    const started = Date.now();
    server.proc.kill('SIGTERM');
    const { code, signal } = await server.exitedWithin(EXIT_GUARD_MS);
    const tookMs = Date.now() - started;
    process.stdout.write(`[bad-parameters] ${shards} shard(s): SIGTERM to exit took ${tookMs} ms\n`);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(server.stderr.text).toContain('faultline serve: stopped');
    expect(server.stderr.text).not.toContain('could not');
  });
});
