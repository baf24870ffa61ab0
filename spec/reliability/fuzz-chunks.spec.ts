import { get } from 'node:http';
import fc from 'fast-check';
import { filter, firstValueFrom, timeout, type Subscription } from 'rxjs';
import { Agent } from 'undici';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import { encodeEvent, formatSseMessage, type InjectionEvent } from '../../lib/event';
import { API } from '../server/support/http';
import { closeAll, startServer } from '../server/support/servers';
import { rechunkBody, everyByte } from './support/rechunk';
import { startStaticSseServer, type StaticSseServer } from './support/static-sse-server';

// The event stream split at every possible chunk boundary, and at random sets of boundaries, parses to the
// same events through the client's own path: undici body -> NodeSource (streaming TextDecoder,
// eventsource-parser, last id) -> InjectionStream (injection$, handler$, gaps$, errors$). The bytes travel over
// a real loopback socket from a plain server; an undici interceptor hands them to the client in exactly the
// planned chunks (support/rechunk.ts). Boundaries fall inside multi-byte UTF-8 characters, between CR and LF,
// inside field names, and around the blank line that ends a message.
//
// Bounds: every boundary of a body captured from a real server (about 1.4 kB) and of a hand-made one (669
// bytes), each on one connection (see `everyBoundaryInCopies`); the first 48 boundaries on fresh connections;
// one-byte chunks; 150 random bodies with random splits.

const SENTINEL_SHARD = 2 ** 31 - 1;
/** Ends every body: once the client has it, it has parsed everything before it. */
const SENTINEL = Buffer.from(`data: {"injection":"end","type":"lambda","shard":${SENTINEL_SHARD}}\n\n`);
const GUARD = 20_000;

interface ClientView {
  readonly hits: unknown[];
  readonly handlers: unknown[];
  readonly gaps: unknown[];
  readonly problems: string[];
}

let sse: StaticSseServer;
let agent: Agent;

beforeAll(async () => {
  sse = await startStaticSseServer();
  agent = new Agent({ bodyTimeout: 0 });
});

afterAll(async () => {
  await agent.close();
  await sse.close();
});

/** Sends `body` (then the sentinel) to a faultline client in chunks ending at `cuts`, and returns what it made of it. */
async function throughClient(body: Buffer, cuts: readonly number[]): Promise<ClientView> {
  const full = Buffer.concat([body, SENTINEL]);
  const plan = [...new Set(cuts)].filter((c) => c > 0 && c < full.length).sort((a, b) => a - b);
  plan.push(full.length);
  const stream = await openInjectionStream(sse.url, {
    dispatcher: agent.compose(rechunkBody(plan)),
    headers: { 'x-body': sse.register(full) },
    replay: 1_000_000,
    reconnect: { attempts: 0 },
  });
  const handlers: unknown[] = [];
  const gaps: unknown[] = [];
  const problems: string[] = [];
  const subs: Subscription[] = [
    stream.handler$.subscribe((h) => handlers.push(h)),
    stream.gaps$.subscribe(({ ts: _ts, ...gap }) => gaps.push(gap)),
    stream.errors$.subscribe((e) => problems.push(e.code)),
  ];
  try {
    await firstValueFrom(stream.injection$.pipe(filter((e) => e.shard === SENTINEL_SHARD), timeout({ first: GUARD })));
    const hits: unknown[] = [];
    stream.injection$.subscribe((e) => e.shard !== SENTINEL_SHARD && hits.push(e)).unsubscribe();
    return { hits, handlers, gaps, problems };
  } finally {
    subs.forEach((s) => s.unsubscribe());
    await stream.close();
  }
}

/**
 * `copies` of `body` on one connection, copy i cut at its byte i + 1: every boundary of the body is tested in
 * one connection (a copy starts on a message boundary, so the parser's state there is a fresh message).
 */
async function everyBoundaryInCopies(body: Buffer): Promise<{ view: ClientView; perCopy: ClientView; copies: number }> {
  const copies = body.length - 1;
  const perCopy = await throughClient(body, []);
  const cuts = Array.from({ length: copies }, (_, i) => i * body.length + i + 1);
  const view = await throughClient(Buffer.concat(Array.from({ length: copies }, () => body)), cuts);
  return { view, perCopy, copies };
}

