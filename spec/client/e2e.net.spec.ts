import type { Socket } from 'node:net';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { EventGapError, ShardDownError, WaitTimeoutError } from '../../lib/client/errors';
import { InjectionApi } from '../../lib/client/injection-api';
import type { InjectionStream } from '../../lib/client/injection-stream';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import { allOf, firstHits, onNode } from '../../lib/client/operators';
import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, type InjectionServer } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { ShardWorker } from '../fixtures/workers/shard-worker';

// The client against the real faultline server, in front of a ShardGroup whose shards 1..n are worker
// threads. The workers load the built package: run `npm run build` first.

const GUARD = 20_000; // hang guard only: every wait resolves on its event long before this
const RECONNECT = { initialDelay: 10, maxDelay: 200, attempts: 100 };

interface Node {
  readonly server: InjectionServer;
  readonly group: ShardGroup;
  readonly main: ErrorInjector;
  readonly workers: ShardWorker[];
  readonly api: InjectionApi;
  /** Every socket the server accepted, to cut them from the server side. */
  readonly sockets: Set<Socket>;
}

const nodes: Node[] = [];
const streams: InjectionStream[] = [];

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()));
  await Promise.all(nodes.splice(0).map(stopNode));
});

async function stopNode(node: Node): Promise<void> {
  await node.server.close();
  await node.group.close();
  await Promise.all(node.workers.map((w) => w.stop()));
}

/** A faultline server on `port` (0: any) whose group is the main thread plus `workers` worker shards. */
async function startNode(workers: number, port = 0): Promise<Node> {
  const main = new ErrorInjector({ enabled: true });
  const group = new ShardGroup({ injector: main });
  const ws: ShardWorker[] = [];
  for (let i = 0; i < workers; i++) {
    const w = new ShardWorker('commanded-shard');
    ws.push(w);
    await group.addWorker(w.worker);
  }
  const server = await createInjectionServer({ shards: group, port });
  const sockets = new Set<Socket>();
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const node = { server, group, main, workers: ws, api: new InjectionApi(server.url), sockets };
  nodes.push(node);
  return node;
}

async function open(...args: Parameters<typeof openInjectionStream>): Promise<InjectionStream> {
  const stream = await openInjectionStream(...args);
  streams.push(stream);
  return stream;
}

