import { runCli, startServe, withRest, type ServeChild } from '../../helpers/cli-child';

// Injections enabled before `faultline serve` listens: --enable and FAULTLINE_INJECTIONS, on every shard.

describe('faultline serve: injections from the start', () => {
  const started: ServeChild[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.kill()));
  });
  const serve = async (args: string[], env?: NodeJS.ProcessEnv): Promise<ServeChild> => {
    const s = await startServe(args, env);
    started.push(s);
    return s;
  };

  it('--enable (repeatable) enables on every shard before the server listens', async () => {
    const server = await serve(['--shards', '3', '--enable', 'a=once;b=3*(k=v)', '--enable', '{"c": {"skip": 2}}']);
    await withRest(server.url, async (api) => {
      expect((await api.list()).sort()).toEqual(['a', 'b', 'c']);
      const b = await api.get('b');
      expect(b).toHaveLength(3);
      for (const shard of b) expect(shard).toMatchObject({ enabled: true, parameters: [{ key: 'k', value: 'v' }] });
      expect((await api.get('c')).map((s) => s.enabled)).toEqual([true, true, true]);
    });
  });

  it('FAULTLINE_INJECTIONS reaches the main thread and every worker shard', async () => {
    const server = await serve(['--shards', '2'], { FAULTLINE_INJECTIONS: 'from_env=once' });
    const shards = await withRest(server.url, (api) => api.get('from_env'));
    expect(shards.map((s) => s.enabled)).toEqual([true, true]);
  });

  it.each([
    [['--enable', 'a=2%x'], 'faultline serve: --enable "a=2%x": entry "a=2%x", character 5 (found "x"): expected \';\' or the end after "a"\'s term'],
    [['--enable', 'a', '--enable', 'a=once'], 'faultline serve: --enable: injection "a" is given twice'],
  ])('%j is a usage error (exit 2) and nothing starts', async (args, message) => {
    const r = await runCli(['serve', '--port', '0', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
  });
});