/** Which copy first differs from the single copy, if any: names the boundary that broke. */
function firstBrokenBoundary(view: ClientView, perCopy: ClientView, copies: number): string | undefined {
  const strip = (items: unknown[]): unknown[] => items.map((i) => ({ ...(i as object), seq: undefined }));
  const per = { hits: strip(perCopy.hits), handlers: perCopy.handlers, gaps: strip(perCopy.gaps) };
  for (let c = 0; c < copies; c++) {
    const slice = (items: unknown[], n: number): unknown[] => items.slice(c * n, (c + 1) * n);
    const got = {
      hits: strip(slice(view.hits, per.hits.length)),
      handlers: slice(view.handlers, per.handlers.length),
      gaps: strip(slice(view.gaps, per.gaps.length)),
    };
    try {
      expect(got).toEqual(per);
    } catch {
      return `the body cut after byte ${c + 1} parsed differently: ${JSON.stringify(got).slice(0, 500)}`;
    }
  }
  if (view.problems.length !== perCopy.problems.length * copies) return `problems: ${view.problems.length}`;
  return undefined;
}

// ---- a hand-made body with every feature a stream may carry ----------------------------------------------

type Style = '\n' | '\r\n' | '\r';

/** One SSE message block with the given line endings (the same inside a block, so CR + LF never merge two). */
function block(lines: readonly string[], style: Style): string {
  return lines.map((l) => l + style).join('') + style;
}

const handMade = Buffer.from(
  [
    block([': connected', 'retry: 2317'], '\n'),
    block(['id: e1-1', 'data: {"injection":"caf\u00e9 \u2603 \ud834\udd1e","type":"lambda","shard":0,"ts":1,"params":{"k":"v\\n\\"q\\""}}'], '\r\n'),
    block([': heartbeat'], '\r'),
    block(['event: handler', 'data: {"injection":"h","phase":"waiting","shard":2,"ts":5}'], '\n'),
    block(['id: e1-2', 'data:{"injection":"no space","type":"sleep","shard":3,"extra":[1,{"a":null}]}'], '\r'),
    block(['event: gap', 'data: {"reason":"history","lastEventId":"e1-0","oldestId":"e1-1"}'], '\r\n'),
    block(['data: not json at all'], '\n'),
    block(['event: something-new', 'data: {"x":1}'], '\n'),
    block(['id: e1-3', 'data: {"injection":"\u0444\u0430\u0439\u043b/\u65e5\u672c","type":"exception","shard":1}'], '\n'),
    block(['id:', 'data: {"injection":"empty id","type":"handler","shard":0}'], '\r\n'),
    block(['event: handler', 'data: {"injection":"h","phase":"released","shard":2,"ts":6}'], '\r'),
  ].join(''),
  'utf8',
);

