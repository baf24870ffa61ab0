import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import { DEMO_INJECTIONS, MAX_DEMO_SLEEP_MS, startDemoWorkload, type DemoInjection, type DemoWorkload } from '../../lib/cli/demo-workload';
import { ErrorInjector, InjectionParameterError } from '../../lib/injector';

// A hang guard, not a speed check: the workload passes each point every few ms here.
const DEADLINE = 10_000;

describe('startDemoWorkload', () => {
  let injector: ErrorInjector;
  let workload: DemoWorkload | undefined;

  beforeEach(() => {
    injector = new ErrorInjector();
  });

  afterEach(async () => {
    await workload?.stop();
    workload = undefined;
  });

  function nextHit(name: string, count = 1) {
    return firstValueFrom(
      injector.hits$.pipe(
        filter((e) => e.injection === name),
        take(count),
        toArray(),
        timeout(DEADLINE),
      ),
    );
  }

  it('passes every demo point, and nothing fires while nothing is enabled', async () => {
    const seen: string[] = [];
    const sub = injector.hits$.subscribe((e) => seen.push(e.injection));
    workload = startDemoWorkload(injector, { interval: 1 });
    await waitUntil(() => DEMO_INJECTIONS.every((n) => workload!.stats().passes[n] >= 3));
    sub.unsubscribe();
    expect(seen).toEqual([]);
  });

  it.each([
    ['demo_sleep', 'sleep'],
    ['demo_exception', 'exception'],
    ['demo_lambda', 'lambda'],
  ] as const)('emits a %s hit of type %s as soon as it is enabled', async (name, type) => {
    workload = startDemoWorkload(injector, { interval: 1 });
    const hits = nextHit(name, 2);
    injector.enable(name, { parameters: { ms: '1' } });
    const events = await hits;
    expect(events.map((e) => [e.injection, e.type])).toEqual([
      [name, type],
      [name, type],
    ]);
  });

  it('catches the injected errors and keeps going', async () => {
    workload = startDemoWorkload(injector, { interval: 1 });
    injector.enable('demo_exception', { count: 3 });
    await waitUntil(() => workload!.stats().caught === 3);
    const before = workload.stats().passes.demo_exception;
    await waitUntil(() => workload!.stats().passes.demo_exception > before + 2);
  });

  it('runs the lambda', async () => {
    workload = startDemoWorkload(injector, { interval: 1 });
    injector.enable('demo_lambda', { count: 2 });
    await waitUntil(() => workload!.stats().lambdas === 2);
  });

  it('parks demo_handler until a message, without stopping the other points', async () => {
    workload = startDemoWorkload(injector, { interval: 1 });
    const parked = firstValueFrom(injector.handlerEvents$.pipe(filter((e) => e.phase === 'waiting'), timeout(DEADLINE)));
    injector.enable('demo_handler', { oneShot: true, parameters: { timeout: '60000' } });
    await parked;
    const lambdaPasses = workload.stats().passes.demo_lambda;
    await waitUntil(() => workload!.stats().passes.demo_lambda > lambdaPasses + 2);
    expect(workload.stats().released).toBe(0);
    injector.receiveMessage('demo_handler');
    await waitUntil(() => workload!.stats().released === 1);
  });

  it('counts a handler timeout as caught', async () => {
    workload = startDemoWorkload(injector, { interval: 1 });
    injector.enable('demo_handler', { oneShot: true, parameters: { timeout: '1' } });
    await waitUntil(() => workload!.stats().caught === 1);
  });

  it('stop() releases a parked handler and a long sleep, and resolves', async () => {
    workload = startDemoWorkload(injector, { interval: 1 });
    const parked = firstValueFrom(injector.handlerEvents$.pipe(filter((e) => e.phase === 'waiting'), timeout(DEADLINE)));
    const slept = nextHit('demo_sleep');
    injector.enable('demo_handler', { parameters: { timeout: '600000' } });
    injector.enable('demo_sleep', { parameters: { ms: String(MAX_DEMO_SLEEP_MS) } });
    await Promise.all([parked, slept]);
    const w = workload;
    workload = undefined;
    // Resolving at all is the point: the longest sleep and a wait of 10 minutes were cut short.
    await w.stop();
    expect(injector.get('demo_handler').waiters).toBe(0);
  });

  it.each([
    ['demo_handler', 'timeout', 'abc', 'an integer'],
    ['demo_handler', 'timeout', '-5', 'an integer >= 0'],
    ['demo_sleep', 'ms', '1e308', `a number of milliseconds from 0 to ${MAX_DEMO_SLEEP_MS}`],
    ['demo_sleep', 'ms', '-1', `a number of milliseconds from 0 to ${MAX_DEMO_SLEEP_MS}`],
    ['demo_sleep', 'ms', 'soon', `a number of milliseconds from 0 to ${MAX_DEMO_SLEEP_MS}`],
  ] as const)('%s with %s=%s fails every pass with InjectionParameterError, and the loop goes on', async (name, key, value, expected) => {
    const errors: [Error, DemoInjection][] = [];
    workload = startDemoWorkload(injector, { interval: 1, onError: (err, point) => errors.push([err, point]) });
    injector.enable(name, { parameters: { [key]: value } });
    await waitUntil(() => errors.length >= 3);
    for (const [err, point] of errors) {
      expect(point).toBe(name);
      expect(err).toBeInstanceOf(InjectionParameterError);
      expect(err).toMatchObject({ code: 'ERR_FAULTLINE_PARAMETER', injection: name, parameter: key, value });
      expect(err.message).toBe(`injection "${name}": parameter "${key}" is ${JSON.stringify(value)}, not ${expected}`);
    }
    expect(workload.stats().failed).toBeGreaterThanOrEqual(3);
    // A valid value works at once: the loop is still there.
    const hits = firstValueFrom(injector.hits$.pipe(filter((e) => e.injection === name), take(2), toArray(), timeout(DEADLINE)));
    injector.enable(name, { parameters: { [key]: '1' } });
    await hits;
    const w = workload;
    workload = undefined;
    await w.stop();
  });
});

/** Polls a condition with a deadline (the workload's counters have no event of their own to wait on). */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${DEADLINE} ms: ${condition.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
