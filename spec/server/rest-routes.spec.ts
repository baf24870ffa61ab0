import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { ErrorInjector } from '../../lib/injector';
import { ShardGroup } from '../../lib/shards';
import { API, call, quote } from './support/http';
import { closeAll, startServer } from './support/servers';
import { SseClient } from './support/sse-client';
import { until } from './support/until';

afterEach(closeAll);

describe('REST routes (ScyllaDB-compatible)', () => {
  test('POST enables with one_shot (any case) and a JSON body; GET shows it per shard; DELETE disables', async () => {
    const { url, injector } = await startServer();
    const enabled = await call(url, 'POST', `${API}/injection/pause_here`, {
      query: '?one_shot=True',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ k: 'v', n: 42, b: true, o: { a: [1] }, z: null }),
    });
    expect(enabled.status).toBe(200);
    expect(enabled.text).toBe('');
    expect(injector.get('pause_here')).toMatchObject({
      enabled: true,
      oneShot: true,
      parameters: { k: 'v', n: '42', b: 'true', o: '{"a":[1]}', z: 'null' },
    });

    const state = await call(url, 'GET', `${API}/injection/pause_here`);
    expect(state.status).toBe(200);
    expect(state.headers['content-type']).toBe('application/json');
    expect(state.json).toEqual([
      {
        enabled: true,
        parameters: [
          { key: 'k', value: 'v' },
          { key: 'n', value: '42' },
          { key: 'b', value: 'true' },
          { key: 'o', value: '{"a":[1]}' },
          { key: 'z', value: 'null' },
        ],
      },
    ]);

    expect((await call(url, 'GET', `${API}/injection`)).json).toEqual(['pause_here']);
    const disabled = await call(url, 'DELETE', `${API}/injection/pause_here`);
    expect(disabled.status).toBe(200);
    expect(disabled.text).toBe('');
    expect(injector.isEnabled('pause_here')).toBe(false);
    expect((await call(url, 'GET', `${API}/injection/pause_here`)).json).toEqual([{ enabled: false }]);
    expect((await call(url, 'GET', `${API}/injection`)).json).toEqual([]);
  });

  test.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['False', false],
    ['false', false],
    ['0', false],
  ])('one_shot=%s enables one-shot %s', async (value, oneShot) => {
    const { url, injector } = await startServer();
    expect((await call(url, 'POST', `${API}/injection/x`, { query: `?one_shot=${value}` })).status).toBe(200);
    expect(injector.get('x').oneShot).toBe(oneShot);
  });

  test('no body, an empty body and {} all mean no parameters; enabled without parameters has no "parameters"', async () => {
    const { url, injector } = await startServer();
    for (const body of [undefined, '', '{}']) {
      expect((await call(url, 'POST', `${API}/injection/a`, { body })).status).toBe(200);
      expect(injector.get('a').parameters).toEqual({});
      expect((await call(url, 'GET', `${API}/injection/a`)).json).toEqual([{ enabled: true }]);
    }
  });

  test('extensions: count, skip, probability and seed as extra query parameters', async () => {
    const { url, injector } = await startServer();
    const r = await call(url, 'POST', `${API}/injection/x`, { query: '?count=3&skip=2&probability=0.5&seed=7' });
    expect(r.status).toBe(200);
    expect(injector.get('x')).toMatchObject({ enabled: true, count: 3, skip: 2, probability: 0.5, seed: 7 });
  });

  test('GET /enters is a bare number: hits summed over shards', async () => {
    const { url, injector } = await startServer();
    expect((await call(url, 'GET', `${API}/injection/x/enters`)).text).toBe('0');
    await call(url, 'POST', `${API}/injection/x`);
    injector.enter('x');
    injector.enter('x');
    const r = await call(url, 'GET', `${API}/injection/x/enters`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('2');
    expect(r.json).toBe(2);
  });

  test('DELETE /injection disables everything', async () => {
    const { url, injector } = await startServer();
    await call(url, 'POST', `${API}/injection/a`);
    await call(url, 'POST', `${API}/injection/b`);
    expect(((await call(url, 'GET', `${API}/injection`)).json as string[]).sort()).toEqual(['a', 'b']);
    const r = await call(url, 'DELETE', `${API}/injection`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(injector.enabledInjections()).toEqual([]);
  });

  test('POST /message releases a waiting handler; for a name not enabled it is a 200 no-op', async () => {
    const { url, injector } = await startServer();
    expect((await call(url, 'POST', `${API}/injection/nobody/message`)).status).toBe(200);
    await call(url, 'POST', `${API}/injection/h`);
    let released = false;
    const done = injector.injectHandler('h', async (handler) => {
      await handler.waitForMessage({ timeout: 20_000 });
      released = true;
    });
    expect(released).toBe(false);
    const r = await call(url, 'POST', `${API}/injection/h/message`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    await done;
    expect(released).toBe(true);
  });

  test('names are percent-decoded exactly once: %2F, a literal /, %25, spaces, quotes, Unicode', async () => {
    const { url, injector } = await startServer();
    const names = ['a/b', 'a%2Fb', '100%', 'with space', 'quote"d', "it's", 'ünï©ødé ☃ 𝄞', 'x/message/y', 'tail/message'];
    for (const name of names) {
      expect((await call(url, 'POST', `${API}/injection/${quote(name)}`)).status).toBe(200);
      expect(injector.isEnabled(name)).toBe(true);
      expect((await call(url, 'GET', `${API}/injection/${quote(name)}`)).json).toEqual([{ enabled: true }]);
      injector.enter(name);
      expect((await call(url, 'GET', `${API}/injection/${quote(name)}/enters`)).json).toBe(1);
    }
    // A literal slash in the path stays in the name.
    expect((await call(url, 'POST', `${API}/injection/p/q/r`)).status).toBe(200);
    expect(injector.isEnabled('p/q/r')).toBe(true);
    expect(((await call(url, 'GET', `${API}/injection`)).json as string[]).sort()).toEqual([...names, 'p/q/r'].sort());
  });
});

test('the names "." and "..", which URL-normalising clients cannot send, work from a raw client', async () => {
  const { url, injector } = await startServer();
  const { hostname, port } = new URL(url);
  for (const [raw, name] of [
    ['..', '..'],
    ['%2E', '.'],
    ['%2e%2E', '..'],
  ]) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: hostname, port, method: 'POST', path: `${API}/injection/${raw}` }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(injector.isEnabled(name)).toBe(true);
  }
});

