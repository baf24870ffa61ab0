import fc from 'fast-check';
import { API, call, quote } from './support/http';
import { closeAll, startServer } from './support/servers';
import { SseClient } from './support/sse-client';

afterEach(closeAll);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Printable names, leaning on what breaks URL and JSON handling: quotes, slashes, spaces, %, route words. */
const nameArb = fc
  .array(
    fc.oneof(
      fc.constantFrom('"', "'", '/', '\\', ' ', '%', '%2F', '%25', '?', '#', '&', '+', '=', ';', '/message', '/enters', '..', '\u00a0', '☃', '𝄞'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
      fc.string({ minLength: 1, maxLength: 6 }),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''))
  // "." and ".." are dot segments that URL-normalising clients (undici, browsers, aiohttp) remove from any path,
  // encoded or not; rest-routes.spec shows a raw client can still use them.
  .filter((name) => name.length <= 1024 && !CONTROL.test(name) && name !== '.' && name !== '..');

const parametersArb = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'value', '1', '')),
  fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('"', '\n', '\r\n', '\\', '')),
  { maxKeys: 5, noNullPrototype: false },
);

describe('any name and parameters round-trip REST enable -> GET state -> hit -> SSE event intact', () => {
  test('property', async () => {
    const { url, injector } = await startServer();
    await fc.assert(
      fc.asyncProperty(nameArb, parametersArb, async (name, parameters) => {
        const expected = Object.fromEntries(Object.entries(parameters));
        const stream = await SseClient.open(`${url}${API}/events?injection=${encodeURIComponent(name)}`);
        try {
          const enable = await call(url, 'POST', `${API}/injection/${quote(name)}`, {
            query: '?one_shot=False',
            body: JSON.stringify(expected),
          });
          expect(enable.status).toBe(200);
          const entries = Object.entries(expected);
          expect((await call(url, 'GET', `${API}/injection/${quote(name)}`)).json).toEqual([
            entries.length === 0 ? { enabled: true } : { enabled: true, parameters: entries.map(([key, value]) => ({ key, value })) },
          ]);
          expect((await call(url, 'GET', `${API}/injection`)).json).toEqual([name]);

          expect(injector.enter(name)).toBe(true);
          const m = await stream.next();
          const event = JSON.parse(m.data) as Record<string, unknown>;
          expect(event.injection).toBe(name);
          expect(event.type).toBe('lambda');
          expect(event.params).toEqual(expected);
          expect(Object.keys(event.params as object)).toEqual(Object.keys(expected));
          expect((await call(url, 'GET', `${API}/injection/${quote(name)}/enters`)).json).toBe(1);

          expect((await call(url, 'DELETE', `${API}/injection/${quote(name)}`)).status).toBe(200);
          expect(injector.enabledInjections()).toEqual([]);
        } finally {
          stream.close();
        }
      }),
      { numRuns: 150, interruptAfterTimeLimit: 20_000 },
    );
  });
});
