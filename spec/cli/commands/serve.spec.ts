import { httpGet, runCli, startCli, startServe, withRest, type ServeChild } from '../../helpers/cli-child';

// `faultline serve`, run from dist as a child process; everything is synchronised on the lines it prints.

describe('faultline serve', () => {
  const started: ServeChild[] = [];
  const serve = async (args: string[], env?: NodeJS.ProcessEnv): Promise<ServeChild> => {
    const s = await startServe(args, env);
    started.push(s);
    return s;
  };

  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.kill()));
  });

  it('prints where it serves what, then hits come from every shard of the demo workload', async () => {
    const server = await serve(['--shards', '3', '--demo']);
    const first = server.stdout.lines[0];
    expect(first).toBe(`faultline listening on ${server.url} (3 shards: main thread + 2 workers)`);
    await server.stdout.next(/^ {2}dashboard {2}http:\/\/127\.0\.0\.1:\d+\/v2\/error_injection\/ui\/$/);
    await server.stdout.next(/demo_sleep, demo_exception, demo_lambda, demo_handler/);

    const watch = startCli(['watch', server.url, '--json']);
    try {
      await watch.stderr.next(/^faultline watch: watching /);
      expect((await runCli(['enable', server.url, 'demo_lambda', '--param', 'who=serve-test'])).code).toBe(0);
      const shards = new Set<number>();
      while (shards.size < 3) {
        const event = JSON.parse(await watch.stdout.next());
        expect(event).toMatchObject({ injection: 'demo_lambda', type: 'lambda', params: { who: 'serve-test' } });
        shards.add(event.shard);
      }
      expect([...shards].sort()).toEqual([0, 1, 2]);
    } finally {
      await watch.kill();
    }
  });

  it.each([
    ['demo_sleep', 'sleep', ['--param', 'ms=1']],
    ['demo_exception', 'exception', []],
    ['demo_lambda', 'lambda', []],
    ['demo_handler', 'handler', ['--param', 'timeout=1']],
  ])('--demo passes %s, so enabling it produces %s hits at once', async (name, type, extra) => {
    const server = await serve(['--demo']);
    const wait = startCli(['wait', server.url, name]);
    try {
      await wait.stderr.next(/waiting for/);
      expect((await runCli(['enable', server.url, name, ...extra])).code).toBe(0);
      expect(JSON.parse(await wait.stdout.next())).toMatchObject({ injection: name, type, shard: 0 });
      expect((await wait.exited).code).toBe(0);
    } finally {
      await wait.kill();
    }
    // The workload caught what was injected and kept going: the server still answers and the point still fires.
    const again = await runCli(['wait', server.url, name]);
    expect(again.code).toBe(0);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s stops it cleanly, workers and all, with exit 0', async (signal) => {
    const server = await serve(['--shards', '3', '--demo']);
    expect((await runCli(['enable', server.url, 'demo_sleep', '--param', 'ms=100000'])).code).toBe(0);
    server.proc.kill(signal);
    const { code, signal: killedBy } = await server.exitedWithin();
    expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
    expect(server.stderr.text).toContain('faultline serve: stopped');
    // And the port is free again: nothing is left listening.
    const r = await runCli(['list', server.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach ${server.url}`);
  });

  it('serves the dashboard beside the API', async () => {
    const server = await serve([]);
    const res = await httpGet(`${server.url}/v2/error_injection/ui/`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>faultline</title>');
  });

  it('refuses a port in use with exit 1, naming it', async () => {
    const server = await serve([]);
    const port = new URL(server.url).port;
    const r = await runCli(['serve', '--port', port]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`faultline serve: cannot listen on 127.0.0.1:${port}: the port is in use`);
  });

  it('--token: requests without it are refused (exit 1, saying why); --token, FAULTLINE_TOKEN or the printed URL work', async () => {
    const server = await serve(['--token', 's3cret']);
    const dashboard = await server.stdout.next(/dashboard/);
    expect(dashboard).toContain('/v2/error_injection/ui/?token=s3cret');

    const refused = await runCli(['list', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the request \(401\).*pass --token or set FAULTLINE_TOKEN/);
    const wrong = await runCli(['enable', server.url, 'x', '--token', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("the token is not this server's token");
    for (const args of [['watch', server.url], ['wait', server.url, 'x']]) {
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`faultline ${args[0]}: ${server.url} refused the request (401)`);
    }
    expect(await withRest(server.url, (api) => api.list(), 's3cret')).toEqual([]);

    expect((await runCli(['enable', server.url, 'x', '--token', 's3cret'])).code).toBe(0);
    expect((await runCli(['enable', server.url, 'y'], { FAULTLINE_TOKEN: 's3cret' })).code).toBe(0);
    const printedUrl = dashboard.trim().split(/\s+/).pop() as string;
    const listed = await runCli(['list', printedUrl]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').filter(Boolean).map((l) => l.split('  ')[0])).toEqual(['x', 'y']);
  });

  it('with FAULTLINE=off, an enable is refused and the server says why (exit 1)', async () => {
    const server = await serve([], { FAULTLINE: 'off' });
    const r = await runCli(['enable', server.url, 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^faultline enable: http:\/\/127\.0\.0\.1:\d+ answered 409: .*switched off/);
  });

  it('--watch prints its own hits', async () => {
    const server = await serve(['--demo', '--watch']);
    await server.stderr.next(/watching/);
    expect((await runCli(['enable', server.url, 'demo_exception', '--count', '1'])).code).toBe(0);
    expect(await server.stdout.next(/^\d\d:.*demo_exception/)).toMatch(/ {2}shard 0 {2}exception {2}demo_exception$/);
    expect((await server.stop()).code).toBe(0);
  });
});

describe('faultline demo', () => {
  it('serves the demo with a live watch, hits flowing without any enable, and stops on SIGTERM', async () => {
    const demo = startCli(['demo', '--port', '0', '--shards', '2']);
    try {
      const first = await demo.stdout.next(/^faultline listening on /);
      expect(first).toMatch(/\(2 shards: main thread \+ 1 worker\)$/);
      expect(await demo.stdout.next(/^\d\d:.*demo_lambda/)).toMatch(/ {2}lambda {5}demo_lambda {2}from=demo$/);
      demo.proc.kill('SIGTERM');
      expect((await demo.exitedWithin()).code).toBe(0);
    } finally {
      await demo.kill();
    }
  });
});
