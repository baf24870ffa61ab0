import { AsyncLocalStorage } from 'node:async_hooks';
import { merge } from 'rxjs';
import type { ExhaustedEvent, HandlerEvent, InjectionEvent } from '../../lib/event';
import { ErrorInjector, isSwitchedOffByEnvironment } from '../../lib/injector/error-injector';
import { InjectedError, InjectionsOffError, InvalidInjectionError } from '../../lib/injector/errors';
import type { InjectionHandler } from '../../lib/injector/handler';
import { seededRandom } from '../../lib/injector/random';
import { runInInjectionScope } from '../../lib/injector/scope';
import { record, stopRecording } from '../helpers/record-events';
import { stateOf } from '../helpers/promise-state';
import { expectError, thrownBy } from '../helpers/expect-error';

// `enabled: true` everywhere: these tests must not depend on FAULTLINE in the environment that runs them.
const newInjector = (options: ConstructorParameters<typeof ErrorInjector>[0] = {}): ErrorInjector =>
  new ErrorInjector({ enabled: true, ...options });

/** An event as a hit must look: ScyllaDB's three fields, then a timestamp and the parameters. */
const hit = (injection: string, type: InjectionEvent['type'], params = {}, shard = 0): InjectionEvent => ({
  injection,
  type,
  shard,
  ts: expect.any(Number) as unknown as number,
  params,
});


