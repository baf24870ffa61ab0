import { threadId as ownThreadId, type Worker } from 'node:worker_threads';
import { Observable, type Subscription } from 'rxjs';
import type { HandlerEvent, InjectionEvent, InjectionParameters, InjectionType } from '../event';
import {
  injector as threadInjector,
  InjectionsOffError,
  InvalidInjectionError,
  type EnableOptions,
  type ErrorInjector,
  type InjectionState,
} from '../injector';
import { copyEnableOptions } from '../enable-options';
import { EMPTY_PARAMETERS } from '../injector/validate';
import { ShardApplyError, ShardAttachError, ShardGroupClosedError } from './errors';
import { acceptsHandlerEvent, acceptsHit, parseEventsOptions, type EventsFilter } from './events-filter';
import { gapItem, handlerItem, Hit, shardDownItem } from './group-items';
import { HitHistory } from './history';
import { hitBytes } from './hit-bytes';
import { ParametersInterner } from './parameters-interner';
import { hitName, hitParams, hitType, isHandlerCode, unpackHandlerEvent, type PackedItems } from './packed-items';
import { PROTOCOL_VERSION, type ControlOp, type WatchFlags, type WireError } from './protocol';
import { Reader } from './reader';
import type {
  AddWorkerOptions,
  BroadcastResult,
  EventsOptions,
  GroupItem,
  ShardGroupOptions,
  ShardInfo,
} from './types';
import { ShardUnreachable, WorkerLink, type WorkerLinkHost } from './worker-link';
import { formatWireId, parseWireId } from '../wire';
import { newEpoch } from './wire-id';

const DEFAULT_HISTORY_SIZE = 10_000;
export const DEFAULT_HISTORY_BYTES = 64 * 1024 * 1024;
const DEFAULT_APPLY_TIMEOUT = 10_000;

/** Threads of this process that belong to a group: a worker can be a shard of one group at a time. */
const claimedThreads = new Set<number>();

