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
