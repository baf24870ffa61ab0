import { connect, type Socket } from 'node:net';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_SOCKETS, DEFAULT_REQUEST_TIMEOUT_MS } from '../../lib/server/socket-guard';
import { API, call } from '../server/support/http';
import { closeAll, startServer, track } from '../server/support/servers';
import { SseClient } from '../server/support/sse-client';
import { until } from '../server/support/until';

// Clients that open connections and hold them: before issue 17 nothing capped them, idle ones lived ~90 s,
// and 1,000 slow POST bodies held the 1,000-request limit for ~330 s (now a request whose body is still
// arriving holds no REST slot at all). Now a REST request and a new event
// stream are served at once while 2,000 such sockets are held, the header and body timeouts close the held
// ones (seconds: here 8 s, as opening 2,000 loopback connections takes ~3 s on a 2-core machine; the
// defaults, 10 s, are checked below), and a socket past the cap is answered 503 and closed.

const HELD = 2000;
const SHORT_TIMEOUT_MS = 8000;

interface HeldSocket {
  readonly socket: Socket;
  answer: string;
  closed: boolean;
}

const held: HeldSocket[] = [];
afterEach(async () => {
  for (const h of held.splice(0)) h.socket.destroy();
  await closeAll();
});

/** Connects and writes `first` (maybe nothing), then holds the socket, keeping what the server writes. */
function hold(url: string, first: string): Promise<HeldSocket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const h: HeldSocket = { socket, answer: '', closed: false };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (h.answer += chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => (h.closed = true));
    socket.once('connect', () => {
      if (first !== '') socket.write(first);
      held.push(h);
      resolve(h);
    });
    socket.once('error', reject);
  });
}

/** The three ways of holding a socket: say nothing, send half the headers, send the headers and half a body. */
function holdingRequest(i: number): string {
  switch (i % 3) {
    case 0:
      return '';
    case 1:
      return `GET ${API}/injection HTTP/1.1\r\nHost: localhost\r\n`;
    default:
      return `POST ${API}/injection/held HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"k":`;
  }
}

describe('held-open sockets', () => {
  test(`with ${HELD} sockets held, REST and a new stream are served at once, and the timeouts close the held ones with 408`, async () => {
    const { url, server, injector } = await startServer({ headersTimeoutMs: SHORT_TIMEOUT_MS, requestTimeoutMs: SHORT_TIMEOUT_MS });
    let accepted = 0;
    server.server.on('connection', () => accepted++);
    const heldStart = Date.now();
    for (let i = 0; i < HELD; i += 400) {
      await Promise.all(Array.from({ length: Math.min(400, HELD - i) }, (_, j) => hold(url, holdingRequest(i + j))));
    }
    await until(() => accepted >= HELD, `the server to accept all ${HELD} connections`);
    const openedInMs = Date.now() - heldStart;

    const restStart = Date.now();
    const rest = await call(url, 'GET', `${API}/injection`);
    const restMs = Date.now() - restStart;
    const streamStart = Date.now();
    const stream = track(await SseClient.open(`${url}${API}/events`));
    const streamMs = Date.now() - streamStart;
    // Served while every held socket was still open: nothing waited for the timeouts to free room.
    const stillHeld = held.filter((h) => !h.closed).length;
    expect({ rest: rest.status, stream: stream.status, stillHeld }).toEqual({ rest: 200, stream: 200, stillHeld: HELD });

    await until(() => held.every((h) => h.closed), 'the timeouts to close every held socket', 30_000);
    const closedAfterMs = Date.now() - heldStart;
    const answers = new Map<string, number>();
    for (const h of held) {
      const status = h.answer.split('\r\n')[0] || '(nothing)';
      answers.set(status, (answers.get(status) ?? 0) + 1);
    }
    process.stdout.write(
      `[held-sockets] ${HELD} held (opened in ${openedInMs} ms): REST answered in ${restMs} ms, stream opened in ${streamMs} ms; ` +
        `all held closed ${closedAfterMs} ms after the first was opened (timeouts ${SHORT_TIMEOUT_MS} ms); answers ${JSON.stringify([...answers])}\n`,
    );
    expect([...answers]).toEqual([['HTTP/1.1 408 Request Timeout', HELD]]);
    for (const h of held) expect(h.answer).toContain('"code":"ERR_FAULTLINE_REQUEST_TIMEOUT"');
    expect(injector.enabledInjections()).toEqual([]);

    // The stream is not a request that times out: it is still open and still gets hits.
    await call(url, 'POST', `${API}/injection/after`);
    injector.inject('after', () => undefined);
    const hit = await stream.next((m) => m.event === undefined, 'the hit');
    expect(JSON.parse(hit.data)).toMatchObject({ injection: 'after' });
    expect(server.stats()).toMatchObject({ streams: 1, requests: 1 });
  }, 60_000);

  test('a socket past maxSockets is answered 503 JSON and closed; closing one lets the next in', async () => {
    const { url, server } = await startServer({ maxSockets: 20 });
    let accepted = 0;
    server.server.on('connection', () => accepted++);
    const idle = await Promise.all(Array.from({ length: 20 }, () => hold(url, '')));
    await until(() => accepted === 20, 'the server to accept 20 connections');
    const refused = await hold(url, `GET ${API}/injection HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    await until(() => refused.closed, 'the refused socket to be closed');
    expect(refused.answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused.answer).toMatch(/\r\nretry-after: 1\r\n/);
    expect(JSON.parse(refused.answer.slice(refused.answer.indexOf('\r\n\r\n') + 4))).toEqual({
      code: 'ERR_FAULTLINE_TOO_MANY_CONNECTIONS',
      message: 'the server has its maximum of 20 connections open; try again',
    });
    // The request sent on the refused socket was not served (no answer after the 503).
    expect(refused.answer.match(/HTTP\/1\.1/g)).toHaveLength(1);
    expect(server.stats().requests).toBe(0);
    idle[0].socket.destroy();
    await until(() => idle[0].closed, 'the first idle socket to close');
    // One slot is free again once the server has seen that close; until then a try is refused like the last.
    const statuses: number[] = [];
    while (statuses.at(-1) !== 200 && statuses.length < 50) statuses.push((await call(url, 'GET', `${API}/injection`)).status);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
  });

  test('slow bodies hold no REST slot and no stream slot: REST and streams are served up to their own limits', async () => {
    const { url, server } = await startServer({ maxConnections: 3, maxStreams: 2 });
    await Promise.all(Array.from({ length: 10 }, () => hold(url, holdingRequest(2))));
    await until(() => server.stats().requests === 10, 'ten slow bodies to be in progress');
    expect((await call(url, 'GET', `${API}/injection`)).status).toBe(200);
    const a = track(await SseClient.open(`${url}${API}/events`));
    const b = track(await SseClient.open(`${url}${API}/events`));
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await call(url, 'GET', `${API}/events`);
    expect(third.status).toBe(503);
    expect((third.json as { message: string }).message).toBe('the server is serving its maximum of 2 event streams; try again');
    // Two open streams and ten slow bodies, and REST is still served.
    expect((await call(url, 'GET', `${API}/injection`)).status).toBe(200);
  });

  test('the defaults: header and body timeouts of seconds, checked every second, and a cap of 4096 sockets', async () => {
    const { server } = await startServer();
    expect({
      headersTimeout: server.server.headersTimeout,
      requestTimeout: server.server.requestTimeout,
    }).toEqual({ headersTimeout: DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS });
    expect([DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_MAX_SOCKETS]).toEqual([10_000, 10_000, 4096]);
  });
});
