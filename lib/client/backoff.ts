import { ClientArgumentError } from './errors';

/** How a dropped node connection is re-established. */
export interface ReconnectPolicy {
  /** Consecutive failed attempts before the node is given up (default 10; 0 never reconnects). */
  attempts?: number;
  /**
   * Delay before the first attempt, doubled after each failure (default: the server's `retry:` if it sent
   * one, else 100 ms). An explicit value wins over the server's.
   */
  initialDelay?: number;
  /** Ceiling of the delay (default 5000 ms). */
  maxDelay?: number;
  /** Share of each delay that is random, 0 to 1 (default 0.5), so clients of a restarted server spread out. */
  jitter?: number;
}

export interface ResolvedReconnectPolicy {
  readonly attempts: number;
  readonly initialDelay: number | undefined;
  readonly maxDelay: number;
  readonly jitter: number;
}

export const DEFAULT_RECONNECT_DELAY = 100;

export function resolveReconnectPolicy(policy: ReconnectPolicy | undefined): ResolvedReconnectPolicy {
  const p = policy ?? {};
  const attempts = p.attempts ?? 10;
  if (!Number.isInteger(attempts) || attempts < 0) {
    throw new ClientArgumentError(`reconnect.attempts must be an integer >= 0, not ${String(attempts)}`);
  }
  for (const key of ['initialDelay', 'maxDelay'] as const) {
    const v = p[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new ClientArgumentError(`reconnect.${key} must be a number of milliseconds >= 0, not ${String(v)}`);
    }
  }
  const jitter = p.jitter ?? 0.5;
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new ClientArgumentError(`reconnect.jitter must be between 0 and 1, not ${String(jitter)}`);
  }
  return { attempts, initialDelay: p.initialDelay, maxDelay: p.maxDelay ?? 5000, jitter };
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first): exponential from `base`, capped, with the
 * jittered share taken off at random (so it never exceeds the cap and is at least (1 - jitter) of it).
 */
export function reconnectDelay(
  attempt: number,
  base: number,
  policy: ResolvedReconnectPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelay, base * 2 ** Math.min(attempt, 30));
  return ceiling * (1 - policy.jitter * random());
}
