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
  /** The scope it fires in; undefined: unscoped. */
  readonly scope: string | undefined;
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
  /**
   * It fired for the last time (one-shot, or `count` reached) while a handler of it still runs. It fires no
   * more and counts as not enabled, but stays in place until its last handler returns, so messages still
   * reach that handler (ScyllaDB's "ongoing one-shot").
   */
  exhausted: boolean;
  /** Handler functions of this entry that have not returned yet. */
  running: number;
  disabled: boolean;
  /** Messages received, counted so that one sent before the wait is not lost. */
  messages: number;
  /** Messages consumed by handlers that do not share messages. */
  consumed: number;
  readonly waiters: Set<Waiter>;
}
