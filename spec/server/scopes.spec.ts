import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { runInInjectionScope } from '../../lib/injector/scope';
import { InjectionApi, openInjectionStream, type InjectionStream } from '../../lib/client';
import { InjectionEndedError } from '../../lib/client/errors';
import { API, call } from './support/http';
import { closeAll, startServer, track } from './support/servers';
import { SseClient } from './support/sse-client';

// Scopes over the wire: `?scope=` on the REST routes (our extension) and on the event stream, with reaches made
// in the server's own shard 0 under runInInjectionScope.

const streams: InjectionStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) await s.close();
  await closeAll();
});

async function open(url: string, options: Parameters<typeof openInjectionStream>[1] = {}): Promise<InjectionStream> {
  const stream = await openInjectionStream(url, options);
  streams.push(stream);
  return stream;
}

describe('scoped enables over REST', () => {
  test('POST ?scope= enables in that scope only; GET shows the scopes; DELETE ?scope= disables that one', async () => {
    const { url, injector } = await startServer();
    expect((await call(url, 'POST', `${API}/injection/x`, { query: '?scope=t1' })).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/x`, { query: '?scope=t2&one_shot=True' })).status).toBe(200);
    expect(injector.isEnabled('x', { scope: 't1' })).toBe(true);
    expect(injector.get('x', { scope: 't2' })).toMatchObject({ enabled: true, oneShot: true, scope: 't2' });
    expect(injector.get('x').enabled).toBe(false);

    // ScyllaDB's shape, with our `scopes` after it; the name is listed as enabled.
    expect((await call(url, 'GET', `${API}/injection/x`)).json).toEqual([{ enabled: false, scopes: ['t1', 't2'] }]);
    expect((await call(url, 'GET', `${API}/injection/x`, { query: '?scope=t1' })).json).toEqual([{ enabled: true }]);
    expect((await call(url, 'GET', `${API}/injection`)).json).toEqual(['x']);

    expect((await call(url, 'DELETE', `${API}/injection/x`, { query: '?scope=t1' })).status).toBe(200);
    expect([injector.isEnabled('x', { scope: 't1' }), injector.isEnabled('x', { scope: 't2' })]).toEqual([false, true]);
    expect((await call(url, 'DELETE', `${API}/injection/x`)).status).toBe(200);
    expect(injector.isEnabled('x')).toBe(false);
    expect((await call(url, 'GET', `${API}/injection`)).json).toEqual([]);
  });

  test('enters ?scope= counts that scope; a message ?scope= wakes that scope only', async () => {
    const { url, injector } = await startServer();
    const api = new InjectionApi(url);
    await api.enable('h', { scope: 'a' });
    await api.enable('h', { scope: 'b' });
    const a = runInInjectionScope('a', () => injector.injectHandler('h', (h) => h.waitForMessage({ timeout: 60_000 })));
    const b = runInInjectionScope('b', () => injector.injectHandler('h', (h) => h.waitForMessage({ timeout: 60_000 })));
    expect((await call(url, 'GET', `${API}/injection/h/enters`, { query: '?scope=a' })).json).toBe(1);
    expect((await call(url, 'GET', `${API}/injection/h/enters`)).json).toBe(0);
    await api.message('h', { scope: 'a' });
    await a;
    expect(injector.get('h', { scope: 'b' }).waiters).toBe(1);
    await api.disable('h');
    await b;
  });

  const bad: Array<[string, string, string, string]> = [
    ['an empty scope on enable', 'POST', '/injection/x', '?scope='],
    ['a scope with a space on enable', 'POST', '/injection/x', '?scope=a%20b'],
    ['a scope given twice on enable', 'POST', '/injection/x', '?scope=a&scope=b'],
    ['a scope too long on disable', 'DELETE', '/injection/x', '?scope=' + 'x'.repeat(129)],
    ['a scope with a newline on GET', 'GET', '/injection/x', '?scope=a%0Ab'],
    ['a non-ASCII scope on message', 'POST', '/injection/x/message', '?scope=%C3%A9'],
    ['an empty scope on enters', 'GET', '/injection/x/enters', '?scope='],
    ['an empty scope on the event stream', 'GET', '/events', '?scope='],
    ['a scope on the list route', 'GET', '/injection', '?scope=a'],
  ];
  test.each(bad)('%s: 400 naming the problem, nothing enabled', async (_label, method, path, query) => {
    const { url, injector } = await startServer();
    const reply = await call(url, method, API + path, { query });
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/scope/);
    expect(injector.enabledInjections()).toEqual([]);
  });

  test('the 400 for a bad scope says what is wrong with it', async () => {
    const { url } = await startServer();
    const reply = await call(url, 'POST', `${API}/injection/x`, { query: '?scope=a%20b' });
    expect(reply.json).toMatchObject({
      code: 'ERR_FAULTLINE_BAD_QUERY',
      message: 'query parameter "scope": a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got "a b"',
    });
  });
});

describe('scoped events', () => {
  test('a scoped hit carries "scope" after ScyllaDB\'s fields; an unscoped one has none', async () => {
    const { url, injector } = await startServer();
    const sse = track(await SseClient.open(`${url}${API}/events`));
    await new InjectionApi(url).enable('x', { scope: 't1' });
    await new InjectionApi(url).enable('y');
    runInInjectionScope('t1', () => injector.enter('x'));
    injector.enter('y');
    const [scoped, unscoped] = await sse.waitForHits(2);
    expect(scoped.data).toMatch(/^\{"injection":"x","type":"lambda","shard":0,"ts":\d+,"params":\{\},"scope":"t1"\}$/);
    expect(unscoped.data).toMatch(/^\{"injection":"y","type":"lambda","shard":0,"ts":\d+,"params":\{\}\}$/);
  });

  test('/events?scope= streams the hits of that scope only, live and replayed after Last-Event-ID', async () => {
    const { url, injector } = await startServer();
    const api = new InjectionApi(url);
    const { position } = await api.enable('x', { scope: 'a' });
    await api.enable('x', { scope: 'b' });
    await api.enable('x');
    for (const scope of ['a', 'b', undefined, 'a']) {
      if (scope === undefined) injector.enter('x');
      else runInInjectionScope(scope, () => injector.enter('x'));
    }
    const replayed = track(await SseClient.open(`${url}${API}/events?scope=a`, { 'last-event-id': position as string }));
    const live = track(await SseClient.open(`${url}${API}/events?scope=b&scope=a`));
    runInInjectionScope('b', () => injector.enter('x'));
    expect((await replayed.waitForHits(2)).map((m) => JSON.parse(m.data).scope)).toEqual(['a', 'a']);
    expect((await live.waitForHits(1)).map((m) => JSON.parse(m.data).scope)).toEqual(['b']);
  });

  test('a replayed hit is the message it was live, scope and all: Last-Event-ID, ?lastEventId= with ?scope=, and a client\'s `after`', async () => {
    const { url, injector } = await startServer();
    const api = new InjectionApi(url);
    const { position } = await api.enable('x', { scope: 'a', parameters: { k: 'v' } });
    await api.enable('x');
    await api.enable('y', { scope: 'b' });
    const live = track(await SseClient.open(`${url}${API}/events`));
    runInInjectionScope('a', () => injector.enter('x'));
    injector.enter('x');
    runInInjectionScope('b', () => injector.enter('y'));
    const sent = (await live.waitForHits(3)).map(({ id, data }) => ({ id, data }));
    expect(sent.map((m) => JSON.parse(m.data).scope)).toEqual(['a', undefined, 'b']);
    expect(sent[0].data).toMatch(/^\{"injection":"x","type":"lambda","shard":0,"ts":\d+,"params":\{"k":"v"\},"scope":"a"\}$/);

    // From the history's columns, not from kept objects: the same bytes as live.
    const replayed = track(await SseClient.open(`${url}${API}/events`, { 'last-event-id': position as string }));
    expect((await replayed.waitForHits(3)).map(({ id, data }) => ({ id, data }))).toEqual(sent);
    const ofB = track(await SseClient.open(`${url}${API}/events?scope=b&lastEventId=${encodeURIComponent(position as string)}`));
    runInInjectionScope('a', () => injector.enter('x')); // live after the replay, in a scope ofB does not read
    runInInjectionScope('b', () => injector.enter('y'));
    const ofBHits = await ofB.waitForHits(2);
    expect(ofBHits[0]).toMatchObject(sent[2]);
    expect(JSON.parse(ofBHits[1].data)).toMatchObject({ injection: 'y', scope: 'b' });
    expect(ofB.hits.map((m) => JSON.parse(m.data).scope)).toEqual(['b', 'b']);

    const stream = await open(url, { after: position });
    const seen = await firstValueFrom(stream.injection$.pipe(take(5), toArray(), timeout(10_000)));
    expect(seen.map((e) => [e.injection, e.scope])).toEqual([
      ['x', 'a'],
      ['x', undefined],
      ['y', 'b'],
      ['x', 'a'],
      ['y', 'b'],
    ]);
    expect('scope' in seen[1]).toBe(false);
  });

  test('a client wait with a scope sees only that scope\'s hits; one scope\'s disable does not end another\'s wait', async () => {
    const { url, injector } = await startServer();
    const stream = await open(url);
    const api = new InjectionApi(url);
    await api.enable('x', { scope: 'a' });
    const { position } = await api.enable('x', { scope: 'b' });
    const waitB = stream.waitForInjection('x', { scope: 'b', after: position, timeout: 10_000 });
    const waitA = stream.waitForInjection('x', { scope: 'a', timeout: 10_000 });
    await api.disable('x', { scope: 'b' });
    await expect(waitB).rejects.toBeInstanceOf(InjectionEndedError);
    runInInjectionScope('a', () => injector.enter('x'));
    await expect(waitA).resolves.toMatchObject({ injection: 'x', scope: 'a' });
  });

  test('openInjectionStream({ scope }) filters on the server and refuses a bad scope before connecting', async () => {
    const { url, injector } = await startServer();
    const stream = await open(url, { scope: 'a' });
    const api = new InjectionApi(url);
    await api.enable('x', { scope: 'a' });
    await api.enable('x', { scope: 'b' });
    runInInjectionScope('b', () => injector.enter('x'));
    runInInjectionScope('a', () => injector.enter('x'));
    const seen = await stream.waitForInjection('x', { timeout: 10_000 });
    expect(seen.scope).toBe('a');
    expect(stream.mark().seq).toBe(1);
    await expect(openInjectionStream(url, { scope: 'a b' })).rejects.toThrow('openInjectionStream: scope filter: "a b" is not valid');
  });
});
