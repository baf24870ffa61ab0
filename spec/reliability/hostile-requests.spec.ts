import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { Agent } from 'undici';
import { MAX_JSON_DEPTH } from '../../lib/server/json-depth';
import { API, call } from '../server/support/http';
import { closeAll, startServer } from '../server/support/servers';

// Requests found by a black-box run (issue 17) that used to get a 500, no answer, a 200 stream or a reset.

afterEach(closeAll);

/** Sends `request` on a fresh socket and resolves with everything the server wrote before it closed. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(port), hostname, () => socket.write(request));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

/** POSTs `body` whole with node:http on a new connection; resolves with "status code", or the error a reset gives. */
function postWhole(url: string, path: string, body: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const req = httpRequest(url + path, { method: 'POST', agent: false, headers: { 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(`${res.statusCode} ${(JSON.parse(text) as { code: string }).code}`));
      res.on('error', (err: NodeJS.ErrnoException) => resolve(`failed: ${err.code ?? err.message}`));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`failed: ${err.code ?? err.message}`));
    req.end(body);
  });
}

function jsonBodyOf(raw: string): unknown {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
}

describe('hostile requests get a clear 4xx, and the server goes on', () => {
  test('a body nested 4,500 levels deep (30 kB) answers 400 ERR_FAULTLINE_JSON_TOO_DEEP, not a stack overflow 500', async () => {
    const { url, injector } = await startServer();
    const deepArray = '{"k":' + '['.repeat(4500) + ']'.repeat(4500) + '}';
    const deepObject = '{"k":' + '{"a":'.repeat(4500) + '1' + '}'.repeat(4500) + '}';
    expect(deepObject.length).toBeLessThan(30_000);
    for (const body of [deepArray, deepObject, '['.repeat(100_000)]) {
      const r = await call(url, 'POST', `${API}/injection/deep`, { body });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        code: 'ERR_FAULTLINE_JSON_TOO_DEEP',
        message: `Failed to parse injections parameters: the body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`,
      });
    }
    expect(injector.enabledInjections()).toEqual([]);
    // The limit is on nesting only: a value exactly at it, and brackets inside strings, are fine.
    const atLimit = '{"k":' + '['.repeat(MAX_JSON_DEPTH - 1) + ']'.repeat(MAX_JSON_DEPTH - 1) + ',"s":"' + '['.repeat(5000) + '"}';
    expect((await call(url, 'POST', `${API}/injection/deep`, { body: atLimit })).status).toBe(200);
    expect(injector.get('deep').parameters.s).toBe('['.repeat(5000));
  });

  test('CONNECT answers 405 JSON with Allow, instead of a silent close', async () => {
    const { url, server } = await startServer();
    const answer = await rawExchange(url, `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(answer).toMatch(/\r\ncontent-type: application\/json\r\n/);
    expect(answer).toMatch(/\r\nallow: GET, POST, DELETE\r\n/);
    expect(jsonBodyOf(answer)).toEqual({
      code: 'ERR_FAULTLINE_METHOD_NOT_ALLOWED',
      message: 'method CONNECT is not allowed; this server is not a proxy',
    });
    expect((await call(url, 'GET', `${API}/injection`)).status).toBe(200);
    expect(server.stats().requests).toBe(0);
  });

  test.each(['%FF', '%ED%A0%80', '%C0%AF'])('/events?injection=%s (not UTF-8) answers 400, not a 200 stream', async (bad) => {
    const { url, server } = await startServer();
    const r = await call(url, 'GET', `${API}/events`, { query: `?injection=${bad}` });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      code: 'ERR_FAULTLINE_BAD_QUERY',
      message: `the query ${JSON.stringify(`injection=${bad}`)} is not valid percent-encoded UTF-8`,
    });
    // The REST routes parse their queries the same way.
    expect((await call(url, 'POST', `${API}/injection/x`, { query: `?one_shot=${bad}` })).status).toBe(400);
    expect(server.stats().streamsOpened).toBe(0);
  });

  test('a 3 MiB body sent whole reads its 400 in 40 of 40 tries from node:http (no reset)', async () => {
    const { url, injector, server } = await startServer();
    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    const statuses: string[] = [];
    for (let i = 0; i < 40; i++) statuses.push(await postWhole(url, `${API}/injection/big`, big));
    expect(statuses).toEqual(new Array(40).fill('400 ERR_FAULTLINE_BODY_TOO_LARGE'));
    expect(injector.enabledInjections()).toEqual([]);
    expect(server.stats().requests).toBe(0);
  });

  test('so does a 3 MiB body from undici, whole or chunked, on kept-alive connections', async () => {
    const { url, injector, server } = await startServer();
    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    const agent = new Agent({ connections: 4 });
    try {
      const statuses: (number | string)[] = [];
      for (let i = 0; i < 40; i++) {
        const chunked = i % 4 === 3;
        const body = chunked ? Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]) : big;
        try {
          const res = await agent.request({ origin: url, path: `${API}/injection/big`, method: 'POST', body });
          const json = (await res.body.json()) as { code: string };
          statuses.push(`${res.statusCode} ${json.code}`);
        } catch (err) {
          statuses.push(`failed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
      }
      expect(statuses).toEqual(new Array(40).fill('400 ERR_FAULTLINE_BODY_TOO_LARGE'));
    } finally {
      await agent.close();
    }
    expect(injector.enabledInjections()).toEqual([]);
    expect(server.stats().requests).toBe(0);
  });
});
