import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ErrorInjector } from '../../lib/injector';
import { injectionMiddleware, type InjectionMiddleware } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { API, call } from './support/http';
import { collectRawResponse, decodeChunked, openRawStream, splitResponse } from './support/raw-stream';
import { closeAll, startServer, track } from './support/servers';
import { SseClient } from './support/sse-client';
import { until } from './support/until';

afterEach(closeAll);

describe('event streams under vanishing and stalled clients', () => {
  test('200 streams cut abruptly (some mid-write, some with RST) leave zero subscriptions; another client goes on', async () => {
    const { url, server, injector } = await startServer();
    const survivor = track(await SseClient.open(`${url}${API}/events`));
    const raws = [];
    for (let i = 0; i < 200; i++) raws.push(await openRawStream(url, i % 2 === 0 ? '' : '?injection=x&type=lambda'));
    await until(() => server.stats().streams === 201, '201 open streams');
    expect(server.stats().subscriptions).toEqual([201]);

    injector.enable('x', { parameters: { pad: 'p'.repeat(2000) } });
    // Cut every socket while events are being written to it: a hit, then a cut, interleaved.
    raws.forEach(({ socket }, i) => {
      injector.enter('x');
      if (i % 3 === 0) socket.resetAndDestroy();
      else socket.destroy();
    });
    await until(() => server.stats().streams === 1, 'the cut streams to be gone');
    expect(server.stats().subscriptions).toEqual([1]);
    expect(server.stats().streamsCut).toBe(0);

    injector.enter('x');
    const hits = await survivor.waitForHits(201);
    expect(hits.map((m) => Number(String(m.id).split('-')[1]))).toEqual(Array.from({ length: 201 }, (_, i) => i + 1));
    survivor.close();
    await until(() => server.stats().streams === 0 && server.stats().subscriptions[0] === 0, 'no streams');
    expect(server.stats().requests).toBe(0);
  });

  test('a paused reader is cut off at maxBufferBytes while inject() goes on and other clients get everything', async () => {
    const maxBufferBytes = 1024 * 1024;
    const { url, server, injector } = await startServer({ maxBufferBytes, heartbeatMs: 0 });
    const reader = track(await SseClient.open(`${url}${API}/events`));
    const paused = await openRawStream(url);
    paused.socket.pause();
    const pausedClosed = new Promise<void>((resolve) => paused.socket.once('close', () => resolve()));

    injector.enable('x', { parameters: { pad: 'p'.repeat(1000) } });
    let fired = 0;
    // Keep hitting until the server gives up on the paused client; the kernel's socket buffers take a few MB first.
    while (server.stats().streamsCut === 0) {
      if (fired > 200_000) throw new Error('the paused client was never cut off');
      for (let i = 0; i < 100; i++) {
        injector.enter('x');
        fired++;
      }
      // Memory stays bounded: per stream, at most maxBufferBytes waiting plus one chunk in Node's buffer.
      expect(server.stats().bufferedBytes).toBeLessThan(2 * (maxBufferBytes + 100 * 1024));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.stats().streamsCut).toBe(1);
    expect(server.stats().streams).toBe(1);
    expect(server.stats().subscriptions).toEqual([1]);
    expect(injector.get('x').hits).toBe(fired);

    // The paused client finds its connection gone once it reads again.
    paused.socket.resume();
    await pausedClosed;

    // The reader that kept up got every hit, in order, none lost.
    const hits = await reader.waitForHits(fired);
    expect(hits).toHaveLength(fired);
    expect(Number(String(hits[fired - 1].id).split('-')[1])).toBe(fired);
    expect((await call(url, 'GET', `${API}/injection/x/enters`)).json).toBe(fired);
  });

  test('a cut-off client resumes from the history with Last-Event-ID and misses nothing', async () => {
    const { url, server, injector } = await startServer({ maxBufferBytes: 64 * 1024, heartbeatMs: 0 }, { historySize: 100_000 });
    injector.enable('x', { parameters: { pad: 'p'.repeat(500) } });
    const paused = await openRawStream(url);
    paused.socket.pause();
    let fired = 0;
    while (server.stats().streamsCut === 0) {
      if (fired > 90_000) throw new Error('never cut off');
      for (let i = 0; i < 50; i++, fired++) injector.enter('x');
      await new Promise((resolve) => setImmediate(resolve));
    }
    paused.socket.destroy();
    // It resumes after event 1; the replay (megabytes, far past maxBufferBytes) is not cut off again.
    const resumed = track(await SseClient.open(`${url}${API}/events`, { 'last-event-id': `${server.shards.epoch}-1` }));
    // Live hits while it is still catching up count against the bound; the replay before them does not.
    for (let i = 0; i < 50; i++, fired++) injector.enter('x');
    const hits = await resumed.waitForHits(fired - 1);
    expect(hits[0].id).toBe(`${server.shards.epoch}-2`);
    expect(hits).toHaveLength(fired - 1);
    expect(server.stats().streamsCut).toBe(1);
  });
});

