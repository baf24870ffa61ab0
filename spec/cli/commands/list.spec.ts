import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openInjectionStream } from '../../../lib/client';
import { LINE_DEADLINE_MS, runCli, serveForSuite, withRest } from '../../helpers/cli-child';

describe('faultline list', () => {
  const server = serveForSuite(['--shards', '2']);

  afterEach(async () => {
    await runCli(['disable', server.url]);
  });

  it('prints nothing when nothing is enabled', async () => {
    expect(await runCli(['list', server.url])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('prints each enabled injection, sorted, with its state', async () => {
    await withRest(server.url, async (api) => {
      await api.enable('zeta', { oneShot: true });
      await api.enable('alpha', { parameters: { k: 'v', s: 'two words' } });
    });
    const r = await runCli(['list', server.url]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines).toEqual(['alpha  on 2/2 shards  k=v s="two words"  hits 0  lifetime 0', 'zeta  on 2/2 shards  hits 0  lifetime 0']);
  });

  it('shows the scopes a name is enabled in', async () => {
    await withRest(server.url, async (api) => {
      await api.enable('sc', { scope: 't2' });
      await api.enable('sc', { scope: 't1' });
    });
    const r = await runCli(['list', server.url]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('sc  on 0/2 shards  hits 0  scopes t1,t2  lifetime 0\n');
  });

  it('--json prints one object per injection with its state on each shard', async () => {
    await withRest(server.url, (api) => api.enable('j', { parameters: { a: '1' } }));
    const r = await runCli(['list', server.url, '--json']);
    expect(r.code).toBe(0);
    const listed = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    // The two the test before enabled and the afterEach disabled were never hit: nothing says they ended.
    expect(listed).toEqual([
      {
        name: 'j',
        enabled: true,
        shards: [
          { enabled: true, parameters: [{ key: 'a', value: '1' }] },
          { enabled: true, parameters: [{ key: 'a', value: '1' }] },
        ],
        hits: 0,
        lifetimeHits: 0,
      },
    ]);
  });

  it('leaves the hits out for a server without the /enters route (an older ScyllaDB)', async () => {
    const old = createServer((req, res) => {
      const answer = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/v2/error_injection/injection') return answer(200, ['x']);
      if (req.url === '/v2/error_injection/injection/x') return answer(200, [{ enabled: true }, { enabled: false }]);
      return answer(404, { message: 'Not found', code: 404 });
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    try {
      const r = await runCli(['list', `127.0.0.1:${(old.address() as AddressInfo).port}`]);
      expect(r).toMatchObject({ code: 0, stdout: 'x  on 1/2 shards\n', stderr: '' });
    } finally {
      await new Promise<void>((resolve) => old.close(() => resolve()));
    }
  });
});

describe('faultline list: injections that ended', () => {
  const server = serveForSuite(['--demo', '--shards', '2']);

  it('shows a one-shot that fired on every shard as ended, with its lifetime hits', async () => {
    const stream = await openInjectionStream(server.url);
    try {
      await withRest(server.url, (api) => api.enable('demo_lambda', { oneShot: true }));
      // One-shot is per shard: one hit on each of the two.
      await stream.waitForHits('demo_lambda', 2, { timeout: LINE_DEADLINE_MS });
    } finally {
      await stream.close();
    }
    const r = await runCli(['list', server.url]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')).toContain('demo_lambda  ended  lifetime 2');
  });
});
