import { injector } from '../../lib/injector';
import { createInjectionServer, type InjectionServer } from '../../lib/server';
import { API, call, quote } from './support/http';
import { ScyllaLineReader } from './support/scylla-line-reader';
import { until } from './support/until';

// What ScyllaDB's test/pylib/rest_client.py sends, byte for byte where it matters: names quoted with safe='',
// one_shot as str(bool), parameters as {k: str(v)} in a JSON body, and a stream read line by line.
describe('a ScyllaDB-style session against the default server (main-thread injector)', () => {
  let server: InjectionServer;
  let stream: ScyllaLineReader | undefined;

  beforeEach(async () => {
    server = await createInjectionServer({ port: 0 });
  });
  afterEach(async () => {
    stream?.disconnect();
    await server.close();
    injector.disableAll();
  });

  test('enable one-shot with parameters, hit, read the event, wait_for_injection_enter, message the handler, disable', async () => {
    const name = 'raft/pause "before" apply';
    stream = await ScyllaLineReader.connect(`${server.url}${API}/events`);

    // enable_injection(node_ip, injection, one_shot=True, parameters={"delay": 5, "mode": "x"})
    const enable = await call(server.url, 'POST', `${API}/injection/${quote(name)}`, {
      query: '?one_shot=True',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ delay: String(5), mode: 'x' }),
    });
    expect(enable.status).toBe(200);
    expect((await call(server.url, 'GET', `${API}/injection`)).json).toEqual([name]);
    expect((await call(server.url, 'GET', `${API}/injection/${quote(name)}`)).json).toEqual([
      { enabled: true, parameters: [{ key: 'delay', value: '5' }, { key: 'mode', value: 'x' }] },
    ]);

    // The application code: a breakpoint that parks until the test messages it.
    let seenDelay: string | undefined;
    const parked = injector.injectHandler(name, async (handler) => {
      seenDelay = handler.parameters.delay;
      await handler.waitForMessage({ timeout: 20_000 });
    });
    expect(parked).toBeDefined();

    const event = await stream.waitForInjection(name);
    expect(event).toMatchObject({ injection: name, type: 'handler', shard: 0, params: { delay: '5', mode: 'x' } });
    expect(Object.keys(event).slice(0, 3)).toEqual(['injection', 'type', 'shard']);

    // wait_for_injection_enter polls /enters until it reaches the threshold.
    expect((await call(server.url, 'GET', `${API}/injection/${quote(name)}/enters`)).json).toBe(1);
    // An ongoing one-shot handler reads as not enabled (ScyllaDB's rule).
    expect((await call(server.url, 'GET', `${API}/injection/${quote(name)}`)).json).toEqual([{ enabled: false }]);

    expect((await call(server.url, 'POST', `${API}/injection/${quote(name)}/message`)).status).toBe(200);
    await parked;
    expect(seenDelay).toBe('5');
    expect((await call(server.url, 'DELETE', `${API}/injection/${quote(name)}`)).status).toBe(200);
    expect((await call(server.url, 'GET', `${API}/injection`)).json).toEqual([]);
  });

  test('inject_error (not one-shot): every data: line the Python reader sees is a hit, whatever else the server sends', async () => {
    stream = await ScyllaLineReader.connect(`${server.url}${API}/events`);
    // Another client resumes with a stale id (it gets a gap) and asks for handler events: none of that may
    // reach a reader that did not ask.
    const other = await ScyllaLineReader.connect(`${server.url}${API}/events?handler=1&lastEventId=old-1`);
    const enable = await call(server.url, 'POST', `${API}/injection/x`, { query: '?one_shot=False', body: '{}' });
    expect(enable.status).toBe(200);
    for (let i = 0; i < 3; i++) injector.enter('x');
    const h = injector.injectHandler('x', (handler) => handler.waitForMessage({ timeout: 20_000 }));
    await call(server.url, 'POST', `${API}/injection/x/message`);
    await h;
    await until(() => stream!.events.length === 4, 'four hits');
    expect(stream.events.map((e) => [e.injection, e.type])).toEqual([
      ['x', 'lambda'],
      ['x', 'lambda'],
      ['x', 'lambda'],
      ['x', 'handler'],
    ]);
    await until(() => other.events.length >= 7, 'the other client\'s hits, gap and handler events');
    expect(other.events.some((e) => e.reason === 'restart')).toBe(true);
    other.disconnect();
  });
});
