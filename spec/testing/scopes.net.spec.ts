import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { filter, firstValueFrom, timeout as within } from 'rxjs';
import { request } from 'undici';
import { ClientArgumentError } from '../../lib/client/errors';
import { InjectionApi } from '../../lib/client/injection-api';
import type { InjectionStream } from '../../lib/client';
import { ErrorInjector } from '../../lib/injector';
import { runInInjectionScope } from '../../lib/injector/scope';
import { injectionScope } from '../../lib/scope-middleware';
import { createInjectionServer, type InjectionServer } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { setupInjections, type InjectionKit } from '../../lib/testing/setup-injections';

// Two "test files" in parallel against ONE app server: the app (node:http with the injectionScope middleware)
// reaches point 'x' on the injector a faultline server serves; each kit is set up with `scope: true` and sends its
// headers(). Every assertion is about which request a one-shot fired for and which hits a wait counted.

let app: Server;
let appUrl: string;
let server: InjectionServer;
let group: ShardGroup;
let injector: ErrorInjector;
const kits: InjectionKit[] = [];

beforeAll(async () => {
  injector = new ErrorInjector({ enabled: true });
  group = new ShardGroup({ injector });
  server = await createInjectionServer({ port: 0, shards: group, ui: false });
  const scope = injectionScope({ injector });
  app = createServer((req, res) =>
    scope(req, res, () => {
      // Through an await and a timer, as real handlers do.
      void Promise.resolve()
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => res.end(String(injector.enter('x'))));
    }),
  );
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(kits.splice(0).map((k) => k.close()));
  await new InjectionApi(server.url).disableAll();
});

afterAll(async () => {
  await new Promise<void>((resolve) => app.close(() => resolve()));
  await server.close();
  await group.close();
});

function kit(options: Parameters<typeof setupInjections>[1] = {}): InjectionKit {
  const k = setupInjections(server.url, options);
  kits.push(k);
  return k;
}

/** One request to the app: whether point 'x' fired for it. */
async function hitApp(headers: Record<string, string>): Promise<boolean> {
  const res = await request(appUrl, { headers });
  return (await res.body.text()) === 'true';
}

