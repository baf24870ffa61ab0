import type { EnableOptions, InjectionState } from '../injector';
import type { PackedItems } from './packed-items';

// The messages a ShardGroup (host, main thread) and attachShard() (worker) exchange. Both sides import only
// this file, packed-items.ts and errors.ts from each other, so a worker never loads host code. Why it is
// built this way (the transport, batching in columns, flow control, the drain marker, how a worker joins
// and leaves) is in docs/architecture.md, section "Shards".
//
// Transport: a BroadcastChannel named after the worker's threadId. Only the host's link for that worker and
// the worker itself open that name, so it is point-to-point in practice, and neither side touches the
// worker's parentPort: the application's own messages there are never seen or disturbed by faultline.
// A BroadcastChannel drops what is posted before the other side opens it, so both sides announce themselves
// on opening ('host-hello' / 'hello') and whichever opens second is heard by the first.

/**
 * Bumped whenever these messages change shape. Host and worker may load different copies of faultline (two
 * versions in node_modules, or source on one side and a build on the other): a mismatch is refused at attach
 * with a clear error instead of messages neither side understands. 2 was taken twice, by builds that never
 * met: a batch may hold code 6 (an exhaustion, see packed-items.ts), which a host of protocol 1 would read as a
 * handler's 'released'; and `disable`, `message` and `state` may carry a scope. 3 has both, and a batch's
 * `scopes` covers its phases (handler waits, exhaustions) as well as its hits.
 */
export const PROTOCOL_VERSION = 3;

/** The channel name of the worker whose `threadId` is given. */
export function shardChannelName(threadId: number): string {
  return 'faultline:shard:' + threadId;
}

/** A control operation: applied by a worker's injector, answered with an 'ack'. */
export type ControlOp =
  | { readonly op: 'enable'; readonly name: string; readonly options: EnableOptions }
  /** `scope` (protocol 2): that scope's enablement only; without it, every enablement of the name. */
  | { readonly op: 'disable'; readonly name: string; readonly scope?: string }
  | { readonly op: 'disableAll' }
  | { readonly op: 'message'; readonly name: string; readonly scope?: string }
  | { readonly op: 'state'; readonly name: string; readonly scope?: string }
  | { readonly op: 'enabled' }
  | { readonly op: 'lifetimes' }
  | { readonly op: 'parked' }
  /** The worker leaves the group. Named 'detach' on the wire since protocol 1; everywhere else it is "leave". */
  | { readonly op: 'detach' };

/** What the worker should forward: hits (for readers or history), handler phases (for readers that ask). */
export interface WatchFlags {
  readonly hits: boolean;
  readonly handlers: boolean;
}

export type HostMessage =
  | { readonly t: 'host-hello' }
  /** Accepts the worker as `shard`: apply `enables` in order, forward per `watch`, then answer 'attached'. */
  | {
      readonly t: 'welcome';
      readonly shard: number;
      readonly enables: ReadonlyArray<readonly [string, EnableOptions]>;
      readonly watch: WatchFlags;
    }
  | ({ readonly t: 'watch' } & WatchFlags)
  /** The host has ingested events batch `n` (and every one before it): the worker may post more. */
  | { readonly t: 'credit'; readonly n: number }
  | ({ readonly t: 'control'; readonly id: number } & ControlOp)
  /** Sent by the host to itself (from a second channel instance) after the worker exits: everything the worker
   *  posted is queued before it, so when it arrives the worker's last hits have been ingested. */
  | { readonly t: 'drain' };

/** An error as it crosses the thread boundary: enough to rebuild the typed error on the host. */
export interface WireError {
  readonly code: string | undefined;
  readonly message: string;
  readonly injection?: string;
  readonly reason?: string;
}

export type ControlValue = InjectionState | string[] | Record<string, number> | undefined;

export type WorkerMessage =
  | { readonly t: 'hello'; readonly version: number }
  | { readonly t: 'attached'; readonly shard: number; readonly errors: readonly WireError[] }
  | { readonly t: 'ack'; readonly id: number; readonly value?: ControlValue; readonly error?: WireError }
  /**
   * Batch `n` of the shard's items. `credit`: answer with a 'credit' once ingested (asked every few batches, so
   * a worker never has more than a bounded number of batches in flight). `dropped`: hits the worker had to
   * drop since the last batch because the host fell too far behind.
   */
  | {
      readonly t: 'events';
      readonly n: number;
      readonly credit: boolean;
      readonly items: PackedItems;
      readonly dropped: number;
    };

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; injection?: unknown; reason?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : undefined,
      message: e.message,
      ...(typeof e.injection === 'string' ? { injection: e.injection } : {}),
      ...(typeof e.reason === 'string' ? { reason: e.reason } : {}),
    };
  }
  return { code: undefined, message: String(err) };
}
