import { ErrorInjector } from '../../lib/injector';
import { ShardGroup } from '../../lib/shards';
import { ShardWorker } from '../fixtures/workers/shard-worker';
import { API, call } from './support/http';
import { closeAll, startServer, track } from './support/servers';
import { SseClient } from './support/sse-client';

// `event: control` on the events stream, with real worker-thread shards. The workers load the built package:
// run `npm run build` first.

const workers: ShardWorker[] = [];

afterEach(async () => {
  await closeAll();
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

async function serverWithWorkers(n: number) {
  const injector = new ErrorInjector();
  const group = new ShardGroup({ injector });
  for (let i = 0; i < n; i++) {
    const w = new ShardWorker('commanded-shard');
    workers.push(w);
    await group.addWorker(w.worker);
  }
  return { ...(await startServer({ shards: group })), injector, group };
}

const controls = (client: SseClient) => client.messages.filter((m) => m.event === 'control').map((m) => JSON.parse(m.data) as Record<string, unknown>);

describe('control notices', () => {
  test('control=1 gets enabled (with its options), messaged, disabled, disabled-all; a plain reader none', async () => {
    const { url, injector } = await serverWithWorkers(2);
    const watcher = track(await SseClient.open(`${url}${API}/events?control=1`));
    const plain = track(await SseClient.open(`${url}${API}/events`));
    expect((await call(url, 'POST', `${API}/injection/x`, { query: '?one_shot=true' })).status).toBe(200);
    injector.enter('x');
    expect((await call(url, 'POST', `${API}/injection/x/message`)).status).toBe(200);
    expect((await call(url, 'DELETE', `${API}/injection/x`)).status).toBe(200);
    expect((await call(url, 'DELETE', `${API}/injection`)).status).toBe(200);
    await watcher.next((m) => m.event === 'control' && m.data.includes('disabled-all'), 'disabled-all');
    const seen = controls(watcher);
    expect(seen.map((c) => [c.op, c.injection, c.shard])).toEqual([
      ['enabled', 'x', null],
      ['messaged', 'x', null],
      ['disabled', 'x', null],
      ['disabled-all', null, null],
    ]);
    expect(seen[0].options).toMatchObject({ oneShot: true });
    for (const c of seen) expect(typeof c.ts).toBe('number');
    // No id on a notice: it is not a hit, and a reader resuming after it resumes after the hit before it.
    expect(watcher.messages.filter((m) => m.event === 'control').every((m) => m.id === undefined)).toBe(true);
    // The hit (between the enable and the message) is ordered between their notices on the stream.
    expect(watcher.messages.map((m) => m.event ?? 'hit').slice(0, 3)).toEqual(['control', 'hit', 'control']);
    await plain.next((m) => m.event === undefined, 'the hit');
    expect(plain.messages.filter((m) => m.event !== undefined)).toEqual([]);
  });

  test('a bad control flag is a 400', async () => {
    const { url } = await serverWithWorkers(0);
    const r = await call(url, 'GET', `${API}/events`, { query: '?control=maybe' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'ERR_FAULTLINE_BAD_QUERY' });
  });
});
