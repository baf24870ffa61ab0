import { connect } from 'node:net';
import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, InvalidServerOptionError } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { API, call } from './support/http';
import { closeAll, startServer } from './support/servers';
import { until } from './support/until';

afterEach(closeAll);

function rawExchange(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    let got = '';
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (got += c));
    socket.on('error', () => {});
    socket.on('close', () => resolve(got));
  });
}

describe('createInjectionServer', () => {
  test('serves the dashboard at /v2/error_injection/ui/ by default; ui: false turns it off', async () => {
    const { url } = await startServer();
    const page = await call(url, 'GET', `${API}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const { url: bare } = await startServer({ ui: false });
    const none = await call(bare, 'GET', `${API}/ui/`);
    expect(none.status).toBe(404);
    expect(none.json).toMatchObject({ code: expect.any(String) });
  });

  test('redirects / to the dashboard (302), and answers / with a 404 when the dashboard is off', async () => {
    const { url } = await startServer();
    const root = await call(url, 'GET', '/');
    expect(root.status).toBe(302);
    expect(new URL(root.headers.location as string, url + '/').pathname).toBe(`${API}/ui/`);
    const { url: bare } = await startServer({ ui: false });
    const none = await call(bare, 'GET', '/');
    expect(none.status).toBe(404);
    expect(none.json).toMatchObject({ code: 'ERR_FAULTLINE_NOT_FOUND' });
  });

  test('port 0 picks a free port; url names it; it listens on 127.0.0.1 by default', async () => {
    const { server, url } = await startServer();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(url).port)).toBeGreaterThan(0);
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' });
  });

  test('an IPv6 host gets a bracketed url', async () => {
    let server;
    try {
      server = await createInjectionServer({ host: '::1', port: 0, shards: new ShardGroup({ injector: new ErrorInjector() }) });
    } catch (err) {
      // A machine without IPv6 loopback cannot run this case.
      expect((err as NodeJS.ErrnoException).code).toMatch(/EADDRNOTAVAIL|EAFNOSUPPORT/);
      return;
    }
    expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await call(server.url, 'GET', `${API}/injection`)).status).toBe(200);
    await server.close();
    await server.shards.close();
  });

  test('a port in use rejects with EADDRINUSE and leaves nothing open', async () => {
    const { url } = await startServer();
    const group = new ShardGroup({ injector: new ErrorInjector() });
    await expect(createInjectionServer({ port: Number(new URL(url).port), shards: group })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await group.close();
  });

  test('bad options are refused before anything listens', async () => {
    for (const options of [{ port: -1 }, { port: 70000 }, { port: 1.5 }, { host: '' }, { closeTimeoutMs: -1 }, { token: '' }]) {
      await expect(createInjectionServer(options as never)).rejects.toThrow(InvalidServerOptionError);
    }
  });

  test('close() twice returns the same promise; await using closes it', async () => {
    const group = new ShardGroup({ injector: new ErrorInjector() });
    const server = await createInjectionServer({ port: 0, shards: group });
    const a = server.close();
    expect(server.close()).toBe(a);
    await a;
    expect(server.server.listening).toBe(false);
    {
      await using disposable = await createInjectionServer({ port: 0, shards: group });
      expect((await call(disposable.url, 'GET', `${API}/injection`)).status).toBe(200);
    }
    await group.close();
  });

  test('close() does not wait for ever on a request stuck mid-body: closeTimeoutMs cuts it', async () => {
    const { url, server } = await startServer({ closeTimeoutMs: 50 });
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    const gone = new Promise((resolve) => socket.on('close', resolve));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write(`POST ${API}/injection/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{`);
    await until(() => server.stats().requests === 1, 'the request to arrive');
    await server.close();
    await gone;
  });

  test('close() is bounded with idle and refused sockets whose clients never close them', async () => {
    const { url, server } = await startServer({ closeTimeoutMs: 50, maxSockets: 2 });
    const { port } = new URL(url);
    const open = (): Promise<unknown> => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      // Reading (and dropping) what comes, so the client sees the server's end of the connection.
      socket.resume();
      return new Promise((resolve) => socket.on('close', resolve));
    };
    let accepted = 0;
    server.server.on('connection', () => accepted++);
    const idle = [open(), open()];
    await until(() => accepted === 2, 'two connections');
    const refused = [open(), open()];
    await until(() => accepted === 4, 'two more connections, past maxSockets');
    await server.close();
    await Promise.all([...idle, ...refused]);
  });

  test('an unparsable request gets a JSON 400 and the connection closes', async () => {
    const { url } = await startServer();
    const reply = await rawExchange(url, 'NOT HTTP AT ALL\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reply).toContain('content-type: application/json');
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))).toEqual({ message: expect.any(String), code: 'ERR_FAULTLINE_BAD_HTTP' });
  });

  test('a request without Host is answered by the routes (JSON), not by Node\'s bare 400', async () => {
    const { url } = await startServer();
    const reply = await rawExchange(url, `GET ${API}/injection HTTP/1.1\r\nConnection: close\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply.endsWith('[]')).toBe(true);
  });

  test('an Expect header other than 100-continue gets a JSON 417', async () => {
    const { url } = await startServer();
    const reply = await rawExchange(url, `GET ${API}/injection HTTP/1.1\r\nHost: localhost\r\nExpect: teapot\r\nConnection: close\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 417 /);
    expect(reply).toContain('"code":"ERR_FAULTLINE_EXPECTATION_FAILED"');
  });
});
