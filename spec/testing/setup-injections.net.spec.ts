import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { ClientArgumentError, HttpError, InjectionEndedError, WaitTimeoutError } from '../../lib/client/errors';
import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, type InjectionServer } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { InjectionKitClosedError, UnhitInjectionError } from '../../lib/testing/errors';
import { setupInjections, type InjectionKit } from '../../lib/testing/setup-injections';

// The kit against real faultline servers on 127.0.0.1 (shard 0 is a private injector, hit in process).

const GUARD = 20_000; // hang guard only: every wait below ends on its event long before this

interface Node {
  readonly server: InjectionServer;
  readonly group: ShardGroup;
  readonly injector: ErrorInjector;
}

const nodes: Node[] = [];
const kits: InjectionKit[] = [];

afterEach(async () => {
  await Promise.all(kits.splice(0).map((k) => k.close()));
  for (const { server, group } of nodes.splice(0)) {
    await server.close();
    await group.close();
  }
});

async function startNode(): Promise<Node> {
  const injector = new ErrorInjector();
  const group = new ShardGroup({ injector });
  const server = await createInjectionServer({ port: 0, shards: group, ui: false });
  const node = { server, group, injector };
  nodes.push(node);
  return node;
}

function kitFor(...args: Parameters<typeof setupInjections>): InjectionKit {
  const kit = setupInjections(...args);
  kits.push(kit);
  return kit;
}

/**
 * The server's event stream socket, corked by `hold()` and uncorked as soon as a `method` request is answered:
 * the race a fast REST answer and a busy stream make, made certain.
 */
function heldUntilAnswered(server: InjectionServer, method: string): { hold(): void } {
  let events: Socket | undefined;
  server.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.includes('/events')) events = req.socket;
    if (req.method === method) res.on('finish', () => events?.uncork());
  });
  return {
    hold: () => {
      expect(events).toBeDefined();
      events!.cork();
    },
  };
}

/**
 * The process warnings `fn` emits, as (message, options) pairs. Jest gives a test file its own `process`
 * object, whose 'warning' listeners never hear them, so the call is watched instead (and kept out of the
 * test output); spec/testing/warning.process.spec.ts shows the real warning a plain Node process prints.
 */
async function warningsDuring(fn: () => Promise<void>): Promise<unknown[][]> {
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    await fn();
    return spy.mock.calls;
  } finally {
    spy.mockRestore();
  }
}