afterEach(() => {
  stopRecording();
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('a point whose injection is not enabled', () => {
  // Nothing enabled, another name enabled (the name filter rejects), and a name that passes the filter so the
  // Map lookup runs: every path must do nothing at all. The filter keeps bit `length & 31` and bit
  // `lastCharCode & 31`, so 'off' passes for 'ofF' ('f' is 102, 'F' is 70: both 6 modulo 32).
  const setups: Array<[string, (i: ErrorInjector) => void, number]> = [
    ['nothing is enabled', () => {}, 0],
    ['another injection is enabled', (i) => i.enable('something_else'), 0],
    ['a name the filter cannot tell from it is enabled', (i) => i.enable('off'), 7],
  ];

  test.each(setups)('does nothing, synchronously, when %s', async (_label, setup, lookups) => {
    const injector = newInjector();
    setup(injector);
    // Counts the lookups that get past the filter, to prove each setup takes the path it is named for.
    const entries = (injector as unknown as { entries: Map<string, unknown> }).entries;
    const lookup = jest.spyOn(entries, 'get');
    const hits = record(injector.hits$);
    const handlerEvents = record(injector.handlerEvents$);
    const fn = jest.fn();

    expect(injector.inject('ofF', fn)).toBeUndefined();
    expect(injector.enter('ofF')).toBe(false);
    const slept = injector.injectSleep('ofF', 60_000);
    expect(slept).toBeUndefined(); // no promise: nothing to schedule, no microtask
    expect(injector.injectSleep('ofF', new Date(Date.now() + 60_000))).toBeUndefined();
    expect(() => injector.injectError('ofF')).not.toThrow();
    expect(injector.injectError('ofF', () => new Error('never'))).toBeUndefined();
    expect(injector.injectHandler('ofF', fn)).toBeUndefined();
    await slept; // awaiting the result of a disabled sleep point still works
    expect(lookup.mock.calls).toEqual(Array.from({ length: lookups }, () => ['ofF']));
    lookup.mockRestore();

    expect(fn).not.toHaveBeenCalled();
    expect(hits).toEqual([]);
    expect(handlerEvents).toEqual([]);
    expect(injector.get('ofF')).toEqual({
      name: 'ofF',
      enabled: false,
      oneShot: false,
      parameters: {},
      hits: 0,
      lifetimeHits: 0,
      waiters: 0,
    });
  });
});

describe('inject (lambda point)', () => {
  test('runs the function with the parameters and emits one lambda event', () => {
    const injector = newInjector();
    injector.enable('x', { parameters: { a: '1' } });
    const hits = record(injector.hits$);
    const fn = jest.fn();
    const before = Date.now();
    injector.inject('x', fn);
    const after = Date.now();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(fn).toHaveBeenCalledWith({ a: '1' });
    expect(hits).toEqual([hit('x', 'lambda', { a: '1' })]);
    expect(hits[0].ts).toBeGreaterThanOrEqual(before);
    expect(hits[0].ts).toBeLessThanOrEqual(after);
    expect(Object.keys(hits[0]).slice(0, 3)).toEqual(['injection', 'type', 'shard']);
  });

  test('fires on every reach while enabled, one event per hit', () => {
    const injector = newInjector();
    injector.enable('x');
    const hits = record(injector.hits$);
    const fn = jest.fn();
    for (let i = 0; i < 3; i++) injector.inject('x', fn);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(hits).toEqual([hit('x', 'lambda'), hit('x', 'lambda'), hit('x', 'lambda')]);
    expect(injector.get('x').hits).toBe(3);
  });

  test('reports the shard it was created with, and the one set later by attachShard', () => {
    const injector = newInjector({ shard: 3 });
    injector.enable('x');
    const hits = record(injector.hits$);
    injector.inject('x', () => {});
    injector.setShard(5);
    injector.inject('x', () => {});
    expect(hits).toEqual([hit('x', 'lambda', {}, 3), hit('x', 'lambda', {}, 5)]);
    expect(injector.shard).toBe(5);
  });

  test('an error thrown by the function reaches the caller, and the hit is counted', () => {
    const injector = newInjector();
    injector.enable('x');
    const hits = record(injector.hits$);
    expect(() =>
      injector.inject('x', () => {
        throw new Error('from the lambda');
      }),
    ).toThrow('from the lambda');
    expect(hits).toEqual([hit('x', 'lambda')]);
    expect(injector.get('x').hits).toBe(1);
  });
});

describe('enter (control-flow point)', () => {
  test('returns true when it fires, counted as a lambda hit', () => {
    const injector = newInjector();
    const hits = record(injector.hits$);
    expect(injector.enter('x')).toBe(false);
    injector.enable('x', { parameters: { p: 'v' } });
    expect(injector.enter('x')).toBe(true);
    expect(injector.enter('x')).toBe(true);
    expect(hits).toEqual([hit('x', 'lambda', { p: 'v' }), hit('x', 'lambda', { p: 'v' })]);
    expect(injector.get('x').hits).toBe(2);
  });
});

describe('injectSleep (sleep point)', () => {
  test('sleeps the given milliseconds when it fires, and emits its event at once', async () => {
    jest.useFakeTimers();
    const injector = newInjector();
    injector.enable('x');
    const hits = record(injector.hits$);
    const slept = injector.injectSleep('x', 1000);
    expect(slept).toBeInstanceOf(Promise);
    expect(hits).toEqual([hit('x', 'sleep')]);
    let done = false;
    void slept?.then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  test('sleeps until a Date deadline', async () => {
    jest.useFakeTimers();
    const injector = newInjector();
    injector.enable('x');
    const logger = jest.fn();
    injector.setLogger(logger);
    const slept = injector.injectSleep('x', new Date(Date.now() + 5000));
    let done = false;
    void slept?.then(() => (done = true));
    expect(logger).toHaveBeenCalledWith('Triggering sleep injection "x" (5000ms)', expect.anything());
    await jest.advanceTimersByTimeAsync(4999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  test.each([
    ['a Date in the past', () => new Date(Date.now() - 10_000)],
    ['a negative duration', () => -50],
  ])('with %s it resolves on the next timer turn', async (_label, arg) => {
    jest.useFakeTimers();
    const injector = newInjector();
    injector.enable('x');
    const slept = injector.injectSleep('x', arg());
    let done = false;
    void slept?.then(() => (done = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
  });

  test('an abort signal ends the sleep with its reason', async () => {
    const injector = newInjector();
    injector.enable('x');
    const controller = new AbortController();
    const slept = injector.injectSleep('x', 60_000, { signal: controller.signal });
    const reason = new Error('stop sleeping');
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
  });

  test('a signal already aborted rejects at once', async () => {
    const injector = newInjector();
    injector.enable('x');
    const reason = new Error('already');
    await expect(injector.injectSleep('x', 60_000, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  test.each([
    ['NaN', NaN, 'NaN'],
    ['Infinity', Infinity, 'Infinity'],
    ['an invalid Date', new Date('not a date'), 'null'],
    ['a string', '100' as unknown as number, '"100"'],
  ])('with %s it throws InvalidInjectionError and uses up nothing', (_label, arg, shown) => {
    const injector = newInjector();
    injector.enable('x', { oneShot: true });
    const hits = record(injector.hits$);
    const thrown = thrownBy(() => injector.injectSleep('x', arg));
    expect(thrown).toBeInstanceOf(InvalidInjectionError);
    expect(thrown).toMatchObject({
      code: 'ERR_FAULTLINE_INVALID',
      message: `injection "x": injectSleep needs a finite number of milliseconds or a valid Date, got ${shown}`,
    });
    expect(hits).toEqual([]);
    expect(injector.get('x')).toMatchObject({ enabled: true, hits: 0 }); // the one-shot is still armed
  });
});

describe('injectError (exception point)', () => {
  test('throws InjectedError naming the injection, and emits an exception event', () => {
    const injector = newInjector();
    injector.enable('x', { parameters: { k: 'v' } });
    const hits = record(injector.hits$);
    expectError(thrownBy(() => injector.injectError('x')), InjectedError, {
      code: 'ERR_FAULTLINE_INJECTED',
      injection: 'x',
      message: 'injected error from injection "x"',
    });
    expect(hits).toEqual([hit('x', 'exception', { k: 'v' })]);
  });

  test('throws what the factory makes, given the parameters', () => {
    const injector = newInjector();
    injector.enable('x', { parameters: { errno: 'ECONNRESET' } });
    const custom = new Error('custom');
    const factory = jest.fn((p: Readonly<Record<string, string>>) => Object.assign(custom, { code: p.errno }));
    expect(() => injector.injectError('x', factory)).toThrow(custom);
    expect(factory).toHaveBeenCalledWith({ errno: 'ECONNRESET' });
    expect(custom).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('injectHandler (handler point)', () => {
  test('runs the function with a handler and returns a promise of its end; the event comes first', async () => {
    const injector = newInjector();
    injector.enable('x', { parameters: { delay: '5' } });
    const hits = record(injector.hits$);
    const order: string[] = [];
    injector.hits$.subscribe(() => order.push('event'));
    let seen: InjectionHandler | undefined;
    const done = injector.injectHandler('x', async (handler) => {
      order.push('handler');
      seen = handler;
      await handler.waitForMessage({ timeout: 10_000 });
      order.push('released');
    });
    expect(done).toBeInstanceOf(Promise);
    expect(seen?.injection).toBe('x');
    expect(seen?.parameters).toEqual({ delay: '5' });
    expect(await stateOf(done as Promise<void>)).toBe('pending');
    injector.receiveMessage('x');
    await done;
    expect(order).toEqual(['event', 'handler', 'released']);
    expect(hits).toEqual([hit('x', 'handler', { delay: '5' })]);
  });

  test('a function that throws synchronously gives a rejected promise, not a throw', async () => {
    const injector = newInjector();
    injector.enable('x', { oneShot: true });
    const boom = new Error('boom');
    const done = injector.injectHandler('x', () => {
      throw boom;
    });
    await expect(done).rejects.toBe(boom);
    expect(injector.get('x')).toMatchObject({ enabled: false, hits: 0, lifetimeHits: 1 });
    expect(injector.enabledInjections()).toEqual([]);
  });

  test('a function that rejects rejects the returned promise', async () => {
    const injector = newInjector();
    injector.enable('x');
    const boom = new Error('boom');
    await expect(injector.injectHandler('x', () => Promise.reject(boom))).rejects.toBe(boom);
  });

  test('a synchronous function is fine', async () => {
    const injector = newInjector();
    injector.enable('x');
    const fn = jest.fn();
    await expect(injector.injectHandler('x', fn)).resolves.toBeUndefined();
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('oneShot', () => {
  test.each([
    ['inject', (i: ErrorInjector) => i.inject('x', () => {}), 'lambda'],
    ['enter', (i: ErrorInjector) => i.enter('x'), 'lambda'],
    ['injectSleep', (i: ErrorInjector) => i.injectSleep('x', 0), 'sleep'],
    [
      'injectError',
      (i: ErrorInjector) => {
        try {
          i.injectError('x');
        } catch {
          // expected once
        }
      },
      'exception',
    ],
  ] as const)('%s fires once, then the injection is disabled', async (_label, reach, type) => {
    const injector = newInjector();
    injector.enable('x', { oneShot: true, parameters: { a: 'b' } });
    const hits = record(injector.hits$);
    await reach(injector);
    await reach(injector);
    expect(hits).toEqual([hit('x', type, { a: 'b' })]);
    expect(injector.isEnabled('x')).toBe(false);
    expect(injector.enabledInjections()).toEqual([]);
    expect(injector.get('x')).toEqual({ name: 'x', enabled: false, oneShot: false, parameters: {}, hits: 0, lifetimeHits: 1, waiters: 0 });
  });

  test('a one-shot handler stays reachable by messages, but reads as not enabled until its function returns', async () => {
    const injector = newInjector();
    injector.enable('x', { oneShot: true, parameters: { p: '1' } });
    const hits = record(injector.hits$);
    const first = injector.injectHandler('x', (h) => h.waitForMessage({ timeout: 10_000 }));
    expect(first).toBeInstanceOf(Promise);

    // Fired: not enabled any more, by every measure...
    expect(injector.isEnabled('x')).toBe(false);
    expect(injector.enabledInjections()).toEqual([]);
    // ...though it still counts as ScyllaDB's enter_count does, until its function returns...
    expect(injector.get('x')).toMatchObject({ enabled: false, oneShot: true, parameters: { p: '1' }, hits: 1, waiters: 1 });
    expect(injector.parkedHandlerCounts()).toEqual({ x: 1 });
    // ...and a second reach does not fire...
    const second = jest.fn();
    expect(injector.injectHandler('x', second)).toBeUndefined();
    expect(second).not.toHaveBeenCalled();
    // ...but a message still reaches the running handler.
    injector.receiveMessage('x');
    await first;

    expect(hits).toEqual([hit('x', 'handler', { p: '1' })]);
    expect(injector.get('x')).toEqual({ name: 'x', enabled: false, oneShot: false, parameters: {}, hits: 0, lifetimeHits: 1, waiters: 0 });
    expect(injector.parkedHandlerCounts()).toEqual({});
  });

  test('disabling a running one-shot handler releases it', async () => {
    const injector = newInjector();
    injector.enable('x', { oneShot: true });
    const done = injector.injectHandler('x', (h) => h.waitForMessage({ timeout: 10_000 }));
    injector.disable('x');
    await expect(done).resolves.toBeUndefined();
  });
});

describe('count', () => {
  test('fires n times, then disables itself', () => {
    const injector = newInjector();
    injector.enable('x', { count: 3 });
    const hits = record(injector.hits$);
    const fired = Array.from({ length: 5 }, () => injector.enter('x'));
    expect(fired).toEqual([true, true, true, false, false]);
    expect(hits).toHaveLength(3);
    expect(injector.get('x')).toMatchObject({ enabled: false, hits: 0, lifetimeHits: 3 });
  });

  test('the handler that fires last keeps the injection reachable until every handler of it returns', async () => {
    const injector = newInjector();
    injector.enable('x', { count: 2 });
    const waitOnce = (h: InjectionHandler): Promise<void> => h.waitForMessage({ timeout: 10_000 });
    const a = injector.injectHandler('x', waitOnce);
    const b = injector.injectHandler('x', waitOnce);
    expect(injector.injectHandler('x', waitOnce)).toBeUndefined();
    expect(injector.get('x')).toMatchObject({ enabled: false, count: 2, hits: 2, waiters: 2 });
    injector.receiveMessage('x'); // shared: one message releases one wait of each handler
    await Promise.all([a, b]);
    expect(injector.get('x')).toMatchObject({ enabled: false, hits: 0, lifetimeHits: 2, waiters: 0 });
    expect(injector.enabledInjections()).toEqual([]);
  });
});

describe('skip', () => {
  test('the first k reaches pass silently', () => {
    const injector = newInjector();
    injector.enable('x', { skip: 2 });
    const hits = record(injector.hits$);
    const fn = jest.fn();
    for (let i = 0; i < 4; i++) injector.inject('x', fn);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(hits).toHaveLength(2);
    expect(injector.get('x')).toMatchObject({ enabled: true, skip: 2, hits: 2 });
  });

  test('with count: skip k, then fire n times, then disabled', () => {
    const injector = newInjector();
    injector.enable('x', { skip: 1, count: 2 });
    expect(Array.from({ length: 5 }, () => injector.enter('x'))).toEqual([false, true, true, false, false]);
  });

  test('with oneShot: the first reach after the skipped ones fires, and only it', () => {
    const injector = newInjector();
    injector.enable('x', { skip: 3, oneShot: true });
    expect(Array.from({ length: 6 }, () => injector.enter('x'))).toEqual([false, false, false, true, false, false]);
  });
});

describe('probability', () => {
  const pattern = (injector: ErrorInjector, n: number): boolean[] =>
    Array.from({ length: n }, () => injector.enter('x'));

  test('0 never fires and 1 always fires', () => {
    const injector = newInjector();
    injector.enable('x', { probability: 0 });
    expect(pattern(injector, 50)).toEqual(Array(50).fill(false));
    expect(injector.get('x')).toMatchObject({ enabled: true, hits: 0, probability: 0 });
    injector.enable('x', { probability: 1 });
    expect(pattern(injector, 50)).toEqual(Array(50).fill(true));
  });

  test('fires on the draws of the seeded generator below p', () => {
    const injector = newInjector();
    injector.enable('x', { probability: 0.3, seed: 12345 });
    const random = seededRandom(12345);
    const expected = Array.from({ length: 200 }, () => random() < 0.3);
    expect(pattern(injector, 200)).toEqual(expected);
    // Sanity: the pattern is a real mix, not all one way.
    expect(expected.filter(Boolean).length).toBeGreaterThan(20);
    expect(expected.filter(Boolean).length).toBeLessThan(180);
  });

  test('the same seed replays the same pattern: on re-enable and on another injector', () => {
    const a = newInjector();
    a.enable('x', { probability: 0.5, seed: 7 });
    const first = pattern(a, 100);
    a.enable('x', { probability: 0.5, seed: 7 });
    expect(pattern(a, 100)).toEqual(first);
    const b = newInjector();
    b.enable('x', { probability: 0.5, seed: 7 });
    expect(pattern(b, 100)).toEqual(first);
    b.enable('x', { probability: 0.5, seed: 8 });
    expect(pattern(b, 100)).not.toEqual(first);
  });

  test('without a seed one is chosen and reported by get, and replaying it gives the same pattern', () => {
    const injector = newInjector();
    injector.enable('x', { probability: 0.5 });
    const { seed } = injector.get('x');
    expect(Number.isInteger(seed)).toBe(true);
    expect(seed).toBeGreaterThanOrEqual(0);
    expect(seed).toBeLessThanOrEqual(0xffffffff);
    const first = pattern(injector, 100);
    injector.enable('x', { probability: 0.5, seed });
    expect(pattern(injector, 100)).toEqual(first);
  });

  test('with count: only reaches that fire count towards it; with skip, skipped reaches draw nothing', () => {
    const injector = newInjector();
    injector.enable('x', { probability: 0.5, seed: 99, count: 3, skip: 2 });
    const random = seededRandom(99);
    const expected: boolean[] = [false, false];
    let fired = 0;
    while (expected.length < 40) {
      const f = fired < 3 && random() < 0.5;
      if (f) fired++;
      expected.push(f);
    }
    expect(pattern(injector, 40)).toEqual(expected);
    expect(injector.get('x')).toMatchObject({ enabled: false, hits: 0, lifetimeHits: 3 });
  });

  test('a seed without probability is kept and reported, and changes nothing', () => {
    const injector = newInjector();
    injector.enable('x', { seed: 5 });
    expect(injector.get('x').seed).toBe(5);
    expect(pattern(injector, 5)).toEqual([true, true, true, true, true]);
  });
});

describe('enable, disable, re-enable', () => {
  test('get reports every option it was enabled with', () => {
    const injector = newInjector();
    injector.enable('x', { oneShot: true, parameters: { a: '1' }, count: 4, skip: 2, probability: 0.25, seed: 3 });
    expect(injector.get('x')).toEqual({
      name: 'x',
      enabled: true,
      oneShot: true,
      parameters: { a: '1' },
      hits: 0,
      lifetimeHits: 0,
      waiters: 0,
      count: 4,
      skip: 2,
      probability: 0.25,
      seed: 3,
    });
    expect(Object.isFrozen(injector.get('x').parameters)).toBe(true);
  });

  test('the parameters are a copy: changing the object passed in changes nothing', () => {
    const injector = newInjector();
    const parameters: Record<string, string> = { a: '1' };
    injector.enable('x', { parameters });
    parameters.a = '2';
    expect(injector.get('x').parameters).toEqual({ a: '1' });
  });

  test('enabledInjections lists the names enabled now, isEnabled agrees', () => {
    const injector = newInjector();
    injector.enable('a');
    injector.enable('b');
    injector.enable('c');
    injector.disable('b');
    expect(injector.enabledInjections()).toEqual(['a', 'c']);
    expect(['a', 'b', 'c'].map((n) => injector.isEnabled(n))).toEqual([true, false, true]);
  });

  test('disable of a name that is not enabled does nothing; disableAll disables everything', () => {
    const injector = newInjector();
    injector.enable('a');
    injector.enable('b');
    injector.disable('never-enabled');
    expect(injector.enabledInjections()).toEqual(['a', 'b']);
    injector.disableAll();
    expect(injector.enabledInjections()).toEqual([]);
    expect(injector.enter('a')).toBe(false);
  });

  test('disable releases waiting handlers: their wait resolves', async () => {
    const injector = newInjector();
    injector.enable('x');
    const done = injector.injectHandler('x', (h) => h.waitForMessage({ timeout: 10_000 }));
    expect(injector.get('x').waiters).toBe(1);
    injector.disable('x');
    await expect(done).resolves.toBeUndefined();
  });

  test('disableAll releases the waiting handlers of every injection', async () => {
    const injector = newInjector();
    injector.enable('x');
    injector.enable('y');
    const x = injector.injectHandler('x', (h) => h.waitForMessage({ timeout: 10_000 }));
    const y = injector.injectHandler('y', (h) => h.waitForMessage({ timeout: 10_000 }));
    injector.disableAll();
    await expect(Promise.all([x, y])).resolves.toEqual([undefined, undefined]);
  });

  test('re-enabling replaces: new parameters, counters start again, old waiters released', async () => {
    const injector = newInjector();
    injector.enable('x', { count: 2, parameters: { v: 'old' } });
    const waiting = injector.injectHandler('x', (h) => h.waitForMessage({ timeout: 10_000 }));
    expect(injector.get('x')).toMatchObject({ hits: 1, waiters: 1 });

    injector.enable('x', { count: 2, parameters: { v: 'new' } });
    await expect(waiting).resolves.toBeUndefined(); // released, not left hanging on a replaced enablement
    expect(injector.get('x')).toMatchObject({ enabled: true, hits: 0, waiters: 0, parameters: { v: 'new' } });
    // count starts again: two more fires, not one.
    expect([injector.enter('x'), injector.enter('x'), injector.enter('x')]).toEqual([true, true, false]);
  });

  test('a message sent to the old enablement is not carried over to the new one', async () => {
    const injector = newInjector();
    injector.enable('x');
    injector.receiveMessage('x');
    injector.enable('x');
    const done = injector.injectHandler('x', (h) => h.waitForMessage({ timeout: 10_000 }));
    expect(await stateOf(done as Promise<void>)).toBe('pending');
    injector.receiveMessage('x');
    await done;
  });

  test('a message to a name that is not enabled does nothing and is not kept for a later enable', async () => {
    const injector = newInjector();
    injector.receiveMessage('x');
    injector.enable('x');
    let received = false;
    const done = injector.injectHandler('x', (h) => {
      received = h.pollForMessage();
    });
    await done;
    expect(received).toBe(false);
  });

  test('hits belong to the current enablement (0 once it ends, as ScyllaDB counts); lifetimeHits are never reset', () => {
    const injector = newInjector();
    const counts = (): [number, number] => [injector.get('x').hits, injector.get('x').lifetimeHits];
    injector.enable('x', { count: 2 });
    injector.enter('x');
    expect(counts()).toEqual([1, 1]);
    injector.enter('x');
    expect(injector.get('x')).toMatchObject({ enabled: false, hits: 0, lifetimeHits: 2 });
    injector.enable('x');
    expect(counts()).toEqual([0, 2]);
    injector.enter('x');
    expect(counts()).toEqual([1, 3]);
    injector.enable('x'); // re-enabling replaces the enablement: its count starts again
    expect(counts()).toEqual([0, 3]);
    injector.enter('x');
    injector.disable('x');
    expect(counts()).toEqual([0, 4]);
    injector.disableAll();
    expect(counts()).toEqual([0, 4]);
    injector.enable('x', { oneShot: true });
    injector.enter('x');
    expect(counts()).toEqual([0, 5]);
    expect(injector.get('y')).toMatchObject({ hits: 0, lifetimeHits: 0 });
  });

  test('skipped and probability-missed reaches are not hits', () => {
    const injector = newInjector();
    injector.enable('x', { skip: 2 });
    injector.enter('x');
    injector.enter('x');
    injector.enable('y', { probability: 0 });
    injector.enter('y');
    expect([injector.get('x').hits, injector.get('y').hits]).toEqual([0, 0]);
  });
});

describe('hits$', () => {
  test('exactly one event per hit, in order, across kinds; none for enable, disable, message or misses', async () => {
    const injector = newInjector({ shard: 2 });
    const hits = record(injector.hits$);
    injector.enable('l', { parameters: { k: 'v' } });
    injector.enable('s');
    injector.enable('e');
    injector.enable('h');
    injector.enable('skipped', { skip: 5 });
    injector.inject('l', () => {});
    await injector.injectSleep('s', 0);
    expect(() => injector.injectError('e')).toThrow(InjectedError);
    injector.receiveMessage('h');
    await injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 10_000 }));
    injector.enter('l');
    injector.enter('skipped');
    injector.inject('not-enabled', () => {});
    injector.disable('l');
    expect(hits).toEqual([
      hit('l', 'lambda', { k: 'v' }, 2),
      hit('s', 'sleep', {}, 2),
      hit('e', 'exception', {}, 2),
      hit('h', 'handler', {}, 2),
      hit('l', 'lambda', { k: 'v' }, 2),
    ]);
  });

  test('every subscriber sees every hit; a late one sees only later hits', () => {
    const injector = newInjector();
    injector.enable('x');
    const early = record(injector.hits$);
    injector.enter('x');
    const late = record(injector.hits$);
    injector.enter('x');
    expect(early).toHaveLength(2);
    expect(late).toHaveLength(1);
  });

  test('handler waits are reported on handlerEvents$ only, never on hits$', async () => {
    const injector = newInjector({ shard: 1 });
    injector.enable('x');
    const hits = record(injector.hits$);
    const phases = record(injector.handlerEvents$);
    const done = injector.injectHandler('x', (h) => h.waitForMessage({ timeout: 10_000 }));
    expect(phases).toEqual([{ injection: 'x', phase: 'waiting', shard: 1, ts: expect.any(Number) }]);
    injector.receiveMessage('x');
    await done;
    expect(phases).toEqual<HandlerEvent[]>([
      { injection: 'x', phase: 'waiting', shard: 1, ts: expect.any(Number) as unknown as number },
      { injection: 'x', phase: 'released', shard: 1, ts: expect.any(Number) as unknown as number },
    ]);
    expect(hits).toEqual([hit('x', 'handler', {}, 1)]);
  });
});

describe('listenToHits (how a ShardGroup watches shard 0)', () => {
  test('a listener gets the parts of every hit, before hits$ and with the same ts; stopping it stops it', () => {
    const injector = newInjector({ shard: 3 });
    const order: string[] = [];
    const parts: unknown[][] = [];
    const stop = injector.listenToHits((...args) => {
      order.push('listener');
      parts.push(args);
    });
    const events: InjectionEvent[] = [];
    injector.hits$.subscribe((e) => {
      order.push('hits$');
      events.push(e);
    });
    expect(injector.hitsWatched).toBe(true);
    injector.enable('x', { parameters: { k: 'v' } });
    injector.enter('x');
    injector.inject('not-enabled', () => {});
    expect(order).toEqual(['listener', 'hits$']);
    expect(parts).toEqual([['x', 'lambda', 3, events[0].ts, events[0].params, undefined]]);
    expect(parts[0][4]).toBe(injector.get('x').parameters);
    stop();
    injector.enter('x');
    expect(parts).toHaveLength(1);
    expect(events).toHaveLength(2);
  });

  test('a listener that throws does not reach the point: the error is thrown from a timer, and others still hear', () => {
    jest.useFakeTimers();
    try {
      const injector = newInjector();
      const boom = new Error('listener bug');
      injector.listenToHits(() => {
        throw boom;
      });
      const heard = jest.fn();
      injector.listenToHits(heard);
      injector.enable('x');
      expect(() => injector.enter('x')).not.toThrow();
      expect(heard).toHaveBeenCalledTimes(1);
      expect(() => jest.runOnlyPendingTimers()).toThrow(boom);
    } finally {
      jest.useRealTimers();
    }
  });

  test('hitsWatched says whether anything watches the hits: a listener counts as a hits$ subscriber does', () => {
    const injector = newInjector();
    expect(injector.hitsWatched).toBe(false);
    const stop = injector.listenToHits(() => {});
    expect(injector.hitsWatched).toBe(true);
    stop();
    expect(injector.hitsWatched).toBe(false);
  });

  test("a scoped enablement's hit reaches a listener with its scope; an unscoped one's with none", () => {
    const injector = newInjector();
    const parts: unknown[][] = [];
    injector.listenToHits((...args) => parts.push(args));
    injector.enable('x', { scope: 'tenant-a' });
    injector.enable('y');
    runInInjectionScope('tenant-a', () => injector.enter('x'));
    injector.enter('x');
    injector.enter('y');
    expect(parts.map((p) => [p[0], p[5]])).toEqual([
      ['x', 'tenant-a'],
      ['y', undefined],
    ]);
  });

  test('a spent one-shot reports its exhaustion whether or not anything watches its hits', () => {
    const injector = newInjector();
    const seen = record(injector.exhaustions$);
    injector.enable('x', { oneShot: true });
    injector.enter('x');
    expect(injector.hitsWatched).toBe(false);
    expect(seen).toEqual([{ injection: 'x', phase: 'exhausted', shard: 0, ts: expect.any(Number) }]);
  });
});

describe('exhaustions$', () => {
  const exhausted = (injection: string, shard = 0): ExhaustedEvent => ({
    injection,
    phase: 'exhausted',
    shard,
    ts: expect.any(Number) as unknown as number,
  });

  /** Hits and exhaustions of one injector, interleaved in the order they were emitted. */
  const recordBoth = (injector: ErrorInjector): (InjectionEvent | ExhaustedEvent)[] =>
    record(merge<(InjectionEvent | ExhaustedEvent)[]>(injector.hits$, injector.exhaustions$));

  test('a one-shot reports one exhaustion, right after the hit that took it', () => {
    const injector = newInjector({ shard: 3 });
    const seen = recordBoth(injector);
    injector.enable('x', { oneShot: true });
    expect(injector.enter('x')).toBe(true);
    expect(injector.enter('x')).toBe(false);
    expect(seen).toEqual([hit('x', 'lambda', {}, 3), exhausted('x', 3)]);
  });

  test('a count reports it after its last hit, not before', () => {
    const injector = newInjector();
    const seen = recordBoth(injector);
    injector.enable('x', { count: 3 });
    injector.enter('x');
    injector.enter('x');
    expect(seen).toEqual([hit('x', 'lambda'), hit('x', 'lambda')]);
    injector.enter('x');
    injector.enter('x');
    expect(seen).toEqual([hit('x', 'lambda'), hit('x', 'lambda'), hit('x', 'lambda'), exhausted('x')]);
  });

  test('a one-shot handler reports it once its function returned, not while it is parked', async () => {
    const injector = newInjector();
    const seen = recordBoth(injector);
    injector.enable('h', { oneShot: true });
    const done = injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 10_000 })) as Promise<void>;
    expect(await stateOf(done)).toBe('pending');
    expect(seen).toEqual([hit('h', 'handler')]);
    injector.receiveMessage('h');
    await done;
    expect(seen).toEqual([hit('h', 'handler'), exhausted('h')]);
  });

  test('a handler that throws still reports it', async () => {
    const injector = newInjector();
    const seen = record(injector.exhaustions$);
    injector.enable('h', { oneShot: true });
    await expect(
      injector.injectHandler('h', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([exhausted('h')]);
  });

  test('a count spent by a lambda while a handler still runs is reported when that handler returns', async () => {
    const injector = newInjector();
    const seen = recordBoth(injector);
    injector.enable('x', { count: 2 });
    const done = injector.injectHandler('x', (handler) => handler.waitForMessage({ timeout: 10_000 })) as Promise<void>;
    injector.enter('x');
    expect(seen).toEqual([hit('x', 'handler'), hit('x', 'lambda')]);
    injector.receiveMessage('x');
    await done;
    expect(seen).toEqual([hit('x', 'handler'), hit('x', 'lambda'), exhausted('x')]);
  });

  test('never for a disable, a disableAll or a re-enable, even of a spent one-shot handler still parked', async () => {
    const injector = newInjector();
    const seen = record(injector.exhaustions$);
    injector.enable('a', { oneShot: true });
    injector.enable('b', { count: 5 });
    injector.enter('b');
    injector.disable('a');
    injector.disableAll();
    injector.enable('h', { oneShot: true });
    const parked = injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 10_000 })) as Promise<void>;
    injector.disable('h');
    await parked;
    injector.enable('r', { oneShot: true });
    const replaced = injector.injectHandler('r', (handler) => handler.waitForMessage({ timeout: 10_000 })) as Promise<void>;
    injector.enable('r', { count: 2 });
    await replaced;
    injector.enter('r');
    expect(seen).toEqual([]);
    injector.enter('r');
    expect(seen).toEqual([exhausted('r')]);
  });

  test('an enablement that never runs out never reports one', () => {
    const injector = newInjector();
    const seen = record(injector.exhaustions$);
    injector.enable('x');
    injector.enable('s', { skip: 2, oneShot: true });
    for (let i = 0; i < 10; i++) injector.enter('x');
    injector.enter('s');
    injector.enter('s');
    expect(seen).toEqual([]);
    injector.enter('s');
    expect(seen).toEqual([exhausted('s')]);
  });
});

describe('logger hook', () => {
  test("logs each trigger and each handler wait in ScyllaDB's words", async () => {
    const lines: string[] = [];
    const injector = newInjector({ logger: (line) => lines.push(line) });
    for (const n of ['l', 'n', 's', 'e', 'h']) injector.enable(n);
    injector.inject('l', () => {});
    injector.enter('n');
    await injector.injectSleep('s', 25);
    expect(() => injector.injectError('e')).toThrow();
    injector.receiveMessage('h');
    await injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 10_000 }));
    injector.inject('not-enabled', () => {});
    expect(lines).toEqual([
      'Triggering injection "l"',
      'Triggering injection "n"',
      'Triggering sleep injection "s" (25ms)',
      'Triggering exception injection "e"',
      'Triggering injection "h" with injection handler',
      'h: waiting for message',
      'h: message received',
    ]);
  });

  test('the hook gets the event of the hit with each line', () => {
    const logger = jest.fn();
    const injector = newInjector({ logger, shard: 4 });
    injector.enable('x', { parameters: { a: 'b' } });
    injector.enter('x');
    expect(logger).toHaveBeenCalledWith('Triggering injection "x"', hit('x', 'lambda', { a: 'b' }, 4));
  });

  test('setLogger installs and removes the hook', () => {
    const injector = newInjector();
    injector.enable('x');
    const logger = jest.fn();
    injector.setLogger(logger);
    injector.enter('x');
    injector.setLogger(undefined);
    injector.enter('x');
    expect(logger).toHaveBeenCalledTimes(1);
    expect(() => injector.setLogger('console' as unknown as undefined)).toThrow(
      new InvalidInjectionError('logger must be a function, got "console"'),
    );
  });

  test('a logger that throws does not break the point; it becomes a process warning', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const injector = newInjector({
      logger: () => {
        throw new Error('disk full');
      },
    });
    injector.enable('x');
    const hits = record(injector.hits$);
    expect(injector.enter('x')).toBe(true);
    expect(hits).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(
      'faultline logger threw on "Triggering injection "x"": Error: disk full',
      'FaultlineWarning',
    );
  });
});

describe('the off switch', () => {
  test('an injector created with enabled: false: points are no-ops, enable throws saying why', async () => {
    const injector = new ErrorInjector({ enabled: false });
    expect(injector.enabled).toBe(false);
    expectError(thrownBy(() => injector.enable('x', { parameters: { a: '1' } })), InjectionsOffError, {
      code: 'ERR_FAULTLINE_OFF',
      injection: 'x',
      reason: 'this ErrorInjector was created with enabled: false',
      message:
        'cannot enable injection "x": error injection is switched off (this ErrorInjector was created with enabled: false)',
    });
    const fn = jest.fn();
    injector.inject('x', fn);
    expect(injector.enter('x')).toBe(false);
    expect(injector.injectSleep('x', 10)).toBeUndefined();
    expect(() => injector.injectError('x')).not.toThrow();
    expect(injector.injectHandler('x', fn)).toBeUndefined();
    expect(fn).not.toHaveBeenCalled();
    expect(injector.enabledInjections()).toEqual([]);
    expect(injector.get('x').enabled).toBe(false);
  });

  test('bad input is still reported as bad input when switched off', () => {
    const injector = new ErrorInjector({ enabled: false });
    expect(() => injector.enable('')).toThrow(InvalidInjectionError);
    expect(() => injector.enable('x', { count: -1 })).toThrow(InvalidInjectionError);
  });

  test('FAULTLINE=off in the environment, in any case, switches a new injector off', () => {
    const saved = process.env.FAULTLINE;
    try {
      for (const value of ['off', 'OFF', ' Off ']) {
        process.env.FAULTLINE = value;
        const injector = new ErrorInjector();
        expect(injector.enabled).toBe(false);
        expect(() => injector.enable('x')).toThrow(
          new InjectionsOffError('x', 'FAULTLINE=off is set in the environment of this process'),
        );
      }
      for (const value of ['on', '', '0', 'offline']) {
        process.env.FAULTLINE = value;
        expect(new ErrorInjector().enabled).toBe(true);
      }
      delete process.env.FAULTLINE;
      expect(new ErrorInjector().enabled).toBe(true);
      // An explicit option wins over the environment.
      process.env.FAULTLINE = 'off';
      expect(new ErrorInjector({ enabled: true }).enabled).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.FAULTLINE;
      else process.env.FAULTLINE = saved;
    }
  });

  test('isSwitchedOffByEnvironment reads only FAULTLINE', () => {
    expect(isSwitchedOffByEnvironment({ FAULTLINE: 'off' })).toBe(true);
    expect(isSwitchedOffByEnvironment({})).toBe(false);
    expect(isSwitchedOffByEnvironment({ OTHER: 'off' })).toBe(false);
  });
});

describe('constructor options', () => {
  test.each([
    [{ shard: -1 }, 'ErrorInjector shard must be an integer >= 0, got -1'],
    [{ shard: 1.5 }, 'ErrorInjector shard must be an integer >= 0, got 1.5'],
    [{ enabled: 'no' }, 'ErrorInjector enabled must be a boolean, got "no"'],
    [{ logger: 'console' }, 'ErrorInjector logger must be a function, got "console"'],
    [{ defaultHandlerTimeout: -5 }, 'ErrorInjector defaultHandlerTimeout must be a number of milliseconds >= 0, got -5'],
    [{ defaultHandlerTimeout: NaN }, 'ErrorInjector defaultHandlerTimeout must be a number of milliseconds >= 0, got NaN'],
  ])('%j is refused: %s', (options, message) => {
    expect(() => new ErrorInjector(options as never)).toThrow(new InvalidInjectionError(message));
  });
});

describe('probability across shards', () => {
  const pattern = (shard: number): boolean[] => {
    const inj = new ErrorInjector({ shard });
    inj.enable('coin', { probability: 0.5, seed: 7 });
    return Array.from({ length: 64 }, () => inj.enter('coin'));
  };

  test('shards enabled with one seed do not fire in lockstep, and each replays its own pattern', () => {
    const [a, b] = [pattern(1), pattern(2)];
    expect(a).not.toEqual(b);
    expect(pattern(1)).toEqual(a);
  });
});

describe('scopes', () => {
  const inScope = <R>(scope: string, fn: () => R): R => runInInjectionScope(scope, fn);

  test('a scoped injection fires only for reaches in its scope; the event carries the scope', () => {
    const inj = newInjector();
    const events = record(inj.hits$);
    inj.enable('x', { scope: 'a' });
    expect(inj.enter('x')).toBe(false);
    expect(inScope('b', () => inj.enter('x'))).toBe(false);
    expect(inScope('a', () => inj.enter('x'))).toBe(true);
    expect(events).toEqual([{ ...hit('x', 'lambda'), scope: 'a' }]);
  });

  test('an unscoped hit has no scope field at all', () => {
    const inj = newInjector();
    const events = record(inj.hits$);
    inj.enable('x');
    expect(inScope('a', () => inj.enter('x'))).toBe(true);
    expect(events).toHaveLength(1);
    expect('scope' in events[0]).toBe(false);
  });

  test('a reach matches its own scope first, then the unscoped entry; an unscoped reach never fires a scoped one', () => {
    const inj = newInjector();
    const events = record(inj.hits$);
    inj.enable('x', { scope: 'a', parameters: { who: 'a' } });
    inj.enable('x', { parameters: { who: 'all' } });
    const seen: string[] = [];
    inScope('a', () => inj.inject('x', (p) => seen.push(p.who)));
    inScope('b', () => inj.inject('x', (p) => seen.push(p.who)));
    inj.inject('x', (p) => seen.push(p.who));
    expect(seen).toEqual(['a', 'all', 'all']);
    expect(events.map((e) => e.scope)).toEqual(['a', undefined, undefined]);
  });

  test('one-shot, count and skip count per scope: one scope using up its one-shot leaves the others armed', () => {
    const inj = newInjector();
    inj.enable('x', { scope: 'a', oneShot: true });
    inj.enable('x', { scope: 'b', oneShot: true });
    inj.enable('x', { scope: 'c', count: 2, skip: 1 });
    expect(inScope('a', () => [inj.enter('x'), inj.enter('x')])).toEqual([true, false]);
    expect(inj.isEnabled('x', { scope: 'a' })).toBe(false);
    expect(inj.isEnabled('x', { scope: 'b' })).toBe(true);
    expect(inScope('b', () => [inj.enter('x'), inj.enter('x')])).toEqual([true, false]);
    expect(inScope('c', () => [inj.enter('x'), inj.enter('x'), inj.enter('x'), inj.enter('x')])).toEqual([false, true, true, false]);
    expect(inj.enabledInjections()).toEqual([]);
  });

  test('probability draws per scope from its own generator: the same seed gives each scope the same sequence', () => {
    const inj = newInjector();
    inj.enable('x', { scope: 'a', probability: 0.5, seed: 7 });
    inj.enable('x', { scope: 'b', probability: 0.5, seed: 7 });
    const a = inScope('a', () => Array.from({ length: 40 }, () => inj.enter('x')));
    const b = inScope('b', () => Array.from({ length: 40 }, () => inj.enter('x')));
    expect(b).toEqual(a);
    expect(a).toContain(true);
    expect(a).toContain(false);
  });

  test('the scope follows awaits and timers to the point', async () => {
    const inj = newInjector();
    inj.enable('x', { scope: 'a' });
    const fired = await inScope('a', async () => {
      await Promise.resolve();
      return new Promise<boolean>((resolve) => setTimeout(() => resolve(inj.enter('x')), 1));
    });
    expect(fired).toBe(true);
  });

  test('disable(name) removes every enablement of it; disable(name, { scope }) only that scope', () => {
    const inj = newInjector();
    inj.enable('x');
    inj.enable('x', { scope: 'a' });
    inj.enable('x', { scope: 'b' });
    inj.disable('x', { scope: 'a' });
    expect([inj.isEnabled('x', { scope: 'a' }), inj.isEnabled('x', { scope: 'b' }), inj.get('x').enabled]).toEqual([false, true, true]);
    expect(inScope('a', () => inj.enter('x'))).toBe(true); // the unscoped one
    inj.disable('x');
    expect([inj.isEnabled('x'), inj.isEnabled('x', { scope: 'b' })]).toEqual([false, false]);
    expect(inScope('b', () => inj.enter('x'))).toBe(false);
  });

  test('disableAll removes every scope; a released scoped handler resolves', async () => {
    const inj = newInjector();
    inj.enable('h', { scope: 'a' });
    const done = inScope('a', () => inj.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 60_000 })));
    expect(done).toBeDefined();
    inj.disableAll();
    await expect(done).resolves.toBeUndefined();
    expect(inj.enabledInjections()).toEqual([]);
  });

  test('a message with a scope reaches that scope only; one without reaches every scope', async () => {
    const inj = newInjector();
    inj.enable('h', { scope: 'a' });
    inj.enable('h', { scope: 'b' });
    const a = inScope('a', () => inj.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 60_000 })));
    const b = inScope('b', () => inj.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 60_000 })));
    inj.receiveMessage('h', { scope: 'a' });
    await expect(a).resolves.toBeUndefined();
    expect(await stateOf(b as Promise<void>)).toBe('pending');
    inj.receiveMessage('h');
    await expect(b).resolves.toBeUndefined();
  });

  test('get shows the unscoped state with the scopes besides; get with a scope shows that one; lifetimeHits counts all', () => {
    const inj = newInjector();
    inj.enable('x', { scope: 'a', count: 3 });
    inj.enable('x', { scope: 'b' });
    inScope('a', () => inj.enter('x'));
    inScope('b', () => inj.enter('x'));
    expect(inj.get('x')).toEqual({
      name: 'x', enabled: false, oneShot: false, parameters: {}, hits: 0, lifetimeHits: 2, waiters: 0, scopes: ['a', 'b'],
    });
    expect(inj.get('x', { scope: 'a' })).toEqual({
      name: 'x', enabled: true, oneShot: false, parameters: {}, hits: 1, lifetimeHits: 2, waiters: 0, count: 3, scope: 'a',
    });
    expect(inj.enabledInjections()).toEqual(['x']);
    expect(inj.lifetimeHitCounts()).toEqual({ x: 2 });
  });

  test('re-enabling in a scope replaces that scope only', () => {
    const inj = newInjector();
    inj.enable('x', { scope: 'a', oneShot: true });
    inj.enable('x', { scope: 'b', oneShot: true });
    inScope('a', () => inj.enter('x'));
    inj.enable('x', { scope: 'a', oneShot: true });
    expect(inScope('a', () => inj.enter('x'))).toBe(true);
    expect(inScope('b', () => inj.enter('x'))).toBe(true);
  });

  test('while a spent scoped one-shot handler still runs, its scope\'s reaches go on to the unscoped entry', async () => {
    const inj = newInjector();
    const events = record(inj.hits$);
    inj.enable('h', { scope: 'a', oneShot: true });
    inj.enable('h');
    const parked = inScope('a', () => inj.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 60_000 })));
    expect(inj.get('h').scopes).toBeUndefined(); // spent: no longer listed
    const second = inScope('a', () => inj.injectHandler('h', () => undefined));
    await second;
    expect(events.map((e) => e.scope)).toEqual(['a', undefined]);
    inj.receiveMessage('h', { scope: 'a' }); // still reaches the running handler
    await parked;
    expect(inj.isEnabled('h', { scope: 'a' })).toBe(false);
  });

  test("a scoped entry's exhaustion and its handler's waiting and released carry the scope; an unscoped one's have no scope field", async () => {
    const inj = newInjector();
    const seen = record(merge<(HandlerEvent | ExhaustedEvent)[]>(inj.handlerEvents$, inj.exhaustions$));
    inj.enable('h', { scope: 'a', oneShot: true });
    inj.enable('x', { count: 1 });
    const parked = inScope('a', () => inj.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 60_000 })));
    inj.receiveMessage('h', { scope: 'a' });
    await parked;
    inScope('a', () => inj.enter('x'));
    const at = { shard: 0, ts: expect.any(Number) as unknown as number };
    expect(seen).toEqual([
      { injection: 'h', phase: 'waiting', ...at, scope: 'a' },
      { injection: 'h', phase: 'released', ...at, scope: 'a' },
      { injection: 'h', phase: 'exhausted', ...at, scope: 'a' },
      { injection: 'x', phase: 'exhausted', ...at },
    ]);
    expect('scope' in seen[3]).toBe(false);
  });

  test("one scope's one-shot running out reports that scope's exhaustion only; the other scopes' stay enabled", () => {
    const inj = newInjector();
    const seen = record(inj.exhaustions$);
    inj.enable('x', { scope: 'a', oneShot: true });
    inj.enable('x', { scope: 'b', oneShot: true });
    inj.enable('x', { oneShot: true });
    inScope('a', () => inj.enter('x'));
    expect(seen.map((e) => e.scope)).toEqual(['a']);
    inj.enter('x');
    expect(seen.map((e) => e.scope)).toEqual(['a', undefined]);
    expect(inj.isEnabled('x', { scope: 'b' })).toBe(true);
  });

  test('parkedHandlerCounts sums the waiters of every enablement of a name: unscoped and each scope', async () => {
    const inj = newInjector();
    inj.enable('h', { scope: 'a' });
    inj.enable('h', { scope: 'b' });
    inj.enable('h');
    const park = (scope?: string) => {
      const reach = () => inj.injectHandler('h', (handler) => handler.waitForMessage({ timeout: 60_000 }));
      return scope === undefined ? reach() : inScope(scope, reach);
    };
    const parked = [park('a'), park('a'), park('b'), park()];
    expect(inj.parkedHandlerCounts()).toEqual({ h: 4 });
    inj.receiveMessage('h', { scope: 'a' });
    await Promise.all(parked.slice(0, 2));
    expect(inj.parkedHandlerCounts()).toEqual({ h: 2 });
    inj.disable('h');
    await Promise.all(parked);
    expect(inj.parkedHandlerCounts()).toEqual({});
  });

  test('the scope store is read only when the reached name has a scoped entry', () => {
    const getStore = jest.spyOn(AsyncLocalStorage.prototype, 'getStore');
    const inj = newInjector();
    /** Store reads made by the points alone (entering the scope reads it too, so the count starts inside). */
    const readsOfReaching = (): number =>
      inScope('a', () => {
        getStore.mockClear();
        inj.enter('x');
        inj.enter('xx');
        void inj.injectSleep('x', 0);
        inj.inject('x', () => undefined);
        return getStore.mock.calls.length;
      });
    expect(readsOfReaching()).toBe(0); // nothing enabled
    inj.enable('other', { scope: 'a' }); // another name scoped: 'x' is turned away by the filter
    expect(readsOfReaching()).toBe(0);
    inj.enable('x'); // enabled, unscoped only: matched without reading the store
    expect(readsOfReaching()).toBe(0);
    inj.enable('x', { scope: 'b' }); // now 'x' has a scoped entry: one read per reach of 'x'
    expect(readsOfReaching()).toBe(3);
  });

  test('a bad scope in enable, disable, get or receiveMessage is refused and changes nothing', () => {
    const inj = newInjector();
    inj.enable('x', { scope: 'a' });
    const message = 'injection "x": scope: a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got "a b"';
    for (const call of [
      () => inj.disable('x', { scope: 'a b' }),
      () => inj.get('x', { scope: 'a b' }),
      () => inj.receiveMessage('x', { scope: 'a b' }),
    ]) {
      expectError(thrownBy(call), InvalidInjectionError, { code: 'ERR_FAULTLINE_INVALID', message });
    }
    expectError(thrownBy(() => inj.enable('x', { scope: '' })), InvalidInjectionError, {
      code: 'ERR_FAULTLINE_INVALID',
      message: 'injection "x": scope: a scope must not be empty',
    });
    expect(inj.isEnabled('x', { scope: 'a' })).toBe(true);
  });
});
