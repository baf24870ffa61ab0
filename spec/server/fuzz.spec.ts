import { connect } from 'node:net';
import fc from 'fast-check';
import { request } from 'undici';
import { API, call } from './support/http';
import { closeAll, startServer } from './support/servers';
import { until } from './support/until';

afterEach(closeAll);

const segment = fc.oneof(
  fc.constantFrom('injection', 'events', 'message', 'enters', 'x', '', '%', '%2F', '%ZZ', '%E0%A4', '%00', '..', '.', '%C0%AF', '~', '*'),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 5 }).map(encodeURIComponent),
);
const pathArb = fc.oneof(
  fc.array(segment, { maxLength: 5 }).map((s) => `${API}/${s.join('/')}`),
  fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`),
  fc.constantFrom(`${API}/injection`, `${API}/events`, `${API}/injection/a`, `${API}/injection/a/message`, `${API}/injection/a/enters`),
);
const queryValue = fc.oneof(
  fc.constantFrom('true', 'False', '1', '0', '', '-1', '1e3', 'NaN', '0.5', '2', 'sleep', 'handler', 'a-1', '%', '%ZZ'),
  fc.string({ maxLength: 8 }),
);
const queryKey = fc.oneof(
  fc.constantFrom('one_shot', 'count', 'skip', 'probability', 'seed', 'injection', 'shard', 'type', 'handler', 'shard_down', 'lastEventId', 'access_token'),
  fc.string({ maxLength: 6 }),
);
const queryArb = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }).map((kv) => '?' + kv.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
  fc.string({ maxLength: 12 }).map((raw) => '?' + encodeURI(raw)),
);
const headerArb = fc.dictionary(
  fc.constantFrom('origin', 'authorization', 'last-event-id', 'content-type', 'accept', 'accept-encoding', 'x-junk'),
  fc.oneof(
    fc.constantFrom('http://evil.example', 'null', 'Bearer t', 'Bearer', 'application/json', 'text/plain', 'gzip', 'a-1', ''),
    fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  ),
  { maxKeys: 3 },
);
const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 2 }),
  fc.string({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null))).map((o) => JSON.stringify(o)),
);
const methodArb = fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'FOO');

describe('fuzz: random methods, paths, queries, headers and bodies', () => {
  test('never a 5xx, never a crash, every refusal a JSON { message, code }', async () => {
    const open = await startServer();
    const guarded = await startServer({ token: 't' });
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), methodArb, pathArb, queryArb, headerArb, bodyArb, async (useToken, method, path, query, headers, body) => {
        const base = useToken ? guarded.url : open.url;
        requests++;
        const withBody = method !== 'GET' && method !== 'HEAD' && body !== undefined;
        const res = await request(base + path + query, {
          method: method as 'GET',
          headers,
          body: withBody ? (body as string | Buffer) : undefined,
        });
        expect(res.statusCode).toBeLessThan(500);
        if (res.headers['content-type'] === 'text/event-stream; charset=utf-8') {
          expect(res.statusCode).toBe(200);
          res.body.destroy();
          return;
        }
        const text = await res.body.text();
        if (res.statusCode === 200 || method === 'HEAD') return;
        // The dashboard's redirects (`/` and `.../ui`): empty, with somewhere to go.
        if (res.statusCode === 302 || res.statusCode === 308) {
          expect({ location: typeof res.headers.location, text }).toEqual({ location: 'string', text: '' });
          return;
        }
        expect(res.headers['content-type']).toBe('application/json');
        const parsed = JSON.parse(text) as { message: unknown; code: unknown };
        expect(Object.keys(parsed)).toEqual(['message', 'code']);
        expect(typeof parsed.message).toBe('string');
        expect(parsed.code).toMatch(/^ERR_FAULTLINE_[A-Z_]+$/);
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 25_000 },
    );
    expect(requests).toBeGreaterThan(50);
    // Nothing leaked: every stream the fuzz opened is gone, and both servers still answer.
    for (const { server } of [open, guarded]) {
      await until(() => server.stats().streams === 0 && server.stats().requests === 0, 'no streams or requests left');
      expect(server.stats().subscriptions).toEqual([0]);
    }
    expect((await call(open.url, 'GET', `${API}/injection`)).status).toBe(200);
    expect((await call(guarded.url, 'GET', `${API}/injection`, { headers: { authorization: 'Bearer t' } })).status).toBe(200);
  });

  test('raw bytes that are not valid HTTP get a JSON 4xx or a closed connection, never a 5xx', async () => {
    const { url, server } = await startServer();
    const { port } = new URL(url);
    const lineArb = fc.oneof(
      fc.constantFrom(
        `GET ${API}/injection HTTP/1.1`,
        `POST ${API}/injection/x HTTP/1.1`,
        'GET / HTTP/9.9',
        'G\u00e9T / HTTP/1.1',
        'GET  HTTP/1.1',
        `GET ${API}/events HTTP/1.0`,
        'Host: 127.0.0.1',
        'Host: [',
        'Origin: http://evil.example',
        'Expect: nothing',
        'Expect: 100-continue',
        'Last-Event-ID: zz-1',
        'Content-Length: 5',
        'Content-Length: -1',
        'Content-Length: 99999999999999999999',
        'Transfer-Encoding: chunked',
        'Transfer-Encoding: chunked, identity',
        'Bad Header',
        ': no name',
        'X: \u0000',
        '',
      ),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(lineArb, { minLength: 1, maxLength: 6 }), fc.boolean(), async (lines, crlf) => {
        const raw = lines.join(crlf ? '\r\n' : '\n') + '\r\n\r\n';
        const reply = await new Promise<string>((resolve) => {
          let got = '';
          const socket = connect(Number(port), '127.0.0.1', () => socket.end(raw));
          socket.setEncoding('latin1');
          socket.on('data', (c: string) => {
            got += c;
            // A stream or a keep-alive answer would wait for more; the status line is what is checked.
            if (/\r\n\r\n/.test(got)) socket.destroy();
          });
          socket.on('error', () => {});
          socket.on('close', () => resolve(got));
        });
        if (reply === '') return;
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply);
        expect(status).not.toBeNull();
        expect(Number(status![1])).toBeLessThan(500);
        if (Number(status![1]) >= 400) expect(reply.toLowerCase()).toContain('content-type: application/json');
      }),
      { numRuns: 500, interruptAfterTimeLimit: 15_000 },
    );
    await until(() => server.stats().streams === 0 && server.stats().requests === 0, 'nothing left open');
    expect((await call(url, 'GET', `${API}/injection`)).status).toBe(200);
  });
});
