import type { InjectionParameters } from '../event';

/** A parked `waitForMessage`: re-checked whenever a message arrives or the injection is disabled. */
export interface Waiter {
  wake(): void;
}

/**
 * One enablement of an injection on one shard. Re-enabling creates a new entry, so everything here
 * (messages, waiters, counters of skip/count) starts afresh, and waiters of the old entry are released.
 */
export interface Entry {
  readonly name: string;
  readonly oneShot: boolean;
  readonly parameters: InjectionParameters;
  readonly count: number | undefined;
  readonly skip: number;
  readonly probability: number | undefined;
  readonly seed: number | undefined;
  readonly random: (() => number) | undefined;
  /** Times the point was reached while enabled, fired or not (for `skip`). */
  reached: number;
  /** Times it fired in this enablement (for `count`). */
  fired: number;
  /** A one-shot handler is running: messages still reach it, but it counts as not enabled. */
  ongoing: boolean;
  disabled: boolean;
  /** Messages received, counted so that one sent before the wait is not lost. */
  messages: number;
  /** Messages consumed by handlers that do not share messages. */
  consumed: number;
  readonly waiters: Set<Waiter>;
}
