import { openInjectionStream } from '../../lib/client';
import { EVENT_PARAMS_MAX_BYTES } from '../../lib/event';
import { MAX_BODY_BYTES } from '../../lib/server/errors';
import { API, call } from './support/http';
import { AIOHTTP_LINE_LIMIT, ScyllaLineReader } from './support/scylla-line-reader';
import { closeAll, startServer } from './support/servers';
import { until } from './support/until';

afterEach(closeAll);

/** What an event line of the default stream is kept under: a name of 1024 characters, escaped, plus the cut parameters. */
const EVENT_LINE_BOUND = 16 * 1024;

// The largest parameters ScyllaDB accepts: a body of exactly 1 MiB.
function megabyteBody(): { body: string; big: string } {
  const skeleton = JSON.stringify({ note: 'kept', big: '' });
  const big = 'v'.repeat(MAX_BODY_BYTES - Buffer.byteLength(skeleton));
  const body = JSON.stringify({ note: 'kept', big });
  expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
  return { body, big };
}

describe('event size on the default stream', () => {
  test('with a 1 MiB parameter enabled, every line stays under the bound and hits of other injections keep arriving', async () => {
    const { url, injector } = await startServer();
    const reader = await ScyllaLineReader.connect(`${url}${API}/events`);
    const { body, big } = megabyteBody();
    expect((await call(url, 'POST', `${API}/injection/huge`, { body })).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/other`)).status).toBe(200);

    for (let i = 0; i < 3; i++) {
      injector.enter('huge');
      injector.enter('other');
    }
    // What wait_for_injection does: it pops events of other names and throws them away.
    for (let i = 0; i < 3; i++) expect(await reader.waitForInjection('other')).toMatchObject({ injection: 'other', params: {} });
    expect(reader.failure).toBeUndefined();
    expect(reader.longestLine).toBeLessThan(EVENT_LINE_BOUND);
    expect(EVENT_LINE_BOUND).toBeLessThanOrEqual(AIOHTTP_LINE_LIMIT / 8);

    injector.enter('huge');
    const huge = await reader.waitForInjection('huge');
    expect(huge).toEqual({ injection: 'huge', type: 'lambda', shard: 0, ts: expect.any(Number), params: { note: 'kept' }, paramsTruncated: true });
    expect(reader.longestLine).toBeLessThan(EVENT_LINE_BOUND);

    // The whole set is always on the state route.
    const state = (await call(url, 'GET', `${API}/injection/huge`)).json as { parameters: { key: string; value: string }[] }[];
    expect(state[0].parameters).toEqual([
      { key: 'note', value: 'kept' },
      { key: 'big', value: big },
    ]);
    reader.disconnect();
  });

  test('our client gets the whole parameters when it asks (fullParams), the cut ones with the marker when it does not', async () => {
    const { url, injector } = await startServer();
    const { body, big } = megabyteBody();
    await using whole = await openInjectionStream(url, { fullParams: true });
    await using bounded = await openInjectionStream(url);
    expect((await call(url, 'POST', `${API}/injection/huge`, { body })).status).toBe(200);
    injector.enter('huge');

    const full = await whole.waitForInjection('huge', { timeout: 20_000 });
    expect(full.params).toEqual({ note: 'kept', big });
    expect(full.paramsTruncated).toBeUndefined();
    const cut = await bounded.waitForInjection('huge', { timeout: 20_000 });
    expect(cut.params).toEqual({ note: 'kept' });
    expect(cut.paramsTruncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(cut.params))).toBeLessThanOrEqual(EVENT_PARAMS_MAX_BYTES);
  });

  test('params=full and params=bounded are the only values; a replay after Last-Event-ID is bounded too', async () => {
    const { url, injector, server } = await startServer();
    for (const query of ['?params=all', '?params=', '?params=full&params=full']) {
      const reply = await call(url, 'GET', `${API}/events`, { query });
      expect({ query, status: reply.status, code: (reply.json as { code: string }).code }).toEqual({ query, status: 400, code: 'ERR_FAULTLINE_BAD_QUERY' });
    }
    expect(server.stats().streamsOpened).toBe(0);

    const { body, big } = megabyteBody();
    await using whole = await openInjectionStream(url, { fullParams: true });
    expect((await call(url, 'POST', `${API}/injection/huge`, { body })).status).toBe(200);
    expect((await call(url, 'POST', `${API}/injection/marker`)).status).toBe(200);
    injector.enter('marker');
    injector.enter('huge');
    injector.enter('huge');
    const marker = await whole.waitForInjection('marker', { timeout: 20_000 });
    expect((await whole.waitForInjection('huge', { timeout: 20_000 })).params?.big).toBe(big);

    // Resuming after the marker replays both hits from the history: cut, as live ones are.
    const reader = await ScyllaLineReader.connect(`${url}${API}/events?params=bounded&lastEventId=${marker.id}`);
    await until(() => reader.events.length === 2, 'the two replayed hits');
    expect(reader.events.map((e) => [e.injection, e.paramsTruncated])).toEqual([
      ['huge', true],
      ['huge', true],
    ]);
    expect(reader.longestLine).toBeLessThan(EVENT_LINE_BOUND);
    reader.disconnect();
  });
});
