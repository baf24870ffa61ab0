import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LINE_DEADLINE_MS, runCli, serveForSuite, startServe, withRest } from '../../helpers/cli-child';

/** Re-checks a condition that has no event of its own (server state over REST) until a deadline. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + LINE_DEADLINE_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
  }
}

describe('faultline enable', () => {
  const server = serveForSuite(['--shards', '2']);

  afterEach(async () => {
    await runCli(['disable', server.url]);
  });

  it('enables on every shard, with one-shot and parameters, and says so', async () => {
    const r = await runCli(['enable', server.url, 'cli_x', '--one-shot', '-p', 'a=1', '--param', 'b=x=y']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`enabled cli_x on ${new URL(server.url).host} (one-shot, a=1 b=x=y)\n`);
    const shards = await withRest(server.url, (api) => api.get('cli_x'));
    expect(shards).toHaveLength(2);
    for (const s of shards) {
      expect(s.enabled).toBe(true);
      expect(s.parameters).toEqual([
        { key: 'a', value: '1' },
        { key: 'b', value: 'x=y' },
      ]);
    }
  });

  it('sends ScyllaDB\'s request, with --count, --probability, --skip and --seed as query parameters', async () => {
    // A recording server on loopback: what goes over the wire is exactly what a ScyllaDB client sends, plus ours.
    const seen: { method?: string; url?: string; body: string; type?: string }[] = [];
    const recorder = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body, type: req.headers['content-type'] });
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
      const r = await runCli(['enable', url, 'cli y', '--count', '3', '--probability', '0.5', '--skip', '2', '--seed', '7', '-p', 'k=v']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('(count 3, skip 2, probability 0.5, seed 7, k=v)');
      expect(seen).toEqual([
        {
          method: 'POST',
          url: '/v2/error_injection/injection/cli%20y?one_shot=False&count=3&skip=2&probability=0.5&seed=7',
          body: '{"k":"v"}',
          type: 'application/json',
        },
      ]);
    } finally {
      await new Promise<void>((resolve) => recorder.close(() => resolve()));
    }
  });

  it('--count makes the injection fire that many times, then disable itself', async () => {
    const demo = await startServe(['--demo']);
    try {
      expect((await runCli(['enable', demo.url, 'demo_lambda', '--count', '3'])).code).toBe(0);
      await waitFor(async () => (await withRest(demo.url, (api) => api.list())).length === 0);
      // Spent, so not enabled: ScyllaDB's count reads 0; the lifetime count keeps the three hits.
      expect(await withRest(demo.url, (api) => api.enters('demo_lambda'))).toBe(0);
      expect(await withRest(demo.url, (api) => api.lifetimeEnters('demo_lambda'))).toBe(3);
    } finally {
      await demo.kill();
    }
  });

  it('sends a name with slashes, spaces and percent signs intact', async () => {
    const name = 'a/b c%2F';
    expect((await runCli(['enable', server.url, name])).code).toBe(0);
    expect(await withRest(server.url, (api) => api.list())).toEqual([name]);
  });

  it('enables nothing when an argument is bad (exit 2)', async () => {
    const r = await runCli(['enable', server.url, 'cli_z', '--count', '-1']);
    expect(r.code).toBe(2);
    expect(await withRest(server.url, (api) => api.list())).toEqual([]);
  });
});
