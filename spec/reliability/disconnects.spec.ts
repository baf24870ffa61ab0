import { connect, type Socket } from 'node:net';
import type { ErrorInjector } from '../../lib/injector';
import { API } from '../server/support/http';
import { SseClient } from '../server/support/sse-client';
import { until } from '../server/support/until';
import { Random, runSeed } from './support/random';
import { closeStands, onCleanup, startStand } from './support/stand';

// 1 000 event-stream connections on bare sockets, each cut at a random point: before its request is complete,
// right after it, in the response head, after a random number of bytes (most often inside a frame) while hits
// flow from all four shards (the main thread and three worker threads), or once idle or paused; by FIN, by RST
// (resetAndDestroy), or by a half-close. Afterwards no stream, request or subscription is left on any shard,
// and a client connected throughout got every hit. The workers run the BUILT package: `npm run build` first.
//
// Bounds: 1 000 connections, 25 at a time (40 waves); 160 hits of about 1.6 kB per wave.

afterEach(closeStands);

const CONNECTIONS = 1000;
const PER_WAVE = 25;
const HITS_PER_SHARD_PER_WAVE = 20;

type CutPoint = 'connect' | 'mid-request' | 'request-sent' | 'in-head' | 'after-bytes' | 'idle' | 'paused' | 'half-close';
const CUT_POINTS: readonly CutPoint[] = ['connect', 'mid-request', 'request-sent', 'in-head', 'after-bytes', 'after-bytes', 'idle', 'paused', 'half-close'];
const QUERIES = ['', '', '?shard=1', '?shard=2&shard=3', '?shard=0', '?injection=x', '?injection=other', '?handler=1', '?type=lambda', '?shard_down=1'];

interface Connection {
  readonly point: CutPoint;
  /** Resolves once it reached its point: closed for the early ones, else the response began to arrive. */
  readonly armed: Promise<void>;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>;
  /** Cuts it now if it is still open (the wave is over: it was idle or paused). */
  cutIfOpen(): void;
}

/** One event-stream connection that will be cut at `point`. */
function connection(url: string, point: CutPoint, query: string, random: Random): Connection {
  const { hostname, port } = new URL(url);
  const request = `GET ${API}/events${query} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`;
  const rst = random.chance(0.5);
  const cut = (socket: Socket): void => {
    if (socket.destroyed) return;
    if (rst) socket.resetAndDestroy();
    else socket.destroy();
  };
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let received = 0;
  const armed = new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.once('data', () => resolve());
  });
  const conn: Connection = { point, armed, closed, cutIfOpen: () => cut(socket) };
  // How many bytes to read before cutting: within the head, or up to 64 kB in (frames are about 1.6 kB).
  const cutAfter = point === 'in-head' ? 1 : random.int(1, 64 * 1024);
  socket.once('connect', () => {
    switch (point) {
      case 'connect':
        return cut(socket);
      case 'mid-request':
        // Cut once the partial request is out, so that the server has seen it.
        socket.write(request.slice(0, random.int(1, request.length - 1)), () => cut(socket));
        return;
      case 'request-sent':
        socket.write(request);
        return cut(socket);
      default:
        socket.write(request);
    }
  });
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (point === 'paused') socket.pause();
    else if (point === 'half-close') socket.end();
    else if ((point === 'in-head' || point === 'after-bytes') && received >= cutAfter) cut(socket);
  });
  return conn;
}

function probeInjector(inj: ErrorInjector): { hitsObserved: boolean; handlersObserved: boolean } {
  const subjects = inj as unknown as { handlerSubject: { observed: boolean } };
  return { hitsObserved: inj.hitsWatched, handlersObserved: subjects.handlerSubject.observed };
}