const lateBy = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('setupInjections: arm, await the hits after arming', () => {
  it('hit() called 500 ms after its hit still resolves with it', async () => {
    const { server, injector, group } = await startNode();
    const kit = kitFor(server.url);
    await kit.open();
    const armed = await kit.enable('orders.pause', { oneShot: true });
    expect(armed.positions).toEqual({ [server.url]: `${group.epoch}-0` });
    injector.enter('orders.pause');
    await firstValueFrom(kit.stream!.injection$);
    // The point of the test: the wait starts well after its hit arrived.
    await lateBy(500);
    await expect(armed.hit({ timeout: GUARD })).resolves.toMatchObject({ injection: 'orders.pause', id: `${group.epoch}-1` });
    expect(armed.hitCount).toBe(1);
  });

  it('a hit from before the enable never satisfies it, and the timeout says what, where and since when', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { timeout: 300 });
    const first = await kit.enable('x');
    injector.enter('x');
    await first.hit();
    const second = await kit.enable('x');
    const before = Date.now();
    const err = (await second.hit().catch((e: unknown) => e)) as WaitTimeoutError;
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err).toMatchObject({ injection: 'x', timeout: 300, nodes: [server.url] });
    expect(err.startedAt).toBeGreaterThanOrEqual(before);
    expect(err.message).toContain(`waitForInjection("x") timed out after 300 ms on node ${server.url} (started `);
    // It counts only after the position it was armed at: the earlier hit is not even among what it saw.
    expect(err.message).toMatch(/counting hits after \w+-1 on http.*; it saw no events at all/);
    injector.enter('x');
    await expect(second.hit()).resolves.toMatchObject({ injection: 'x' });
  });

  it('hit() fails at once with InjectionEndedError after armed.disable() with nothing hit', async () => {
    const { server } = await startNode();
    // The kit's timeout is the hang guard: the wait must end on the notice, not on this.
    const kit = kitFor(server.url, { timeout: GUARD });
    const armed = await kit.enable('x');
    const waiting = armed.hit().catch((e: unknown) => e);
    await armed.disable();
    const err = (await waiting) as InjectionEndedError;
    expect(err).toBeInstanceOf(InjectionEndedError);
    expect(err).toMatchObject({ code: 'ERR_FAULTLINE_INJECTION_ENDED', injection: 'x', reason: 'disabled', node: server.url, found: 0 });
    expect(err.message).toMatch(/waitForInjection\("x"\): disabled on node .* at \d{4}-.*after 0 of 1 hit; the hit cannot come/);
    // A wait called after the disable fails the same way, at once.
    await expect(armed.hit()).rejects.toBeInstanceOf(InjectionEndedError);
  });

  it('hits(n) fails at once with reason exhausted once its one-shot ran out, also when called after; hit() still gets the hit', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { timeout: GUARD });
    const armed = await kit.enable('x', { oneShot: true });
    const waiting = armed.hits(2).catch((e: unknown) => e);
    injector.enter('x');
    const err = (await waiting) as InjectionEndedError;
    expect(err).toBeInstanceOf(InjectionEndedError);
    expect(err).toMatchObject({ code: 'ERR_FAULTLINE_INJECTION_ENDED', injection: 'x', reason: 'exhausted', node: server.url, found: 1, wanted: 2 });
    expect(err.message).toMatch(/exhausted \(its one-shot or count ran out on every shard\) on node .*after 1 of 2 hits; the hit cannot come/);
    // The notice came after the arming, so a wait called now fails the same way at once, and the hit is kept.
    await expect(armed.hits(2)).rejects.toMatchObject({ reason: 'exhausted', found: 1 });
    await expect(armed.hit()).resolves.toMatchObject({ injection: 'x', shard: 0 });
  });

  it('a count that ran out ends hits(n) for more than it allows; re-arming starts afresh', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { timeout: GUARD });
    const armed = await kit.enable('x', { count: 2 });
    injector.enter('x');
    injector.enter('x');
    injector.enter('x');
    await expect(armed.hits(3)).rejects.toMatchObject({ reason: 'exhausted', found: 2, wanted: 3 });
    const again = await kit.enable('x', { count: 2 });
    const waiting = again.hits(2);
    injector.enter('x');
    injector.enter('x');
    await expect(waiting).resolves.toHaveLength(2);
  });

  it('a hit before the disable still counts; hits(2) with one hit fails saying 1 of 2', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { timeout: GUARD });
    const armed = await kit.enable('x');
    injector.enter('x');
    await armed.disable();
    await expect(armed.hit()).resolves.toMatchObject({ injection: 'x' });
    await expect(armed.hits(2)).rejects.toMatchObject({ code: 'ERR_FAULTLINE_INJECTION_ENDED', found: 1, wanted: 2 });
  });

  it('hits(n) resolves with the next n hits after the arming; a wait timeout overrides the kit one', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url);
    expect(kit.timeout).toBe(4000);
    const armed = await kit.enable('x');
    injector.enter('x');
    injector.enter('x');
    await expect(armed.hits(3, { timeout: 200 })).rejects.toMatchObject({ timeout: 200, message: expect.stringMatching(/with 2 of them/) });
    injector.enter('x');
    expect((await armed.hits(3)).map((e) => e.injection)).toEqual(['x', 'x', 'x']);
  });

  it('message() releases a handler parked at the point', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url);
    const armed = await kit.enable('orders.pause', { oneShot: true });
    let released = false;
    const handler = injector.injectHandler('orders.pause', async (h) => {
      await h.waitForMessage({ timeout: GUARD });
      released = true;
    });
    await armed.hit();
    expect(released).toBe(false);
    await armed.message();
    await handler;
    expect(released).toBe(true);
  });

  it('arms on every node of a cluster, each with its own position', async () => {
    const [a, b] = [await startNode(), await startNode()];
    a.injector.enable('x');
    a.injector.enter('x');
    const kit = kitFor([a.server.url, b.server.url]);
    await kit.open();
    const armed = await kit.enable('x');
    expect(armed.positions).toEqual({ [a.server.url]: `${a.group.epoch}-1`, [b.server.url]: `${b.group.epoch}-0` });
    b.injector.enter('x');
    await expect(armed.hit()).resolves.toMatchObject({ node: b.server.url });
  });
});

