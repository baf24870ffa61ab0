import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientArgumentError, HttpError, NetworkError, ResponseShapeError } from '../../lib/client/errors';
import { InjectionApi } from '../../lib/client/injection-api';
import { startScyllaStandIn, type ScyllaStandIn } from '../helpers/scylla-stand-in';

// The REST client must send exactly what ScyllaDB's own test client (test/pylib/rest_client.py) sends, so
// the stand-in records each request and the tests compare them byte for byte.

describe('InjectionApi', () => {
  let node: ScyllaStandIn;
  let api: InjectionApi;

  beforeEach(async () => {
    node = await startScyllaStandIn();
    api = new InjectionApi(node.url);
  });

  afterEach(async () => {
    await node.close();
  });

  const sent = () => node.requests.map((r) => ({ method: r.method, url: r.url, body: r.body }));

  it("enables as ScyllaDB's client does: one_shot=False and a {} body when there are no parameters", async () => {
    // A ScyllaDB node gives no position: the enable resolves all the same, saying so.
    await expect(api.enable('my_injection')).resolves.toEqual({ position: undefined, shardsDown: [] });
    expect(sent()).toEqual([{ method: 'POST', url: '/v2/error_injection/injection/my_injection?one_shot=False', body: '{}' }]);
    expect(node.requests[0].headers['content-type']).toBe('application/json');
  });

  it('enables one-shot with string parameters (others sent as their string form)', async () => {
    await api.enable('x', { oneShot: true, parameters: { table: 't1', delay: 100, on: true } });
    expect(sent()).toEqual([
      {
        method: 'POST',
        url: '/v2/error_injection/injection/x?one_shot=True',
        body: '{"table":"t1","delay":"100","on":"true"}',
      },
    ]);
    await expect(api.get('x')).resolves.toEqual([
      { enabled: true, parameters: [{ key: 'table', value: 't1' }, { key: 'delay', value: '100' }, { key: 'on', value: 'true' }] },
      { enabled: true, parameters: [{ key: 'table', value: 't1' }, { key: 'delay', value: '100' }, { key: 'on', value: 'true' }] },
    ]);
  });

  it('sends a scope as faultline\'s scope query parameter, and only when one is given', async () => {
    await api.enable('x', { scope: 't-1', oneShot: true });
    await api.disable('x', { scope: 't-1' });
    await api.message('x', { scope: 't-1' });
    await api.disable('x');
    expect(sent().map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v2/error_injection/injection/x?one_shot=True&scope=t-1',
      'DELETE /v2/error_injection/injection/x?scope=t-1',
      'POST /v2/error_injection/injection/x/message?scope=t-1',
      'DELETE /v2/error_injection/injection/x',
    ]);
  });

  it('refuses a scope that is not a string before sending anything', async () => {
    await expect(api.enable('x', { scope: 7 as unknown as string })).rejects.toThrow(
      new ClientArgumentError('enable("x"): scope must be a string, not 7'),
    );
    await expect(api.disable('x', { scope: 7 as unknown as string })).rejects.toThrow(new ClientArgumentError('scope must be a string, not 7'));
    expect(sent()).toEqual([]);
  });

  it("sends faultline's extensions as extra query parameters", async () => {
    await api.enable('x', { count: 3, skip: 1, probability: 0.5, seed: 42 });
    expect(sent()[0].url).toBe('/v2/error_injection/injection/x?one_shot=False&count=3&skip=1&probability=0.5&seed=42');
  });

  it("percent-encodes names as Python's quote(name, safe='') does, on every route", async () => {
    const name = 'a/b c?d#e&f';
    await api.enable(name);
    await api.get(name);
    await api.enters(name);
    await api.message(name);
    await api.disable(name);
    const enc = 'a%2Fb%20c%3Fd%23e%26f';
    expect(sent().map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST /v2/error_injection/injection/${enc}?one_shot=False`,
      `GET /v2/error_injection/injection/${enc}`,
      `GET /v2/error_injection/injection/${enc}/enters`,
      `POST /v2/error_injection/injection/${enc}/message`,
      `DELETE /v2/error_injection/injection/${enc}`,
    ]);
  });

  it('asks faultline\'s lifetime count on its own route, the name encoded the same way; a ScyllaDB node has none (404)', async () => {
    await expect(api.lifetimeEnters('a/b c')).rejects.toMatchObject({ status: 404 });
    expect(sent().map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v2/error_injection/lifetime_enters/a%2Fb%20c']);
  });

  it("asks faultline's parked handlers on their own route; a ScyllaDB node has none (404)", async () => {
    await expect(api.parked()).rejects.toMatchObject({ status: 404 });
    expect(sent().map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v2/error_injection/parked']);
  });

  it('lists, reads, counts, messages, disables and disables all', async () => {
    await api.enable('a');
    await api.enable('b');
    await expect(api.list()).resolves.toEqual(['a', 'b']);
    node.emit('a');
    node.emit('a');
    await expect(api.enters('a')).resolves.toBe(2);
    await expect(api.message('a')).resolves.toBeUndefined();
    await api.disable('a');
    await expect(api.list()).resolves.toEqual(['b']);
    await expect(api.get('a')).resolves.toEqual([{ enabled: false }, { enabled: false }]);
    await api.disableAll();
    await expect(api.list()).resolves.toEqual([]);
    expect(sent().filter((r) => r.method === 'DELETE').map((r) => r.url)).toEqual([
      '/v2/error_injection/injection/a',
      '/v2/error_injection/injection',
    ]);
    // Only enable sends a body.
    expect(sent().filter((r) => r.method !== 'POST' || r.url.endsWith('/message')).every((r) => r.body === '')).toBe(true);
  });

  it('sends the token, and works under a path prefix', async () => {
    const authed = new InjectionApi(node.url + '/', { token: 't0k', headers: { 'x-run': '7' } });
    await authed.list();
    expect(node.requests[0].headers).toMatchObject({ authorization: 'Bearer t0k', 'x-run': '7' });
    expect(new InjectionApi('http://h:1/mounted/').base.href).toBe('http://h:1/mounted/v2/error_injection');
  });

  it('turns an error status into HttpError with the status, the body and the server message', async () => {
    node.failRestWith(403, '{"message":"cross-origin request refused","code":"ERR_FAULTLINE_ORIGIN"}');
    const err = await api.enable('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({
      code: 'ERR_FAULTLINE_HTTP',
      status: 403,
      method: 'POST',
      body: '{"message":"cross-origin request refused","code":"ERR_FAULTLINE_ORIGIN"}',
      serverMessage: 'cross-origin request refused',
      serverCode: 'ERR_FAULTLINE_ORIGIN',
    });
    expect((err as Error).message).toBe(
      `POST ${node.url}/v2/error_injection/injection/x?one_shot=False answered 403: cross-origin request refused`,
    );
    node.failRestWith(500, 'plain words');
    await expect(api.list()).rejects.toMatchObject({ status: 500, body: 'plain words' });
  });

  it('refuses a response of the wrong shape with ResponseShapeError', async () => {
    node.failRestWith(200, '{"not":"a list"}');
    await expect(api.list()).rejects.toThrow(ResponseShapeError);
    await expect(api.enters('x')).rejects.toThrow(/not a number/);
    node.failRestWith(200, '<html>');
    await expect(api.get('x')).rejects.toMatchObject({ code: 'ERR_FAULTLINE_RESPONSE', body: '<html>' });
    for (const body of ['{}', '[{"injection":"h","shard":0}]', '[{"injection":1,"shard":0,"waiters":1}]', '[null]']) {
      node.failRestWith(200, body);
      await expect(api.parked()).rejects.toThrow(/GET \S+\/parked answered .*not an array of parked handlers/s);
    }
  });

  it('refuses an empty name before sending anything', async () => {
    await expect(api.enable('')).rejects.toThrow(ClientArgumentError);
    await expect(api.enable('x', { count: Number.NaN })).rejects.toThrow(/count must be a number/);
    expect(node.requests).toEqual([]);
  });

  it('reports a refused connection as NetworkError', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await new InjectionApi(`http://127.0.0.1:${port}`).list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v2\/error_injection\/injection: .*ECONNREFUSED/);
  });
});
