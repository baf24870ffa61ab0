import { createServer } from 'node:http';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { EventGapError, HttpError, NodeLostError, ProtocolError } from '../../lib/client/errors';
import type { InjectionStream } from '../../lib/client/injection-stream';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import type { StreamStatus } from '../../lib/client/types';
import { startResumableStandIn, type ResumableStandIn } from '../helpers/resumable-stand-in';
import { startScyllaStandIn } from '../helpers/scylla-stand-in';

// Keeping a node's stream: reconnecting across server-side cuts with Last-Event-ID, and turning what cannot
// be resumed (a gap in history, a restart, a server with no ids) into errors on the waits it concerns.

const GUARD = 10_000;
const FAST = { initialDelay: 5, maxDelay: 50 };

function reached(stream: InjectionStream, status: StreamStatus): Promise<StreamStatus> {
  return firstValueFrom(stream.status$.pipe(filter((s) => s === status)));
}

describe('reconnecting a node', () => {
  let server: ResumableStandIn;
  let stream: InjectionStream;

  afterEach(async () => {
    await stream?.close();
    await server?.close();
  });

  it('resumes across a server-side cut mid-event with Last-Event-ID, losing nothing and repeating nothing', async () => {
    server = await startResumableStandIn();
    stream = await openInjectionStream(server.url, { reconnect: FAST });
    const statuses: StreamStatus[] = [];
    stream.status$.subscribe((s) => statuses.push(s));
    const ten = firstValueFrom(stream.injection$.pipe(take(10), toArray()));
    const first = server.emit('e1');
    server.emit('e2');
    await stream.waitForInjection('e2', { timeout: GUARD });
    const pending = stream.waitForInjection('e3', { timeout: GUARD });
    // e3 is half written when the socket goes; e4..e6 happen while the client is away.
    server.emit('e3', 0, 'sleep', true);
    for (const n of [4, 5, 6]) server.emit(`e${n}`, n % 2);
    await server.requestsAnswered(2);
    for (const n of [7, 8, 9, 10]) server.emit(`e${n}`);
    const events = await ten;
    expect(events.map((e) => e.injection)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events[0].id).toBe(first);
    await expect(pending).resolves.toMatchObject({ injection: 'e3' });
    expect(server.lastEventIds).toEqual([undefined, `${server.epoch}-2`]);
    expect(stream.gaps).toEqual([]);
    expect(statuses).toEqual(['open', 'reconnecting', 'open']);
  });

  it('reconnects again and again, each time from the last id', async () => {
    server = await startResumableStandIn();
    stream = await openInjectionStream(server.url, { reconnect: FAST });
    for (let round = 1; round <= 3; round++) {
      server.emit(`r${round}`);
      await stream.waitForInjection(`r${round}`, { timeout: GUARD });
      server.cut();
      await server.requestsAnswered(round + 1);
    }
    expect(server.lastEventIds).toEqual([undefined, ...[1, 2, 3].map((n) => `${server.epoch}-${n}`)]);
  });

  it("fails a pending wait with EventGapError when the server's history no longer reaches back", async () => {
    server = await startResumableStandIn({ history: 2 });
    stream = await openInjectionStream(server.url, { reconnect: FAST });
    server.emit('a');
    await stream.waitForInjection('a', { timeout: GUARD });
    const lost = stream.waitForInjection('never-seen', { timeout: 60_000 });
    const kept = stream.waitForInjection('late2', { timeout: GUARD });
    const gap = firstValueFrom(stream.gaps$);
    server.cut();
    server.emit('late0');
    server.emit('late1');
    server.emit('late2');
    // Rejected as soon as the gap is known, not after the minute-long timeout.
    const err = await lost.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventGapError);
    expect(err).toMatchObject({ code: 'ERR_FAULTLINE_EVENT_GAP', injection: 'never-seen' });
    expect((err as Error).message).toContain("the server's history no longer reached back");
    // What the server still had was replayed, and the wait whose hit was in it resolved.
    await expect(kept).resolves.toMatchObject({ injection: 'late2' });
    await expect(gap).resolves.toMatchObject({
      node: server.url,
      reason: 'history',
      lastEventId: `${server.epoch}-1`,
      oldestId: `${server.epoch}-3`,
      seq: 1,
    });
  });

  it('reports a restarted server (new epoch) on pending waits instead of hanging on them', async () => {
    server = await startResumableStandIn();
    stream = await openInjectionStream(server.url, { reconnect: FAST });
    server.emit('before');
    await stream.waitForInjection('before', { timeout: GUARD });
    const pending = stream.waitForInjection('x', { timeout: 60_000 });
    const oldEpoch = server.epoch;
    await server.restart();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventGapError);
    expect((err as EventGapError).gap).toMatchObject({ reason: 'restart', lastEventId: `${oldEpoch}-1` });
    expect((err as Error).message).toContain('the server restarted');
    expect(server.epoch).not.toBe(oldEpoch);
    // The stream carries on with the new server; a wait marked after the restart works.
    await reached(stream, 'open');
    const mark = stream.mark();
    server.emit('x');
    await expect(stream.waitForInjection('x', { since: mark, timeout: GUARD })).resolves.toMatchObject({
      id: `${server.epoch}-1`,
    });
  });

  it('detects a restart from the epoch of the ids when the server sends no gap notice', async () => {
    server = await startResumableStandIn({ gapNotices: false });
    stream = await openInjectionStream(server.url, { reconnect: FAST });
    server.emit('before');
    await stream.waitForInjection('before', { timeout: GUARD });
    const pending = stream.waitForInjection('x', { timeout: 60_000 });
    await server.restart();
    await server.requestsAnswered(2);
    server.emit('other');
    await expect(pending).rejects.toMatchObject({ code: 'ERR_FAULTLINE_EVENT_GAP', gap: { reason: 'restart' } });
  });

  it('cannot resume a ScyllaDB node (no ids): a reconnect is a gap for pending waits', async () => {
    const scylla = await startScyllaStandIn();
    try {
      stream = await openInjectionStream(scylla.url, { reconnect: FAST });
      await scylla.streamsOpen(1);
      const pending = stream.waitForInjection('x', { timeout: 60_000 });
      for (const res of scylla.streams) res.destroy();
      const err = await pending.catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_FAULTLINE_EVENT_GAP', gap: { reason: 'unresumable', node: scylla.url } });
      expect((err as Error).message).toContain('cannot resume');
      // It did reconnect, without a Last-Event-ID, and still works.
      await scylla.streamsOpen(1);
      scylla.emit('x');
      await expect(stream.waitForInjection('x', { timeout: GUARD })).resolves.toMatchObject({ injection: 'x' });
      const events = scylla.requests.filter((r) => r.url.startsWith('/v2/error_injection/events'));
      expect(events.map((r) => r.headers['last-event-id'])).toEqual([undefined, undefined]);
    } finally {
      await stream.close();
      await scylla.close();
    }
  });

  it('takes a silent connection for dead once the server heartbeats, and reconnects', async () => {
    server = await startResumableStandIn();
    stream = await openInjectionStream(server.url, { reconnect: FAST, idleTimeout: 150 });
    server.emit('a');
    await stream.waitForInjection('a', { timeout: GUARD });
    const problem = firstValueFrom(stream.errors$);
    // The stand-in sends no heartbeats: the connection stays open but silent.
    await server.requestsAnswered(2);
    await expect(problem).resolves.toBeInstanceOf(ProtocolError);
    await expect(problem).resolves.toMatchObject({ message: expect.stringContaining('idleTimeout 150 ms') });
    expect(server.lastEventIds[1]).toBe(`${server.epoch}-1`);
  });

  it('gives a node up after its reconnect attempts, failing waits with NodeLostError', async () => {
    server = await startResumableStandIn();
    stream = await openInjectionStream(server.url, { reconnect: { attempts: 2, initialDelay: 5, maxDelay: 10 } });
    const pending = stream.waitForInjection('x', { timeout: 60_000 });
    const failures = firstValueFrom(stream.errors$.pipe(take(3), toArray()));
    const everything = firstValueFrom(stream.injection$.pipe(toArray())).catch((e: unknown) => e);
    await server.stop();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeLostError);
    expect(err).toMatchObject({ code: 'ERR_FAULTLINE_NODE_LOST', node: server.url, attempts: 2 });
    expect((err as Error).message).toMatch(/not re-established after 2 attempt\(s\): .*ECONNREFUSED/);
    expect((await failures).map((e) => e.code)).toEqual([
      'ERR_FAULTLINE_NETWORK',
      'ERR_FAULTLINE_NETWORK',
      'ERR_FAULTLINE_NODE_LOST',
    ]);
    // With its only node gone the stream is over: injection$ errors, status is closed, waits fail at once.
    await expect(everything).resolves.toBeInstanceOf(NodeLostError);
    expect(stream.status).toBe('closed');
    await expect(stream.waitForInjection('y')).rejects.toBeInstanceOf(NodeLostError);
  });

  it('gives up at once when a reconnect is refused with a 4xx', async () => {
    server = await startResumableStandIn();
    stream = await openInjectionStream(server.url, { reconnect: FAST });
    const pending = stream.waitForInjection('x', { timeout: 60_000 });
    await server.stop();
    const port = Number(new URL(server.url).port);
    const refusing = createServer((_req, res) => res.writeHead(401).end('{"message":"bad token"}'));
    refusing.listen(port, '127.0.0.1');
    try {
      const err = await pending.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NodeLostError);
      expect((err as NodeLostError).cause).toBeInstanceOf(HttpError);
      expect((err as Error).message).toContain('answered 401: bad token');
    } finally {
      refusing.closeAllConnections();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('gives the connection up on a line longer than maxLineLength', async () => {
    server = await startResumableStandIn();
    stream = await openInjectionStream(server.url, { reconnect: FAST, maxLineLength: 1024 });
    const pending = stream.waitForInjection('x', { timeout: 60_000 });
    server.write('data: ' + 'y'.repeat(4096));
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeLostError);
    expect((err as Error).message).toContain('a line exceeded 1024 characters');
  });
});

describe('decoding the body', () => {
  it('drops a leading BOM and joins characters split between chunks, byte by byte', async () => {
    const names = ['☃ snow', '𝄞 clef', 'plain'];
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(names.map((n, i) => `id: e-${i + 1}\ndata: {"injection":"${n}","type":"lambda","shard":0,"ts":${i}}\n\n`).join('')),
    ]);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      // Every byte its own write, each on a later turn, so multi-byte characters arrive in pieces.
      let i = 0;
      const next = (): void => {
        if (i < body.length && !res.destroyed) {
          res.write(body.subarray(i, ++i));
          setImmediate(next);
        }
      };
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    const stream = await openInjectionStream(`http://127.0.0.1:${port}`, { reconnect: FAST });
    try {
      const events = await firstValueFrom(stream.injection$.pipe(take(3), toArray()));
      expect(events.map((e) => e.injection)).toEqual(names);
      expect(events.map((e) => e.id)).toEqual(['e-1', 'e-2', 'e-3']);
      expect(stream.gaps).toEqual([]);
    } finally {
      await stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
