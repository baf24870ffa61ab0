import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express from 'express';
import { ErrorInjector } from '../../lib/injector';
import { injectionMiddleware, InvalidServerOptionError, type InjectionMiddleware } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { API, call } from './support/http';
import { SseClient } from './support/sse-client';
import { until } from './support/until';

let httpServer: Server | undefined;
let handler: InjectionMiddleware | undefined;
let group: ShardGroup | undefined;
const clients: SseClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  handler?.close();
  if (httpServer) {
    const s = httpServer;
    httpServer = undefined;
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  await group?.close();
});

async function listen(server: Server): Promise<string> {
  httpServer = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function setup(options: Parameters<typeof injectionMiddleware>[1] = {}): { injector: ErrorInjector; handle: InjectionMiddleware } {
  const injector = new ErrorInjector();
  group = new ShardGroup({ injector });
  handler = injectionMiddleware(group, options);
  return { injector, handle: handler };
}

describe('injectionMiddleware inside an existing server', () => {
  test('plain node:http: our routes are served, other paths go to the fallback given as next', async () => {
    const { injector, handle } = setup();
    const url = await listen(
      createServer((req, res) =>
        handle(req, res, () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('app route');
        }),
      ),
    );
    expect((await call(url, 'POST', `${API}/injection/x`)).status).toBe(200);
    expect(injector.isEnabled('x')).toBe(true);
    const app = await call(url, 'GET', '/health');
    expect(app.status).toBe(200);
    expect(app.text).toBe('app route');
    // Unknown paths under our base are not ours either.
    expect((await call(url, 'GET', `${API}/other`)).text).toBe('app route');

    const s = await SseClient.open(`${url}${API}/events`);
    clients.push(s);
    injector.enter('x');
    expect(JSON.parse((await s.next()).data)).toMatchObject({ injection: 'x' });
    expect(handle.stats()).toMatchObject({ streams: 1, subscriptions: [1], streamsOpened: 1 });
  });

  test('plain node:http without next: 404 JSON for other paths', async () => {
    const { handle } = setup();
    const url = await listen(createServer((req, res) => handle(req, res)));
    const r = await call(url, 'GET', '/nope');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ message: expect.any(String), code: 'ERR_FAULTLINE_NOT_FOUND' });
  });

  test('Express 5: app.use(handler) beside other routes, after express.json(), and under a mount path', async () => {
    const { injector, handle } = setup({ token: 't' });
    const app = express();
    app.get('/hello', (_req, res) => {
      res.send('hi');
    });
    app.use(express.json());
    app.use(handle);
    app.use('/faultline', handle);
    app.use((_req, res) => {
      res.status(418).send('express fallback');
    });
    const url = await listen(createServer(app));
    const auth = { authorization: 'Bearer t', 'content-type': 'application/json' };

    expect((await call(url, 'GET', '/hello')).text).toBe('hi');
    // express.json() consumed the body already: its parse result is used.
    expect((await call(url, 'POST', `${API}/injection/a`, { headers: auth, body: '{"n":1,"s":"v"}' })).status).toBe(200);
    expect(injector.get('a').parameters).toEqual({ n: '1', s: 'v' });
    expect((await call(url, 'POST', `/faultline${API}/injection/b`, { headers: auth, query: '?one_shot=true' })).status).toBe(200);
    expect(injector.get('b').oneShot).toBe(true);
    expect((await call(url, 'POST', `${API}/injection/c`, { headers: auth, body: '[1]' })).status).toBe(400);
    expect((await call(url, 'POST', `${API}/injection/c`)).status).toBe(401);
    const other = await call(url, 'GET', '/elsewhere');
    expect(other.status).toBe(418);
    expect(other.text).toBe('express fallback');

    const s = await SseClient.open(`${url}/faultline${API}/events?injection=a`, { authorization: 'Bearer t' });
    clients.push(s);
    injector.enter('b');
    injector.enter('a');
    expect(JSON.parse((await s.next()).data)).toMatchObject({ injection: 'a' });
  });

  test('the ui hook serves every other path (before next) and is not behind the token', async () => {
    const seen: string[] = [];
    const { handle } = setup({
      token: 't',
      ui: (req, res, next) => {
        seen.push(req.url ?? '');
        if (req.url !== '/dashboard') return next();
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<h1>dashboard</h1>');
      },
    });
    const url = await listen(createServer((req, res) => handle(req, res)));
    expect((await call(url, 'GET', '/dashboard')).text).toBe('<h1>dashboard</h1>');
    expect((await call(url, 'GET', '/other')).status).toBe(404);
    expect((await call(url, 'GET', `${API}/injection`)).status).toBe(401);
    expect(seen).toEqual(['/dashboard', '/other']);
  });

  test('close() ends its streams and answers 503 afterwards', async () => {
    const { handle } = setup();
    const url = await listen(createServer((req, res) => handle(req, res)));
    const s = await SseClient.open(`${url}${API}/events`);
    clients.push(s);
    handle.close();
    await s.waitForEnd();
    expect(s.endedCleanly).toBe(true);
    await until(() => handle.stats().streams === 0, 'no streams');
    expect((await call(url, 'GET', `${API}/injection`)).status).toBe(503);
  });

  test('maxConnections counts REST requests from when their body is in: slow bodies never fill it', async () => {
    // A group whose state reads wait for the test to let them go: REST requests the server is busy with.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    class GatedGroup extends ShardGroup {
      override async stateOnAll(name: string) {
        await gate;
        return super.stateOnAll(name);
      }
    }
    const g = (group = new GatedGroup({ injector: new ErrorInjector() }));
    const handle = (handler = injectionMiddleware(g, { maxConnections: 2 }));
    const url = await listen(createServer(handle));
    const { port } = new URL(url);
    // Five bodies that never finish arriving.
    const slow = Array.from({ length: 5 }, () => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(`POST ${API}/injection/slow HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"k":`),
      );
      socket.on('error', () => undefined);
      return socket;
    });
    try {
      await until(() => handle.stats().requests === 5, 'the five slow bodies to be in progress');
      const busy = [call(url, 'GET', `${API}/injection/a`), call(url, 'GET', `${API}/injection/b`)];
      await until(() => handle.stats().requests === 7, 'two requests the server is busy with');
      const refused = await call(url, 'GET', `${API}/injection/c`);
      expect(refused.status).toBe(503);
      expect((refused.json as { message: string }).message).toBe('the server is serving its maximum of 2 requests; try again');
      release();
      expect((await Promise.all(busy)).map((r) => r.status)).toEqual([200, 200]);
      expect((await call(url, 'GET', `${API}/injection/c`)).status).toBe(200);
    } finally {
      for (const socket of slow) socket.destroy();
    }
    await until(() => handle.stats().requests === 0, 'every request to end');
  });

  test('bad options are refused with InvalidServerOptionError', () => {
    const g = (group = new ShardGroup({ injector: new ErrorInjector() }));
    const bad: unknown[] = [
      { token: '' },
      { token: 'a b' },
      { maxConnections: 0 },
      { maxStreams: 0 },
      { maxStreams: 1.5 },
      { heartbeatMs: -1 },
      { heartbeatMs: 2 ** 31 },
      { retryMs: 1.5 },
      { maxBufferBytes: 0 },
      { allowedOrigins: 'http://x' },
      { ui: 'nope' },
    ];
    for (const options of bad) {
      expect(() => injectionMiddleware(g, options as never)).toThrow(InvalidServerOptionError);
    }
    expect(() => injectionMiddleware({} as never)).toThrow(expect.objectContaining({ code: 'ERR_FAULTLINE_INVALID_OPTION' }));
  });
});
