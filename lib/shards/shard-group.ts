import type { Worker } from 'node:worker_threads';
import type { Observable } from 'rxjs';
import {
  injector as threadInjector,
  type EnableOptions,
  type ErrorInjector,
  type InjectionState,
  type ScopeOption,
} from '../injector';
import { copyEnableOptions } from '../enable-options';
import { EMPTY_PARAMETERS } from '../injector/validate';
import { enablementKey } from '../wire';
import { ShardGroupClosedError, ShardGroupOptionError } from './errors';
import { FanOut } from './fan-out';
import { Membership } from './membership';
import type {
  AddWorkerOptions,
  BroadcastResult,
  ControlNotice,
  ControlOp,
  EventsOptions,
  GroupItem,
  ParkedHandlers,
  ShardGroupOptions,
  ShardInfo,
} from './types';
import { newEpoch } from './wire-id';

const DEFAULT_HISTORY_SIZE = 10_000;
export const DEFAULT_HISTORY_BYTES = 64 * 1024 * 1024;
const DEFAULT_APPLY_TIMEOUT = 10_000;

/**
 * The shards of this process: shard 0 is the main thread's injector, every worker added with `addWorker()`
 * (that calls `attachShard()`) is the next. Control is broadcast and resolves once every live shard applied
 * it; hits from every shard get one global, increasing id here on the main thread, are kept in a bounded
 * history, and are handed to each `events()` subscriber filtered, with replay after a given id.
 *
 * Who is in the group (joining, leaving, asking the live ones) is `Membership`; hits and readers are
 * `FanOut`. This class holds what ties them: the injections enabled through the group, and its lifecycle.
 */