describe('reset(): clean up after every test', () => {
  it('disables everything the kit enabled and warns about injections armed and never hit', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url);
    const hit = await kit.enable('hit');
    await kit.enable('never.a');
    await kit.enable('never.b', { oneShot: true });
    injector.enter('hit');
    await hit.hit();
    const warnings = await warningsDuring(() => kit.reset());
    expect(injector.enabledInjections()).toEqual([]);
    expect(warnings).toHaveLength(1);
    const [message, options] = warnings[0] as [string, object];
    expect(options).toEqual({ type: 'UnhitInjectionWarning', code: 'ERR_FAULTLINE_UNHIT_INJECTION' });
    expect(message).toMatch(/^2 injection\(s\) armed in this test were never hit: "never\.a" \(armed at .* on http/);
    expect(message).toContain('"never.b"');
    expect(message).not.toContain('"hit"');
    // The next test starts clean: nothing left to report.
    expect(await warningsDuring(() => kit.reset())).toEqual([]);
  });

  it('strict: rejects with UnhitInjectionError naming them, after disabling everything', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { strict: true });
    await kit.enable('never');
    const err = (await kit.reset().catch((e: unknown) => e)) as UnhitInjectionError;
    expect(err).toBeInstanceOf(UnhitInjectionError);
    expect(err).toMatchObject({ code: 'ERR_FAULTLINE_UNHIT_INJECTION', injections: ['never'] });
    expect(err.unhit[0].nodes).toEqual([server.url]);
    expect(injector.isEnabled('never')).toBe(false);
    await expect(kit.reset()).resolves.toBeUndefined();
  });

  it("a re-arm's waits are not ended by the notice of what it replaced, reaching the stream after the re-arm's answer", async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { timeout: GUARD });
    // Held until the re-arm is answered: the old one-shot's hit and 'exhausted' then reach the kit after it.
    const stream = heldUntilAnswered(server, 'POST');
    await kit.enable('x', { oneShot: true });
    stream.hold();
    injector.enter('x');
    const again = await kit.enable('x', { oneShot: true });
    const waiting = again.hit();
    injector.enter('x');
    await expect(waiting).resolves.toMatchObject({ injection: 'x', shard: 0 });
    // Its own 'exhausted' still ends a wait for more than it can give.
    await expect(again.hits(2)).rejects.toMatchObject({ reason: 'exhausted', found: 1 });
  });

  it('counts a hit made just before reset that reaches the stream only after the disable was answered', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { strict: true });
    // Held until the disable is answered: the race a fast REST answer and a busy stream make.
    const stream = heldUntilAnswered(server, 'DELETE');
    await kit.enable('x');
    stream.hold();
    injector.enter('x');
    await expect(kit.reset()).resolves.toBeUndefined();
  });

  it('an injection the test disabled itself is not disabled again, but still reported if never hit', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { strict: true });
    const armed = await kit.enable('x');
    await armed.disable();
    expect(injector.isEnabled('x')).toBe(false);
    injector.enable('x'); // enabled by someone else after the test's disable: not the kit's to undo
    await expect(kit.reset()).rejects.toMatchObject({ injections: ['x'] });
    expect(injector.isEnabled('x')).toBe(true);
  });

  it('an enable a server refused is still disabled by reset on the nodes that took it', async () => {
    const [a, b] = [await startNode(), await startNode()];
    const kit = kitFor([a.server.url, b.server.url]);
    await kit.open();
    await b.server.close();
    await expect(kit.enable('x')).rejects.toBeDefined();
    expect(a.injector.isEnabled('x')).toBe(true);
    await expect(kit.reset()).rejects.toBeDefined();
    expect(a.injector.isEnabled('x')).toBe(false);
  });
});

describe('bad input and close()', () => {
  it.each([
    ['no URL', [] as string[], {}, /at least one URL/],
    ['a timeout of 0', 'http://127.0.0.1:1', { timeout: 0 }, /timeout must be milliseconds/],
    ['a timeout too large for a timer', 'http://127.0.0.1:1', { timeout: 2 ** 31 }, /timeout must be milliseconds/],
    ['not a URL', 'nope', {}, /is not a URL/],
  ])('refuses %s at once, before any connection', (_what, target, options, message) => {
    expect(() => setupInjections(target, options)).toThrow(ClientArgumentError);
    expect(() => setupInjections(target, options)).toThrow(message);
  });

  it('a refused enable rejects with the server\'s reason and arms nothing', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url, { strict: true });
    await expect(kit.enable('x', { count: 0 })).rejects.toBeInstanceOf(HttpError);
    expect(injector.isEnabled('x')).toBe(false);
    // Disabled anyway (it may have been taken by some node); nothing armed, so nothing reported.
    await expect(kit.reset()).resolves.toBeUndefined();
  });

  it('close() disables what is still armed, ends the stream, and refuses any later call', async () => {
    const { server, injector } = await startNode();
    const kit = kitFor(server.url);
    const armed = await kit.enable('x');
    const stream = kit.stream!;
    await kit.close();
    expect(injector.isEnabled('x')).toBe(false);
    expect(stream.status).toBe('closed');
    await expect(kit.enable('y')).rejects.toBeInstanceOf(InjectionKitClosedError);
    await expect(kit.reset()).rejects.toThrow('setupInjections: reset() was called after close()');
    await expect(armed.message()).rejects.toBeInstanceOf(InjectionKitClosedError);
    await expect(kit.close()).resolves.toBeUndefined();
    await expect(kit[Symbol.asyncDispose]()).resolves.toBeUndefined();
  });

  it('open() against a server that is not there rejects, and a later open() tries again', async () => {
    const { server } = await startNode();
    const url = server.url;
    await server.close();
    const kit = kitFor(url);
    await expect(kit.open()).rejects.toMatchObject({ code: 'ERR_FAULTLINE_NETWORK' });
    await expect(kit.open()).rejects.toMatchObject({ code: 'ERR_FAULTLINE_NETWORK' });
  });
});
