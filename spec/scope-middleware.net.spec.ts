import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { ErrorInjector } from '../lib/injector';
import { InvalidInjectionError } from '../lib/injector/errors';
import { currentInjectionScope } from '../lib/injector/scope';
import { injectionScope } from '../lib/scope-middleware';
import { expectError, thrownBy } from './helpers/expect-error';

// The app-side middleware with real servers on 127.0.0.1: node:http, Express and Fastify. Each app's handler
// reaches an injection point after awaiting a timer (and, for POSTs, after its body was parsed from a body sent
// in slow chunks), and answers what fired and in which scope it ran.

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A request with an optional scope header and a body sent in two chunks, a turn of the event loop apart. */
function send(port: number, method: 'GET' | 'POST', headers: Record<string, string | string[]> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path: '/reach', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode as number, body }));
      },
    );
    req.on('error', reject);
    if (method === 'GET') return void req.end();
    req.flushHeaders();
    setTimeout(() => {
      req.write('{"a":');
      setTimeout(() => req.end('1}'), 10);
    }, 10);
  });
}

/** What each app does: wait a timer, reach point 'x', answer `<fired> <scope>`. */
async function reach(inj: ErrorInjector): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return `${inj.enter('x')} ${currentInjectionScope() ?? '-'}`;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function listen(server: Server): Promise<number> {
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

type App = (inj: ErrorInjector, handled: { count: number }) => Promise<number>;

const nodeHttp: App = (inj, handled) => {
  const scope = injectionScope({ injector: inj });
  const app = (req: IncomingMessage, res: ServerResponse): void => {
    handled.count++;
    req.resume();
    req.on('end', () => void reach(inj).then((body) => res.end(body)));
  };
  return listen(createServer((req, res) => scope(req, res, () => app(req, res))));
};

const expressApp: App = (inj, handled) => {
  const app = express();
  app.use(express.json());
  app.use(injectionScope({ injector: inj }));
  app.all('/reach', (_req, res) => {
    handled.count++;
    void reach(inj).then((body) => res.end(body));
  });
  return listen(createServer(app));
};

const fastifyApp: App = async (inj, handled) => {
  const app: FastifyInstance = Fastify();
  await app.register(injectionScope({ injector: inj }).fastify);
  app.all('/reach', async () => {
    handled.count++;
    return reach(inj);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => app.close());
  return (app.server.address() as AddressInfo).port;
};

describe.each([
  ['node:http', nodeHttp],
  ['Express', expressApp],
  ['Fastify', fastifyApp],
])('injectionScope with %s', (_label, startApp) => {
  test.each(['GET', 'POST'] as const)('%s: each request runs in the scope its header names, through awaits, timers and body parsing', async (method) => {
    const inj = new ErrorInjector({ enabled: true });
    const port = await startApp(inj, { count: 0 });
    inj.enable('x', { scope: 'a' });
    inj.enable('x', { scope: 'b' });
    // Interleaved: both in flight at once, each one-shot taken only by its own scope's request.
    const answers = await Promise.all([
      send(port, method, { 'faultline-scope': 'a' }),
      send(port, method, { 'faultline-scope': 'b' }),
      send(port, method),
      send(port, method, { 'faultline-scope': 'c' }),
    ]);
    expect(answers).toEqual([
      { status: 200, body: 'true a' },
      { status: 200, body: 'true b' },
      { status: 200, body: 'false -' },
      { status: 200, body: 'false c' },
    ]);
    expect(inj.enabledInjections()).toEqual(['x']); // count-less scoped injections stay armed
  });

  test.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['too long', 'x'.repeat(129)],
    ['sent twice', ['a', 'b']],
  ])('a header that is not a valid scope (%s): 400 with ERR_FAULTLINE_INVALID_SCOPE, the app never runs', async (_l, value) => {
    const inj = new ErrorInjector({ enabled: true });
    const handled = { count: 0 };
    const port = await startApp(inj, handled);
    inj.enable('x');
    const answer = await send(port, 'POST', { 'faultline-scope': value });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ERR_FAULTLINE_INVALID_SCOPE', message: expect.stringMatching(/^invalid injection scope: header faultline-scope: a scope /) as unknown });
    expect(handled.count).toBe(0);
    expect(inj.get('x').hits).toBe(0);
    // The server goes on serving.
    expect(await send(port, 'GET', { 'faultline-scope': 'ok' })).toEqual({ status: 200, body: 'true ok' });
  });

  test('with injection switched off the header is not read: a bad one passes, nothing fires', async () => {
    const inj = new ErrorInjector({ enabled: false });
    const port = await startApp(inj, { count: 0 });
    expect(await send(port, 'GET', { 'faultline-scope': 'a b' })).toEqual({ status: 200, body: 'false -' });
  });
});

describe('injectionScope options', () => {
  test('a header of its own name, in any case', async () => {
    const inj = new ErrorInjector({ enabled: true });
    const scope = injectionScope({ header: 'X-Test-Scope', injector: inj });
    expect(scope.header).toBe('x-test-scope');
    const port = await listen(createServer((req, res) => scope(req, res, () => void reach(inj).then((b) => res.end(b)))));
    inj.enable('x', { scope: 't1' });
    expect(await send(port, 'GET', { 'x-test-scope': 't1' })).toEqual({ status: 200, body: 'true t1' });
    expect(await send(port, 'GET', { 'faultline-scope': 't1' })).toEqual({ status: 200, body: 'false -' });
  });

  test('a header that is not a header name, and options that are not an object, are refused', () => {
    expectError(thrownBy(() => injectionScope({ header: 'a b' })), InvalidInjectionError, {
      code: 'ERR_FAULTLINE_INVALID',
      message: 'injectionScope header must be an HTTP header name, got "a b"',
    });
    expectError(thrownBy(() => injectionScope(null as never)), InvalidInjectionError, {
      code: 'ERR_FAULTLINE_INVALID',
      message: 'injectionScope options must be an object, got null',
    });
  });
});