describe('abrupt disconnects at random points of the stream', () => {
  test(`${CONNECTIONS} cut connections leave zero subscriptions on every shard; a client connected throughout gets every hit`, async () => {
    const seed = runSeed();
    const random = new Random(seed);
    // historySize 0: a shard forwards hits only while someone reads it, so a leaked reader would show on the shard.
    const stand = await startStand({ workers: 3, group: { historySize: 0 } });
    const { server, group, main, url, api } = stand;
    // The server's side of the connections: a wave is over only once the server has accepted and closed every
    // one of its connections, not merely once the client side closed (the server may accept a connection, or
    // read a request, only after the client has already vanished). No other connection opens during the waves.
    let serverAccepted = 0;
    let serverClosed = 0;
    const countServerSide = (socket: Socket): void => {
      serverAccepted++;
      socket.once('close', () => serverClosed++);
    };
    const survivor = await SseClient.open(`${url}${API}/events`);
    onCleanup(() => survivor.close());
    // Enabled after the survivor subscribed: with historySize 0 a worker forwards hits only once it has the
    // group's watch change, which is certain once a broadcast has resolved (a hit command travels on another
    // channel and could overtake it).
    await api.enable('x', { parameters: { pad: 'p'.repeat(1500) } });

    let fired = 0;
    const hitAll = async (): Promise<void> => {
      const replies = stand.workers.map((w) => w.hit('x', 'enter', HITS_PER_SHARD_PER_WAVE));
      for (let i = 0; i < HITS_PER_SHARD_PER_WAVE; i++) if (main.enter('x')) fired++;
      for (const { fired: n } of await Promise.all(replies)) fired += n;
    };

    server.server.on('connection', countServerSide);
    const seen: Record<CutPoint, number> = { connect: 0, 'mid-request': 0, 'request-sent': 0, 'in-head': 0, 'after-bytes': 0, idle: 0, paused: 0, 'half-close': 0 };
    for (let opened = 0; opened < CONNECTIONS; opened += PER_WAVE) {
      const wave = Array.from({ length: PER_WAVE }, () => connection(url, random.pick(CUT_POINTS), random.pick(QUERIES), random));
      // Hits flow while the connections that got their response are cut, then the ones still open (idle, paused,
      // half-closed, or waiting for bytes that a filter keeps away) are cut too.
      await Promise.all(wave.map((c) => c.armed));
      await hitAll();
      await hitAll();
      for (const c of wave) c.cutIfOpen();
      await Promise.all(wave.map((c) => c.closed));
      const expected = opened + PER_WAVE;
      await until(() => serverAccepted === expected && serverClosed === expected, `the server to close every connection of wave ${opened / PER_WAVE}`);
      for (const c of wave) seen[c.point]++;
    }

    server.server.off('connection', countServerSide);
    const context = `seed ${seed} (replay with FAULTLINE_SEED=${seed})`;
    await until(() => server.stats().streams === 1 && server.stats().requests === 1, `only the survivor's stream left, ${context}`);
    expect({ context, subscriptions: server.stats().subscriptions }).toEqual({ context, subscriptions: [1, 1, 1, 1] });
    expect(server.stats().streamsOpened).toBeGreaterThan(CONNECTIONS / 3);
    expect(server.stats().streamsCut).toBe(0);

    // The survivor got every hit, once each, in order.
    const hits = await survivor.waitForHits(fired);
    expect(hits).toHaveLength(fired);
    expect(hits.map((m) => Number(String(m.id).split('-')[1]))).toEqual(Array.from({ length: fired }, (_, i) => i + 1));

    survivor.close();
    await until(() => server.stats().streams === 0 && server.stats().requests === 0, `no stream left, ${context}`);
    expect(server.stats().subscriptions).toEqual([0, 0, 0, 0]);
    expect(group.subscriberCounts()).toEqual([0, 0, 0, 0]);
    // On the shards themselves nobody listens any more: once a broadcast resolved, each worker has applied every
    // watch change sent before it.
    await api.disable('x');
    for (const w of stand.workers) expect(await w.probe()).toMatchObject({ hitsObserved: false, handlersObserved: false });
    expect(probeInjector(main)).toEqual({ hitsObserved: false, handlersObserved: false });
    // Every kind of cut happened.
    for (const point of CUT_POINTS) expect({ point, times: seen[point] > 0 }).toEqual({ point, times: true });
  });
});
