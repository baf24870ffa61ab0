import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import { DEMO_INJECTIONS, startDemoWorkload, type DemoWorkload } from '../../lib/cli/demo-workload';
import { ErrorInjector } from '../../lib/injector';

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
    injector.enable('demo_sleep', { parameters: { ms: '600000' } });
    await Promise.all([parked, slept]);
    const w = workload;
    workload = undefined;
    // Resolving at all is the point: a sleep of 10 minutes and a wait of 10 minutes were cut short.
    await w.stop();
    expect(injector.get('demo_handler').waiters).toBe(0);
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