export class ShardGroup {
  readonly epoch: string = newEpoch();
  private readonly injector: ErrorInjector;
  private readonly members: Membership;
  private readonly fanOut: FanOut;
  /**
   * Injections enabled through the group, in order, by name and scope (enablementKey): what a worker that joins
   * later is given.
   */
  private readonly enables = new Map<string, readonly [string, EnableOptions]>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: ShardGroupOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new ShardGroupOptionError('ShardGroup options must be an object');
    }
    this.injector = options.injector ?? threadInjector;
    const historySize = checkCount('historySize', options.historySize, DEFAULT_HISTORY_SIZE, 0);
    const applyTimeout = checkCount('applyTimeout', options.applyTimeout, DEFAULT_APPLY_TIMEOUT, 1);
    const historyBytes = checkCount('historyBytes', options.historyBytes, DEFAULT_HISTORY_BYTES, 0);
    this.members = new Membership(
      {
        enablesToJoin: () => [...this.enables.values()],
        watchFlags: (shard) => this.fanOut.watchFlags(shard),
        shardItems: (shard, items) => this.fanOut.ingestItems(shard, items),
        shardLeft: (shard) => this.fanOut.shardLeft(shard),
      },
      applyTimeout,
    );
    this.fanOut = new FanOut(this.epoch, this.injector, this.members, historySize, historyBytes);
  }

  get shards(): readonly ShardInfo[] {
    return this.members.shards;
  }

  /** The id of the latest hit, or null before the first. */
  get lastId(): string | null {
    return this.fanOut.lastId;
  }

  // ---- membership -----------------------------------------------------------------------------------------

  /**
   * Adds a worker as the next shard. Resolves with its shard number once the worker has called
   * `attachShard()` and applied every injection enabled on the group; rejects with ShardAttachError if it
   * exits first, already belongs to a group, or (with `timeout`) does not attach in time.
   */
  addWorker(worker: Worker, options: AddWorkerOptions = {}): Promise<number> {
    return this.members.add(worker, options);
  }

  // ---- broadcast control ----------------------------------------------------------------------------------

  /**
   * Enables `name` on every shard. Resolves once every live shard applied it, so work triggered afterwards on
   * any shard sees it. Bad names or options reject with InvalidInjectionError before anything is sent.
   */
  async enableOnAll(name: string, options: EnableOptions = {}): Promise<BroadcastResult> {
    this.assertOpen('enableOnAll');
    this.injector.enable(name, options);
    const sent = copyEnableOptions(options);
    // One seed for every shard, so a probabilistic run can be replayed from what stateOnAll shows; each shard
    // mixes its number into it (shardSeed), so the shards do not fire in lockstep.
    if (sent.probability !== undefined && sent.seed === undefined) sent.seed = this.injector.get(name, { scope: sent.scope }).seed;
    const key = enablementKey(name, sent.scope);
    this.enables.delete(key);
    this.enables.set(key, [name, sent]);
    const exhaustion = this.fanOut.exhaustion;
    const enablement = exhaustion.enabling(name, sent.scope);
    const applied = this.members.broadcast({ op: 'enable', name, options: sent }, (shard) => exhaustion.applied(enablement, shard));
    const result = await this.notify(applied, 'enabled', name, { ...sent });
    exhaustion.announced(enablement);
    return result;
  }

  /** Disables `name` on every shard: every enablement of it, or with `scope` only the one of that scope. */
  async disableOnAll(name: string, options: ScopeOption = {}): Promise<BroadcastResult> {
    this.assertOpen('disableOnAll');
    this.injector.disable(name, options);
    const { scope } = options;
    for (const [key, [enabled, sent]] of [...this.enables]) {
      if (enabled === name && (scope === undefined || sent.scope === scope)) this.enables.delete(key);
    }
    this.fanOut.exhaustion.disabled(name, scope);
    const op = scope === undefined ? { op: 'disable' as const, name } : { op: 'disable' as const, name, scope };
    return this.notify(this.members.broadcast(op), 'disabled', name, undefined, scope);
  }

  async disableAllOnAll(): Promise<BroadcastResult> {
    this.assertOpen('disableAllOnAll');
    this.injector.disableAll();
    this.enables.clear();
    this.fanOut.exhaustion.disabledAll();
    return this.notify(this.members.broadcast({ op: 'disableAll' }), 'disabled-all', null);
  }

  /** Wakes the handlers of `name` waiting for a message, on every shard: of every scope, or of `scope` only. */
  async messageOnAll(name: string, options: ScopeOption = {}): Promise<BroadcastResult> {
    this.assertOpen('messageOnAll');
    this.injector.receiveMessage(name, options);
    const { scope } = options;
    const op = scope === undefined ? { op: 'message' as const, name } : { op: 'message' as const, name, scope };
    return this.notify(this.members.broadcast(op), 'messaged', name, undefined, scope);
  }

  /**
   * The state of `name` on each shard (index = shard): of its unscoped enablement, or with `scope` of that
   * scope's. A shard that is down or does not answer: not enabled.
   */
  async stateOnAll(name: string, options: ScopeOption = {}): Promise<InjectionState[]> {
    this.assertOpen('stateOnAll');
    const states: InjectionState[] = [this.injector.get(name, options)];
    const { scope } = options;
    const off: InjectionState = { name, enabled: false, oneShot: false, parameters: EMPTY_PARAMETERS, hits: 0, lifetimeHits: 0, waiters: 0 };
    const op = scope === undefined ? { op: 'state' as const, name } : { op: 'state' as const, name, scope };
    await this.members.ask(op, (shard, value) => {
      states[shard] = (value as InjectionState | undefined) ?? off;
    });
    for (let s = 0; s < this.members.count; s++) states[s] ??= off;
    return states;
  }

  /** Names enabled on any live shard. */
  async enabledOnAll(): Promise<string[]> {
    this.assertOpen('enabledOnAll');
    const names = new Set(this.injector.enabledInjections());
    await this.members.ask({ op: 'enabled' }, (_shard, value) => {
      for (const n of (value as string[] | undefined) ?? []) names.add(n);
    });
    return [...names];
  }

  /**
   * Hits of `name`'s current enablement (unscoped, or of `scope`), summed over shards; 0 when not enabled
   * (ScyllaDB's `/enters`).
   */
  async entersOnAll(name: string, options: ScopeOption = {}): Promise<number> {
    const states = await this.stateOnAll(name, options);
    return states.reduce((sum, s) => sum + s.hits, 0);
  }

  /**
   * Hits of `name` over the life of each live shard, summed; never reset by enable, disable or a one-shot
   * (faultline's own). Read it before enabling, then wait for it to pass that value: no hit can be missed.
   */
  async lifetimeEntersOnAll(name: string): Promise<number> {
    const states = await this.stateOnAll(name);
    return states.reduce((sum, s) => sum + s.lifetimeHits, 0);
  }

  /**
   * Every name enabled now, or hit at some point, on a live shard, with its hits over the shards' lives summed
   * (faultline's own): a one-shot that already fired is listed though it is no longer enabled.
   */
  async lifetimeEntersAllOnAll(): Promise<Record<string, number>> {
    this.assertOpen('lifetimeEntersAllOnAll');
    const sums = new Map(Object.entries(this.injector.lifetimeHitCounts()));
    await this.members.ask({ op: 'lifetimes' }, (_shard, value) => {
      for (const [name, n] of Object.entries((value as Record<string, number> | undefined) ?? {})) sums.set(name, (sums.get(name) ?? 0) + n);
    });
    return Object.fromEntries([...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * Handlers parked in `waitForMessage` now, one row per name and live shard that has any, sorted by name then
   * shard (faultline's own): what a page or tool that connects late needs to offer their release.
   */
  async parkedOnAll(): Promise<ParkedHandlers[]> {
    this.assertOpen('parkedOnAll');
    const rows: ParkedHandlers[] = [];
    const add = (shard: number, counts: unknown): void => {
      for (const [injection, waiters] of Object.entries((counts as Record<string, number> | undefined) ?? {})) {
        rows.push({ injection, shard, waiters });
      }
    };
    add(0, this.injector.parkedHandlerCounts());
    await this.members.ask({ op: 'parked' }, add);
    return rows.sort((a, b) => (a.injection < b.injection ? -1 : a.injection > b.injection ? 1 : a.shard - b.shard));
  }

  // ---- events ---------------------------------------------------------------------------------------------

  /**
   * A cold Observable per subscriber: with `afterId`, a gap notice if history cannot cover it, then the
   * history after it; then live items of the chosen shards, filtered. Unsubscribing removes every shard
   * subscription it made. Bad options throw InvalidInjectionError here, before anything is subscribed.
   */
  events(options?: EventsOptions): Observable<GroupItem> {
    return this.fanOut.events(options);
  }

  /** Live-source subscribers per shard (index = shard); a down shard has none. */
  subscriberCounts(): number[] {
    return this.fanOut.subscriberCounts();
  }

  /**
   * Hits each shard had to drop (index = shard): a worker holds at most 100 000 hits while the main thread is
   * behind rather than block or grow without bound. Non-zero only under a flood the main thread cannot ingest.
   */
  droppedCounts(): number[] {
    return this.members.droppedCounts();
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  /** Completes every events() observable, stops watching shard 0, has every worker leave. Idempotent. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    // Closed, and the promise in place, before any reader completes: a reader's completion may call back in.
    this.closed = true;
    let membersLeft!: (left: Promise<void>) => void;
    this.closing = new Promise<void>((resolve) => (membersLeft = resolve));
    this.fanOut.close();
    membersLeft(this.members.leaveAll());
    return this.closing;
  }

  /** Tells the readers that asked, once every live shard applied it (so after every hit that preceded it). */
  private async notify(
    broadcast: Promise<BroadcastResult>,
    op: ControlOp,
    injection: string | null,
    options?: Record<string, unknown>,
    scope?: string,
  ): Promise<BroadcastResult> {
    const result = await broadcast;
    const notice: ControlNotice = { op, injection, shard: null, ts: Date.now() };
    if (options !== undefined) Object.assign(notice, { options });
    if (scope !== undefined) Object.assign(notice, { scope });
    this.fanOut.control(notice);
    return result;
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new ShardGroupClosedError(what);
  }
}

function checkCount(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ShardGroupOptionError(`ShardGroup option ${option} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}
