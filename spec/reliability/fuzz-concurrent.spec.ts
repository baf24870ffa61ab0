import fc from 'fast-check';
import { Agent, request } from 'undici';
import type { InjectionStream } from '../../lib/client/injection-stream';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import { API, quote } from '../server/support/http';
import { SseClient } from '../server/support/sse-client';
import { until } from '../server/support/until';
import { closeStands, onCleanup, startStand, trackStream, type Stand } from './support/stand';

// Random REST requests in concurrent batches, against a server with worker shards, while event streams stay
// open and hits flow on every shard: never a 5xx, every refusal a JSON { message, code }; afterwards every
// shard agrees on the state of every name, no request or subscription is left over, and the streams that
// stayed open still get every hit. spec/server/fuzz.spec.ts sends random malformed requests one at a time to
// a main-thread-only server; this is about concurrency: requests racing each other, stream opens and aborts,
// and broadcasts to workers. The workers run the BUILT package: `npm run build` first.
//
// Bounds: 120 batches of 1 to 12 requests, or 25 s.

const POOL = ['a', 'b', 'c/d', 'ü "q"', '%25', 'x'.repeat(300)];
const GUARD = 20_000;

type Op =
  | { kind: 'enable'; name: string; query: string; body: string | undefined }
  | { kind: 'disable'; name: string }
  | { kind: 'disableAll' }
  | { kind: 'message'; name: string }
  | { kind: 'get'; name: string }
  | { kind: 'enters'; name: string }
  | { kind: 'list' }
  | { kind: 'stream'; query: string; lastEventId: string | undefined; abortAfterHead: boolean };

const nameArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...POOL) }, fc.string({ minLength: 0, maxLength: 6 }));
/** Mostly valid enable queries (so that enables race each other), sometimes one bad value. */
const enableQueryArb = fc
  .tuple(
    fc.record(
      {
        one_shot: fc.constantFrom('true', 'False', '1', '0'),
        count: fc.constantFrom('1', '3'),
        skip: fc.constantFrom('0', '2'),
        probability: fc.constantFrom('0.5', '1'),
        seed: fc.constantFrom('7', '4294967295'),
      },
      { requiredKeys: [] },
    ),
    fc.oneof(
      { weight: 5, arbitrary: fc.constant(undefined) },
      fc.constantFrom(['one_shot', 'yes'], ['count', '0'], ['skip', '-1'], ['probability', '2'], ['seed', 'x'], ['bogus', '1']),
    ),
  )
  .map(([valid, bad]) => {
    const entries: [string, string][] = Object.entries(valid);
    if (bad !== undefined) entries.push(bad as [string, string]);
    return entries.length === 0 ? '' : '?' + new URLSearchParams(entries).toString();
  });
const bodyArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 })
      .map((o) => JSON.stringify(o)),
  },
  fc.constantFrom('[]', '"s"', '{', '', 'null', '{"k":{"n":[1]}}'),
);
const streamQueryArb = fc
  .array(
    fc.oneof(
      fc.constantFrom(...POOL).map((n) => `injection=${encodeURIComponent(n)}`),
      fc.constantFrom('shard=0', 'shard=1', 'shard=2', 'shard=9', 'type=lambda', 'type=nope', 'handler=1', 'shard_down=1', 'injection=', 'what=1'),
    ),
    { maxLength: 3 },
  )
  .map((parts) => (parts.length === 0 ? '' : '?' + parts.join('&')));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('enable' as const), name: nameArb, query: enableQueryArb, body: bodyArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('disable' as const), name: nameArb }) },
  fc.constant({ kind: 'disableAll' as const }),
  fc.record({ kind: fc.constant('message' as const), name: nameArb }),
  fc.record({ kind: fc.constant('get' as const), name: nameArb }),
  fc.record({ kind: fc.constant('enters' as const), name: nameArb }),
  fc.constant({ kind: 'list' as const }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('stream' as const),
      query: streamQueryArb,
      lastEventId: fc.option(fc.constantFrom('zz-1', 'garbage', '', 'x'.repeat(300)), { nil: undefined }),
      abortAfterHead: fc.boolean(),
    }),
  },
);

let stand: Stand;
let dispatcher: Agent;

beforeAll(async () => {
  stand = await startStand({ workers: 2 });
  dispatcher = new Agent({ connections: 16 });
});

afterAll(async () => {
  await dispatcher.close();
  await closeStands();
});