describe('the client against a faultline server with worker shards', () => {
  it('runs parallel waits for several injections across shards', async () => {
    const node = await startNode(2);
    const [w1, w2] = node.workers;
    const stream = await open(node.server.url);
    await Promise.all(['a', 'b', 'c'].map((n) => node.api.enable(n)));
    const waits = Promise.all([
      stream.waitForInjection('a', { shard: 1, timeout: GUARD }),
      stream.waitForInjection('b', { shard: 2, timeout: GUARD }),
      stream.waitForInjection('c', { shard: 0, timeout: GUARD }),
    ]);
    await Promise.all([w2.hit('b'), w1.hit('a')]);
    node.main.inject('c', () => undefined);
    const [a, b, c] = await waits;
    expect([a.shard, b.shard, c.shard]).toEqual([1, 2, 0]);
    expect([a.type, b.type, c.type]).toEqual(['lambda', 'lambda', 'lambda']);
    expect([a, b, c].every((e) => typeof e.id === 'string' && typeof e.ts === 'number')).toBe(true);
  });

  it('fails a wait limited to a shard that went down, at once, and keeps a hit that came before', async () => {
    const node = await startNode(2);
    const [w1] = node.workers;
    const stream = await open(node.server.url);
    await Promise.all([node.api.enable('x'), node.api.enable('z')]);
    await w1.hit('x');
    const downs = firstValueFrom(stream.shardDown$);
    // 10 minutes: only the shard-down notice can end these waits in time.
    const pending = stream.waitForInjection('never', { shard: 1, timeout: 600_000 });
    const elsewhere = stream.waitForInjection('x', { shard: 2, timeout: GUARD });
    await w1.worker.terminate();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_FAULTLINE_SHARD_DOWN', shards: [1] });
    await expect(pending).rejects.toBeInstanceOf(ShardDownError);
    expect(await downs).toEqual({ node: node.server.url, shard: 1 });
    // A wait set up later fails at once, unless the hit it wants came before the shard went down.
    await expect(stream.waitForInjection('y', { shard: 1, timeout: 600_000 })).rejects.toBeInstanceOf(ShardDownError);
    await expect(stream.waitForInjection('x', { shard: 1, timeout: GUARD })).resolves.toMatchObject({ shard: 1 });
    // Waits that another shard can still meet go on.
    const either = stream.waitForInjection('z', { shard: [1, 2], timeout: GUARD });
    await node.workers[1].hit('x');
    await node.workers[1].hit('z');
    await expect(elsewhere).resolves.toMatchObject({ shard: 2 });
    await expect(either).resolves.toMatchObject({ injection: 'z', shard: 2 });
  });

  it('filters by shard on the server and in waits', async () => {
    const node = await startNode(2);
    const [w1, w2] = node.workers;
    const onlyShard2 = await open(node.server.url, { shard: 2 });
    const everything = await open(node.server.url);
    await node.api.enable('x');
    const wait = everything.waitForInjection('x', { shard: 2, timeout: GUARD });
    await w1.hit('x', 'lambda', 3);
    node.main.inject('x', () => undefined);
    await w2.hit('x', 'lambda', 2);
    await expect(wait).resolves.toMatchObject({ shard: 2 });
    const [firstTwo, all] = await Promise.all([
      firstValueFrom(onlyShard2.injection$.pipe(take(2), toArray())),
      firstValueFrom(everything.injection$.pipe(take(6), toArray())),
    ]);
    expect(firstTwo.map((e) => e.shard)).toEqual([2, 2]);
    expect(all.map((e) => e.shard).sort()).toEqual([0, 1, 1, 1, 2, 2]);
    await onlyShard2.close();
    // Nothing but shard 2 ever reached the filtered stream.
    const seen = await firstValueFrom(onlyShard2.injection$.pipe(toArray()));
    expect(seen.map((e) => e.shard)).toEqual([2, 2]);
  });

  it('finds a hit that came before the wait was set up', async () => {
    const node = await startNode(1);
    const stream = await open(node.server.url);
    await node.api.enable('early', { parameters: { why: 'test' } });
    await node.workers[0].hit('early');
    // The worker's reply came back, but the event may still be on its way: the wait must find it either way.
    await expect(stream.waitForInjection('early', { timeout: GUARD })).resolves.toMatchObject({
      injection: 'early',
      shard: 1,
      params: { why: 'test' },
    });
    await expect(stream.waitForInjection('early', { timeout: GUARD })).resolves.toMatchObject({ seq: 1 });
  });

  it('waits for a handler, then releases it with a message', async () => {
    const node = await startNode(1);
    const stream = await open(node.server.url, { handlerEvents: true });
    await node.api.enable('pause', { oneShot: true });
    const parked = node.workers[0].hit('pause', 'handler');
    await expect(stream.waitForInjection('pause', { type: 'handler', timeout: GUARD })).resolves.toMatchObject({
      shard: 1,
    });
    const waiting = await firstValueFrom(stream.handler$.pipe(filter((h) => h.phase === 'waiting')));
    expect(waiting).toMatchObject({ injection: 'pause', shard: 1, node: node.server.url });
    await node.api.message('pause');
    await expect(parked).resolves.toEqual({ fired: 1 });
  });

  it('resumes across a server-side cut with no event lost or repeated', async () => {
    const node = await startNode(2);
    const [w1, w2] = node.workers;
    const stream = await open(node.server.url, { reconnect: RECONNECT });
    const statuses: string[] = [];
    stream.status$.subscribe((s) => statuses.push(s));
    await node.api.enable('n');
    const all = firstValueFrom(stream.injection$.pipe(firstHits('n', 60)));
    await w1.hit('n', 'lambda', 20);
    await firstValueFrom(stream.injection$.pipe(firstHits('n', 20)));
    // Cut every connection from the server side, then hit while the client is away.
    for (const socket of node.sockets) socket.destroy();
    await w2.hit('n', 'lambda', 20);
    await firstValueFrom(stream.status$.pipe(filter((s) => s === 'open')));
    await w1.hit('n', 'lambda', 20);
    const events = await all;
    expect(events).toHaveLength(60);
    const seqs = events.map((e) => Number(String(e.id).split('-')[1]));
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(60);
    expect(events.filter((e) => e.shard === 2)).toHaveLength(20);
    expect(statuses).toEqual(['open', 'reconnecting', 'open']);
    expect(stream.gaps).toEqual([]);
  });

  it('reports a restarted server on pending waits rather than hanging on them', async () => {
    const node = await startNode(1);
    const port = Number(new URL(node.server.url).port);
    const stream = await open(node.server.url, { reconnect: RECONNECT });
    await node.api.enable('before');
    await node.workers[0].hit('before');
    await stream.waitForInjection('before', { timeout: GUARD });
    const pending = stream.waitForInjection('after', { timeout: 120_000 });
    nodes.splice(nodes.indexOf(node), 1);
    await stopNode(node);
    const restarted = await startNode(1, port);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventGapError);
    expect((err as EventGapError).gap).toMatchObject({ reason: 'restart', node: node.server.url });
    expect((err as Error).message).toContain('the server restarted');
    // The stream goes on with the new server.
    const mark = stream.mark();
    await restarted.api.enable('after');
    await restarted.workers[0].hit('after');
    await expect(stream.waitForInjection('after', { since: mark, timeout: GUARD })).resolves.toMatchObject({
      id: `${restarted.group.epoch}-1`,
    });
  });

  it('watches three servers as one cluster', async () => {
    const three = await Promise.all([startNode(1), startNode(1), startNode(1)]);
    const stream = await open(three.map((n, i) => ({ url: n.server.url, name: `n${i + 1}` })));
    await Promise.all(three.map((n) => n.api.enable('step')));
    const onN2 = stream.waitForInjection('step', { node: 'n2', shard: 1, timeout: GUARD });
    const onN1andN3 = firstValueFrom(stream.injection$.pipe(onNode(['n1', 'n3']), firstHits('step', 4)));
    const fromEach = Promise.all(
      ['n1', 'n2', 'n3'].map((name) => firstValueFrom(stream.injection$.pipe(onNode(name), take(2), toArray()))),
    );
    await Promise.all(
      three.map(async (n) => {
        n.main.inject('step', () => undefined);
        await n.workers[0].hit('step');
      }),
    );
    await expect(onN2).resolves.toMatchObject({ node: 'n2', shard: 1 });
    expect((await onN1andN3).map((e) => e.node).sort()).toEqual(['n1', 'n1', 'n3', 'n3']);
    const perNode = await fromEach;
    expect(perNode.map((events) => events.map((e) => e.node))).toEqual([
      ['n1', 'n1'],
      ['n2', 'n2'],
      ['n3', 'n3'],
    ]);
    expect(perNode.map((events) => events.map((e) => e.shard).sort())).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    // All of several injections, each hit on another node, in whatever order they come.
    await Promise.all(three.map((n, i) => n.api.enable(`x${i + 1}`)));
    const spread = firstValueFrom(stream.injection$.pipe(allOf(['x1', 'x2', 'x3'])));
    await Promise.all(three.map((n, i) => n.workers[0].hit(`x${3 - i}`)));
    // x3 is enabled on n3 only: n1 reaching it fires nothing there.
    await Promise.all(three.map((n, i) => n.workers[0].hit(`x${i + 1}`)));
    expect((await spread).map((e) => e.node)).toEqual(['n1', 'n2', 'n3']);
  });
});

