import { runInInjectionScope } from '../../../lib/injector/scope';
import { runCli, serveForSuite, startCli, withRest, type CliChild } from '../../helpers/cli-child';
import { closeAll, startServer } from '../../server/support/servers';

describe('faultline wait', () => {
  const server = serveForSuite(['--demo', '--shards', '2']);
  const children: CliChild[] = [];
  const wait = async (args: string[]): Promise<CliChild> => {
    const w = startCli(['wait', server.url, ...args]);
    children.push(w);
    await w.stderr.next(/^faultline wait: waiting for /);
    return w;
  };

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill()));
    await runCli(['disable', server.url]);
  });

  it('exits 0 printing the hit as JSON', async () => {
    const w = await wait(['demo_exception']);
    expect((await runCli(['enable', server.url, 'demo_exception', '--param', 'why=test'])).code).toBe(0);
    const { code } = await w.exited;
    expect(code).toBe(0);
    const lines = w.stdout.text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      injection: 'demo_exception',
      type: 'exception',
      params: { why: 'test' },
      node: new URL(server.url).host,
    });
  });

  it('--shard waits for a hit on that shard', async () => {
    const w = await wait(['demo_lambda', '--shard', '1']);
    await runCli(['enable', server.url, 'demo_lambda']);
    expect((await w.exited).code).toBe(0);
    expect(JSON.parse(w.stdout.text).shard).toBe(1);
  });

  it('exits 1 with a clear message when no hit comes in time', async () => {
    const r = await runCli(['wait', server.url, 'never_enabled', '--timeout', '0.2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`faultline wait: timed out after 0.2 s: no hit of never_enabled on ${server.url}\n`);
  });

  it('exits 1 when interrupted before the hit', async () => {
    const w = await wait(['never_enabled']);
    w.proc.kill('SIGINT');
    expect((await w.exited).code).toBe(1);
    expect(w.stderr.text).toContain('faultline wait: interrupted before never_enabled was hit');
  });

  it('--since counts only hits after the position, including those that came before wait started', async () => {
    const enabled = await runCli(['enable', server.url, 'demo_exception', '--one-shot', '--json']);
    const { position } = JSON.parse(enabled.stdout) as { position: string };
    // The demo workload takes the one-shot at once: wait long after that, from the position.
    const cut = await runCli(['disable', server.url, 'demo_exception', '--json']);
    const after = (JSON.parse(cut.stdout) as { position: string }).position;
    expect(Number(after.split('-').pop())).toBeGreaterThan(Number(position.split('-').pop()));
    const r = await runCli(['wait', server.url, 'demo_exception', '--since', position, '--timeout', '20']);
    expect(r.code).toBe(0);
    const hit = JSON.parse(r.stdout) as { id: string };
    expect(Number(hit.id.split('-').pop())).toBeGreaterThan(Number(position.split('-').pop()));
    // From the position after the disable, that hit never counts.
    const none = await runCli(['wait', server.url, 'demo_exception', '--since', after, '--timeout', '0.5']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('timed out after 0.5 s');
  });

  it('--since with something that is not a position is a usage error (exit 2)', async () => {
    const r = await runCli(['wait', server.url, 'x', '--since', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since "yesterday" is not a stream position');
  });
});

// Scoped hits need app code that reaches a point in a scope: here the test process is the app (its server's
// injector), and the CLI a child process.
describe('faultline wait --scope', () => {
  const children: CliChild[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill()));
    await closeAll();
  });

  it("waits for a hit of NAME's enablement in that scope only: another scope's hit, an unscoped one and another scope's disable do not end it", async () => {
    const { url, injector } = await startServer();
    await withRest(url, async (api) => {
      await api.enable('x');
      await api.enable('x', { scope: 'a' });
      await api.enable('x', { scope: 'b' });
    });
    const w = startCli(['wait', url, 'x', '--scope', 'a', '--timeout', '20']);
    children.push(w);
    expect(await w.stderr.next(/^faultline wait: waiting for /)).toBe(`faultline wait: waiting for x in scope a on ${new URL(url).host}`);
    expect(runInInjectionScope('b', () => injector.enter('x'))).toBe(true);
    expect(injector.enter('x')).toBe(true);
    await withRest(url, (api) => api.disable('x', { scope: 'b' }));
    expect(runInInjectionScope('a', () => injector.enter('x'))).toBe(true);
    expect((await w.exited).code).toBe(0);
    expect(JSON.parse(w.stdout.text)).toMatchObject({ injection: 'x', scope: 'a', shard: 0 });
  });

  it('names the scope when it times out', async () => {
    const { url } = await startServer();
    const r = await runCli(['wait', url, 'x', '--scope', 'a', '--timeout', '0.2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`faultline wait: timed out after 0.2 s: no hit of x in scope a on ${url}\n`);
  });

  it('a bad --scope is a usage error (exit 2) that says what is wrong', async () => {
    const { url } = await startServer();
    const r = await runCli(['wait', url, 'x', '--scope', 'a b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--scope: a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got "a b"');
  });
});
