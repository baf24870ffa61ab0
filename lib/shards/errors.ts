import { FaultlineError } from '../errors';

/** A ShardGroup method called after `close()`, or a wait that `close()` ended. */
export class ShardGroupClosedError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_GROUP_CLOSED' as const;

  constructor(what: string) {
    super(`${what}: the shard group is closed`);
  }
}

/**
 * A worker could not join a group: it exited before attaching, it already belongs to a group, it did not
 * attach in time, or `attachShard()` was called where there is no group to join (the main thread).
 */
export class ShardAttachError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_SHARD_ATTACH' as const;
}

/** A worker shard failed to apply a broadcast change (other than a bad name or option, caught up front). */
export class ShardApplyError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_SHARD_APPLY' as const;

  constructor(
    readonly shard: number,
    readonly causeCode: string | undefined,
    message: string,
  ) {
    super(`shard ${shard}: ${message}`);
  }
}

/**
 * A bad option or argument of the shard API: `new ShardGroup(options)`, `addWorker(worker, options)` or
 * `attachShard(options)`. Thrown (or rejected with) before anything is set up, so nothing is left to undo.
 */
export class ShardGroupOptionError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_SHARD_OPTION' as const;
}

/**
 * The timeout option of `addWorker` and `attachShard`: undefined (wait as long as it takes) or a positive
 * number of ms. Returns the error to reject with, so each side rejects its own promise.
 */
export function timeoutOptionError(what: string, timeout: unknown): ShardGroupOptionError | undefined {
  if (timeout === undefined || (typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) return undefined;
  return new ShardGroupOptionError(`${what} timeout must be a positive number of ms, got ${String(timeout)}`);
}
