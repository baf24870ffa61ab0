import type { ControlNotice, HandlerEvent, InjectionEvent } from '../event';

/** Where a stream (or one node of it) stands. `closed` is final. */
export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** An event as a stream delivers it: stamped with the node it came from and its place in arrival order. */
export interface ReceivedInjectionEvent extends InjectionEvent {
  /** The node's name: the one given to `openInjectionStream`, or its URL without a trailing slash. */
  readonly node: string;
  /** 1, 2, 3... in the order this stream received its events, across all nodes; what marks compare against. */
  readonly seq: number;
}

/** A handler parking or being released, delivered on `handler$` when the stream asked for them. */
export interface ReceivedHandlerEvent extends HandlerEvent {
  readonly node: string;
}

/** A point in a stream's history, from `stream.mark()`: `since(mark)` keeps only the events after it. */
export interface InjectionMark {
  /** The `seq` of the last event received before the mark (0 when none). */
  readonly seq: number;
  /** How many control notices had been received at the mark: a wait fails only on one after it. */
  readonly controls?: number;
}

/**
 * Why events may have been lost on a node: `history` (the server's bounded history no longer reached back
 * to the client's last event), `restart` (the server came back with a new epoch, reported by the server or
 * detected from its event ids), `unresumable` (the connection dropped and the server cannot replay: it
 * sends no event ids, like ScyllaDB, or none had arrived yet).
 */
export type GapReason = 'history' | 'restart' | 'unresumable';

export interface GapNotice {
  readonly node: string;
  readonly reason: GapReason;
  /** The last event id the client had (sent as Last-Event-ID), if any. */
  readonly lastEventId?: string;
  /** The oldest id the server still had, when it said so. */
  readonly oldestId?: string;
  /** The `seq` of the last event received before the gap was noticed. */
  readonly seq: number;
  /** Epoch milliseconds when the client noticed it. */
  readonly ts: number;
}

export interface NodeStatus {
  readonly node: string;
  readonly status: StreamStatus;
}

/**
 * A stream position a faultline server gave (`faultline-position`: `<epoch>-<seq>` of its last hit, `<epoch>-0`
 * before the first), or one per node name for a cluster: waits and `afterPosition` count only hits after it.
 */
export type StreamPositions = string | Readonly<Record<string, string | undefined>>;

/** What a faultline server answered to an enable or a disable, beyond ScyllaDB's empty 200. */
export interface AppliedChange {
  /**
   * The stream position it took effect at (`faultline-position`): for an enable, the last hit before it was
   * armed; for a disable, the last hit once every shard applied it. Undefined from a server that does not say
   * (a ScyllaDB node).
   */
  readonly position: string | undefined;
  /** Shards that did not acknowledge in time (`faultline-shards-down`), e.g. a worker that exited. */
  readonly shardsDown: readonly number[];
}

/** A control notice as the stream hands it out: with the node, and the `seq` of the last hit before it. */
export interface ReceivedControlNotice extends ControlNotice {
  readonly node: string;
  readonly seq: number;
}

export type { ControlNotice, ControlOp } from '../event';