describe('faultline-position: the stream position an enable armed at and a disable ended at', () => {
  test('an enable before any hit answers `<epoch>-0`; later ones the id of the last hit before it was applied', async () => {
    const { url, injector, group } = await startServer();
    const first = await call(url, 'POST', `${API}/injection/x`);
    expect(first.headers['faultline-position']).toBe(`${group.epoch}-0`);
    injector.enter('x');
    injector.enter('x');
    const again = await call(url, 'POST', `${API}/injection/x`, { query: '?one_shot=True' });
    expect(again.headers['faultline-position']).toBe(`${group.epoch}-2`);
    expect(again.text).toBe('');
    injector.enter('x');
    // A disable's position is read after every shard applied it: the last hit of what it disabled is in it.
    const disabled = await call(url, 'DELETE', `${API}/injection/x`);
    expect(disabled.headers['faultline-position']).toBe(`${group.epoch}-3`);
    const all = await call(url, 'DELETE', `${API}/injection`);
    expect(all.headers['faultline-position']).toBe(`${group.epoch}-3`);
  });

  test('a refused enable changes nothing and carries no position; reads and messages carry none', async () => {
    const { url, injector } = await startServer();
    const refused = await call(url, 'POST', `${API}/injection/x`, { query: '?one_shot=maybe' });
    expect(refused.status).toBe(400);
    expect(refused.headers['faultline-position']).toBeUndefined();
    expect(injector.isEnabled('x')).toBe(false);
    for (const [method, path] of [
      ['GET', '/injection'],
      ['GET', '/injection/x'],
      ['POST', '/injection/x/message'],
    ] as const) {
      expect((await call(url, method, `${API}${path}`)).headers['faultline-position']).toBeUndefined();
    }
  });
});