describe('waits after the position an enable armed at', () => {
  const lateBy = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('a wait called 500 ms after its hit (on a worker shard) still resolves, with that hit', async () => {
    const node = await startNode(1);
    const stream = await open(node.server.url);
    const { position } = await node.api.enable('x', { oneShot: true });
    expect(position).toBe(`${node.group.epoch}-0`);
    await node.workers[0].hit('x');
    const received = await firstValueFrom(stream.injection$);
    // The point of the test: the wait starts well after its hit arrived.
    await lateBy(500);
    const hit = await stream.waitForInjection('x', { after: position, timeout: GUARD });
    expect(hit).toBe(received);
    expect(hit).toMatchObject({ injection: 'x', shard: 1, id: `${node.group.epoch}-1` });
  });

  it('a hit from before the enable never satisfies it; the first after it does, compared as numbers', async () => {
    const node = await startNode(1);
    const stream = await open(node.server.url);
    await node.api.enable('x');
    // Nine hits before the re-enable, so the position is `-9` and the next hit `-10`: a string comparison
    // would put it first.
    for (let i = 0; i < 9; i++) node.main.inject('x', () => undefined);
    await stream.waitForHits('x', 9, { timeout: GUARD });
    const { position } = await node.api.enable('x');
    expect(position).toBe(`${node.group.epoch}-9`);
    const early = await stream.waitForInjection('x', { after: position, timeout: 300 }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(WaitTimeoutError);
    expect((early as Error).message).toMatch(/counting hits after .*-9; it saw 9 event\(s\)/);
    await node.workers[0].hit('x');
    await expect(stream.waitForInjection('x', { after: position, timeout: GUARD })).resolves.toMatchObject({
      id: `${node.group.epoch}-10`,
      shard: 1,
    });
  });

  it('waitForHits resolves with the next n hits after the position; its timeout says how many came', async () => {
    const node = await startNode(0);
    const stream = await open(node.server.url);
    node.main.enable('x');
    node.main.inject('x', () => undefined);
    const { position } = await node.api.enable('x');
    node.main.inject('x', () => undefined);
    node.main.inject('x', () => undefined);
    const short = await stream.waitForHits('x', 3, { after: position, timeout: 300 }).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(WaitTimeoutError);
    expect((short as Error).message).toMatch(/waiting for 3 hits of "x" timed out after 300 ms on node .* with 2 of them \(started /);
    node.main.inject('x', () => undefined);
    const three = await stream.waitForHits('x', 3, { after: position, timeout: GUARD });
    expect(three.map((e) => e.id)).toEqual([2, 3, 4].map((n) => `${node.group.epoch}-${n}`));
  });

  it('a stream opened later with after: position gets the hits since the arming, replayed, and no gap', async () => {
    const node = await startNode(1);
    node.main.enable('x');
    node.main.inject('x', () => undefined);
    const { position } = await node.api.enable('x');
    node.main.inject('x', () => undefined);
    await node.workers[0].hit('x');
    const stream = await open(node.server.url, { after: position });
    expect((await stream.waitForHits('x', 2, { after: position, timeout: GUARD })).map((e) => e.id)).toEqual(
      [2, 3].map((n) => `${node.group.epoch}-${n}`),
    );
    expect(stream.gaps).toEqual([]);
    await expect(open([node.server.url, { url: node.server.url, name: 'again' }], { after: position })).rejects.toThrow(
      /one `after` position is for one node/,
    );
    await expect(open(node.server.url, { after: 'nope' })).rejects.toThrow(/"nope" is not a stream position/);
  });

  it('a cluster wait takes a position per node; one position for several nodes is refused, as is a malformed one', async () => {
    const [a, b] = [await startNode(0), await startNode(0)];
    const stream = await open([a.server.url, b.server.url]);
    a.main.enable('x');
    a.main.inject('x', () => undefined);
    const positions = { [a.server.url]: (await a.api.enable('x')).position, [b.server.url]: (await b.api.enable('x')).position };
    b.main.inject('x', () => undefined);
    await expect(stream.waitForInjection('x', { after: positions, timeout: GUARD })).resolves.toMatchObject({
      node: b.server.url,
    });
    await expect(stream.waitForInjection('x', { after: positions[a.server.url], timeout: GUARD })).rejects.toThrow(
      /one position is for a wait on one node/,
    );
    await expect(stream.waitForInjection('x', { after: 'not a position', node: a.server.url })).rejects.toThrow(
      /"not a position" is not a stream position/,
    );
  });
});
