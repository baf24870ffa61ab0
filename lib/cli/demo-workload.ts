import { setTimeout as delay } from 'node:timers/promises';
import type { ErrorInjector } from '../injector';
import { HandlerAbortedError, HandlerTimeoutError, InjectedError, InjectionParameterError, type InjectionHandler } from '../injector';

/**
 * The points the built-in demo passes on every shard (`faultline serve --demo`), each in its own loop so
 * that pausing one (a long sleep, a handler waiting for a message) does not stop the others:
 * - `demo_sleep`: sleeps `ms` milliseconds (parameter, default 500, at most 60 000) when enabled.
 * - `demo_exception`: throws InjectedError, which the workload catches and counts, as an app would.
 * - `demo_lambda`: runs a small function that reads the injection's parameters.
 * - `demo_handler`: waits for a message (`faultline message URL demo_handler`) for at most `timeout`
 *   milliseconds (parameter, default 10000); a timeout is caught and counted.
 * A hit whose parameter is unusable (`timeout: "abc"`, `ms: "1e308"`) fails with InjectionParameterError,
 * which goes to `onError` and is counted; the loop goes on, as every other error that is not a bug does.
 */
export const DEMO_INJECTIONS = ['demo_sleep', 'demo_exception', 'demo_lambda', 'demo_handler'] as const;
export type DemoInjection = (typeof DEMO_INJECTIONS)[number];

export interface DemoWorkloadOptions {
  /**
   * Mean milliseconds between two passes of each point (default 100, jittered by +-50%): often enough to see a
   * hit at once, not a busy loop.
   */
  interval?: number;
  /**
   * Told of every pass that failed with an error the workload does not expect (a bad parameter): the loop
   * goes on, so this is where it is seen. Default: nothing.
   */
  onError?: (err: Error, injection: DemoInjection) => void;
}

export interface DemoStats {
  /** Times each point was passed, enabled or not. */
  readonly passes: Readonly<Record<DemoInjection, number>>;
  /** Injected errors caught (demo_exception) and handler timeouts (demo_handler). */
  readonly caught: number;
  /** Handlers released by a message or by disabling the injection. */
  readonly released: number;
  /** Times the demo_lambda function ran. */
  readonly lambdas: number;
  /** Passes that failed with an unexpected error (given to onError), such as a bad parameter. */
  readonly failed: number;
}

export interface DemoWorkload {
  stats(): DemoStats;
  /** Stops every loop, releases a waiting handler, and resolves once all loops have returned. */
  stop(): Promise<void>;
}

const DEFAULT_SLEEP_MS = 500;
const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;
/** Longest demo sleep: a sleep of days (`ms: "1e308"`) would stall the point for good, which no demo wants. */
export const MAX_DEMO_SLEEP_MS = 60_000;

export function startDemoWorkload(injector: ErrorInjector, options: DemoWorkloadOptions = {}): DemoWorkload {
  const interval = options.interval ?? 100;
  const onError = options.onError ?? (() => undefined);
  const stopping = new AbortController();
  const { signal } = stopping;
  const passes: Record<DemoInjection, number> = { demo_sleep: 0, demo_exception: 0, demo_lambda: 0, demo_handler: 0 };
  let caught = 0;
  let released = 0;
  let lambdas = 0;
  let failed = 0;

  const points: Record<DemoInjection, () => Promise<void> | void> = {
    demo_sleep: () => injector.injectSleep('demo_sleep', sleepMs(injector), { signal }),
    demo_exception: () => {
      try {
        injector.injectError('demo_exception');
      } catch (err) {
        if (!(err instanceof InjectedError)) throw err;
        caught++;
      }
    },
    demo_lambda: () =>
      injector.inject('demo_lambda', () => {
        lambdas++;
      }),
    demo_handler: async () => {
      try {
        await injector.injectHandler('demo_handler', async (handler) => {
          await handler.waitForMessage({ timeout: handlerTimeout(handler), signal });
          released++;
        });
      } catch (err) {
        if (err instanceof HandlerTimeoutError) caught++;
        else if (!(err instanceof HandlerAbortedError)) throw err;
      }
    },
  };

  const loop = async (name: DemoInjection): Promise<void> => {
    while (!signal.aborted) {
      passes[name]++;
      try {
        await points[name]();
      } catch (err) {
        // Aborting a sleep rejects with the abort reason; anything else failed this pass only.
        if (signal.aborted) return;
        failed++;
        onError(err instanceof Error ? err : new Error(String(err)), name);
      }
      try {
        // Jittered like real traffic, so the shards (and the points) do not all pass in lockstep.
        await delay(interval * (0.5 + Math.random()), undefined, { signal });
      } catch {
        return;
      }
    }
  };
  const loops = Promise.all(DEMO_INJECTIONS.map(loop));

  return {
    stats: () => ({ passes: { ...passes }, caught, released, lambdas, failed }),
    stop: async () => {
      stopping.abort();
      await loops;
    },
  };
}

function sleepMs(injector: ErrorInjector): number {
  if (!injector.isEnabled('demo_sleep')) return 0;
  const raw = injector.get('demo_sleep').parameters.ms;
  if (raw === undefined) return DEFAULT_SLEEP_MS;
  const ms = raw.trim() === '' ? NaN : Number(raw);
  if (!(ms >= 0 && ms <= MAX_DEMO_SLEEP_MS)) {
    throw new InjectionParameterError('demo_sleep', 'ms', raw, `a number of milliseconds from 0 to ${MAX_DEMO_SLEEP_MS}`);
  }
  return ms;
}

function handlerTimeout(handler: InjectionHandler): number {
  const timeout = handler.getInteger('timeout');
  if (timeout === undefined) return DEFAULT_HANDLER_TIMEOUT_MS;
  if (timeout < 0) throw new InjectionParameterError(handler.injection, 'timeout', handler.get('timeout') ?? '', 'an integer >= 0');
  return timeout;
}
