import { ErrorInjector } from '../../lib/injector';
import { runInInjectionScope } from '../../lib/injector/scope';
import { ShardGroup } from '../../lib/shards';
import { ShardWorker } from '../fixtures/workers/shard-worker';
import { API, call, quote } from './support/http';
import { openRawStream } from './support/raw-stream';
import { closeAll, startServer, track } from './support/servers';
import { SseClient } from './support/sse-client';
import { until } from './support/until';

// The server in front of a group with real worker-thread shards. The workers load the built package: run
// `npm run build` first.

const workers: ShardWorker[] = [];

afterEach(async () => {
  await closeAll();
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

/** A server whose group is the main thread plus `n` commanded workers (worker i is shard i + 1). */
async function serverWithWorkers(n: number) {
  const injector = new ErrorInjector();
  const group = new ShardGroup({ injector });
  const ws: ShardWorker[] = [];
  for (let i = 0; i < n; i++) {
    const w = new ShardWorker('commanded-shard');
    workers.push(w);
    ws.push(w);
    await group.addWorker(w.worker);
  }
  const started = await startServer({ shards: group });
  return { ...started, injector, group, workers: ws };
}

const data = (m: { data: string }): Record<string, unknown> => JSON.parse(m.data) as Record<string, unknown>;

describe('the server in front of worker shards', () => {
  test('REST acts on every shard: GET state has one element per shard, /enters sums, message reaches workers', async () => {
    const { url, injector, workers: [w1, w2] } = await serverWithWorkers(2);
    const name = 'shard/wide "x"';
    expect((await call(url, 'POST', `${API}/injection/${quote(name)}`, { body: '{"k":"v"}' })).status).toBe(200);
    expect((await call(url, 'GET', `${API}/injection/${quote(name)}`)).json).toEqual([
      { enabled: true, parameters: [{ key: 'k', value: 'v' }] },
      { enabled: true, parameters: [{ key: 'k', value: 'v' }] },
      { enabled: true, parameters: [{ key: 'k', value: 'v' }] },
    ]);
    // Enable returned only after every shard applied it: the workers fire at once.
    expect(await w1.hit(name, 'enter', 2)).toEqual({ fired: 2 });
    expect(await w2.hit(name, 'enter', 3)).toEqual({ fired: 3 });
    injector.enter(name);
    expect((await call(url, 'GET', `${API}/injection/${quote(name)}/enters`)).json).toBe(6);

    // A handler parked on a worker is released by a REST message.
    const phases = track(await SseClient.open(`${url}${API}/events?handler=1&injection=h`));
    expect((await call(url, 'POST', `${API}/injection/h`)).status).toBe(200);
    const parked = w2.hit('h', 'handler');
    const waiting = await phases.next((m) => m.event === 'handler', 'the handler to park');
    expect(JSON.parse(waiting.data)).toMatchObject({ injection: 'h', phase: 'waiting', shard: 2 });
    expect((await call(url, 'POST', `${API}/injection/h/message`)).status).toBe(200);
    expect(await parked).toEqual({ fired: 1 });

    expect((await call(url, 'DELETE', `${API}/injection`)).status).toBe(200);
    expect((await call(url, 'GET', `${API}/injection/${quote(name)}`)).json).toEqual([{ enabled: false }, { enabled: false }, { enabled: false }]);
    // ScyllaDB's count went with the enablement on every shard; the lifetime count sums every shard's hits.
    expect((await call(url, 'GET', `${API}/injection/${quote(name)}/enters`)).json).toBe(0);
    expect((await call(url, 'GET', `${API}/lifetime_enters/${quote(name)}`)).json).toBe(6);
    expect((await call(url, 'GET', `${API}/lifetime_enters/h`)).json).toBe(1);
    // Every name hit on any shard, summed over the worker shards too (the workers answer the 'lifetimes' op).
    expect((await call(url, 'GET', `${API}/lifetime_enters`)).json).toEqual({ [name]: 6, h: 1 });
    expect(await w1.probe()).toMatchObject({ shard: 1, enabled: [] });
  });

  test('GET /parked lists the handlers waiting on every shard, a fired one-shot too; [] once the message released them', async () => {
    const { url, injector, workers: [w1, w2] } = await serverWithWorkers(2);
    const phases = track(await SseClient.open(`${url}${API}/events?handler=1`));
    expect((await call(url, 'GET', `${API}/parked`)).json).toEqual([]);
    expect((await call(url, 'POST', `${API}/injection/once`, { query: '?one_shot=true' })).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/h`)).status).toBe(200);
    const parked = [
      injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 20_000 })),
      w2.hit('h', 'handler', 2),
      w1.hit('once', 'handler'),
    ];
    for (let i = 0; i < 4; i++) await phases.next((m) => m.event === 'handler' && data(m).phase === 'waiting', `handler ${i} to park`);
    // The one-shot fired on shard 1: no longer enabled there, and still listed, since it still takes a message.
    expect((await call(url, 'GET', `${API}/injection/once`)).json).toMatchObject([{ enabled: true }, { enabled: false }, { enabled: true }]);
    expect((await call(url, 'GET', `${API}/parked`)).json).toEqual([
      { injection: 'h', shard: 0, waiters: 1 },
      { injection: 'h', shard: 2, waiters: 2 },
      { injection: 'once', shard: 1, waiters: 1 },
    ]);
    expect((await call(url, 'POST', `${API}/parked`)).status).toBe(405);
    expect((await call(url, 'GET', `${API}/parked`, { query: '?x=1' })).status).toBe(400);
    expect((await call(url, 'POST', `${API}/injection/once/message`)).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/h/message`)).status).toBe(200);
    await Promise.all(parked);
    expect((await call(url, 'GET', `${API}/parked`)).json).toEqual([]);
  });

  test('events from every shard arrive on one stream; ?shard= picks one; ids increase across shards', async () => {
    const { url, injector, workers: [w1, w2] } = await serverWithWorkers(2);
    const all = track(await SseClient.open(`${url}${API}/events`));
    const one = track(await SseClient.open(`${url}${API}/events?shard=2&type=exception`));
    await call(url, 'POST', `${API}/injection/x`);
    injector.enter('x');
    await w1.hit('x', 'enter');
    await w2.hit('x', 'error');
    await w2.hit('x', 'enter');
    const hits = await all.waitForHits(4);
    expect(hits.map((m) => data(m).shard).sort()).toEqual([0, 1, 2, 2]);
    const seqs = hits.map((m) => Number(String(m.id).split('-')[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const picked = await one.waitForHits(1);
    expect(picked.map((m) => [data(m).shard, data(m).type])).toEqual([[2, 'exception']]);
    expect(one.hits).toHaveLength(1);
  });

  test('streams cut abruptly leave zero subscriptions on every shard', async () => {
    const { url, server, workers: [w1] } = await serverWithWorkers(2);
    const raws = [];
    for (let i = 0; i < 30; i++) raws.push(await openRawStream(url, i % 3 === 0 ? '?shard=1' : ''));
    await until(() => server.stats().streams === 30, '30 streams');
    expect(server.stats().subscriptions).toEqual([20, 30, 20]);
    await call(url, 'POST', `${API}/injection/x`);
    const hitting = w1.hit('x', 'enter', 200);
    for (const { socket } of raws) socket.resetAndDestroy();
    await hitting;
    await until(() => server.stats().streams === 0, 'no streams');
    expect(server.stats().subscriptions).toEqual([0, 0, 0]);
  });

  test('a worker that exits: shard_down=1 tells, its state reads disabled, a stream of only that shard is a 400', async () => {
    const { url, group, workers: [w1] } = await serverWithWorkers(2);
    const watcher = track(await SseClient.open(`${url}${API}/events?shard_down=1`));
    const plain = track(await SseClient.open(`${url}${API}/events`));
    await call(url, 'POST', `${API}/injection/x`);
    void w1.command('exit', { code: 0 }).catch(() => undefined);
    await w1.exited;
    const down = await watcher.next((m) => m.event === 'shard-down', 'shard-down');
    expect(JSON.parse(down.data)).toEqual({ shard: 1 });
    await until(() => group.shards[1].alive === false, 'shard 1 down');
    expect((await call(url, 'GET', `${API}/injection/x`)).json).toEqual([{ enabled: true }, { enabled: false }, { enabled: true }]);
    const r = await call(url, 'GET', `${API}/events`, { query: '?shard=1' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'ERR_FAULTLINE_BAD_QUERY' });
    // Still fine for broadcasts (200), and the plain stream never saw a named event.
    expect((await call(url, 'DELETE', `${API}/injection/x`)).status).toBe(200);
    expect(plain.messages.filter((m) => m.event !== undefined)).toEqual([]);
  });
});

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
    const { url } = await serverWithWorkers(1);
    const r = await call(url, 'GET', `${API}/events`, { query: '?control=maybe' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'ERR_FAULTLINE_BAD_QUERY' });
  });
});

