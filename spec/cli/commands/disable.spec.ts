import { runCli, serveForSuite, withRest } from '../../helpers/cli-child';

describe('faultline disable', () => {
  const server = serveForSuite(['--shards', '2']);

  beforeEach(async () => {
    await withRest(server.url, async (api) => {
      await api.enable('d1');
      await api.enable('d2');
    });
  });

  it('disables one injection by name', async () => {
    const r = await runCli(['disable', server.url, 'd1']);
    expect(r).toMatchObject({ code: 0, stdout: `disabled d1 on ${new URL(server.url).host}\n` });
    expect(await withRest(server.url, (api) => api.list())).toEqual(['d2']);
    const shards = await withRest(server.url, (api) => api.get('d1'));
    expect(shards.map((s) => s.enabled)).toEqual([false, false]);
  });

  it('--scope disables that scope\'s enablement only', async () => {
    await withRest(server.url, async (api) => {
      await api.enable('d1', { scope: 's1' });
      await api.enable('d1', { scope: 's2' });
    });
    const r = await runCli(['disable', server.url, 'd1', '--scope', 's1']);
    expect(r).toMatchObject({ code: 0, stdout: `disabled d1 in scope s1 on ${new URL(server.url).host}\n`, stderr: '' });
    // Both shards: the unscoped enablement and s2's are left.
    expect(await withRest(server.url, (api) => api.get('d1'))).toEqual(Array(2).fill({ enabled: true, scopes: ['s2'] }));
  });

  it('--scope with a bad scope, or without a name, is a usage error (exit 2) that disables nothing', async () => {
    const bad = await runCli(['disable', server.url, 'd1', '--scope', '']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--scope: a scope must not be empty');
    const noName = await runCli(['disable', server.url, '--scope', 's1']);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--scope needs a NAME');
    expect((await withRest(server.url, (api) => api.list())).sort()).toEqual(['d1', 'd2']);
  });

  it('disables every injection without a name', async () => {
    const r = await runCli(['disable', server.url]);
    expect(r).toMatchObject({ code: 0, stdout: `disabled every injection on ${new URL(server.url).host}\n` });
    expect(await withRest(server.url, (api) => api.list())).toEqual([]);
  });

  it('is not an error for a name that is not enabled, but says so on stderr', async () => {
    const r = await runCli(['disable', server.url, 'never']);
    expect(r).toMatchObject({ code: 0, stdout: `disabled never on ${new URL(server.url).host}\n` });
    expect(r.stderr).toBe(`faultline disable: warning: never is not enabled on ${new URL(server.url).host}; nothing was disabled\n`);
    expect((await withRest(server.url, (api) => api.list())).sort()).toEqual(['d1', 'd2']);
  });

  it('--json prints what it disabled, whether it was enabled, and the position after it', async () => {
    const one = await runCli(['disable', server.url, 'd1', '--json']);
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(one.stdout)).toEqual({
      disabled: 'd1',
      node: new URL(server.url).host,
      wasEnabled: true,
      position: expect.stringMatching(/^[0-9a-z]+-\d+$/),
    });
    const all = await runCli(['disable', server.url, '--json']);
    expect(JSON.parse(all.stdout)).toMatchObject({ disabled: null, node: new URL(server.url).host });
  });
});
