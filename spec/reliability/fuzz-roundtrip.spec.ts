import fc from 'fast-check';
import type { InjectionStream } from '../../lib/client/injection-stream';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import { closeStands, startStand, trackStream, type Stand } from './support/stand';

// Any name and any parameters go in through the REST client (InjectionApi) and come out of the event stream
// through the faultline client (openInjectionStream, waitForInjection) intact, from the main thread and from a
// worker shard (where they cross a BroadcastChannel in packed columns). spec/server/roundtrip.spec.ts checks
// the same on the wire with a raw reader; this checks the client's end of it. The worker runs the BUILT
// package: `npm run build` first.
//
// Bounds: 150 runs or 25 s, whichever comes first.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const GUARD = 20_000;

/** Every name the server takes: 1 to 1024 characters, well-formed, no control characters (see docs/protocol.md). */
const nameArb = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "'", '/', '\\', ' ', '%', '%2F', '%25', '?', '#', '&', '+', '=', '/message', '/enters', '..', '\u2028', '\u00a0', '\ufeff', '\u{1f600}', '\u{10ffff}'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''))
  .filter(
    (name) =>
      name.length <= 1024 &&
      !CONTROL.test(name) &&
      Buffer.from(name, 'utf8').toString('utf8') === name &&
      // Dot segments: URL-normalising clients (undici among them) remove them from any path.
      name !== '.' &&
      name !== '..',
  );

/** Parameters: any keys and values, lone surrogates and control characters included (they travel as JSON). */
const parametersArb = fc.dictionary(
  fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'toString', '1', '')),
  fc.oneof(fc.string({ unit: 'binary', maxLength: 16 }), fc.constantFrom('"', '\n', '\r\n', '\\', '\u0000', '', 'x'.repeat(2000))),
  { maxKeys: 6, noNullPrototype: true },
);

let stand: Stand;
let stream: InjectionStream;

afterAll(closeStands);

beforeAll(async () => {
  stand = await startStand({ workers: 1 });
  // fullParams: the default stream keeps each event's parameters within 4 KiB; this property is about all of them.
  stream = trackStream(await openInjectionStream(stand.url, { replay: 1000, fullParams: true }));
});

describe('any name and parameters round-trip REST -> shards -> event stream -> faultline client', () => {
  test('property', async () => {
    const { api, main, workers } = stand;
    await fc.assert(
      fc.asyncProperty(nameArb, parametersArb, fc.boolean(), async (name, parameters, filtered) => {
        const expected = Object.fromEntries(Object.entries(parameters));
        const entries = Object.entries(expected);
        // A stream filtered on the name (sent as ?injection=) gets it too.
        const only = filtered ? await openInjectionStream(stand.url, { injection: name, fullParams: true }) : undefined;
        try {
          await api.enable(name, { parameters: expected });
          expect(await api.list()).toEqual([name]);
          const state = entries.length === 0 ? { enabled: true } : { enabled: true, parameters: entries.map(([key, value]) => ({ key, value })) };
          expect(await api.get(name)).toEqual([state, state]);

          const mark = stream.mark();
          expect(await workers[0].hit(name, 'enter')).toEqual({ fired: 1 });
          expect(main.enter(name)).toBe(true);
          for (const shard of [0, 1]) {
            const event = await stream.waitForInjection(name, { shard, since: mark, timeout: GUARD });
            expect(event).toMatchObject({ injection: name, type: 'lambda', shard, node: stand.url });
            expect(event.params ?? {}).toEqual(expected);
            expect(Object.keys(event.params ?? {})).toEqual(Object.keys(expected));
          }
          if (only !== undefined) {
            const first = await only.waitForInjection(name, { timeout: GUARD });
            expect(first.injection).toBe(name);
            expect(first.params ?? {}).toEqual(expected);
          }
          expect(await api.enters(name)).toBe(2);

          await api.disable(name);
          expect(await api.get(name)).toEqual([{ enabled: false }, { enabled: false }]);
        } finally {
          await only?.close();
          await api.disableAll();
        }
      }),
      { numRuns: 150, interruptAfterTimeLimit: 25_000 },
    );
    expect(stream.gaps).toEqual([]);
  });
});