interface Joining {
  resolve(shard: number): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The shards of this process: shard 0 is the main thread's injector, every worker added with `addWorker()`
 * (that calls `attachShard()`) is the next. Control is broadcast and resolves once every live shard applied
 * it; hits from every shard get one global, increasing id here on the main thread, are kept in a bounded
 * history, and are handed to each `events()` subscriber filtered, with replay after a given id.
 */
export class ShardGroup {
  readonly epoch: string = newEpoch();
  private readonly injector: ErrorInjector;
  private readonly historySize: number;
  private readonly applyTimeout: number;
  private readonly history: HitHistory;
  private readonly workerParameters = new ParametersInterner();
  /** Index = shard number; index 0 (the main thread) has no link. */
  private readonly links: (WorkerLink | undefined)[] = [undefined];
  private readonly joining = new Map<WorkerLink, Joining>();
  /** Injections enabled through the group, in order: what a worker that joins later is given. */
  private readonly enables = new Map<string, EnableOptions>();
  private readonly allShardReaders = new Set<Reader>();
  private readonly shardReaders = new Map<number, Set<Reader>>();
  private mainHits: Subscription | undefined;
  private mainHandlers: Subscription | undefined;
  private seq = 0;
  /** Hits each worker shard dropped because the main thread fell too far behind (index = shard). */
  private readonly dropped: number[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly linkHost: WorkerLinkHost = {
    linkHello: (link) => this.onHello(link),
    linkRefused: (link, version) => this.onRefused(link, version),
    linkAttached: (link, errors) => this.onAttached(link, errors),
    linkItems: (link, items) => this.onItems(link.shard, items),
    linkDropped: (link, count) => {
      this.dropped[link.shard] = (this.dropped[link.shard] ?? 0) + count;
    },
    linkGone: (link) => this.onGone(link),
  };

  constructor(options: ShardGroupOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('ShardGroup options must be an object');
    this.injector = options.injector ?? threadInjector;
    this.historySize = checkCount('historySize', options.historySize, DEFAULT_HISTORY_SIZE, 0);
    this.applyTimeout = checkCount('applyTimeout', options.applyTimeout, DEFAULT_APPLY_TIMEOUT, 1);
    this.history = new HitHistory(
      this.historySize,
      checkCount('historyBytes', options.historyBytes, DEFAULT_HISTORY_BYTES, 0),
    );
    this.updateWatch(0);
  }

  get shards(): readonly ShardInfo[] {
    return this.links.map((link, shard) =>
      link === undefined
        ? { shard, kind: 'main', alive: true, threadId: ownThreadId }
        : { shard, kind: 'worker', alive: link.alive, threadId: link.threadId },
    );
  }

  /** The id of the latest hit, or null before the first. */
  get lastId(): string | null {
    return this.seq === 0 ? null : formatWireId(this.epoch, this.seq);
  }

  // ---- membership -----------------------------------------------------------------------------------------

  /**
   * Adds a worker as the next shard. Resolves with its shard number once the worker has called
   * `attachShard()` and applied every injection enabled on the group; rejects with ShardAttachError if it
   * exits first, already belongs to a group, or (with `timeout`) does not attach in time.
   */
  addWorker(worker: Worker, options: AddWorkerOptions = {}): Promise<number> {
    if (this.closed) return Promise.reject(new ShardGroupClosedError('addWorker'));
    const timeout = options.timeout;
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
      return Promise.reject(new TypeError(`addWorker timeout must be a positive number of ms, got ${String(timeout)}`));
    }
    if (typeof worker !== 'object' || worker === null || typeof (worker as Partial<Worker>).once !== 'function') {
      return Promise.reject(new TypeError('addWorker expects a Worker from node:worker_threads'));
    }
    const tid = worker.threadId;
    if (!(tid > 0)) return Promise.reject(new ShardAttachError('the worker has exited (it has no thread)'));
    if (claimedThreads.has(tid)) {
      return Promise.reject(new ShardAttachError(`worker thread ${tid} already belongs to a shard group`));
    }
    claimedThreads.add(tid);
    const link = new WorkerLink(worker, this.linkHost, this.applyTimeout);
    return new Promise<number>((resolve, reject) => {
      const timer =
        timeout === undefined
          ? undefined
          : setTimeout(() => {
              this.joining.delete(link);
              this.release(link);
              reject(new ShardAttachError(`worker thread ${tid} did not call attachShard() within ${timeout} ms`));
            }, timeout);
      this.joining.set(link, { resolve, reject, timer });
    });
  }

  private onHello(link: WorkerLink): void {
    if (this.closed) return;
    const shard = this.links.length;
    this.links.push(link);
    link.welcome(shard, [...this.enables], this.watchFlags(shard));
  }

  private onRefused(link: WorkerLink, version: unknown): void {
    const joining = this.joining.get(link);
    if (joining === undefined) return;
    this.joining.delete(link);
    clearTimeout(joining.timer);
    this.release(link);
    joining.reject(
      new ShardAttachError(
        `worker thread ${link.threadId} runs another copy of faultline (shard protocol ${String(version)}, ` +
          `this one speaks ${PROTOCOL_VERSION}): load one faultline in the host and its workers`,
      ),
    );
  }

  private onAttached(link: WorkerLink, errors: readonly WireError[]): void {
    const joining = this.joining.get(link);
    if (joining === undefined) return;
    this.joining.delete(link);
    clearTimeout(joining.timer);
    if (errors.length > 0) joining.reject(remoteError(errors[0], link.shard));
    else joining.resolve(link.shard);
  }

  /** The worker exited and its last messages are in: its source completes, readers that asked are told. */
  private onGone(link: WorkerLink): void {
    claimedThreads.delete(link.threadId);
    const joining = this.joining.get(link);
    if (joining !== undefined) {
      this.joining.delete(link);
      clearTimeout(joining.timer);
      joining.reject(new ShardAttachError(`worker thread ${link.threadId} exited before it attached`));
    }
    if (link.welcomed) this.shardDown(link.shard);
  }

  private shardDown(shard: number): void {
    const item = shardDownItem(shard);
    const explicit = [...(this.shardReaders.get(shard) ?? [])];
    for (const reader of [...this.allShardReaders, ...explicit]) if (reader.filter.shardEvents) reader.push(item);
    this.shardReaders.delete(shard);
    for (const reader of explicit) {
      if ([...(reader.filter.shards as ReadonlySet<number>)].every((s) => this.isDown(s))) reader.complete();
    }
  }