describe('the client parses the stream the same whatever its chunk boundaries', () => {
  test('a hand-made body: the expected events, the same in one chunk, in one-byte chunks, and cut at every boundary', async () => {
    const whole = await throughClient(handMade, []);
    expect(whole.hits).toEqual([
      expect.objectContaining({ id: 'e1-1', injection: 'caf\u00e9 \u2603 \ud834\udd1e', params: { k: 'v\n"q"' }, seq: 1 }),
      expect.objectContaining({ id: 'e1-2', injection: 'no space', type: 'sleep', shard: 3, extra: [1, { a: null }], seq: 2 }),
      expect.objectContaining({ id: 'e1-3', injection: '\u0444\u0430\u0439\u043b/\u65e5\u672c', type: 'exception', seq: 3 }),
      expect.objectContaining({ injection: 'empty id', type: 'handler', seq: 4 }),
    ]);
    expect((whole.hits[3] as InjectionEvent).id).toBeUndefined();
    expect(whole.handlers).toEqual([
      expect.objectContaining({ injection: 'h', phase: 'waiting', shard: 2 }),
      expect.objectContaining({ injection: 'h', phase: 'released', shard: 2 }),
    ]);
    expect(whole.gaps).toEqual([expect.objectContaining({ reason: 'history', lastEventId: 'e1-0', oldestId: 'e1-1', seq: 2 })]);
    expect(whole.problems).toEqual(['ERR_FAULTLINE_PROTOCOL']);

    expect(await throughClient(handMade, everyByte(handMade.length))).toEqual(whole);
    const { view, perCopy, copies } = await everyBoundaryInCopies(handMade);
    expect(perCopy).toEqual(whole);
    expect(firstBrokenBoundary(view, perCopy, copies)).toBeUndefined();
  });

  test('a byte-order mark and the first bytes of a connection, cut at each of the first 48 boundaries on a fresh connection', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), handMade]);
    const whole = await throughClient(body, []);
    expect(whole).toEqual(await throughClient(handMade, []));
    for (let cut = 1; cut <= 48; cut++) expect({ cut, view: await throughClient(body, [cut]) }).toEqual({ cut, view: whole });
  });

  test('a body captured from a real faultline server: every boundary, and one-byte chunks', async () => {
    const body = await captureFromServer();
    const whole = await throughClient(body, []);
    expect(whole.hits.length).toBeGreaterThanOrEqual(8);
    expect(whole.handlers.map((h) => (h as { phase: string }).phase)).toEqual(['waiting', 'released']);
    expect(whole.gaps).toEqual([expect.objectContaining({ reason: 'restart', lastEventId: 'elsewhere-1' })]);
    expect(whole.problems).toEqual([]);
    expect(await throughClient(body, everyByte(body.length))).toEqual(whole);
    const { view, perCopy, copies } = await everyBoundaryInCopies(body);
    expect(firstBrokenBoundary(view, perCopy, copies)).toBeUndefined();
  });

  test('property: random bodies split at random boundaries parse as they do whole, and as they were written', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, fc.array(fc.nat(), { maxLength: 40 }), fc.boolean(), async ({ text, expected }, raw, bytewise) => {
        const body = Buffer.from(text, 'utf8');
        const cuts = bytewise ? everyByte(body.length) : raw.map((r) => 1 + (r % Math.max(1, body.length)));
        const view = await throughClient(body, cuts);
        expect(view.hits).toEqual(expected.hits);
        expect(view.handlers).toEqual(expected.handlers);
        expect(view.gaps).toEqual(expected.gaps);
        expect(view.problems).toEqual(expected.problems);
      }),
      { numRuns: 150, interruptAfterTimeLimit: 20_000 },
    );
  });
});

// ---- random bodies, with what the client must make of them -------------------------------------------------

const NODE = () => sse.url;

interface Expected {
  hits: unknown[];
  handlers: unknown[];
  gaps: unknown[];
  problems: string[];
}

type Item =
  | { kind: 'hit'; event: InjectionEvent; id: string | undefined }
  | { kind: 'handler'; injection: string; phase: 'waiting' | 'released'; shard: number }
  | { kind: 'gap'; reason: 'history' | 'restart'; lastEventId: string }
  | { kind: 'comment'; text: string }
  | { kind: 'retry'; ms: number }
  | { kind: 'unknown'; name: string }
  | { kind: 'garbage' };

/** Well-formed (it travels as UTF-8 text, not JSON) and without CR, LF or NUL: what an SSE field value can hold. */
const fieldText = fc
  .string({ unit: 'binary', maxLength: 12 })
  .filter((s) => !/[\r\n\0]/.test(s) && Buffer.from(s, 'utf8').toString('utf8') === s);
const nameArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 10 }), fc.string({ unit: 'grapheme', maxLength: 5 }), fc.constantFrom('a', '"', '\\', '\n', '\u2028'));
const paramsArb = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('\r\n', '"', '')), {
  maxKeys: 3,
});
const itemArb: fc.Arbitrary<Item> = fc.oneof(
  { weight: 5, arbitrary: fc.record({
    kind: fc.constant('hit' as const),
    event: fc.record(
      {
        injection: nameArb,
        type: fc.constantFrom('sleep', 'handler', 'exception', 'lambda' as const),
        shard: fc.nat(64),
        ts: fc.nat(),
        params: paramsArb,
        note: fc.string({ maxLength: 4 }),
      },
      { requiredKeys: ['injection', 'type', 'shard'] },
    ),
    id: fc.option(fc.oneof(fieldText, fc.constant('')), { nil: undefined }),
  }) },
  fc.record({ kind: fc.constant('handler' as const), injection: nameArb, phase: fc.constantFrom('waiting', 'released' as const), shard: fc.nat(8) }),
  fc.record({ kind: fc.constant('gap' as const), reason: fc.constantFrom('history', 'restart' as const), lastEventId: fieldText }),
  fc.record({ kind: fc.constant('comment' as const), text: fieldText }),
  fc.record({ kind: fc.constant('retry' as const), ms: fc.nat(100_000) }),
  fc.record({ kind: fc.constant('unknown' as const), name: fc.constantFrom('info', 'ping', 'shard-down') }),
  fc.constant({ kind: 'garbage' as const }),
);