/** The SSE messages in `text`, parsed as a client would. */
function sseMessages(text: string): EventSourceMessage[] {
  const messages: EventSourceMessage[] = [];
  createParser({ onEvent: (m) => messages.push(m) }).feed(text);
  return messages;
}

/** The body of a chunked response so far, strictly decoded (undefined while the head is incomplete). */
function chunkedBody(bytes: Buffer): { head: string; chunks: string[]; complete: boolean } | undefined {
  const response = splitResponse(bytes);
  return response === undefined ? undefined : { head: response.head, ...decodeChunked(response.body) };
}

/** A fresh group served by injectionMiddleware inside `mount`'s server (node:http or node:http2), on 127.0.0.1. */
async function mounted(
  mount: (handle: InjectionMiddleware) => Server | Http2Server,
): Promise<{ injector: ErrorInjector; group: ShardGroup; url: string; close: () => Promise<void> }> {
  const injector = new ErrorInjector();
  const group = new ShardGroup({ injector });
  const handle = injectionMiddleware(group, { heartbeatMs: 0 });
  const server = mount(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async (): Promise<void> => {
    handle.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await group.close();
  };
  return { injector, group, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

describe('how frames reach the socket', () => {
  test('`: connected` comes first, then the history replayed as the stream opens, then live hits, in whole chunks', async () => {
    const { url, server, injector } = await startServer({ heartbeatMs: 0 });
    injector.enable('x');
    for (let i = 0; i < 3; i++) injector.enter('x');
    // The replay of hits 2 and 3 is queued in the very call that writes the head and `: connected`.
    const raw = collectRawResponse(url, { headers: { 'last-event-id': `${server.shards.epoch}-1` } });
    const idsIn = (): string[] => sseMessages((chunkedBody(raw.bytes())?.chunks ?? []).join('')).map((m) => String(m.id));
    await until(() => idsIn().length === 2, 'the replay');
    injector.enter('x');
    await until(() => idsIn().length === 3, 'the live hit');

    const response = chunkedBody(raw.bytes());
    expect(response?.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response?.head).toMatch(/\r\ntransfer-encoding: chunked(\r\n|$)/i);
    // node:http may join its own `: connected` and the first frame into one chunk (Node 24 does): the order is what counts.
    expect(response?.chunks.join('')).toMatch(/^: connected\nretry: \d+\n\nid: /);
    expect(idsIn()).toEqual([2, 3, 4].map((n) => `${server.shards.epoch}-${n}`));
    raw.socket.destroy();
  });

  test('a burst far over one write arrives as whole chunks and frames, in order, and the stream ends with its last chunk', async () => {
    const { url, server, injector } = await startServer({ heartbeatMs: 0 });
    const raw = collectRawResponse(url);
    await until(() => server.stats().streams === 1, 'the stream');
    injector.enable('x', { parameters: { pad: 'p'.repeat(3000) } });
    // ~1.6 MB in one synchronous run: many writes of up to 64 KiB, some of them after 'drain'.
    const total = 500;
    for (let i = 0; i < total; i++) injector.enter('x');
    const closed = server.close();
    await until(() => chunkedBody(raw.bytes())?.complete === true, 'the terminating chunk');
    raw.socket.destroy();
    await closed;

    const { chunks } = chunkedBody(raw.bytes()) ?? { chunks: [] };
    const hits = sseMessages(chunks.join('')).filter((m) => m.event === undefined);
    expect(hits.map((m) => m.id)).toEqual(Array.from({ length: total }, (_, i) => `${server.shards.epoch}-${i + 1}`));
    for (const m of hits) expect((JSON.parse(m.data) as { params: { pad: string } }).params.pad).toHaveLength(3000);
    // Coalesced: far fewer chunks than frames.
    expect(chunks.length).toBeLessThan(total / 10);
  });

  test('an HTTP/1.0 client (no chunked encoding) gets the frames as they are', async () => {
    const { url, server, injector } = await startServer({ heartbeatMs: 0 });
    const raw = collectRawResponse(url, { version: '1.0' });
    await until(() => server.stats().streams === 1, 'the stream');
    injector.enable('x');
    injector.enter('x');
    injector.enter('x');
    const body = (): string => splitResponse(raw.bytes())?.body.toString('utf8') ?? '';
    await until(() => sseMessages(body()).length === 2, 'two hits');
    const response = splitResponse(raw.bytes());
    expect(response?.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response?.head).not.toMatch(/transfer-encoding/i);
    expect(body()).toMatch(/^: connected\nretry: \d+\n\nid: /);
    expect(sseMessages(body()).map((m) => m.id)).toEqual([1, 2].map((n) => `${server.shards.epoch}-${n}`));
    raw.socket.destroy();
  });

  test("a res.write that middleware replaced sees every frame: the stream writes through it", async () => {
    let written = '';
    const { injector, url, close } = await mounted((handle) =>
      createServer((req, res) => {
        const write = res.write.bind(res) as (chunk: string) => boolean;
        (res as { write: (chunk: string) => boolean }).write = (chunk: string): boolean => {
          written += chunk;
          return write(chunk);
        };
        handle(req, res);
      }),
    );
    const client = await SseClient.open(`${url}${API}/events`);
    try {
      injector.enable('x');
      for (let i = 0; i < 3; i++) injector.enter('x');
      const hits = await client.waitForHits(3);
      expect(sseMessages(written).map((m) => m.id)).toEqual(hits.map((m) => m.id));
      expect(written).toBe(client.raw);
    } finally {
      client.close();
      await close();
    }
  });

  test('an HTTP/2 response (no socket of its own) gets the frames through its own write', async () => {
    // The compatibility API's request and response stand in for node:http's, as Express and Fastify's do.
    const { injector, group, url, close } = await mounted((handle) =>
      createHttp2Server((req, res) => handle(req as unknown as IncomingMessage, res as unknown as ServerResponse)),
    );
    const session = connectHttp2(url);
    const req = session.request({ ':path': `${API}/events`, accept: 'text/event-stream' });
    let text = '';
    let status: unknown;
    req.setEncoding('utf8');
    req.on('response', (headers) => (status = headers[':status']));
    req.on('data', (chunk: string) => (text += chunk));
    try {
      await until(() => text.startsWith(': connected\n'), 'the stream to open');
      injector.enable('x');
      injector.enter('x');
      injector.enter('x');
      await until(() => sseMessages(text).length === 2, 'two hits');
      expect(status).toBe(200);
      expect(sseMessages(text).map((m) => m.id)).toEqual([1, 2].map((n) => `${group.epoch}-${n}`));
    } finally {
      req.close();
      session.close();
      await close();
    }
  });
});
