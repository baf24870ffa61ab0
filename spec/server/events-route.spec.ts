import { request } from 'undici';
import { API, call } from './support/http';
import { closeAll, startServer, track } from './support/servers';
import { SseClient, type SseMessage } from './support/sse-client';
import { until } from './support/until';

afterEach(closeAll);

const open = async (url: string, query = '', headers: Record<string, string> = {}): Promise<SseClient> =>
  track(await SseClient.open(`${url}${API}/events${query}`, headers));

const data = (m: SseMessage): Record<string, unknown> => JSON.parse(m.data) as Record<string, unknown>;

describe('GET /events', () => {
  test('answers text/event-stream with no-cache, no-transform, x-accel-buffering: no, never compressed; a comment and retry: at once', async () => {
    const { url } = await startServer({ retryMs: 1000 });
    const s = await open(url, '', { 'accept-encoding': 'gzip, deflate, br' });
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.headers['cache-control']).toBe('no-cache, no-transform');
    expect(s.headers['x-accel-buffering']).toBe('no');
    expect(s.headers['content-encoding']).toBeUndefined();
    expect(s.raw.startsWith(': connected\n')).toBe(true);
    await until(() => s.retry !== undefined, 'retry:');
    expect(s.retry).toBeGreaterThanOrEqual(1000);
    expect(s.retry).toBeLessThan(1500);
  });

  test('each hit is an event with id: and data: whose first fields are injection, type, shard, then ts and params', async () => {
    const { url, injector, group } = await startServer();
    const s = await open(url);
    injector.enable('x', { parameters: { k: 'v' } });
    injector.enter('x');
    const m = await s.next();
    expect(m.event).toBeUndefined();
    expect(m.id).toBe(`${group.epoch}-1`);
    expect(m.data.startsWith('{"injection":"x","type":"lambda","shard":0,"ts":')).toBe(true);
    expect(data(m)).toEqual({ injection: 'x', type: 'lambda', shard: 0, ts: expect.any(Number), params: { k: 'v' } });
    expect(s.raw).toContain(`id: ${group.epoch}-1\ndata: {"injection":"x"`);
  });

  test('heartbeat comments keep an idle stream open', async () => {
    const { url } = await startServer({ heartbeatMs: 10 });
    const s = await open(url);
    await until(() => s.comments.filter((c) => c.trim() === 'heartbeat').length >= 3, 'three heartbeats');
    expect(s.messages).toEqual([]);
  });

  test('filters: injection (repeatable), type, shard', async () => {
    const { url, injector } = await startServer();
    const byName = await open(url, '?injection=a&injection=c%2Fd');
    const byType = await open(url, '?type=exception');
    const byShard = await open(url, '?shard=0&type=lambda&type=exception');
    const all = await open(url);
    for (const name of ['a', 'b', 'c/d']) injector.enable(name);
    injector.enter('a');
    injector.enter('b');
    expect(() => injector.injectError('c/d')).toThrow();
    await all.waitForHits(3);
    await byName.waitForHits(2);
    await byType.waitForHits(1);
    await byShard.waitForHits(3);
    // The unfiltered stream saw all three, so everything the filtered ones will get has been sent.
    expect(all.hits.map((m) => data(m).injection)).toEqual(['a', 'b', 'c/d']);
    expect(byName.hits.map((m) => data(m).injection)).toEqual(['a', 'c/d']);
    expect(byType.hits.map((m) => data(m).injection)).toEqual(['c/d']);
    expect(byShard.hits.map((m) => data(m).injection)).toEqual(['a', 'b', 'c/d']);
  });

  test('an unknown or bad filter is a 400 JSON error, not an empty stream', async () => {
    const { url, server } = await startServer();
    for (const query of ['?type=sleepy', '?shard=1', '?shard=-1', '?shard=x', '?injection=', '?injection=a%0Ab', '?injections=a', '?handler=maybe', '?lastEventId=a%0Ab']) {
      const r = await call(url, 'GET', `${API}/events`, { query });
      expect(r.status).toBe(400);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.json).toEqual({ message: expect.any(String), code: expect.stringMatching(/^ERR_FAULTLINE_BAD_(QUERY|NAME)$/) });
    }
    expect(server.stats().streamsOpened).toBe(0);
  });

  test('handler=1 adds named `event: handler` events; a plain client never gets them', async () => {
    const { url, injector } = await startServer();
    const plain = await open(url);
    const withHandler = await open(url, '?handler=1');
    injector.enable('h');
    const done = injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 20_000 }));
    await withHandler.next((m) => m.event === 'handler' && JSON.parse(m.data).phase === 'waiting', 'waiting');
    await call(url, 'POST', `${API}/injection/h/message`);
    await done;
    await withHandler.next((m) => m.event === 'handler' && JSON.parse(m.data).phase === 'released', 'released');
    expect(withHandler.hits.map((m) => data(m).injection)).toEqual(['h']);
    await plain.waitForHits(1);
    // Something sent after the handler events reached the plain client, so it got everything it was sent.
    injector.enable('after');
    injector.enter('after');
    await plain.waitForHits(2);
    expect(plain.messages.every((m) => m.event === undefined)).toBe(true);
    expect(plain.hits.map((m) => data(m).injection)).toEqual(['h', 'after']);
  });

  test('a client that reconnects with Last-Event-ID gets every event it missed, none twice', async () => {
    const { url, injector } = await startServer();
    injector.enable('x');
    const first = await open(url);
    for (let i = 0; i < 5; i++) injector.enter('x');
    const seen = await first.waitForHits(5);
    first.close();
    for (let i = 0; i < 7; i++) injector.enter('x');
    const again = await open(url, '', { 'last-event-id': seen[2].id as string });
    for (let i = 0; i < 3; i++) injector.enter('x');
    const resumed = await again.waitForHits(12);
    const ids = [...seen.slice(0, 3), ...resumed].map((m) => m.id);
    expect(new Set(ids).size).toBe(15);
    expect(ids.map((id) => Number(String(id).split('-')[1]))).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(again.messages.some((m) => m.event === 'gap')).toBe(false);
  });

  test('lastEventId in the query (browsers cannot set the header on first connect); the header wins over it', async () => {
    const { url, injector, group } = await startServer();
    injector.enable('x');
    for (let i = 0; i < 4; i++) injector.enter('x');
    const byQuery = await open(url, `?lastEventId=${group.epoch}-2`);
    expect((await byQuery.waitForHits(2)).map((m) => m.id)).toEqual([`${group.epoch}-3`, `${group.epoch}-4`]);
    const both = await open(url, `?lastEventId=${group.epoch}-1`, { 'last-event-id': `${group.epoch}-3` });
    expect((await both.waitForHits(1)).map((m) => m.id)).toEqual([`${group.epoch}-4`]);
  });

  test('`<epoch>-0` as Last-Event-ID replays the whole history, with no gap: every hit is after it', async () => {
    const { url, injector, group } = await startServer();
    const armed = (await call(url, 'POST', `${API}/injection/x`)).headers['faultline-position'] as string;
    injector.enter('x');
    injector.enter('x');
    const client = await open(url, '', { 'last-event-id': armed });
    expect((await client.waitForHits(2)).map((m) => m.id)).toEqual([`${group.epoch}-1`, `${group.epoch}-2`]);
    expect(client.messages.some((m) => m.event === 'gap')).toBe(false);
  });
  test('a resume older than the history gets a named gap event first; a client without Last-Event-ID never does', async () => {
    const { url, injector, group } = await startServer({}, { historySize: 3 });
    injector.enable('x');
    const plain = await open(url);
    for (let i = 0; i < 6; i++) injector.enter('x');
    const resumed = await open(url, '', { 'last-event-id': `${group.epoch}-1` });
    const gap = await resumed.next();
    expect(gap.event).toBe('gap');
    expect(JSON.parse(gap.data)).toMatchObject({ reason: 'history', lastEventId: `${group.epoch}-1`, oldestId: `${group.epoch}-4` });
    expect((await resumed.waitForHits(3)).map((m) => m.id)).toEqual([4, 5, 6].map((n) => `${group.epoch}-${n}`));
    // From another epoch (a restarted server): a gap too.
    const stale = await open(url, '', { 'last-event-id': 'zzzz-3' });
    expect(JSON.parse((await stale.next()).data)).toMatchObject({ reason: 'restart', lastEventId: 'zzzz-3' });
    await plain.waitForHits(6);
    expect(plain.messages.some((m) => m.event !== undefined)).toBe(false);
  });

  test('the token: Authorization header, or access_token in the query for browsers; 401 otherwise', async () => {
    const { url } = await startServer({ token: 'tok' });
    const noToken = await call(url, 'GET', `${API}/events`);
    expect(noToken.status).toBe(401);
    expect(noToken.json).toEqual({ message: expect.any(String), code: 'ERR_FAULTLINE_UNAUTHORIZED' });
    expect((await call(url, 'GET', `${API}/events`, { query: '?access_token=bad' })).status).toBe(401);
    expect((await open(url, '', { authorization: 'Bearer tok' })).status).toBe(200);
    expect((await open(url, '?access_token=tok')).status).toBe(200);
  });

  test('close() ends every stream cleanly (the body ends) and resolves once the server is down', async () => {
    const { url, server, injector } = await startServer();
    const streams = await Promise.all([open(url), open(url), open(url)]);
    injector.enable('x');
    injector.enter('x');
    await Promise.all(streams.map((s) => s.waitForHits(1)));
    // A keep-alive REST connection that stays idle must not hold close() up.
    expect((await call(url, 'GET', `${API}/injection`)).status).toBe(200);
    await server.close();
    for (const s of streams) await s.waitForEnd();
    expect(streams.every((s) => s.endedCleanly)).toBe(true);
    expect(server.server.listening).toBe(false);
    expect(server.stats().streams).toBe(0);
    expect(server.stats().subscriptions).toEqual([0]);
    await expect(request(url + `${API}/injection`)).rejects.toThrow();
  });

  test('a stream ends when its group closes', async () => {
    const { url, group } = await startServer();
    const s = await open(url);
    await group.close();
    await s.waitForEnd();
  });
});