describe("the 'exhausted' control notice", () => {
  const ops = (client: SseClient) => controls(client).map((c) => [c.op, c.injection]);
  /** What the stream carried, in order: each hit as its shard, each named event as its name (and op). */
  const sequence = (client: SseClient) =>
    client.messages.map((m) =>
      m.event === undefined ? `hit ${String(data(m).shard)}` : m.event === 'control' ? `control ${String(data(m).op)}` : m.event,
    );

  /** A server with two workers, a stream asking `query`, and `x` enabled with `enable` (a query). */
  async function watched(query: string, enable = '?one_shot=true') {
    const started = await serverWithWorkers(2);
    const watcher = track(await SseClient.open(`${started.url}${API}/events${query}`));
    expect((await call(started.url, 'POST', `${API}/injection/x`, { query: enable })).status).toBe(200);
    return { ...started, watcher };
  }

  test('a one-shot hit on every shard: exactly one notice, after the last hit, for every shard (shard null), no id', async () => {
    const { url, injector, watcher, workers: [w1, w2] } = await watched('?control=1');
    injector.enter('x');
    await w1.hit('x', 'enter');
    await w1.hit('x', 'enter'); // taken already: no second hit, no second exhaustion
    await w2.hit('x', 'error');
    const exhausted = await watcher.next((m) => m.event === 'control' && data(m).op === 'exhausted', 'exhausted');
    expect(data(exhausted)).toEqual({ op: 'exhausted', injection: 'x', shard: null, ts: expect.any(Number) });
    expect(exhausted.id).toBeUndefined();
    // A later notice shows nothing more came for x.
    expect((await call(url, 'DELETE', `${API}/injection/x`)).status).toBe(200);
    await watcher.next((m) => m.event === 'control' && data(m).op === 'disabled', 'disabled');
    expect(sequence(watcher)).toEqual(['control enabled', 'hit 0', 'hit 1', 'hit 2', 'control exhausted', 'control disabled']);
  });

  test('a count spent on some shards sends nothing; spent on the last one, the notice', async () => {
    const { url, injector, watcher, workers: [w1, w2] } = await watched('?control=1', '?count=2');
    injector.enter('x');
    injector.enter('x');
    await w1.hit('x', 'enter', 3);
    await w2.hit('x', 'enter');
    // A message's notice follows everything the shards had before it: no exhaustion is ahead of it.
    expect((await call(url, 'POST', `${API}/injection/x/message`)).status).toBe(200);
    await watcher.next((m) => m.event === 'control' && data(m).op === 'messaged', 'messaged');
    expect(ops(watcher)).toEqual([['enabled', 'x'], ['messaged', 'x']]);
    expect(await w2.hit('x', 'enter', 2)).toEqual({ fired: 1 });
    await watcher.next((m) => m.event === 'control' && data(m).op === 'exhausted', 'exhausted');
    expect(sequence(watcher)).toEqual(['control enabled', 'hit 0', 'hit 0', 'hit 1', 'hit 1', 'hit 2', 'control messaged', 'hit 2', 'control exhausted']);
  });

  test('a one-shot handler: nothing while it is parked on every shard; the notice once the message released them all', async () => {
    const { url, injector, workers: [w1, w2] } = await serverWithWorkers(2);
    const watcher = track(await SseClient.open(`${url}${API}/events?control=1&handler=1`));
    expect((await call(url, 'POST', `${API}/injection/h`, { query: '?one_shot=true' })).status).toBe(200);
    const parked = [
      injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 20_000 })),
      w1.hit('h', 'handler'),
      w2.hit('h', 'handler'),
    ];
    // In whatever order the shards park (a loaded machine reorders the workers).
    const waitingOn = (shard: number): boolean =>
      watcher.messages.some((m) => m.event === 'handler' && data(m).shard === shard && data(m).phase === 'waiting');
    await until(() => [0, 1, 2].every(waitingOn), 'every shard waiting');
    // Each shard reports in order, so anything it reported before its 'waiting' is in: no notice.
    expect(ops(watcher)).toEqual([['enabled', 'h']]);
    expect((await call(url, 'POST', `${API}/injection/h/message`)).status).toBe(200);
    await Promise.all(parked);
    await watcher.next((m) => m.event === 'control' && data(m).op === 'exhausted', 'exhausted');
    expect(controls(watcher).filter((c) => c.op === 'exhausted')).toHaveLength(1);
  });

  test("a disable sends 'disabled' and never 'exhausted', also for one-shot handlers it releases", async () => {
    const { url, injector, watcher, workers: [w1, w2] } = await watched('?control=1');
    expect((await call(url, 'POST', `${API}/injection/h`, { query: '?one_shot=true' })).status).toBe(200);
    injector.enter('x');
    await w1.hit('x', 'enter');
    const parked = [
      injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 20_000 })),
      w1.hit('h', 'handler'),
      w2.hit('h', 'handler'),
    ];
    await watcher.waitForHits(5);
    expect((await call(url, 'DELETE', `${API}/injection/x`)).status).toBe(200);
    expect((await call(url, 'DELETE', `${API}/injection/h`)).status).toBe(200);
    await Promise.all(parked);
    // Every shard posts what it has before it acks a broadcast: a late exhaustion would be ahead of this notice.
    expect((await call(url, 'POST', `${API}/injection/y`)).status).toBe(200);
    await watcher.next((m) => m.event === 'control' && data(m).injection === 'y', 'enabled y');
    expect(ops(watcher)).toEqual([['enabled', 'x'], ['enabled', 'h'], ['disabled', 'x'], ['disabled', 'h'], ['enabled', 'y']]);
  });

  test("scopes: each scope's one-shot ends in its own notice, with its scope; a worker's handler phases carry theirs; GET /parked sums a name's scopes", async () => {
    const { url, injector, watcher, workers: [w1, w2] } = await watched('?control=1&handler=1', '?one_shot=true&scope=a');
    expect((await call(url, 'POST', `${API}/injection/x`, { query: '?one_shot=true&scope=b' })).status).toBe(200);
    runInInjectionScope('a', () => injector.enter('x'));
    for (const w of [w1, w2]) expect(await w.command('hit', { name: 'x', kind: 'enter', scope: 'a' })).toEqual({ fired: 1 });
    const exhausted = await watcher.next((m) => m.event === 'control' && data(m).op === 'exhausted', 'exhausted');
    expect(data(exhausted)).toEqual({ op: 'exhausted', injection: 'x', shard: null, ts: expect.any(Number), scope: 'a' });
    expect((await call(url, 'GET', `${API}/injection/x`, { query: '?scope=b' })).json).toEqual([{ enabled: true }, { enabled: true }, { enabled: true }]);

    expect((await call(url, 'POST', `${API}/injection/h`, { query: '?scope=a' })).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/h`)).status).toBe(200);
    const parked = [w1.command('hit', { name: 'h', kind: 'handler', scope: 'a' }), w1.command('hit', { name: 'h', kind: 'handler' })];
    const phases = (phase: string) => watcher.messages.filter((m) => m.event === 'handler' && data(m).phase === phase).map(data);
    await until(() => phases('waiting').length === 2, 'both handlers to park');
    expect(phases('waiting').map((d) => d.scope ?? null).sort()).toEqual(['a', null]);
    expect(phases('waiting').every((d) => d.shard === 1)).toBe(true);
    expect((await call(url, 'GET', `${API}/parked`)).json).toEqual([{ injection: 'h', shard: 1, waiters: 2 }]);
    expect((await call(url, 'POST', `${API}/injection/h/message`)).status).toBe(200);
    expect(await Promise.all(parked)).toEqual([{ fired: 1 }, { fired: 1 }]);
    await until(() => phases('released').length === 2, 'both handlers to be released');
    expect(phases('released').map((d) => d.scope ?? null).sort()).toEqual(['a', null]);
    expect(ops(watcher).filter(([op]) => op === 'exhausted')).toHaveLength(1);
  });

  test('a shard that goes down while the others have run out sends the notice, after its shard-down', async () => {
    const { injector, watcher, workers: [w1, w2] } = await watched('?control=1&shard_down=1');
    injector.enter('x');
    await w2.hit('x', 'enter');
    await watcher.waitForHits(2);
    expect(ops(watcher)).toEqual([['enabled', 'x']]);
    void w1.command('exit', { code: 0 }).catch(() => undefined);
    await w1.exited;
    await watcher.next((m) => m.event === 'control' && data(m).op === 'exhausted', 'exhausted');
    expect(sequence(watcher)).toEqual(['control enabled', 'hit 0', 'hit 2', 'shard-down', 'control exhausted']);
  });

  test('a new enable starts afresh: shards spent before it count no more', async () => {
    const { url, injector, watcher, workers: [w1, w2] } = await watched('?control=1');
    injector.enter('x');
    await w1.hit('x', 'enter');
    expect((await call(url, 'POST', `${API}/injection/x`, { query: '?one_shot=true' })).status).toBe(200);
    await w2.hit('x', 'enter');
    expect((await call(url, 'POST', `${API}/injection/x/message`)).status).toBe(200);
    await watcher.next((m) => m.event === 'control' && data(m).op === 'messaged', 'messaged');
    expect(ops(watcher)).toEqual([['enabled', 'x'], ['enabled', 'x'], ['messaged', 'x']]);
    injector.enter('x');
    await w1.hit('x', 'enter');
    await watcher.next((m) => m.event === 'control' && data(m).op === 'exhausted', 'exhausted');
    expect(sequence(watcher)).toEqual([
      'control enabled', 'hit 0', 'hit 1', 'control enabled', 'hit 2', 'control messaged', 'hit 0', 'hit 1', 'control exhausted',
    ]);
  });

  test('an injection enabled on one thread only (not through the group) never sends one', async () => {
    const { url, injector, workers: [w1] } = await serverWithWorkers(1);
    const watcher = track(await SseClient.open(`${url}${API}/events?control=1`));
    injector.enable('local', { oneShot: true });
    injector.enter('local');
    expect((await call(url, 'POST', `${API}/injection/x`, { query: '?one_shot=true' })).status).toBe(200);
    injector.enter('x');
    await w1.hit('x', 'enter');
    await watcher.next((m) => m.event === 'control' && data(m).op === 'exhausted', 'exhausted');
    expect(ops(watcher)).toEqual([['enabled', 'x'], ['exhausted', 'x']]);
  });
});
