import { Observable, type Subscription } from 'rxjs';
import type { HandlerEvent, InjectionParameters, InjectionType } from '../event';
import type { ErrorInjector } from '../injector';
import { formatWireId, parseWireId } from '../wire';
import { acceptsControl, acceptsHandlerEvent, acceptsHit, parseEventsOptions, type EventsFilter } from './events-filter';
import { ExhaustionTracker } from './exhaustion';
import { controlItem, gapItem, handlerItem, Hit, shardDownItem } from './group-items';
import { HitHistory } from './history';
import { HitBytesMemo } from './hit-bytes';
import { hitName, hitScope, hitType, isPhaseCode, unpackPhase, type PackedItems, type ShardPhase } from './packed-items';
import { ParametersInterner } from './parameters-interner';
import type { WatchFlags } from './protocol';
import { Reader } from './reader';
import type { ControlNotice, EventsOptions, GroupItem } from './types';

/** What the fan-out needs to know of the group's members (the Membership, seen from here). */
export interface FanOutShards {
  /** Shards so far, the main thread's included: they are numbered 0 to count - 1. */
  readonly count: number;
  /** The shard was a worker that has left the group. */
  isDown(shard: number): boolean;
  /** Tells worker shard `shard` what to forward (shard 0, the main thread, is watched here). */
  watch(shard: number, flags: WatchFlags): void;
}

/**
 * The reader side of a ShardGroup: every hit of every shard gets the next global id here, is kept in the
 * history, and is handed to each events() reader of its shard that accepts it. Also decides what each shard
 * must forward (its watch flags), from the history size and the readers it has.
 */