/** Sends one op; returns a description of what was wrong with the answer, or undefined. */
async function run(op: Op): Promise<string | undefined> {
  const path = (name: string): string => `${API}/injection/${quote(name)}`;
  let method = 'GET';
  let target: string;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  switch (op.kind) {
    case 'enable':
      method = 'POST';
      target = path(op.name) + op.query;
      body = op.body;
      break;
    case 'disable':
      method = 'DELETE';
      target = path(op.name);
      break;
    case 'disableAll':
      method = 'DELETE';
      target = `${API}/injection`;
      break;
    case 'message':
      method = 'POST';
      target = path(op.name) + '/message';
      break;
    case 'get':
      target = path(op.name);
      break;
    case 'enters':
      target = path(op.name) + '/enters';
      break;
    case 'list':
      target = `${API}/injection`;
      break;
    case 'stream':
      target = `${API}/events${op.query}`;
      if (op.lastEventId !== undefined) headers['last-event-id'] = op.lastEventId;
      break;
  }
  const controller = new AbortController();
  const res = await request(stand.url + target, { method: method as 'GET', body, headers, dispatcher, signal: controller.signal });
  const what = `${method} ${target} -> ${res.statusCode}`;
  if (res.statusCode >= 500) return `${what}: ${await res.body.text()}`;
  if (res.headers['content-type'] === 'text/event-stream; charset=utf-8') {
    if (res.statusCode !== 200) return `${what}: an event stream with a status other than 200`;
    // Read the first bytes (or none), then go away in the middle of the stream.
    if (op.kind === 'stream' && !op.abortAfterHead) {
      for await (const _chunk of res.body) break;
    }
    controller.abort();
    await res.body.text().catch(() => undefined);
    return undefined;
  }
  const text = await res.body.text();
  if (res.statusCode < 300) return undefined;
  if (res.headers['content-type'] !== 'application/json') return `${what}: refusal not JSON: ${text}`;
  const parsed = JSON.parse(text) as { message?: unknown; code?: unknown };
  if (typeof parsed.message !== 'string' || typeof parsed.code !== 'string' || !parsed.code.startsWith('ERR_FAULTLINE_')) {
    return `${what}: refusal is not { message, code }: ${text}`;
  }
  return undefined;
}

describe('random REST requests, concurrently, while streams are open and hits flow on every shard', () => {
  test('never a 5xx; afterwards the shards agree, nothing leaked, and the open streams got every hit', async () => {
    const { server, api, main, workers, url, group } = stand;
    // Streams that stay open through it all: our client, one asking for handler events, and a plain reader.
    const client: InjectionStream = trackStream(await openInjectionStream(url, { replay: 100_000 }));
    const withHandlers = trackStream(await openInjectionStream(url, { handlerEvents: true, replay: 100_000 }));
    const plain = await SseClient.open(`${url}${API}/events`);
    onCleanup(() => plain.close());

    // Hits on every shard the whole time, on a name outside the pool (the fuzz may disable it: re-enabled each turn).
    let hitting = true;
    let fired = 0;
    const hitter = (async () => {
      while (hitting) {
        await api.enable('flow');
        const replies = workers.map((w) => w.hit('flow', 'enter', 25));
        for (let i = 0; i < 25; i++) if (main.enter('flow')) fired++;
        for (const r of await Promise.all(replies)) fired += r.fired;
      }
    })();

    const problems: string[] = [];
    let sent = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
          sent += ops.length;
          const found = (await Promise.all(ops.map(run))).filter((p): p is string => p !== undefined);
          problems.push(...found);
          expect(found).toEqual([]);
        }),
        { numRuns: 120, interruptAfterTimeLimit: 25_000 },
      );
    } finally {
      hitting = false;
      await hitter;
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(100);

    // Nothing left over: only the three streams that stay open.
    await until(() => server.stats().requests === 3 && server.stats().streams === 3, 'only the three open streams left');
    expect(server.stats().subscriptions).toEqual([3, 3, 3]);
    expect(group.subscriberCounts()).toEqual([3, 3, 3]);

    // Every shard agrees on every name: broadcasts applied in the same order everywhere, however they raced.
    for (const name of [...POOL, 'flow']) {
      const states = await api.get(name);
      expect({ name, states }).toEqual({ name, states: [states[0], states[0], states[0]] });
    }

    // The streams that stayed open got every hit, once each, in order.
    await api.enable('last');
    main.enter('last');
    await Promise.all(workers.map((w) => w.hit('last', 'enter')));
    const total = fired + 3;
    for (const s of [client, withHandlers]) {
      await until(() => s.mark().seq >= total, `${total} hits on the client`, GUARD);
      const ids: number[] = [];
      s.injection$.subscribe((e) => ids.push(Number(String(e.id).split('-')[1]))).unsubscribe();
      expect(ids).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
    const hits = await plain.waitForHits(total);
    expect(hits.map((m) => Number(String(m.id).split('-')[1]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(client.gaps).toEqual([]);
  });
});