describe('setupInjections(url, { scope: true })', () => {
  test('two scoped kits in parallel, same injection, one-shot, 100 rounds: each one-shot is taken only by its own requests, each wait sees only its own hit', async () => {
    const a = kit({ scope: true, strict: true });
    const b = kit({ scope: true, strict: true });
    await Promise.all([a.open(), b.open()]);
    const seenScopes = new Set<string>();

    const round = async (k: InjectionKit): Promise<{ fired: number; scope: string }> => {
      const scope = k.scope as string;
      const armed = await k.enable('x', { oneShot: true });
      // Three requests of this test at once: the one-shot fires for exactly one of them.
      const fired = (await Promise.all([0, 1, 2].map(() => hitApp(k.headers())))).filter(Boolean).length;
      const hit = await armed.hit();
      expect(hit.scope).toBe(scope);
      expect(armed.hitCount).toBe(1);
      await k.reset(); // strict: rejects if this test's injection went unhit
      return { fired, scope };
    };
    const run = async (k: InjectionKit): Promise<number[]> => {
      const fired: number[] = [];
      for (let i = 0; i < 100; i++) {
        const r = await round(k);
        seenScopes.add(r.scope);
        fired.push(r.fired);
      }
      return fired;
    };
    const [firedA, firedB] = await Promise.all([run(a), run(b)]);
    expect(firedA).toEqual(Array(100).fill(1));
    expect(firedB).toEqual(Array(100).fill(1));
    // A fresh scope per test (round), none shared between the kits.
    expect(seenScopes.size).toBe(200);
    // Nothing left enabled by either.
    expect(await new InjectionApi(server.url).list()).toEqual([]);
  });

  test('unscoped reaches leave a scoped injection alone; the scope\'s own request then takes it', async () => {
    const k = kit({ scope: true });
    const armed = await k.enable('x', { oneShot: true });
    for (let i = 0; i < 5; i++) expect(await hitApp({})).toBe(false);
    expect(await hitApp({ 'faultline-scope': 'someone-else' })).toBe(false);
    expect(armed.hitCount).toBe(0);
    expect(await hitApp(k.headers())).toBe(true);
    expect((await armed.hit()).scope).toBe(k.scope);
  });

  test('a scoped kit\'s reset disables only its own scope, not another test\'s nor an unscoped enable', async () => {
    const a = kit({ scope: true });
    const b = kit({ scope: true });
    const api = new InjectionApi(server.url);
    await api.enable('x');
    await a.enable('x');
    await b.enable('x');
    expect(await hitApp(a.headers())).toBe(true);
    await a.reset();
    expect(await api.get('x', { scope: b.scope })).toEqual([{ enabled: true }]);
    expect(await api.get('x')).toEqual([{ enabled: true, scopes: [b.scope] }]);
  });

  test('scope and headers(): a scope per test, renewed by reset(); none without scope: true', async () => {
    const scoped = kit({ scope: true });
    const first = scoped.scope as string;
    expect(first).toMatch(/^t-[0-9a-f-]{36}$/);
    expect(scoped.headers()).toEqual({ 'faultline-scope': first });
    await scoped.reset();
    expect(scoped.scope).not.toBe(first);
    expect(scoped.headers()).toEqual({ 'faultline-scope': scoped.scope });

    const plain = kit();
    expect(plain.scope).toBeUndefined();
    expect(plain.headers()).toEqual({});
  });

  test('an armed message reaches its own scope\'s parked handler only', async () => {
    const a = kit({ scope: true });
    const b = kit({ scope: true });
    const armedA = await a.enable('h');
    const armedB = await b.enable('h');
    const parked = (scope: string) =>
      runInInjectionScope(scope, () => injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 60_000 })));
    const doneA = parked(a.scope as string);
    const doneB = parked(b.scope as string);
    await Promise.all([armedA.hit(), armedB.hit()]);
    await armedA.message();
    await doneA;
    expect(injector.get('h', { scope: b.scope }).waiters).toBe(1);
    await armedB.message();
    await doneB;
  });

  test("a scoped enable is armed by its own scope's enabled notice, not by another scope's enable of the name that reached the stream first", async () => {
    const k = kit({ scope: true });
    const scope = k.scope as string;
    // The kit's stream socket: corked, then flushed and corked again as the re-arm (a POST in this kit's scope)
    // arrives, so the stream carries another scope's 'enabled' and the old one-shot's hit and 'exhausted' in one
    // write, and the re-arm's own 'enabled' in a later one, released by the test.
    let events: Socket | undefined;
    const onRequest = (req: IncomingMessage): void => {
      if (req.url?.includes('/events')) events = req.socket;
      if (events?.writableCorked && req.method === 'POST' && req.url?.includes(`scope=${encodeURIComponent(scope)}`)) {
        events.uncork();
        events.cork();
      }
    };
    server.server.on('request', onRequest);
    try {
      await k.enable('x', { oneShot: true });
      expect(events).toBeDefined();
      events!.cork();
      await new InjectionApi(server.url).enable('x', { scope: 'someone-else' });
      expect(await hitApp(k.headers())).toBe(true);
      const staleEnd = firstValueFrom(
        (k.stream as InjectionStream).control$.pipe(filter((n) => n.op === 'exhausted' && n.scope === scope), within(4000)),
      );
      let armedYet = false;
      const again = k.enable('x', { oneShot: true }).then((armed) => ((armedYet = true), armed));
      await staleEnd;
      // Every continuation the notices just read could start has run by the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(armedYet).toBe(false);
      events!.uncork();
      const armed = await again;
      const waiting = armed.hit();
      expect(await hitApp(k.headers())).toBe(true);
      await expect(waiting).resolves.toMatchObject({ injection: 'x', scope });
    } finally {
      server.server.off('request', onRequest);
      if (events?.writableCorked) events.uncork();
    }
  });

  test('bad input: a scope option that is not a boolean; enable in another scope than the kit\'s', async () => {
    expect(() => setupInjections(server.url, { scope: 'mine' as unknown as boolean })).toThrow(
      new ClientArgumentError('setupInjections: scope must be true or false, not "mine"'),
    );
    const k = kit({ scope: true });
    await expect(k.enable('x', { scope: 'other' })).rejects.toThrow(
      new ClientArgumentError(`enable("x"): this kit enables in its own scope (${k.scope}); leave the scope option out`),
    );
    expect(await new InjectionApi(server.url).list()).toEqual([]);
  });
});