describe('REST errors are JSON { message, code } with the right status', () => {
  const expectError = (r: { status: number; json: unknown; headers: Record<string, unknown> }, status: number, code: string): void => {
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toEqual({ message: expect.any(String), code });
  };

  test('400: a bad name (malformed percent-encoding, control character, empty, too long, lone surrogate)', async () => {
    const { url, injector } = await startServer();
    for (const raw of ['%E0%A4%A', '%ZZ', 'a%0Ab', 'tab%09', '', 'x'.repeat(1025), '%ED%A0%80']) {
      expectError(await call(url, 'POST', `${API}/injection/${raw}`), 400, 'ERR_FAULTLINE_BAD_NAME');
      expectError(await call(url, 'GET', `${API}/injection/${raw}`), 400, 'ERR_FAULTLINE_BAD_NAME');
    }
    expect(injector.enabledInjections()).toEqual([]);
  });

  test('400: bad JSON, a body that is not an object, invalid UTF-8; nothing gets enabled', async () => {
    const { url, injector } = await startServer();
    const bad = await call(url, 'POST', `${API}/injection/x`, { body: '{"k": ' });
    expectError(bad, 400, 'ERR_FAULTLINE_BAD_JSON');
    expect((bad.json as { message: string }).message).toMatch(/^Failed to parse injections parameters: /);
    for (const body of ['[1,2]', '"str"', '42', 'null', 'true']) {
      expectError(await call(url, 'POST', `${API}/injection/x`, { body }), 400, 'ERR_FAULTLINE_BAD_BODY');
    }
    expectError(await call(url, 'POST', `${API}/injection/x`, { body: Buffer.from([0x7b, 0xff, 0x7d]) }), 400, 'ERR_FAULTLINE_BAD_JSON');
    expect(injector.enabledInjections()).toEqual([]);
  });

  test('400: a body over 1 MiB, with ScyllaDB\'s message, whether or not Content-Length announces it', async () => {
    const { url, injector, server } = await startServer();
    const big = JSON.stringify({ k: 'v'.repeat(1024 * 1024) });
    const r = await call(url, 'POST', `${API}/injection/x`, { body: big });
    expectError(r, 400, 'ERR_FAULTLINE_BODY_TOO_LARGE');
    expect((r.json as { message: string }).message).toBe('Injection parameters are too long, max length is 1048576');
    // Chunked, so the size is only found while reading.
    const chunked = await call(url, 'POST', `${API}/injection/x`, {
      body: Readable.from([Buffer.from(big.slice(0, 600_000)), Buffer.from(big.slice(600_000))]),
    });
    expectError(chunked, 400, 'ERR_FAULTLINE_BODY_TOO_LARGE');
    // Exactly the limit is fine.
    const exact = JSON.stringify({ k: 'v'.repeat(1024 * 1024 - 8) });
    expect(Buffer.byteLength(exact)).toBe(1024 * 1024);
    expect((await call(url, 'POST', `${API}/injection/x`, { body: exact })).status).toBe(200);
    expect(injector.get('x').parameters.k).toHaveLength(1024 * 1024 - 8);
    expect(server.stats().requests).toBe(0);
  });

  test('400: bad query values and unknown query parameters', async () => {
    const { url, injector } = await startServer();
    const cases: [string, string][] = [
      ['POST', '?one_shot=yes'],
      ['POST', '?one_shot=true&one_shot=false'],
      ['POST', '?count=0'],
      ['POST', '?count=1.5'],
      ['POST', '?count=-1'],
      ['POST', '?skip=x'],
      ['POST', '?probability=2'],
      ['POST', '?probability=NaN'],
      ['POST', '?seed=99999999999999999'],
      ['POST', '?oneShot=true'],
      ['GET', '?x=1'],
      ['DELETE', '?one_shot=true'],
    ];
    for (const [method, query] of cases) {
      expectError(await call(url, method, `${API}/injection/x`, { query }), 400, 'ERR_FAULTLINE_BAD_QUERY');
    }
    expectError(await call(url, 'GET', `${API}/injection`, { query: '?all=1' }), 400, 'ERR_FAULTLINE_BAD_QUERY');
    expectError(await call(url, 'POST', `${API}/injection/x/message`, { query: '?n=2' }), 400, 'ERR_FAULTLINE_BAD_QUERY');
    expectError(await call(url, 'GET', `${API}/injection/x/enters`, { query: '?n=2' }), 400, 'ERR_FAULTLINE_BAD_QUERY');
    expect(injector.enabledInjections()).toEqual([]);
  });

  test('404: unknown routes, including ScyllaDB routes we do not serve', async () => {
    const { url } = await startServer();
    // `/` is the dashboard's (a redirect, spec/server/create-server.spec.ts) unless it is off.
    for (const path of ['/v2', `${API}`, `${API}/`, `${API}/nothing`, `/v2/error_injection_x/injection`]) {
      expectError(await call(url, 'GET', path), 404, 'ERR_FAULTLINE_NOT_FOUND');
    }
  });

  test("501 for ScyllaDB's POST /disconnect/{ip}: faultline says it does not simulate disconnects, and nothing changes", async () => {
    const { url, injector } = await startServer();
    injector.enable('x');
    for (const ip of ['127.0.0.1', '%3A%3A1', '10.0.0.1']) {
      const reply = await call(url, 'POST', `${API}/disconnect/${ip}`);
      expectError(reply, 501, 'ERR_FAULTLINE_DISCONNECT_NOT_SUPPORTED');
      expect((reply.json as { message: string }).message).toContain('does not simulate network disconnects');
    }
    expect((await call(url, 'POST', `${API}/disconnect/%3A%3A1`)).json).toMatchObject({ message: expect.stringContaining('"::1"') });
    const get = await call(url, 'GET', `${API}/disconnect/10.0.0.1`);
    expectError(get, 405, 'ERR_FAULTLINE_METHOD_NOT_ALLOWED');
    expect(get.headers.allow).toBe('POST');
    expect(injector.enabledInjections()).toEqual(['x']);
  });

  test('405 with Allow for a wrong method', async () => {
    const { url } = await startServer();
    const cases: [string, string, string][] = [
      ['PUT', `${API}/injection/x`, 'GET, POST, DELETE'],
      ['POST', `${API}/injection`, 'GET, DELETE'],
      ['GET', `${API}/injection/x/message`, 'POST'],
      ['DELETE', `${API}/injection/x/enters`, 'GET'],
      ['POST', `${API}/events`, 'GET'],
      ['OPTIONS', `${API}/injection/x`, 'GET, POST, DELETE'],
      ['PATCH', `${API}/injection`, 'GET, DELETE'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await call(url, method, path);
      expectError(r, 405, 'ERR_FAULTLINE_METHOD_NOT_ALLOWED');
      expect(r.headers.allow).toBe(allow);
    }
  });

  test('401 when a token is set and the request has none or a wrong one; the right one passes', async () => {
    const { url, injector } = await startServer({ token: 's3cret' });
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope' }, { authorization: 'Basic czNjcmV0' }, { authorization: 'Bearer' }];
    for (const headers of attempts) {
      const r = await call(url, 'POST', `${API}/injection/x`, { headers });
      expectError(r, 401, 'ERR_FAULTLINE_UNAUTHORIZED');
      expect(r.headers['www-authenticate']).toBe('Bearer realm="faultline"');
      // The token comes before everything else: a bad name or method does not leak past it.
      expectError(await call(url, 'PUT', `${API}/injection/%ZZ`, { headers }), 401, 'ERR_FAULTLINE_UNAUTHORIZED');
    }
    expect(injector.enabledInjections()).toEqual([]);
    // access_token only counts on the event stream.
    expectError(await call(url, 'GET', `${API}/injection`, { query: '?access_token=s3cret' }), 401, 'ERR_FAULTLINE_UNAUTHORIZED');
    expect((await call(url, 'POST', `${API}/injection/x`, { headers: { authorization: 'bearer s3cret' } })).status).toBe(200);
    expect(injector.isEnabled('x')).toBe(true);
  });

  test('403 for a state-changing request from another origin; same origin, allowed origins and no Origin pass', async () => {
    const { url, injector } = await startServer({ allowedOrigins: ['http://localhost:5173'] });
    const host = new URL(url).host;
    for (const origin of ['http://evil.example', 'null', `https://${host}`, 'http://localhost:5174']) {
      for (const [method, path] of [
        ['POST', `${API}/injection/x`],
        ['DELETE', `${API}/injection`],
        ['DELETE', `${API}/injection/x`],
        ['POST', `${API}/injection/x/message`],
      ]) {
        expectError(await call(url, method, path, { headers: { origin, 'content-type': 'text/plain' } }), 403, 'ERR_FAULTLINE_FORBIDDEN_ORIGIN');
      }
    }
    expect(injector.enabledInjections()).toEqual([]);
    // Reading is not refused (without CORS headers a page cannot read the answer anyway).
    expect((await call(url, 'GET', `${API}/injection`, { headers: { origin: 'http://evil.example' } })).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/a`, { headers: { origin: `http://${host}` } })).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/b`, { headers: { origin: 'http://localhost:5173' } })).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/c`)).status).toBe(200);
    expect(injector.enabledInjections().sort()).toEqual(['a', 'b', 'c']);
  });

  test('409 when injections are switched off in the process (FAULTLINE=off)', async () => {
    const group = new ShardGroup({ injector: new ErrorInjector({ enabled: false }) });
    const { url } = await startServer({ shards: group });
    expectError(await call(url, 'POST', `${API}/injection/x`), 409, 'ERR_FAULTLINE_OFF');
    expect((await call(url, 'GET', `${API}/injection`)).json).toEqual([]);
    await group.close();
  });

  test('503 with ERR_FAULTLINE_GROUP_CLOSED once the group behind the server is closed', async () => {
    const { url, group } = await startServer();
    await group.close();
    for (const [method, path] of [
      ['POST', `${API}/injection/x`],
      ['GET', `${API}/injection`],
      ['GET', `${API}/injection/x`],
      ['DELETE', `${API}/injection`],
      ['POST', `${API}/injection/x/message`],
      ['GET', `${API}/injection/x/enters`],
    ]) {
      expectError(await call(url, method, path), 503, 'ERR_FAULTLINE_GROUP_CLOSED');
    }
  });

  test('503 past maxStreams for streams and past maxConnections for REST, each apart from the other', async () => {
    const { url, server } = await startServer({ maxStreams: 2, maxConnections: 1 });
    const a = await SseClient.open(url + `${API}/events`);
    const b = await SseClient.open(url + `${API}/events`);
    const refused = await call(url, 'GET', `${API}/events`);
    expectError(refused, 503, 'ERR_FAULTLINE_UNAVAILABLE');
    expect(refused.headers['retry-after']).toBe('1');
    expect((refused.json as { message: string }).message).toBe('the server is serving its maximum of 2 event streams; try again');
    // Two open streams do not count against REST's limit of 1.
    expect((await call(url, 'GET', `${API}/injection`)).status).toBe(200);
    a.close();
    await until(() => server.stats().streams === 1, 'the stream to close');
    const c = await SseClient.open(url + `${API}/events`);
    b.close();
    c.close();
  });
});
