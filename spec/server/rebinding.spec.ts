import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, InvalidServerOptionError, OpenServerRefusedError } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { API, call, type Reply } from './support/http';
import { closeAll, startServer } from './support/servers';
import { SseClient } from './support/sse-client';
import { until } from './support/until';

afterEach(closeAll);

// What a page on evil.example sends once it rebound its name to 127.0.0.1: Host and Origin agree.
const rebound = (port: string): Record<string, string> => ({
  host: `evil.example:${port}`,
  origin: `http://evil.example:${port}`,
  'content-type': 'text/plain',
});

const EVERY_ROUTE: readonly [string, string][] = [
  ['GET', `${API}/injection`],
  ['DELETE', `${API}/injection`],
  ['GET', `${API}/injection/x`],
  ['POST', `${API}/injection/x`],
  ['POST', `${API}/injection/y`],
  ['DELETE', `${API}/injection/x`],
  ['POST', `${API}/injection/x/message`],
  ['GET', `${API}/injection/x/enters`],
  ['GET', `${API}/lifetime_enters/x`],
  ['GET', `${API}/parked`],
  ['GET', `${API}/events`],
  ['GET', `${API}/events?params=full&handler=1`],
  ['POST', `${API}/disconnect/127.0.0.1`],
  ['GET', `${API}/ui/`],
  ['GET', `${API}/ui`],
  ['GET', `${API}/ui/dashboard.js`],
  ['GET', '/'],
  ['PUT', `${API}/injection/x`],
];

function expectForbiddenHost(reply: Reply, what: string): void {
  expect({ what, status: reply.status, body: reply.json }).toEqual({
    what,
    status: 403,
    body: { code: 'ERR_FAULTLINE_FORBIDDEN_HOST', message: expect.stringContaining('evil.example') },
  });
  expect(reply.headers['content-type']).toBe('application/json');
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['access-control-allow-origin']).toBeUndefined();
}

describe('DNS rebinding: the Host header is checked on every route', () => {
  test('a rebinding-shaped request gets a 403 on every route (API, stream, dashboard) and changes nothing', async () => {
    const { url, injector, server } = await startServer();
    const port = new URL(url).port;
    injector.enable('x', { parameters: { p: '1' } });
    const parked = injector.injectHandler('x', (h) => h.waitForMessage({ timeout: 20_000 }));
    await until(() => injector.get('x').waiters === 1, 'the handler to park');

    for (const [method, path] of EVERY_ROUTE) {
      const body = method === 'POST' ? JSON.stringify({ p: '2' }) : undefined;
      expectForbiddenHost(await call(url, method, path, { headers: rebound(port), body }), `${method} ${path}`);
    }
    // The same with the token a server may have: the Host check comes first, and the token does not help.
    const { url: withToken } = await startServer({ token: 'tok' });
    const tokenPort = new URL(withToken).port;
    expectForbiddenHost(
      await call(withToken, 'POST', `${API}/injection/x`, { headers: { ...rebound(tokenPort), authorization: 'Bearer tok' } }),
      'with the token',
    );

    // Nothing changed: still enabled with its parameters, its handler still parked (no message), no new name,
    // no stream was opened.
    expect(injector.get('x')).toMatchObject({ enabled: true, parameters: { p: '1' }, hits: 1, waiters: 1 });
    expect(injector.enabledInjections()).toEqual(['x']);
    expect(server.stats()).toMatchObject({ streams: 0, streamsOpened: 0, requests: 0 });

    expect((await call(url, 'POST', `${API}/injection/x/message`)).status).toBe(200);
    await parked;
  });

  test('localhost, 127.0.0.1, [::1] and *.localhost (any port, any case) are answered on every route', async () => {
    const { url, injector, server } = await startServer();
    const port = new URL(url).port;
    for (const name of ['localhost', '127.0.0.1', '[::1]', 'app.localhost', 'LocalHost']) {
      const host = `${name}:${port}`;
      const headers = { host, origin: `http://${host}` };
      expect((await call(url, 'POST', `${API}/injection/a`, { headers })).status).toBe(200);
      expect((await call(url, 'GET', `${API}/injection`, { headers })).json).toEqual(['a']);
      expect((await call(url, 'GET', `${API}/injection/a/enters`, { headers })).json).toBe(0);
      expect((await call(url, 'GET', `${API}/ui/`, { headers })).status).toBe(200);
      const stream = await SseClient.open(`${url}${API}/events`, { host });
      expect(stream.status).toBe(200);
      stream.close();
      expect((await call(url, 'DELETE', `${API}/injection/a`, { headers })).status).toBe(200);
    }
    expect(injector.enabledInjections()).toEqual([]);
    await until(() => server.stats().streams === 0, 'the streams to close');
  });

  test('a server on [::1] answers its own URL', async () => {
    const group = new ShardGroup({ injector: new ErrorInjector() });
    let server;
    try {
      server = await createInjectionServer({ host: '::1', port: 0, shards: group });
    } catch (err) {
      // A machine without IPv6 loopback cannot run this case.
      expect((err as NodeJS.ErrnoException).code).toMatch(/EADDRNOTAVAIL|EAFNOSUPPORT/);
      await group.close();
      return;
    }
    expect((await call(server.url, 'POST', `${API}/injection/a`)).status).toBe(200);
    await server.close();
    await group.close();
  });

  test('allowedHosts admits a named host (and, with a leading dot, its subdomains); others are still refused', async () => {
    const { url, injector } = await startServer({ allowedHosts: ['devbox.test', '.corp.test'] });
    const port = new URL(url).port;
    for (const name of ['devbox.test', 'corp.test', 'ci.corp.test']) {
      const host = `${name}:${port}`;
      expect((await call(url, 'POST', `${API}/injection/${name}`, { headers: { host, origin: `http://${host}` } })).status).toBe(200);
    }
    expectForbiddenHost(await call(url, 'POST', `${API}/injection/z`, { headers: rebound(port) }), 'evil.example');
    expect(injector.enabledInjections().sort()).toEqual(['ci.corp.test', 'corp.test', 'devbox.test']);

    const { url: open } = await startServer({ allowedHosts: 'all' });
    expect((await call(open, 'GET', `${API}/injection`, { headers: rebound(new URL(open).port) })).status).toBe(200);
  });

  test('bad allowedHosts are refused before anything listens', async () => {
    for (const allowedHosts of [[''], ['http://devbox'], ['devbox:80'], 'devbox', [42]]) {
      await expect(createInjectionServer({ port: 0, allowedHosts } as never)).rejects.toThrow(InvalidServerOptionError);
    }
  });
});