export class FanOut {
  /** Turns the shards' exhaustions into 'exhausted' control notices; the group tells it of enables and disables. */
  readonly exhaustion: ExhaustionTracker;
  private readonly history: HitHistory;
  private readonly workerParameters = new ParametersInterner();
  private readonly hitBytes = new HitBytesMemo();
  private readonly allShardReaders = new Set<Reader>();
  private readonly shardReaders = new Map<number, Set<Reader>>();
  /** Stops listening to shard 0's hits. */
  private mainHits: (() => void) | undefined;
  private mainHandlers: Subscription | undefined;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly epoch: string,
    private readonly injector: ErrorInjector,
    private readonly shards: FanOutShards,
    private readonly historySize: number,
    historyBytes: number,
  ) {
    this.history = new HitHistory(historySize, historyBytes);
    this.exhaustion = new ExhaustionTracker(injector, shards, (notice) => this.control(notice));
    this.updateWatch(0);
  }

  /** The id of the latest hit, or null before the first. */
  get lastId(): string | null {
    return this.seq === 0 ? null : formatWireId(this.epoch, this.seq);
  }

  /** See ShardGroup.events(). */
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
      if (filter.shards !== undefined && [...filter.shards].every((s) => this.shards.isDown(s))) reader.complete();
      return () => this.removeReader(reader);
    });
  }

  /** Live-source subscribers per shard (index = shard); a down shard has none. */
  subscriberCounts(): number[] {
    const counts: number[] = [];
    for (let s = 0; s < this.shards.count; s++) counts.push(this.shards.isDown(s) ? 0 : this.readerCount(s));
    return counts;
  }

  /** What shard `shard` must report: hits while history is kept or someone reads it, handler phases on demand. */
  watchFlags(shard: number): WatchFlags {
    if (this.closed) return { hits: false, handlers: false };
    let handlers = false;
    for (const r of this.allShardReaders) if (r.filter.handlerEvents) handlers = true;
    for (const r of this.shardReaders.get(shard) ?? []) if (r.filter.handlerEvents) handlers = true;
    return { hits: this.historySize > 0 || this.readerCount(shard) > 0, handlers };
  }

  /** A batch a worker shard forwarded: its hits are ingested and its phases delivered, in order. */
  ingestItems(shard: number, items: PackedItems): void {
    if (this.closed) return;
    const paramsOf = this.workerParameters.batch(shard, items);
    for (let i = 0; i < items.length; i++) {
      if (isPhaseCode(items, i)) this.deliverPhase(shard, unpackPhase(items, i, shard));
      else {
        const name = hitName(items, i);
        this.ingest(shard, name, hitType(items, i), items.ts[i], paramsOf(i, name), hitScope(items, i));
      }
    }
  }

  /**
   * A worker shard left the group and its last hits are in: readers that asked get a `shard-down` item, and
   * readers of only shards that have left complete.
   */
  shardLeft(shard: number): void {
    const item = shardDownItem(shard);
    const explicit = [...(this.shardReaders.get(shard) ?? [])];
    for (const reader of [...this.allShardReaders, ...explicit]) if (reader.filter.shardEvents) reader.push(item);
    this.shardReaders.delete(shard);
    for (const reader of explicit) {
      if ([...(reader.filter.shards as ReadonlySet<number>)].every((s) => this.shards.isDown(s))) reader.complete();
    }
    this.exhaustion.shardLeft();
  }

  /**
   * A control action every live shard applied: to the readers that asked. Called once the broadcast resolved,
   * and a worker posts its hits before its ack, so every hit that came before the change is ahead of it.
   */
  control(notice: ControlNotice): void {
    if (this.closed) return;
    let item: GroupItem | undefined;
    const explicit = new Set<Reader>();
    for (const set of this.shardReaders.values()) for (const r of set) explicit.add(r);
    for (const reader of [...this.allShardReaders, ...explicit]) {
      if (acceptsControl(reader.filter, notice)) reader.push((item ??= controlItem(notice)));
    }
  }

  /** Completes every reader, stops watching shard 0 and lets go of the history. */
  close(): void {
    this.closed = true;
    this.exhaustion.close();
    for (const reader of [...this.allShardReaders]) reader.complete();
    for (const set of [...this.shardReaders.values()]) for (const reader of [...set]) reader.complete();
    this.allShardReaders.clear();
    this.shardReaders.clear();
    this.updateWatch(0);
    this.history.clear();
    this.workerParameters.clear();
  }

  private replayFor(filter: EventsFilter): GroupItem[] {
    const afterId = filter.afterId;
    if (afterId === undefined || afterId === '') return [];
    const items: GroupItem[] = [];
    const oldestSeq = this.history.oldestSeq;
    const oldestId = oldestSeq === undefined ? null : formatWireId(this.epoch, oldestSeq);
    const parsed = parseWireId(afterId);
    let afterSeq = 0;
    if (parsed === undefined || parsed.epoch !== this.epoch || parsed.seq > this.seq) {
      // Not an id this group issued: the reader saw another instance (a restart); all we hold is new to it.
      items.push(gapItem('restart', afterId, oldestId));
    } else {
      afterSeq = parsed.seq;
      const firstKept = oldestSeq ?? this.seq + 1;
      if (afterSeq + 1 < firstKept) items.push(gapItem('history', afterId, oldestId));
    }
    const epoch = this.epoch;
    const kept = this.history.after(afterSeq, (seq, k) => new Hit(epoch, seq, k.injection, k.type, k.shard, k.ts, k.params, k.scope));
    for (const hit of kept) if (acceptsHit(filter, hit)) items.push(hit);
    return items;
  }

  private addReader(reader: Reader): void {
    const shards = reader.filter.shards;
    if (shards === undefined) {
      this.allShardReaders.add(reader);
      for (let s = 0; s < this.shards.count; s++) this.updateWatch(s);
      return;
    }
    for (const s of shards) {
      if (this.shards.isDown(s)) continue;
      let set = this.shardReaders.get(s);
      if (set === undefined) this.shardReaders.set(s, (set = new Set()));
      set.add(reader);
      if (s < this.shards.count) this.updateWatch(s);
    }
  }

  private removeReader(reader: Reader): void {
    const shards = reader.filter.shards;
    if (shards === undefined) {
      if (!this.allShardReaders.delete(reader)) return;
      for (let s = 0; s < this.shards.count; s++) this.updateWatch(s);
      return;
    }
    for (const s of shards) {
      const set = this.shardReaders.get(s);
      if (set === undefined || !set.delete(reader)) continue;
      if (set.size === 0) this.shardReaders.delete(s);
      if (s < this.shards.count) this.updateWatch(s);
    }
  }

  private readerCount(shard: number): number {
    return this.allShardReaders.size + (this.shardReaders.get(shard)?.size ?? 0);
  }

  private updateWatch(shard: number): void {
    const flags = this.watchFlags(shard);
    if (shard !== 0) {
      this.shards.watch(shard, flags);
      return;
    }
    if (flags.hits && this.mainHits === undefined) {
      this.mainHits = this.injector.listenToHits((injection, type, _shard, ts, params, scope) =>
        this.ingest(0, injection, type, ts, params, scope),
      );
    } else if (!flags.hits && this.mainHits !== undefined) {
      this.mainHits();
      this.mainHits = undefined;
    }
    if (flags.handlers && this.mainHandlers === undefined) {
      this.mainHandlers = this.injector.handlerEvents$.subscribe((event) => this.deliverHandler(0, event));
    } else if (!flags.handlers && this.mainHandlers !== undefined) {
      this.mainHandlers.unsubscribe();
      this.mainHandlers = undefined;
    }
  }

  /**
   * Gives a hit the next global seq, keeps it, and hands it to the readers of its shard. Runs once per hit: it
   * allocates the Hit (whose id, event and frame are built only if a reader asks) and only when someone reads.
   */
  private ingest(
    shard: number,
    injection: string,
    type: InjectionType,
    ts: number,
    params: InjectionParameters | undefined,
    scope: string | undefined,
  ): void {
    const seq = ++this.seq;
    this.history.push(seq, injection, type, shard, ts, params, scope, this.hitBytes.of(injection, params));
    const readers = this.shardReaders.get(shard);
    if (this.allShardReaders.size === 0 && readers === undefined) return;
    const hit = new Hit(this.epoch, seq, injection, type, shard, ts, params, scope);
    for (const reader of this.allShardReaders) if (acceptsHit(reader.filter, hit)) reader.push(hit);
    if (readers !== undefined) for (const reader of readers) if (acceptsHit(reader.filter, hit)) reader.push(hit);
  }

  private deliverPhase(shard: number, event: ShardPhase): void {
    if (event.phase === 'exhausted') this.exhaustion.exhausted(shard, event.injection, event.scope);
    else this.deliverHandler(shard, event);
  }

  private deliverHandler(shard: number, event: HandlerEvent): void {
    const readers = [...this.allShardReaders, ...(this.shardReaders.get(shard) ?? [])];
    const matching = readers.filter((r) => acceptsHandlerEvent(r.filter, event));
    if (matching.length === 0) return;
    const item = handlerItem(event);
    for (const reader of matching) reader.push(item);
  }
}