const bodyArb = fc
  .array(fc.tuple(itemArb, fc.constantFrom<Style>('\n', '\r\n', '\r')), { maxLength: 12 })
  .map((items) => {
    let text = '';
    const expected: Expected = { hits: [], handlers: [], gaps: [], problems: [] };
    for (const [item, style] of items) {
      switch (item.kind) {
        case 'hit': {
          const data = encodeEvent(item.event);
          const lines = formatSseMessage(data, item.id).slice(0, -2).split('\n');
          text += block(lines, style);
          const decoded = JSON.parse(data) as Record<string, unknown>;
          if (item.id !== undefined && item.id !== '') decoded.id = item.id;
          expected.hits.push({ ...decoded, node: NODE(), seq: expected.hits.length + 1 });
          break;
        }
        case 'handler': {
          const event = { injection: item.injection, phase: item.phase, shard: item.shard, ts: 7 };
          text += block(['event: handler', `data: ${JSON.stringify(event)}`], style);
          expected.handlers.push({ ...event, node: NODE() });
          break;
        }
        case 'gap':
          text += block(['event: gap', `data: ${JSON.stringify({ reason: item.reason, lastEventId: item.lastEventId, oldestId: null })}`], style);
          expected.gaps.push({ node: NODE(), reason: item.reason, lastEventId: item.lastEventId, oldestId: undefined, seq: expected.hits.length });
          break;
        case 'comment':
          text += block([`:${item.text}`], style);
          break;
        case 'retry':
          text += block([`retry: ${item.ms}`], style);
          break;
        case 'unknown':
          text += block([`event: ${item.name}`, 'data: {"shard":1}'], style);
          break;
        case 'garbage':
          text += block(['data: {"injection":'], style);
          expected.problems.push('ERR_FAULTLINE_PROTOCOL');
          break;
      }
    }
    return { text, expected };
  });

// ---- a body from the real server ----------------------------------------------------------------------------

/**
 * The raw body of a real faultline server's stream: a restart gap (the client claims an id of another server),
 * the history replayed after it, then live hits of every type and a handler's two phases; names and parameters
 * with multi-byte characters, quotes and newlines. Read with node:http, which takes off the chunked framing.
 */
async function captureFromServer(): Promise<Buffer> {
  const { url, injector } = await startServer({ heartbeatMs: 0 });
  try {
    injector.enable('h\u00e9llo "w\u00f6rld"', { parameters: { text: 'line1\nline2', emoji: '\ud83d\ude00' } });
    injector.enable('\u65e5\u672c/\u8a9e');
    injector.enable('sleepy');
    injector.enable('boom');
    injector.enable('pause');
    injector.inject('h\u00e9llo "w\u00f6rld"', () => undefined);
    injector.enter('\u65e5\u672c/\u8a9e');
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = get(`${url}${API}/events?handler=1`, { agent: false, headers: { 'last-event-id': 'elsewhere-1' } }, (res) => {
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (Buffer.concat(chunks).includes('"injection":"last"')) {
            req.destroy();
            resolve();
          }
        });
        void (async () => {
          for (let i = 0; i < 3; i++) injector.inject('h\u00e9llo "w\u00f6rld"', () => undefined);
          await injector.injectSleep('sleepy', 0);
          try {
            injector.injectError('boom');
          } catch {
            // The injected error is the point.
          }
          const handler = injector.injectHandler('pause', (h) => h.waitForMessage({ timeout: GUARD }));
          injector.receiveMessage('pause');
          await handler;
          injector.enable('last');
          injector.enter('last');
        })().catch(reject);
      });
      req.on('error', reject);
    });
    const body = Buffer.concat(chunks);
    // Up to the end of the message that holds the last hit.
    return body.subarray(0, body.indexOf('\n\n', body.indexOf('"injection":"last"')) + 2);
  } finally {
    await closeAll();
  }
}
