import { runInInjectionScope } from '../../../lib/injector/scope';
import { runCli, startCli, startServe, withRest, type CliChild, type ServeChild } from '../../helpers/cli-child';
import { closeAll, startServer } from '../../server/support/servers';
import { startScyllaStandIn } from '../../helpers/scylla-stand-in';

// `faultline watch` against real `faultline serve --demo` children.

const LINE = /^\d\d:\d\d:\d\d\.\d{3} {2}127\.0\.0\.1:\d+ {2}shard \d+ {2}(sleep|handler|exception|lambda) +\S+( {2}.*)?$/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[/;

describe('faultline watch', () => {
  const children: CliChild[] = [];
  const servers: ServeChild[] = [];
  const serve = async (args: string[] = ['--demo']): Promise<ServeChild> => {
    const s = await startServe(args);
    servers.push(s);
    return s;
  };
  const watch = async (args: string[], env?: NodeJS.ProcessEnv): Promise<CliChild> => {
    const w = startCli(['watch', ...args], env);
    children.push(w);
    await w.stderr.next(/^faultline watch: watching /);
    return w;
  };

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill()));
    await Promise.all(servers.splice(0).map((s) => s.kill()));
  });

  it('prints one plain line per hit when piped: time, node, shard, type, name, parameters', async () => {
    const server = await serve();
    const w = await watch([server.url]);
    expect((await runCli(['enable', server.url, 'demo_lambda', '--param', 'user=alice', '--param', 'note=two words'])).code).toBe(0);
    for (let i = 0; i < 3; i++) {
      const line = await w.stdout.next();
      expect(line).toMatch(LINE);
      expect(line).not.toMatch(ANSI);
      expect(line.endsWith(`${new URL(server.url).host}  shard 0  lambda     demo_lambda  user=alice note="two words"`)).toBe(
        true,
      );
    }
  });

  it('colours its lines when told to (FORCE_COLOR), as on a terminal', async () => {
    const server = await serve();
    const w = await watch([server.url], { FORCE_COLOR: '1' });
    await runCli(['enable', server.url, 'demo_exception']);
    const line = await w.stdout.next();
    expect(line).toMatch(ANSI);
    expect(line).toContain('\x1b[31mexception');
  });

  it('--json prints one event object per line', async () => {
    const server = await serve();
    const w = await watch([server.url, '--json']);
    await runCli(['enable', server.url, 'demo_sleep', '--param', 'ms=1']);
    for (let i = 0; i < 3; i++) {
      const event = JSON.parse(await w.stdout.next());
      expect(event).toEqual({
        injection: 'demo_sleep',
        type: 'sleep',
        shard: 0,
        ts: expect.any(Number),
        params: { ms: '1' },
        id: expect.stringMatching(/\S/),
        node: new URL(server.url).host,
      });
    }
  });

  it('--injection, --shard and --type keep only the matching hits', async () => {
    const server = await serve(['--demo', '--shards', '2']);
    const byName = await watch([server.url, '--json', '--injection', 'demo_sleep']);
    const byShard = await watch([server.url, '--json', '--shard', '1']);
    const byType = await watch([server.url, '--json', '--type', 'exception', '--type', 'lambda']);
    for (const name of ['demo_sleep', 'demo_exception', 'demo_lambda']) {
      expect((await runCli(['enable', server.url, name, '--param', 'ms=1'])).code).toBe(0);
    }
    for (let i = 0; i < 10; i++) {
      expect(JSON.parse(await byName.stdout.next()).injection).toBe('demo_sleep');
      expect(JSON.parse(await byShard.stdout.next()).shard).toBe(1);
      expect(JSON.parse(await byType.stdout.next()).type).toMatch(/^(exception|lambda)$/);
    }
  });

  it('--scope keeps only hits of enablements in those scopes, never an unscoped one (the test process reaches the points)', async () => {
    try {
      const { url, injector } = await startServer();
      await withRest(url, async (api) => {
        for (const scope of [undefined, 'a', 'b', 'c']) await api.enable('x', { scope });
      });
      const w = await watch([url, '--json', '--scope', 'a', '--scope', 'c']);
      expect(w.stderr.text).toContain('(scope a|c)');
      for (const scope of [undefined, 'b', 'a', undefined, 'b', 'c']) {
        expect(scope === undefined ? injector.enter('x') : runInInjectionScope(scope, () => injector.enter('x'))).toBe(true);
      }
      expect(JSON.parse(await w.stdout.next())).toMatchObject({ injection: 'x', scope: 'a' });
      expect(JSON.parse(await w.stdout.next())).toMatchObject({ injection: 'x', scope: 'c' });
    } finally {
      await Promise.all(children.splice(0).map((c) => c.kill()));
      await closeAll();
    }
  });

  it('a bad --scope is a usage error (exit 2) that says what is wrong', async () => {
    const r = await runCli(['watch', 'http://127.0.0.1:1', '--scope', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--scope: a scope must not be empty');
  });

  it('watches several servers as one stream, each line naming its node', async () => {
    const [a, b] = await Promise.all([serve(), serve()]);
    const w = await watch([a.url, b.url, '--json']);
    await Promise.all([runCli(['enable', a.url, 'demo_lambda']), runCli(['enable', b.url, 'demo_lambda'])]);
    const nodes = new Set<string>();
    while (nodes.size < 2) nodes.add(JSON.parse(await w.stdout.next()).node);
    expect([...nodes].sort()).toEqual([new URL(a.url).host, new URL(b.url).host].sort());
  });

  it('reconnects by itself when the server restarts, and says so on stderr', async () => {
    const first = await serve();
    const port = new URL(first.url).port;
    const w = await watch([first.url]);
    expect((await first.stop()).code).toBe(0);
    await w.stderr.next(/^faultline watch: lost the connection to 127\.0\.0\.1:\d+; reconnecting$/);

    const second = await serve(['--demo', '--port', port]);
    expect(second.url).toBe(first.url);
    await w.stderr.next(/^faultline watch: reconnected to 127\.0\.0\.1:\d+$/);
    await runCli(['enable', second.url, 'demo_lambda']);
    expect(await w.stdout.next()).toMatch(/demo_lambda$/);
    expect(w.proc.exitCode).toBeNull();
  });

  it('tails a ScyllaDB node too: its events have no time, parameters or id, and the CLI drives its REST API', async () => {
    const node = await startScyllaStandIn();
    try {
      const w = await watch([node.url]);
      node.emit('scylla_point', 'handler', 1);
      expect(await w.stdout.next()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}127\.0\.0\.1:\d+ {2}shard 1 {2}handler {4}scylla_point$/);
      expect((await runCli(['enable', node.url, 'p', '--one-shot', '-p', 'k=v'])).code).toBe(0);
      expect((await runCli(['list', node.url])).stdout).toBe('p  on 2/2 shards  k=v  hits 0\n');
      const enable = node.requests.find((r) => r.method === 'POST');
      expect(enable).toMatchObject({ url: '/v2/error_injection/injection/p?one_shot=True', body: '{"k":"v"}' });
    } finally {
      await node.close();
    }
  });

  it('stops on SIGTERM with exit 0', async () => {
    const server = await serve();
    const w = await watch([server.url]);
    w.proc.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  });
});