  private isDown(shard: number): boolean {
    const link = this.links[shard];
    return link !== undefined && !link.alive;
  }

  /** Lets go of a worker that never became a live shard, or turns a welcomed one into a down shard. */
  private release(link: WorkerLink): void {
    claimedThreads.delete(link.threadId);
    link.dispose();
    if (link.welcomed) this.shardDown(link.shard);
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
    if (sent.probability !== undefined && sent.seed === undefined) sent.seed = this.injector.get(name).seed;
    this.enables.delete(name);
    this.enables.set(name, sent);
    return this.broadcast({ op: 'enable', name, options: sent });
  }

  async disableOnAll(name: string): Promise<BroadcastResult> {
    this.assertOpen('disableOnAll');
    this.injector.disable(name);
    this.enables.delete(name);
    return this.broadcast({ op: 'disable', name });
  }

  async disableAllOnAll(): Promise<BroadcastResult> {
    this.assertOpen('disableAllOnAll');
    this.injector.disableAll();
    this.enables.clear();
    return this.broadcast({ op: 'disableAll' });
  }

  /** Wakes the handlers of `name` waiting for a message, on every shard. */
  async messageOnAll(name: string): Promise<BroadcastResult> {
    this.assertOpen('messageOnAll');
    this.injector.receiveMessage(name);
    return this.broadcast({ op: 'message', name });
  }

  /** The state of `name` on each shard (index = shard); a shard that is down or does not answer: not enabled. */
  async stateOnAll(name: string): Promise<InjectionState[]> {
    this.assertOpen('stateOnAll');
    const states: InjectionState[] = [this.injector.get(name)];
    const off: InjectionState = { name, enabled: false, oneShot: false, parameters: EMPTY_PARAMETERS, hits: 0, lifetimeHits: 0, waiters: 0 };
    await this.askWorkers({ op: 'state', name }, (shard, value) => {
      states[shard] = (value as InjectionState | undefined) ?? off;
    });
    for (let s = 0; s < this.links.length; s++) states[s] ??= off;
    return states;
  }

  /** Names enabled on any live shard. */
  async enabledOnAll(): Promise<string[]> {
    this.assertOpen('enabledOnAll');
    const names = new Set(this.injector.enabledInjections());
    await this.askWorkers({ op: 'enabled' }, (_shard, value) => {
      for (const n of (value as string[] | undefined) ?? []) names.add(n);
    });
    return [...names];
  }

