import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, forkJoin, race, take, timeout, toArray } from 'rxjs';
import {
  ClientArgumentError,
  ProtocolError,
  StreamClosedError,
  WaitTimeoutError,
  type ReceivedInjectionEvent,
} from '../../lib/client';
import type { InjectionStream } from '../../lib/client/injection-stream';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import { allOf, firstHit, firstHits, hits, onNode, onShard } from '../../lib/client/operators';
import { startResumableStandIn, type ResumableStandIn } from '../helpers/resumable-stand-in';
import { startScyllaStandIn, type ScyllaStandIn } from '../helpers/scylla-stand-in';

// The stream against a stand-in that speaks only ScyllaDB's plain format: `: connected`, then
// `data: {"injection","type","shard"}` with no ids. Waits, filters and operators must all work on that.

const GUARD = 10_000; // hang guard only: every wait below resolves as soon as its event is in

describe('InjectionStream against a ScyllaDB-format server', () => {
  let node: ScyllaStandIn;
  let stream: InjectionStream;

  beforeEach(async () => {
    node = await startScyllaStandIn();
    stream = await openInjectionStream(node.url);
    await node.streamsOpen(1);
  });

  afterEach(async () => {
    await stream.close();
    await node.close();
  });

  it('resolves a wait with the hit, stamped with its node and arrival order', async () => {
    const wait = stream.waitForInjection('wait_for_stream', { timeout: GUARD });
    node.emit('wait_for_stream', 'handler', 1);
    await expect(wait).resolves.toEqual({
      injection: 'wait_for_stream',
      type: 'handler',
      shard: 1,
      node: node.url,
      seq: 1,
    });
  });

  it('sees a hit that came before the wait was set up (replay), and a wait never takes it from another', async () => {
    node.emit('b');
    node.emit('a');
    const a = await firstValueFrom(stream.injection$.pipe(firstHit('a')));
    // Both were received before these waits exist; each wait still finds its own, and so does a second one.
    const [b1, a1, b2] = await Promise.all([
      stream.waitForInjection('b', { timeout: GUARD }),
      stream.waitForInjection('a', { timeout: GUARD }),
      stream.waitForInjection('b', { timeout: GUARD }),
    ]);
    expect(a1).toBe(a);
    expect(b1).toBe(b2);
    expect(b1.seq).toBe(1);
  });

  it('runs several waits at once with Promise.all, whatever order the hits come in', async () => {
    const waits = Promise.all(['x', 'y', 'z'].map((n) => stream.waitForInjection(n, { timeout: GUARD })));
    node.emit('z', 'sleep', 2);
    node.emit('y', 'lambda', 1);
    node.emit('x', 'exception', 0);
    const found = await waits;
    expect(found.map((e) => [e.injection, e.type, e.shard])).toEqual([
      ['x', 'exception', 0],
      ['y', 'lambda', 1],
      ['z', 'sleep', 2],
    ]);
  });

  it('waits for a given shard, ignoring hits on others', async () => {
    node.emit('x', 'sleep', 0);
    const wait = stream.waitForInjection('x', { shard: 1, timeout: GUARD });
    node.emit('x', 'sleep', 2);
    node.emit('x', 'sleep', 1);
    const hit = await wait;
    expect(hit.shard).toBe(1);
    expect(hit.seq).toBe(3);
    await expect(stream.waitForInjection('x', { shard: [3, 2], timeout: GUARD })).resolves.toMatchObject({ shard: 2 });
  });

  it('waits for a type of point', async () => {
    node.emit('x', 'sleep');
    node.emit('x', 'handler');
    await expect(stream.waitForInjection('x', { type: 'handler', timeout: GUARD })).resolves.toMatchObject({
      type: 'handler',
      seq: 2,
    });
  });

  it('with a mark, looks only after it, like log.mark()', async () => {
    node.emit('x');
    await stream.waitForInjection('x', { timeout: GUARD });
    const mark = stream.mark();
    expect(mark).toEqual({ seq: 1, controls: 0 });
    const wait = stream.waitForInjection('x', { since: mark, timeout: GUARD });
    node.emit('x', 'sleep', 1);
    await expect(wait).resolves.toMatchObject({ shard: 1, seq: 2 });
  });

  it('times out with an error that names the injection, the timeout, the node and what it saw', async () => {
    node.emit('other', 'sleep', 0);
    node.emit('x', 'sleep', 3);
    await stream.waitForInjection('x', { timeout: GUARD });
    const err: WaitTimeoutError = await stream.waitForInjection('missing', { timeout: 50, shard: 1 }).then(
      () => {
        throw new Error('resolved');
      },
      (e: WaitTimeoutError) => e,
    );
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.code).toBe('ERR_FAULTLINE_WAIT_TIMEOUT');
    expect(err.message).toContain('waitForInjection("missing") timed out after 50 ms');
    expect(err.message).toContain(`node ${node.url} shard 1`);
    expect(err.message).toContain(`"other" (sleep) on ${node.url} shard 0; "x" (sleep) on ${node.url} shard 3`);
    expect(err.lastSeen.map((e) => e.injection)).toEqual(['other', 'x']);
  });

  it('times out saying it saw nothing at all', async () => {
    await expect(stream.waitForInjection('x', { timeout: 20 })).rejects.toThrow(/it saw no events at all/);
  });

  it('feeds the operators, which compose with timeout, forkJoin, race and take', async () => {
    const both = firstValueFrom(forkJoin([stream.injection$.pipe(firstHit('a')), stream.injection$.pipe(firstHit('b'))]));
    const first = firstValueFrom(race(stream.injection$.pipe(firstHit('b')), stream.injection$.pipe(firstHit('a'))));
    const all = firstValueFrom(stream.injection$.pipe(allOf(['a', 'b']), timeout(GUARD)));
    const three = firstValueFrom(stream.injection$.pipe(firstHits('r', 3), timeout(GUARD)));
    const onShard1 = firstValueFrom(stream.injection$.pipe(hits('r'), onShard(1), take(2), toArray()));
    node.emit('b');
    node.emit('r', 'sleep', 1);
    node.emit('a');
    node.emit('r', 'sleep', 0);
    node.emit('r', 'sleep', 1);
    const [[a, b], winner, pair, rs, r1] = await Promise.all([both, first, all, three, onShard1]);
    expect([a.injection, b.injection]).toEqual(['a', 'b']);
    expect(winner.injection).toBe('b');
    expect(pair).toEqual([a, b]);
    expect(rs.map((e) => e.shard)).toEqual([1, 0, 1]);
    expect(r1.map((e) => e.seq)).toEqual([2, 5]);
  });

  it('reports an undecodable event on errors$ and carries on', async () => {
    const problem = firstValueFrom(stream.errors$);
    node.write('data: {"injection":"x","type":"teleport","shard":0}\n\n');
    node.write('data: not json\n\n');
    node.emit('x');
    await expect(problem).resolves.toBeInstanceOf(ProtocolError);
    await expect(problem).resolves.toMatchObject({ message: expect.stringContaining('unknown "type": teleport') });
    await expect(stream.waitForInjection('x', { timeout: GUARD })).resolves.toMatchObject({ seq: 1 });
  });

  it('refuses bad wait arguments with a typed error, before waiting', async () => {
    await expect(stream.waitForInjection('')).rejects.toThrow(ClientArgumentError);
    await expect(stream.waitForInjection('x', { timeout: -1 })).rejects.toThrow(/timeout must be milliseconds/);
    await expect(stream.waitForInjection('x', { timeout: 2 ** 31 })).rejects.toThrow(/from 1 to 2147483647/);
    await expect(stream.waitForInjection('x', { shard: -2 })).rejects.toThrow(ClientArgumentError);
    await expect(stream.waitForInjection('x', { since: { seq: -1 } })).rejects.toThrow(/a mark from stream.mark/);
    await expect(stream.waitForInjection('x', { node: 'http://elsewhere:1' })).rejects.toThrow(
      /is not one of this stream's nodes/,
    );
  });

  it('close() rejects pending waits with StreamClosedError, completes injection$ and status$', async () => {
    node.emit('seen');
    await stream.waitForInjection('seen', { timeout: GUARD });
    const pending = stream.waitForInjection('never', { timeout: 60_000 });
    const all = firstValueFrom(stream.injection$.pipe(toArray()));
    const statuses = firstValueFrom(stream.status$.pipe(toArray()));
    await stream.close();
    await expect(pending).rejects.toThrow(StreamClosedError);
    await expect(pending).rejects.toMatchObject({
      code: 'ERR_FAULTLINE_STREAM_CLOSED',
      message: 'waitForInjection("never"): the injection stream was closed',
    });
    expect((await all).map((e) => e.injection)).toEqual(['seen']);
    expect(await statuses).toEqual(['open', 'closed']);
    expect(stream.status).toBe('closed');
    // The server sees the connection go.
    await waitUntil(() => node.streams.size === 0);
    // After close, a wait is still answered from what was received, else it is refused at once.
    await expect(stream.waitForInjection('seen')).resolves.toMatchObject({ injection: 'seen' });
    await expect(stream.waitForInjection('never')).rejects.toThrow(StreamClosedError);
    await stream.close(); // twice is fine
  });

  it('bounds the replay: a late wait misses what left the buffer, and says so', async () => {
    const small = await openInjectionStream(node.url, { replay: 2 });
    try {
      await node.streamsOpen(2);
      node.emit('old');
      node.emit('x');
      node.emit('y');
      await small.waitForInjection('y', { timeout: GUARD });
      const replayed = await firstValueFrom(small.injection$.pipe(take(2), toArray()));
      expect(replayed.map((e) => e.injection)).toEqual(['x', 'y']);
      await expect(small.waitForInjection('old', { timeout: 20 })).rejects.toThrow(
        /1 earlier event\(s\) had already left the replay buffer/,
      );
    } finally {
      await small.close();
    }
  });
});

