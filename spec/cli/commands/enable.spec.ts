import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { runInInjectionScope } from '../../../lib/injector/scope';
import { LINE_DEADLINE_MS, runCli, serveForSuite, startCli, startServe, withRest } from '../../helpers/cli-child';
import { closeAll, startServer } from '../../server/support/servers';

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
    // The position it armed at ends the line: `<epoch>-<seq>`, `-0` on a server that has had no hit yet.
    expect(r.stdout).toMatch(new RegExp(`^enabled cli_x on ${new URL(server.url).host} \\(one-shot, a=1 b=x=y\\) at [0-9a-z]+-\\d+\\n$`));
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

  it('--scope enables in that scope only, on every shard, and says so', async () => {
    const r = await runCli(['enable', server.url, 'cli_s', '--scope', 't-1', '--one-shot']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('(one-shot, scope t-1)');
    const scoped = await withRest(server.url, (api) => api.get('cli_s', { scope: 't-1' }));
    expect(scoped.map((s) => s.enabled)).toEqual([true, true]);
    expect(await withRest(server.url, (api) => api.get('cli_s'))).toEqual(Array(2).fill({ enabled: false, scopes: ['t-1'] }));
  });

  it("--scope with --wait waits for a hit in that scope: the unscoped enablement's hits do not count (the test process reaches the points)", async () => {
    const { url, injector } = await startServer();
    const w = startCli(['enable', url, 'x', '--scope', 'a', '--wait', '--timeout', '20']);
    try {
      await withRest(url, (api) => api.enable('x'));
      await w.stderr.next(/waiting for x in scope a on /);
      expect(injector.enter('x')).toBe(true);
      expect(runInInjectionScope('a', () => injector.enter('x'))).toBe(true);
      expect((await w.exited).code).toBe(0);
      expect(JSON.parse(w.stdout.text)).toMatchObject({ injection: 'x', scope: 'a' });
    } finally {
      await w.kill();
      await closeAll();
    }
  });

  it("--wait re-arming a one-shot is not ended by the 'exhausted' of the one it replaces, reaching the stream after the enable's answer", async () => {
    const { server, url, injector } = await startServer();
    expect((await runCli(['enable', url, 'x', '--one-shot'])).code).toBe(0);
    // The re-arm's request, before the server handles it: the stream is corked, the old one-shot fires (its
    // hit and 'exhausted' wait in the cork) and the stream is uncorked only once the enable was answered.
    let events: Socket | undefined;
    server.server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.includes('/events')) events = req.socket;
      else if (req.method === 'POST' && events !== undefined) {
        events.cork();
        expect(injector.enter('x')).toBe(true);
        res.on('finish', () => events?.uncork());
      }
    });
    const w = startCli(['enable', url, 'x', '--one-shot', '--wait', '--timeout', '20']);
    try {
      await w.stderr.next(/waiting for x on /);
      expect(injector.enter('x')).toBe(true);
      expect((await w.exited).code).toBe(0);
      expect(JSON.parse(w.stdout.text)).toMatchObject({ injection: 'x', shard: 0 });
    } finally {
      await w.kill();
      await closeAll();
    }
  });

  it('--scope with a bad scope enables nothing (exit 2) and says what is wrong', async () => {
    const r = await runCli(['enable', server.url, 'cli_s', '--scope', 'a b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--scope: a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got "a b"');
    expect(await withRest(server.url, (api) => api.list())).toEqual([]);
  });
});

describe('faultline enable --json and --wait', () => {
  const server = serveForSuite(['--demo', '--shards', '2']);
  const host = (): string => new URL(server.url).host;

  afterEach(async () => {
    await runCli(['disable', server.url]);
  });

  it('--json prints what it enabled and the position it armed at', async () => {
    const r = await runCli(['enable', server.url, 'cli_json', '--count', '2', '-p', 'k=v', '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual({
      enabled: 'cli_json',
      node: host(),
      position: expect.stringMatching(/^[0-9a-z]+-\d+$/),
      shardsDown: [],
      options: { count: 2, parameters: { k: 'v' } },
    });
  });

  it('--wait against a workload that is already running exits 0 with the first hit after the arming', async () => {
    // The demo workload passes every point on both shards in a loop, whatever the CLI does.
    const r = await runCli(['enable', server.url, 'demo_lambda', '--one-shot', '--wait', '--timeout', '20']);
    expect(r.code).toBe(0);
    const armed = /enabled demo_lambda on \S+ \(one-shot\) at (\S+); waiting for demo_lambda on \S+ after \1\n/.exec(r.stderr);
    expect(armed).not.toBeNull();
    const hit = JSON.parse(r.stdout) as { injection: string; id: string; node: string };
    expect(hit).toMatchObject({ injection: 'demo_lambda', type: 'lambda', node: host() });
    const [epoch, seq] = [armed![1].slice(0, armed![1].lastIndexOf('-')), Number(armed![1].split('-').pop())];
    expect(hit.id.startsWith(`${epoch}-`)).toBe(true);
    expect(Number(hit.id.split('-').pop())).toBeGreaterThan(seq);
  });

  it('--wait exits 1 when no hit comes in time, and 2 for --timeout without --wait', async () => {
    const late = await runCli(['enable', server.url, 'never_reached', '--wait', '--timeout', '0.3']);
    expect(late).toMatchObject({ code: 1, stdout: '' });
    expect(late.stderr).toContain(`faultline enable: timed out after 0.3 s: no hit of never_reached on ${server.url}`);
    const usage = await runCli(['enable', server.url, 'x', '--timeout', '3']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--timeout is for --wait');
    // What --wait armed stays armed after a timeout, as a plain enable would; the refused one armed nothing.
    expect(await withRest(server.url, (api) => api.list())).toEqual(['never_reached']);
  });
});