describe('listening beyond loopback', () => {
  test('without a token it refuses to start unless insecureOpenServer says an open server is wanted', async () => {
    const group = new ShardGroup({ injector: new ErrorInjector() });
    for (const host of ['0.0.0.0', '::', '192.0.2.1', 'devbox.test']) {
      const refusal = await createInjectionServer({ host, port: 0, shards: group }).then(
        () => 'listening',
        (err: unknown) => err,
      );
      expect(refusal).toBeInstanceOf(OpenServerRefusedError);
      expect(refusal).toMatchObject({ code: 'ERR_FAULTLINE_OPEN_SERVER_REFUSED', message: expect.stringContaining('insecureOpenServer') });
    }
    // Nothing was made: the group is untouched and usable, and a server that would own its group made none.
    expect(await group.enabledOnAll()).toEqual([]);
    await expect(createInjectionServer({ host: '0.0.0.0', port: 0 })).rejects.toThrow(OpenServerRefusedError);
    await expect(createInjectionServer({ host: '0.0.0.0', port: 0, insecureOpenServer: 'yes' } as never)).rejects.toThrow(
      InvalidServerOptionError,
    );

    // With a token, or with insecureOpenServer, it goes on to listen: 192.0.2.1 (TEST-NET-1) is no address of
    // this machine, so the attempt ends in the OS's refusal, never in ours, and nothing opens to the network.
    for (const options of [{ token: 'tok' }, { insecureOpenServer: true }]) {
      const outcome = await createInjectionServer({ host: '192.0.2.1', port: 0, shards: group, ...options }).then(
        async (server) => {
          await server.close();
          return 'listening';
        },
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(['EADDRNOTAVAIL', 'listening']).toContain(outcome);
    }
    await group.close();
  });

  test('loopback hosts need no token', async () => {
    for (const host of ['127.0.0.1', 'localhost', '127.0.0.2']) {
      const group = new ShardGroup({ injector: new ErrorInjector() });
      const server = await createInjectionServer({ host, port: 0, shards: group }).catch((err: NodeJS.ErrnoException) => err);
      if (server instanceof Error) {
        // 127.0.0.2 is not configured everywhere.
        expect(server.code).toBe('EADDRNOTAVAIL');
      } else {
        expect(server.url).not.toContain('0.0.0.0');
        expect((await call(server.url, 'GET', `${API}/injection`)).status).toBe(200);
        await server.close();
      }
      await group.close();
    }
  });
});

describe('X-Content-Type-Options: nosniff', () => {
  test('on every JSON answer, success and error alike, and on empty ones', async () => {
    const { url } = await startServer();
    const replies = [
      await call(url, 'GET', `${API}/injection`),
      await call(url, 'GET', `${API}/injection/x`),
      await call(url, 'GET', `${API}/injection/x/enters`),
      await call(url, 'POST', `${API}/injection/x`),
      await call(url, 'GET', `${API}/nothing`),
      await call(url, 'GET', `${API}/ui/nothing.js`),
      await call(url, 'POST', `${API}/injection/x`, { body: '[' }),
      await call(url, 'POST', `${API}/disconnect/10.0.0.1`),
    ];
    for (const reply of replies) expect(reply.headers['x-content-type-options']).toBe('nosniff');
  });
});
