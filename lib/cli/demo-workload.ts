import { setTimeout as delay } from 'node:timers/promises';
import type { ErrorInjector } from '../injector';
import { HandlerAbortedError, HandlerTimeoutError, InjectedError } from '../injector';

/**
 * The points the built-in demo passes on every shard (`faultline serve --demo`), each in its own loop so
 * that pausing one (a long sleep, a handler waiting for a message) does not stop the others:
 * - `demo_sleep`: sleeps `ms` milliseconds (parameter, default 500) when enabled.
 * - `demo_exception`: throws InjectedError, which the workload catches and counts, as an app would.
 * - `demo_lambda`: runs a small function that reads the injection's parameters.
 * - `demo_handler`: waits for a message (`faultline message URL demo_handler`) for at most `timeout`
 *   milliseconds (parameter, default 10000); a timeout is caught and counted.
 */
export const DEMO_INJECTIONS = ['demo_sleep', 'demo_exception', 'demo_lambda', 'demo_handler'] as const;
export type DemoInjection = (typeof DEMO_INJECTIONS)[number];

export interface DemoWorkloadOptions {
  /**
   * Mean milliseconds between two passes of each point (default 100, jittered by +-50%): often enough to see a
   * hit at once, not a busy loop.
   */
  interval?: number;
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
}

export interface DemoWorkload {
  stats(): DemoStats;
  /** Stops every loop, releases a waiting handler, and resolves once all loops have returned. */
  stop(): Promise<void>;
}

const DEFAULT_SLEEP_MS = 500;
const DEFAULT_HANDLER_TIMEOUT_MS = 10_000;

export function startDemoWorkload(injector: ErrorInjector, options: DemoWorkloadOptions = {}): DemoWorkload {
  const interval = options.interval ?? 100;
  const stopping = new AbortController();
  const { signal } = stopping;
  const passes: Record<DemoInjection, number> = { demo_sleep: 0, demo_exception: 0, demo_lambda: 0, demo_handler: 0 };
  let caught = 0;
  let released = 0;
  let lambdas = 0;

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
          const timeout = handler.getInteger('timeout') ?? DEFAULT_HANDLER_TIMEOUT_MS;
          await handler.waitForMessage({ timeout, signal });
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
        // Aborting a sleep rejects with the abort reason; anything else is a bug worth seeing.
        if (!signal.aborted) throw err;
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
  // A failed loop must not become an unhandled rejection before stop() is called; stop() rethrows it.
  loops.catch(() => undefined);

  return {
    stats: () => ({ passes: { ...passes }, caught, released, lambdas }),
    stop: async () => {
      stopping.abort();
      await loops;
    },
  };
}

function sleepMs(injector: ErrorInjector): number {
  if (!injector.isEnabled('demo_sleep')) return 0;
  const ms = Number(injector.get('demo_sleep').parameters.ms);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_SLEEP_MS;
}
