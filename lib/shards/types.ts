import type { ErrorInjector } from '../injector';
import type { ControlNotice, HandlerEvent, InjectionEvent, InjectionType } from '../event';

export type { ControlNotice, ControlOp, ParkedHandlers } from '../event';

export interface ShardGroupOptions {
  /** Shard 0; default: the main thread's `injector`. */
  injector?: ErrorInjector;
  /** Hits kept for replay after a `Last-Event-ID` (default 10_000; 0 keeps none). */
  historySize?: number;
  /**
   * Most bytes the kept hits may hold, estimated from their names and parameters (default 64 MiB): big
   * parameters make the history keep fewer hits rather than grow memory. The oldest go first.
   */
  historyBytes?: number;
  /** Milliseconds a broadcast waits for one shard's ack before reporting it in `down` (default 10_000). */
  applyTimeout?: number;
}

export interface AddWorkerOptions {
  /** Milliseconds to wait for the worker to call `attachShard()` (default: until it does, exits, or the group closes). */
  timeout?: number;
}

export interface ShardInfo {
  readonly shard: number;
  readonly kind: 'main' | 'worker';
  readonly alive: boolean;
  readonly threadId: number;
}

/** Shard numbers that applied a broadcast, and those that could not (exited, or no ack within applyTimeout). */
export interface BroadcastResult {
  readonly applied: number[];
  readonly down: number[];
}

/** One hit as the group hands it out: the event (with `id` set) and its SSE frame, built once, lazily, cached. */
export interface GroupHit {
  readonly kind: 'hit';
  /** Global, increasing on the main thread. */
  readonly seq: number;
  /** Wire id: `${group.epoch}-${seq}`. */
  readonly id: string;
  /** Has `id`, `ts`, `params`, `shard`. */
  readonly event: InjectionEvent;
  /**
   * `id: <id>\ndata: <encodeEvent(boundEventParams(event))>\n\n`, computed once for all readers: parameters
   * over EVENT_PARAMS_MAX_BYTES cut, with `paramsTruncated: true`.
   */
  readonly frame: string;
  /** The same with every parameter (what `?params=full` streams); the very same string when nothing was cut. */
  readonly fullFrame: string;
}

/** afterId older than the history holds, or from another epoch (server restarted). Emitted first, once. */
export interface GroupGap {
  readonly kind: 'gap';
  readonly reason: 'history' | 'restart';
  /** What the reader asked to resume after. */
  readonly lastEventId: string;
  /** Oldest id still in history (null: empty). */
  readonly oldestId: string | null;
  /** `event: gap\ndata: {"reason":...,"lastEventId":...,"oldestId":...}\n\n` */
  readonly frame: string;
}

/** A handler parking or being released; `event: handler\ndata: ...`. */
export interface GroupHandlerEvent {
  readonly kind: 'handler';
  readonly event: HandlerEvent;
  readonly frame: string;
}

/** A shard went down (worker exited/crashed): only to readers that ask for it. `event: shard-down\ndata: {"shard":n}`. */
export interface GroupShardDown {
  readonly kind: 'shard-down';
  readonly shard: number;
  readonly frame: string;
}

/** `event: control\ndata: <ControlNotice as JSON>`. */
export interface GroupControl {
  readonly kind: 'control';
  readonly notice: ControlNotice;
  readonly frame: string;
}

export type GroupItem = GroupHit | GroupGap | GroupHandlerEvent | GroupShardDown | GroupControl;

export interface EventsOptions {
  /** Default: all (including workers that join later). */
  shards?: number[];
  /** Default: all names. */
  injections?: string[];
  /** Default: all. */
  types?: InjectionType[];
  /** Only hits of enablements in these scopes (default: every hit, scoped or not). */
  scopes?: string[];
  /** Replay history after this wire id, then live, no gap/duplicate. */
  afterId?: string;
  /** Also emit 'handler' items (default false). */
  handlerEvents?: boolean;
  /** Also emit 'shard-down' items (default false). */
  shardEvents?: boolean;
  /** Also emit 'control' items (default false). */
  controlEvents?: boolean;
}