  /** Hits of `name`'s current enablement, summed over shards; 0 when not enabled (ScyllaDB's `/enters`). */
  async entersOnAll(name: string): Promise<number> {
    const states = await this.stateOnAll(name);
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

  private async broadcast(op: ControlOp): Promise<BroadcastResult> {
    const applied = [0];
    const down: number[] = [];
    await this.askWorkers(
      op,
      (shard) => applied.push(shard),
      (shard) => down.push(shard),
    );
    return { applied: applied.sort(byNumber), down: down.sort(byNumber) };
  }

  /** Sends `op` to every welcomed worker; rejects with the first error a worker reports. */
  private async askWorkers(
    op: ControlOp,
    onValue: (shard: number, value: unknown) => void,
    onDown: (shard: number) => void = () => undefined,
  ): Promise<void> {
    const asks: Promise<void>[] = [];
    for (const link of this.links) {
      if (link === undefined) continue;
      const shard = link.shard;
      if (!link.alive) {
        onDown(shard);
        continue;
      }
      asks.push(
        link.request(op).then(
          (reply) => {
            if ('error' in reply) throw remoteError(reply.error, shard);
            onValue(shard, reply.value);
          },
          (err: unknown) => {
            if (!(err instanceof ShardUnreachable)) throw err;
            onDown(shard);
          },
        ),
      );
    }
    await Promise.all(asks);
  }

  // ---- events ---------------------------------------------------------------------------------------------

  /**
   * A cold Observable per subscriber: with `afterId`, a gap notice if history cannot cover it, then the
   * history after it; then live items of the chosen shards, filtered. Unsubscribing removes every shard
   * subscription it made. Bad options throw InvalidInjectionError here, before anything is subscribed.
   */
  events(options?: EventsOptions): Observable<GroupItem> {
    const filter = parseEventsOptions(options);
    return new Observable<GroupItem>((subscriber) => {
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      const reader = new Reader(filter, subscriber);
      this.addReader(reader);
      reader.replay(this.replayFor(filter));
      if (filter.shards !== undefined && [...filter.shards].every((s) => this.isDown(s))) reader.complete();
      return () => this.removeReader(reader);
    });
  }

  /** Live-source subscribers per shard (index = shard); a down shard has none. */
  subscriberCounts(): number[] {
    return this.links.map((_link, shard) => (this.isDown(shard) ? 0 : this.readerCount(shard)));
  }

  /**
   * Hits each shard had to drop (index = shard): a worker holds at most 100 000 hits while the main thread is
   * behind rather than block or grow without bound. Non-zero only under a flood the main thread cannot ingest.
   */
  droppedCounts(): number[] {
    return this.links.map((_link, shard) => this.dropped[shard] ?? 0);
  }

  private replayFor(filter: EventsFilter): GroupItem[] {
    const afterId = filter.afterId;
    if (afterId === undefined || afterId === '') return [];
    const items: GroupItem[] = [];
    const oldest = this.history.oldest();
    const oldestId = oldest?.id ?? null;
    const parsed = parseWireId(afterId);
    let afterSeq = 0;
    if (parsed === undefined || parsed.epoch !== this.epoch || parsed.seq > this.seq) {
      // Not an id this group issued: the reader saw another instance (a restart); all we hold is new to it.
      items.push(gapItem('restart', afterId, oldestId));
    } else {
      afterSeq = parsed.seq;
      const firstKept = oldest?.seq ?? this.seq + 1;
      if (afterSeq + 1 < firstKept) items.push(gapItem('history', afterId, oldestId));
    }
    for (const hit of this.history.after(afterSeq)) if (acceptsHit(filter, hit.event)) items.push(hit);
    return items;
  }

  private addReader(reader: Reader): void {
    const shards = reader.filter.shards;
    if (shards === undefined) {
      this.allShardReaders.add(reader);
      for (let s = 0; s < this.links.length; s++) this.updateWatch(s);
      return;
    }
    for (const s of shards) {
      if (this.isDown(s)) continue;
      let set = this.shardReaders.get(s);
      if (set === undefined) this.shardReaders.set(s, (set = new Set()));
      set.add(reader);
      if (s < this.links.length) this.updateWatch(s);
    }
  }

  private removeReader(reader: Reader): void {
    const shards = reader.filter.shards;
    if (shards === undefined) {
      if (!this.allShardReaders.delete(reader)) return;
      for (let s = 0; s < this.links.length; s++) this.updateWatch(s);
      return;
    }
    for (const s of shards) {
      const set = this.shardReaders.get(s);
      if (set === undefined || !set.delete(reader)) continue;
      if (set.size === 0) this.shardReaders.delete(s);
      if (s < this.links.length) this.updateWatch(s);
    }
  }

  private readerCount(shard: number): number {
    return this.allShardReaders.size + (this.shardReaders.get(shard)?.size ?? 0);
  }

  /** What shard `shard` must report: hits while history is kept or someone reads it, handler phases on demand. */
  private watchFlags(shard: number): WatchFlags {
    if (this.closed) return { hits: false, handlers: false };
    let handlers = false;
    for (const r of this.allShardReaders) if (r.filter.handlerEvents) handlers = true;
    for (const r of this.shardReaders.get(shard) ?? []) if (r.filter.handlerEvents) handlers = true;
    return { hits: this.historySize > 0 || this.readerCount(shard) > 0, handlers };
  }

  private updateWatch(shard: number): void {
    const flags = this.watchFlags(shard);
    const link = this.links[shard];
    if (link !== undefined) {
      link.watch(flags);
      return;
    }
    if (flags.hits && this.mainHits === undefined) {
      this.mainHits = this.injector.hits$.subscribe((e) =>
        this.ingest(0, e.injection, e.type, e.ts ?? Date.now(), e.params),
      );
    } else if (!flags.hits && this.mainHits !== undefined) {
      this.mainHits.unsubscribe();
      this.mainHits = undefined;
    }
    if (flags.handlers && this.mainHandlers === undefined) {
      this.mainHandlers = this.injector.handlerEvents$.subscribe((event) => this.deliverHandler(0, event));
    } else if (!flags.handlers && this.mainHandlers !== undefined) {
      this.mainHandlers.unsubscribe();
      this.mainHandlers = undefined;
    }
  }

  private onItems(shard: number, items: PackedItems): void {
    if (this.closed) return;
    for (let i = 0; i < items.length; i++) {
      if (isHandlerCode(items, i)) this.deliverHandler(shard, unpackHandlerEvent(items, i, shard));
      else {
        const name = hitName(items, i);
        this.ingest(shard, name, hitType(items, i), items.ts[i], this.workerParameters.intern(shard, name, hitParams(items, i)));
      }
    }
  }

  /**
   * Gives a hit the next global seq, keeps it, and hands it to the readers of its shard. The event is built
   * here, once, as one literal with its id (one hidden class for every hit, whichever shard it came from).
   */
  private ingest(
    shard: number,
    injection: string,
    type: InjectionType,
    ts: number,
    params: InjectionParameters | undefined,
  ): void {
    const seq = ++this.seq;
    const id = formatWireId(this.epoch, seq);
    const event: InjectionEvent = { injection, type, shard, ts, params, id };
    const hit = new Hit(seq, id, event);
    this.history.push(hit, hitBytes(injection, params));
    for (const reader of this.allShardReaders) if (acceptsHit(reader.filter, event)) reader.push(hit);
    const readers = this.shardReaders.get(shard);
    if (readers !== undefined) for (const reader of readers) if (acceptsHit(reader.filter, event)) reader.push(hit);
  }

  private deliverHandler(shard: number, event: HandlerEvent): void {
    const readers = [...this.allShardReaders, ...(this.shardReaders.get(shard) ?? [])];
    const matching = readers.filter((r) => acceptsHandlerEvent(r.filter, event));
    if (matching.length === 0) return;
    const item = handlerItem(event);
    for (const reader of matching) reader.push(item);
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  /** Completes every events() observable, stops watching shard 0, detaches every worker. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const reader of [...this.allShardReaders]) reader.complete();
    for (const set of [...this.shardReaders.values()]) for (const reader of [...set]) reader.complete();
    this.allShardReaders.clear();
    this.shardReaders.clear();
    this.updateWatch(0);
    this.history.clear();
    this.workerParameters.clear();
    // Workers that never said hello are not in `links` but still hold a claim and a channel.
    const unwelcomed: WorkerLink[] = [];
    for (const [link, joining] of this.joining) {
      clearTimeout(joining.timer);
      joining.reject(new ShardGroupClosedError(`addWorker (worker thread ${link.threadId})`));
      if (!link.welcomed) unwelcomed.push(link);
    }
    this.joining.clear();
    for (const link of unwelcomed) {
      link.dispose();
      claimedThreads.delete(link.threadId);
    }
    const links = this.links.filter((l): l is WorkerLink => l !== undefined);
    await Promise.all(
      links.map(async (link) => {
        await link.detach();
        claimedThreads.delete(link.threadId);
      }),
    );
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new ShardGroupClosedError(what);
  }
}

function byNumber(a: number, b: number): number {
  return a - b;
}

function checkCount(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`ShardGroup option ${option} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Rebuilds a worker's error as the typed error the same failure raises on the main thread. */
function remoteError(error: WireError, shard: number): Error {
  if (error.code === 'ERR_FAULTLINE_INVALID') return new InvalidInjectionError(error.message);
  if (error.code === 'ERR_FAULTLINE_OFF') {
    return new InjectionsOffError(error.injection ?? '', error.reason ?? `switched off on shard ${shard}`);
  }
  return new ShardApplyError(shard, error.code, error.message);
}