describe('InjectionStream over a cluster of three nodes', () => {
  let servers: ResumableStandIn[];
  let stream: InjectionStream;

  beforeEach(async () => {
    servers = await Promise.all([1, 2, 3].map(() => startResumableStandIn()));
    stream = await openInjectionStream(
      servers.map((s, i) => ({ url: s.url, name: `n${i + 1}` })),
      { reconnect: { initialDelay: 5, maxDelay: 50, attempts: 3 } },
    );
  });

  afterEach(async () => {
    await stream.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it('merges the nodes: each event carries its node, onNode and the node option filter', async () => {
    const fromN2 = firstValueFrom(stream.injection$.pipe(onNode('n2'), firstHit('x')));
    const anywhere = stream.waitForInjection('x', { timeout: GUARD });
    const onN3 = stream.waitForInjection('x', { node: 'n3', timeout: GUARD });
    const onN1orN3 = stream.waitForInjection('x', { node: ['n1', 'n3'], shard: 1, timeout: GUARD });
    // Sockets of different nodes race each other: emit one at a time so the arrival order is known.
    servers[1].emit('x', 0);
    await expect(anywhere).resolves.toMatchObject({ node: 'n2', seq: 1 });
    await expect(fromN2).resolves.toMatchObject({ node: 'n2' });
    servers[2].emit('x', 0);
    await expect(onN3).resolves.toMatchObject({ node: 'n3', seq: 2 });
    servers[0].emit('x', 1);
    await expect(onN1orN3).resolves.toMatchObject({ node: 'n1', shard: 1, seq: 3 });
    expect(stream.nodes).toEqual(['n1', 'n2', 'n3']);
  });

  it('waits for all of several injections spread over the nodes, in any order', async () => {
    const all = firstValueFrom(stream.injection$.pipe(allOf(['a', 'b', 'c']), timeout(GUARD)));
    servers[2].emit('c');
    servers[0].emit('b');
    servers[1].emit('a');
    expect((await all).map((e) => e.node)).toEqual(['n2', 'n1', 'n3']);
  });

  it('resumes one cut node while the others carry on, and shows it in nodeStatus$', async () => {
    const changes: string[] = [];
    stream.nodeStatus$.subscribe(({ node, status }) => changes.push(`${node}:${status}`));
    servers[1].emit('before');
    await stream.waitForInjection('before', { timeout: GUARD });
    servers[1].cut();
    servers[1].emit('during');
    servers[0].emit('elsewhere');
    await servers[1].requestsAnswered(2);
    await expect(stream.waitForInjection('during', { node: 'n2', timeout: GUARD })).resolves.toMatchObject({
      node: 'n2',
    });
    await expect(stream.waitForInjection('elsewhere', { timeout: GUARD })).resolves.toMatchObject({ node: 'n1' });
    expect(changes).toEqual(['n2:reconnecting', 'n2:open']);
    expect(stream.gaps).toEqual([]);
  });

  it('loses one node: waits that include it fail with NodeLostError, the others go on', async () => {
    const onLost = stream.waitForInjection('x', { node: 'n3', timeout: 60_000 });
    const anywhere = stream.waitForInjection('x', { timeout: 60_000 });
    const onN1 = stream.waitForInjection('x', { node: 'n1', timeout: GUARD });
    await servers[2].stop();
    await expect(onLost).rejects.toMatchObject({ code: 'ERR_FAULTLINE_NODE_LOST', node: 'n3' });
    await expect(anywhere).rejects.toMatchObject({ code: 'ERR_FAULTLINE_NODE_LOST', node: 'n3' });
    servers[0].emit('x');
    await expect(onN1).resolves.toMatchObject({ node: 'n1' });
    expect(stream.status).toBe('open');
    // A later wait on the lost node fails at once unless its hit was already received.
    await expect(stream.waitForInjection('y', { node: 'n3' })).rejects.toMatchObject({ node: 'n3' });
    await expect(stream.waitForInjection('x', { node: ['n1', 'n3'] })).resolves.toMatchObject({ node: 'n1' });
  });
});

describe('InjectionStream disposal', () => {
  it('await using closes the stream at the end of the block', async () => {
    const node = await startScyllaStandIn();
    let outside: InjectionStream | undefined;
    let pending: Promise<ReceivedInjectionEvent> | undefined;
    {
      await using stream = await openInjectionStream(node.url);
      outside = stream;
      pending = stream.waitForInjection('never', { timeout: 60_000 });
      pending.catch(() => undefined);
      expect(stream.status).toBe('open');
    }
    expect(outside.status).toBe('closed');
    await expect(pending).rejects.toThrow(StreamClosedError);
    await waitUntil(() => node.streams.size === 0);
    await node.close();
  });

  // A process that opened, waited, and closed must exit by itself: no timer, socket or agent left behind.
  // The stand-in stays up meanwhile, so a socket the client forgot would keep the child alive.
  // Child processes run the built package (as worker code does): `npm test` builds first.
  const built = join(__dirname, '../../dist/cjs/client/index.js');

  it.each(['open', 'reconnecting'])('a child process exits by itself after close() while %s', async (state) => {
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
    const node = await startScyllaStandIn();
    const script = `
      const { openInjectionStream } = require(${JSON.stringify(built)});
      (async () => {
        const stream = await openInjectionStream(process.argv[1], { reconnect: { initialDelay: 60000, maxDelay: 60000, attempts: 5 } });
        const hit = stream.waitForInjection('x', { timeout: 60000 });
        const statuses = [];
        stream.status$.subscribe((s) => { statuses.push(s); if (s === 'reconnecting') console.log('reconnecting'); });
        console.log('open');
        await hit;
        console.log('hit');
        const never = stream.waitForInjection('never', { timeout: 60000 }).catch((e) => e.code);
        if (process.argv[2] === 'reconnecting') await new Promise((r) => stream.status$.pipe(require('rxjs').filter((s) => s === 'reconnecting')).subscribe(r));
        await stream[Symbol.asyncDispose]();
        console.log('closed', await never, statuses.join(','));
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const child = spawn(process.execPath, ['-e', script, node.url, state], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const printed = (word: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(word) && resolve();
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await printed('open');
      node.emit('x');
      await printed('hit');
      // Cut the connection: the child is then waiting a minute to reconnect when it closes.
      if (state === 'reconnecting') for (const res of node.streams) res.destroy();
      const code = await exited;
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out).toContain(
        `closed ERR_FAULTLINE_STREAM_CLOSED ${state === 'open' ? 'open,closed' : 'open,reconnecting,closed'}`,
      );
    } finally {
      clearTimeout(guard);
      child.kill('SIGKILL');
      await node.close();
    }
  });
});

/** Waits for a condition that has no event of its own (a server noticing a closed socket), with a deadline. */
async function waitUntil(condition: () => boolean, deadline = GUARD): Promise<void> {
  const end = Date.now() + deadline;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${deadline} ms: ${condition.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
