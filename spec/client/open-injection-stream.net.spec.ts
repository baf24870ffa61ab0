import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, toArray } from 'rxjs';
import { Agent } from 'undici';
import { ClientArgumentError, ContentTypeError, HttpError, NetworkError } from '../../lib/client/errors';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import { startScyllaStandIn, type ScyllaStandIn } from '../helpers/scylla-stand-in';

const GUARD = 10_000;

/** A port nothing listens on: bound, then closed. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('openInjectionStream', () => {
  let node: ScyllaStandIn;

  beforeEach(async () => {
    node = await startScyllaStandIn();
  });

  afterEach(async () => {
    await node.close();
  });

  it('resolves once the server answered, so a hit right after is never missed', async () => {
    const stream = await openInjectionStream(node.url);
    try {
      // No waiting for anything: the server already holds our response open.
      expect(node.streams.size).toBe(1);
      node.emit('x');
      await expect(stream.waitForInjection('x', { timeout: GUARD })).resolves.toMatchObject({ injection: 'x' });
      expect(stream.status).toBe('open');
      const req = node.requests.find((r) => r.url.startsWith('/v2/error_injection/events'));
      expect(req?.headers.accept).toBe('text/event-stream');
    } finally {
      await stream.close();
    }
  });

  it('sends the filters to the server and applies them itself, since a ScyllaDB node ignores them', async () => {
    const stream = await openInjectionStream(node.url, { injection: ['a', 'b'], shard: 1, type: 'sleep' });
    try {
      const url = node.requests.at(-1)?.url;
      expect(url).toBe('/v2/error_injection/events?injection=a&injection=b&shard=1&type=sleep&shard_down=1&control=1');
      node.emit('c', 'sleep', 1);
      node.emit('a', 'sleep', 0);
      node.emit('a', 'handler', 1);
      node.emit('b', 'sleep', 1);
      await stream.waitForInjection('b', { timeout: GUARD });
      await stream.close();
      const all = await firstValueFrom(stream.injection$.pipe(toArray()));
      expect(all.map((e) => [e.injection, e.type, e.shard, e.seq])).toEqual([['b', 'sleep', 1, 1]]);
    } finally {
      await stream.close();
    }
  });

  it('asks for handler events with handler=1 and delivers them on handler$, never as hits', async () => {
    const stream = await openInjectionStream(node.url, { handlerEvents: true });
    try {
      expect(node.requests.at(-1)?.url).toBe('/v2/error_injection/events?handler=1&shard_down=1&control=1');
      node.write('event: handler\ndata: {"injection":"h","phase":"waiting","shard":1,"ts":5}\n\n');
      node.emit('h', 'handler', 1);
      const waiting = await firstValueFrom(stream.handler$);
      expect(waiting).toEqual({ injection: 'h', phase: 'waiting', shard: 1, ts: 5, node: node.url });
      await expect(stream.waitForInjection('h', { timeout: GUARD })).resolves.toMatchObject({ seq: 1 });
    } finally {
      await stream.close();
    }
  });

  it('sends a token as a bearer Authorization header', async () => {
    const stream = await openInjectionStream(node.url, { token: 's3cret', headers: { 'x-test': 'yes' } });
    await stream.close();
    expect(node.requests.at(-1)?.headers).toMatchObject({ authorization: 'Bearer s3cret', 'x-test': 'yes' });
  });

  it('rejects with NetworkError naming the node when the connection is refused', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}`;
    const err = await openInjectionStream(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: 'ERR_FAULTLINE_NETWORK', node: url });
    expect((err as Error).message).toMatch(new RegExp(`^node ${url}: cannot reach .*ECONNREFUSED`));
  });

  it('rejects with HttpError carrying the status and the body of a refusal', async () => {
    node.answerNextEventsWith((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"shard 3 is down","code":"ERR_X"}');
    });
    const err = await openInjectionStream(node.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({
      code: 'ERR_FAULTLINE_HTTP',
      status: 500,
      body: '{"message":"shard 3 is down","code":"ERR_X"}',
      serverMessage: 'shard 3 is down',
      serverCode: 'ERR_X',
      node: node.url,
    });
    expect((err as Error).message).toContain('answered 500: shard 3 is down');
  });

  it('rejects a plain-text refusal with its text, and a 204 as a refusal too', async () => {
    node.answerNextEventsWith((_req, res) => res.writeHead(503).end('busy'));
    await expect(openInjectionStream(node.url)).rejects.toMatchObject({ status: 503, body: 'busy' });
    node.answerNextEventsWith((_req, res) => res.writeHead(204).end());
    await expect(openInjectionStream(node.url)).rejects.toThrow(/answered 204: \(empty body\)/);
  });

  it('rejects with ContentTypeError when the answer is not an event stream, unless told to accept it', async () => {
    node.answerNextEventsWith((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'));
    const err = await openInjectionStream(node.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContentTypeError);
    expect(err).toMatchObject({ code: 'ERR_FAULTLINE_CONTENT_TYPE', contentType: 'application/json' });
    // A server that labels its stream application/json (as ScyllaDB's unmerged branch may) can be read anyway.
    node.answerNextEventsWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(': connected\n\ndata: {"injection":"x","type":"lambda","shard":0}\n\n');
    });
    const lenient = await openInjectionStream(node.url, { strictContentType: false });
    await expect(lenient.waitForInjection('x', { timeout: GUARD })).resolves.toMatchObject({ type: 'lambda' });
    await lenient.close();
  });

  it('accepts the content type with parameters and in any case', async () => {
    node.answerNextEventsWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'Text/Event-Stream; charset=utf-8' });
      res.write(': hi\n\n');
    });
    const stream = await openInjectionStream(node.url);
    await stream.close();
  });

  it('refuses bad arguments with ClientArgumentError', async () => {
    await expect(openInjectionStream([])).rejects.toThrow(ClientArgumentError);
    await expect(openInjectionStream('nope')).rejects.toThrow(/is not a URL/);
    await expect(openInjectionStream(node.url, { replay: 0 })).rejects.toThrow(/replay must be an integer >= 1/);
    await expect(openInjectionStream(node.url, { idleTimeout: -5 })).rejects.toThrow(/idleTimeout/);
    await expect(openInjectionStream(node.url, { shard: -1 })).rejects.toThrow(/shard filter: -1 is not valid/);
    await expect(openInjectionStream(node.url, { type: 'boom' as never })).rejects.toThrow(/type filter/);
    await expect(openInjectionStream([node.url, node.url + '/'])).rejects.toThrow(/is given twice/);
    // Nothing was requested for any of them.
    expect(node.requests).toEqual([]);
  });

  it('uses a dispatcher it is given, and leaves it open', async () => {
    const agent = new Agent({ bodyTimeout: 0 });
    const stream = await openInjectionStream(node.url, { dispatcher: agent });
    node.emit('x');
    await stream.waitForInjection('x', { timeout: GUARD });
    await stream.close();
    expect(agent.destroyed).toBe(false);
    await agent.close();
  });
});

describe('openInjectionStream on several nodes', () => {
  it('rejects naming the node that is down, and closes the ones that answered', async () => {
    const up = await startScyllaStandIn();
    const upToo = await startScyllaStandIn();
    const down = `http://127.0.0.1:${await refusedPort()}`;
    try {
      const err = await openInjectionStream([up.url, down, upToo.url]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).node).toBe(down);
      expect((err as Error).message).toContain(`node ${down}`);
      // The two that answered were closed again.
      await Promise.all([until(() => up.streams.size === 0), until(() => upToo.streams.size === 0)]);
      expect(up.requests.length + upToo.requests.length).toBe(2);
    } finally {
      await up.close();
      await upToo.close();
    }
  });

  it('with no dispatcher given, holds one connection per node and ends them all on close', async () => {
    const a = await startScyllaStandIn();
    const b = await startScyllaStandIn();
    try {
      const stream = await openInjectionStream([a.url, b.url]);
      expect([a.streams.size, b.streams.size]).toEqual([1, 1]);
      a.emit('x');
      b.emit('y');
      await stream.waitForInjection('x', { timeout: GUARD });
      await stream.waitForInjection('y', { timeout: GUARD });
      await stream.close();
      await Promise.all([until(() => a.streams.size === 0), until(() => b.streams.size === 0)]);
      expect(a.requests.length + b.requests.length).toBe(2);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  const end = Date.now() + GUARD;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met: ${condition.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
