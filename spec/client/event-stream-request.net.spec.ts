import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Client } from 'undici';
import { HttpError, NetworkError } from '../../lib/client/errors';
import { requestEventStream, type EventStreamBody } from '../../lib/client/event-stream-request';

const GUARD = 10_000;

/** A node:http server answering every request with `answer`; `served` holds the socket of each request. */
async function serve(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: URL; server: Server; served: Socket[] }> {
  const served: Socket[] = [];
  const server = createServer((req, res) => {
    served.push(req.socket);
    answer(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`), server, served };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + GUARD;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Everything a body hands its listener, as text, and how it ended. */
function record(body: EventStreamBody): { text: () => string; ended: () => { error?: Error } | undefined } {
  let text = '';
  let ended: { error?: Error } | undefined;
  body.listen({ data: (chunk) => (text += chunk.toString('utf8')), end: (error) => (ended = { error }) });
  return { text: () => text, ended: () => ended };
}

describe('requestEventStream', () => {
  let dispatcher: Client | undefined;
  let server: Server | undefined;

  afterEach(async () => {
    await dispatcher?.destroy();
    server?.closeAllConnections();
    if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
    dispatcher = server = undefined;
  });

  const open = (url: URL, signal = new AbortController().signal): Promise<EventStreamBody> => {
    dispatcher = new Client(url.origin);
    return requestEventStream({ url, node: 'n1', headers: {}, dispatcher, signal, openTimeout: GUARD, strictContentType: true });
  };

  it('hands over what came with the head once listened to, then each chunk as it is parsed, then the end', async () => {
    let response: ServerResponse | undefined;
    const s = await serve((_req, res) => {
      response = res;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': connected\n\ndata: first\n\n');
    });
    server = s.server;
    const body = await open(s.url);
    await until(() => response !== undefined, 'the answer');
    const got = record(body);
    // Not within listen(): the code that listened runs to its end (and subscribes to what chunks cause) first.
    expect(got.text()).toBe('');
    await until(() => got.text() === ': connected\n\ndata: first\n\n', 'the first frame');
    response?.write('data: second\n\n');
    await until(() => got.text().endsWith('data: second\n\n'), 'the second frame');
    response?.end();
    await until(() => got.ended() !== undefined, 'the end');
    expect(got.ended()?.error).toBeUndefined();
  });

  it('reports a connection cut mid-stream as an end with its error', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': connected\n\n');
    });
    server = s.server;
    const got = record(await open(s.url));
    await until(() => got.text() !== '', 'the first frame');
    s.served[0].destroy();
    await until(() => got.ended() !== undefined, 'the end');
    expect(got.ended()?.error).toBeInstanceOf(Error);
  });

  it('destroy() closes the connection and calls the listener no more', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': connected\n\n');
    });
    server = s.server;
    const body = await open(s.url);
    const got = record(body);
    await until(() => got.text() !== '', 'the stream');
    body.destroy();
    await until(() => s.served[0].destroyed, 'the server to see the socket closed');
    expect(got.ended()).toBeUndefined();
  });

  it('reads a refusal body up to 64 KiB into the HttpError, and closes the connection rather than read the rest', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      // 1 MiB, written without waiting: the client must stop at its bound, not buffer it all.
      res.end('e'.repeat(1024 * 1024));
    });
    server = s.server;
    const err = await open(s.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 500, node: 'n1' });
    expect((err as HttpError).body).toBe('e'.repeat(64 * 1024));
    await until(() => s.served[0].destroyed, 'the connection to be closed');
  });

  it('gives a refusal whose body never ends openTimeout: the HttpError carries what came, the connection is closed', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      // Never ended: bodyTimeout is 0 on an event stream, so only openTimeout can end this wait.
      res.write('overloaded, ');
      res.write('try later');
    });
    server = s.server;
    dispatcher = new Client(s.url.origin);
    const err = await requestEventStream({
      url: s.url,
      node: 'n1',
      headers: {},
      dispatcher,
      signal: new AbortController().signal,
      openTimeout: 300,
      strictContentType: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 503, node: 'n1', body: 'overloaded, try later' });
    await until(() => s.served[0].destroyed, 'the connection to be closed');
  });

  it('rejects with NetworkError when aborted before the answer, and releases the connection', async () => {
    const s = await serve(() => {
      // Never answers.
    });
    server = s.server;
    const controller = new AbortController();
    const opening = open(s.url, controller.signal);
    await until(() => s.served.length === 1, 'the request to arrive');
    controller.abort(new Error('closed by the test'));
    const err = await opening.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toContain('closed by the test');
    await until(() => s.served[0].destroyed, 'the connection to be closed');
  });

  it('rejects at once with NetworkError for a signal already aborted, sending nothing', async () => {
    let requests = 0;
    const s = await serve(() => requests++);
    server = s.server;
    const controller = new AbortController();
    controller.abort(new Error('gone before'));
    await expect(open(s.url, controller.signal)).rejects.toBeInstanceOf(NetworkError);
    expect(requests).toBe(0);
  });
});
