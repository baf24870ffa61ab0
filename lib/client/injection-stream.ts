import {
  catchError,
  defer,
  EMPTY,
  filter,
  identity,
  map,
  merge,
  Observable,
  of,
  ReplaySubject,
  Subject,
  tap,
  throwError,
  type MonoTypeOperatorFunction,
} from 'rxjs';
import type { Dispatcher } from 'undici';
import type { InjectionEvent, InjectionType } from '../event';
import type { FaultlineError } from '../errors';
import {
  ClientArgumentError,
  EventGapError,
  InjectionEndedError,
  MissingHitError,
  ShardDownError,
  StreamClosedError,
  WaitTimeoutError,
} from './errors';
import { BoundedReplay } from './bounded-replay';
import { settleFirst } from './settle-first';
import { endingOf, type NumberedNotice } from './control-notice';
import { NodeSource, type GapReport, type NodeSink, type NodeSourceOptions } from './node-source';
import { trimSlash } from './node-url';
import { ofType } from './operators/of-type';
import { onNode } from './operators/on-node';
import { onScope } from './operators/on-scope';
import { onShard } from './operators/on-shard';
import { markSeq } from './operators/since';
import type {
  ControlNotice,
  GapNotice,
  InjectionMark,
  NodeStatus,
  ReceivedControlNotice,
  ReceivedHandlerEvent,
  ReceivedInjectionEvent,
  StreamPositions,
  StreamStatus,
} from './types';
import { toPositionCheck } from './operators/after-position';
import { firstHits } from './operators/first-hits';

export interface WaitOptions {
  /** Milliseconds to wait (default 30000). */
  timeout?: number;
  /** Only a hit on this shard (or one of these). */
  shard?: number | readonly number[];
  /** Only a hit from this node (or one of these) of a cluster stream. */
  node?: string | readonly string[];
  /** Only a hit of this type of point. */
  type?: InjectionType | readonly InjectionType[];
  /**
   * Only a hit of the injection's enablement in this scope (`enable(name, { scope })`); a disable of another
   * scope's enablement then does not end the wait either.
   */
  scope?: string;
  /** Only a hit received after this mark (default: any since the stream opened, replayed if it came first). */
  since?: InjectionMark;
  /**
   * Only a hit the server numbered after this position: what `InjectionApi.enable` resolves to (`position`),
   * or a record of them by node name for a cluster stream (a node without one: any hit counts). Compared by
   * the servers' own ids, so a hit from before the enable never counts, however late the wait starts, and one
   * that came between the enable's answer and the wait is replayed. A hit of another epoch (the server
   * restarted) never counts; the restart itself fails the wait as an `EventGapError`. Combine it with `since`
   * (a mark taken before the enable) to skip the replay before it quickly.
   */
  after?: StreamPositions;
}

/** Client-side twin of the server's filters: applied here too, since a ScyllaDB node ignores them. */
export interface StreamFilter {
  readonly injections?: ReadonlySet<string>;
  readonly shards?: ReadonlySet<number>;
  readonly types?: ReadonlySet<InjectionType>;
  readonly scopes?: ReadonlySet<string>;
}

/** @internal What openInjectionStream hands the stream it builds. */
export interface StreamSetup {
  readonly nodes: ReadonlyArray<Omit<NodeSourceOptions, 'node'> & { readonly node: string }>;
  readonly filter: StreamFilter;
  readonly replay: number;
  /** Dispatchers the stream made itself (none when it was given one): destroyed on close. */
  readonly ownedDispatchers: readonly Dispatcher[];
}

/** A node's word that one of its shards went down. */
export interface ShardDownNotice {
  readonly node: string;
  readonly shard: number;
}

/** A wait interrupted because its event may have been lost on `node`. */
interface Interruption {
  readonly node: string;
  readonly error: (injection: string) => FaultlineError;
}

type Same = MonoTypeOperatorFunction<ReceivedInjectionEvent>;

const DEFAULT_WAIT_TIMEOUT = 30_000;
const MAX_TIMER = 2 ** 31 - 1;
const LAST_SEEN = 5;
const GAPS_KEPT = 100;
const NOTICES_KEPT = 1000;

/**
 * The hits of one or more nodes, as one stream. Everything received since it opened is replayed to a late
 * subscriber (up to the `replay` bound), so a wait set up after its hit still sees it, and two waits never
 * take events from each other. Made by `openInjectionStream`; closed by `close()` or `await using`.
 */
export class InjectionStream implements AsyncDisposable {
  /** Every hit since the stream opened (replayed, bounded), then live; completes on close. */
  readonly injection$: Observable<ReceivedInjectionEvent>;
  /** Handlers parking and being released, when the stream was opened with `handlerEvents: true`. */
  readonly handler$: Observable<ReceivedHandlerEvent>;
  /** The stream's state: connecting, open, reconnecting (some node is), closed. Replays the current one. */
  readonly status$: Observable<StreamStatus>;
  /** Each node's state changes, live. */
  readonly nodeStatus$: Observable<NodeStatus>;
  /** Each gap (events possibly lost on a node), live; `gaps` keeps the recent ones. */
  readonly gaps$: Observable<GapNotice>;
  /** Problems the stream worked around (undecodable events, failed reconnect attempts, lost nodes), live. */
  readonly errors$: Observable<FaultlineError>;
  /** The node names, in the order given. */
  readonly nodes: readonly string[];
  /** A node said one of its shards went down (a worker thread exited); a ScyllaDB node never says so. */
  readonly shardDown$: Observable<ShardDownNotice>;
  /** A faultline node's control notices (enabled, disabled, messaged), live; a ScyllaDB node sends none. */
  readonly control$: Observable<ReceivedControlNotice>;

  private readonly hits: BoundedReplay<ReceivedInjectionEvent>;
  private readonly handlers: BoundedReplay<ReceivedHandlerEvent>;
  private readonly statusSubject = new ReplaySubject<StreamStatus>(1);
  private readonly nodeStatusSubject = new Subject<NodeStatus>();
  private readonly gapSubject = new Subject<GapNotice>();
  private readonly errorSubject = new Subject<FaultlineError>();
  private readonly interruptions = new Subject<Interruption>();
  private readonly shardDownSubject = new Subject<ShardDownNotice>();
  private readonly controlSubject = new Subject<ReceivedControlNotice>();
  /** The recent control notices, numbered, oldest first. */
  private readonly notices: NumberedNotice[] = [];
  private noticeCount = 0;
  /** Shards each node said went down (a faultline server only). */
  private readonly downShards = new Map<string, Set<number>>();
  private readonly sources: NodeSource[];
  private readonly recentGaps: GapNotice[] = [];
  private readonly lostNodes = new Map<string, FaultlineError>();
  private readonly pendingInterruptions = new Set<NodeJS.Immediate>();
  private currentStatus: StreamStatus = 'connecting';
  private closing: Promise<void> | undefined;
  private ended = false;

  /** @internal Use `openInjectionStream`. */
  constructor(private readonly setup: StreamSetup) {
    this.hits = new BoundedReplay(setup.replay);
    this.handlers = new BoundedReplay(setup.replay);
    this.injection$ = this.hits.observe();
    this.handler$ = this.handlers.observe();
    this.status$ = this.statusSubject.asObservable();
    this.nodeStatus$ = this.nodeStatusSubject.asObservable();
    this.gaps$ = this.gapSubject.asObservable();
    this.errors$ = this.errorSubject.asObservable();
    this.shardDown$ = this.shardDownSubject.asObservable();
    this.control$ = this.controlSubject.asObservable();
    this.nodes = setup.nodes.map((n) => n.node);
    this.statusSubject.next('connecting');
    const sink = this.sink();
    this.sources = setup.nodes.map((options) => new NodeSource(options, sink));
  }

  get status(): StreamStatus {
    return this.currentStatus;
  }

  /** The recent gaps (up to 100), oldest first. */
  get gaps(): readonly GapNotice[] {
    return this.recentGaps;
  }

  /** @internal Opens every node at once; on any failure closes the others and rejects with that failure. */
  async connect(): Promise<void> {
    const results = await Promise.allSettled(this.sources.map((s) => s.open()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      await this.close();
      throw failure.reason;
    }
  }

  /** A point in the stream: `since(mark)` (or `waitForInjection(name, { since: mark })`) looks only after it. */
  mark(): InjectionMark {
    return { seq: this.hits.count, controls: this.noticeCount };
  }

  /**
   * The first hit of `name` (since the stream opened, or since `options.since`), on the given shard/node.
   * Rejects with `WaitTimeoutError` (saying what it saw instead), `EventGapError` when events may have been
   * lost on its nodes while it waited, `NodeLostError`, or `StreamClosedError`. Any number of waits can run
   * at once (`Promise.all`); each sees every event.
   */
  waitForInjection(name: string, options: WaitOptions = {}): Promise<ReceivedInjectionEvent> {
    try {
      return this.wait(name, 1, options, 'waitForInjection').then((found) => found[0]);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The first `count` hits of `name` that match the options, together, once the last arrives: the same rules,
   * replay and errors as `waitForInjection` (whose timeout then says how many of them came).
   */
  waitForHits(name: string, count: number, options: WaitOptions = {}): Promise<ReceivedInjectionEvent[]> {
    try {
      if (!Number.isInteger(count) || count < 1) {
        throw new ClientArgumentError(`waitForHits("${String(name)}"): count must be an integer >= 1, not ${String(count)}`);
      }
      return this.wait(name, count, options, 'waitForHits');
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Closes every connection, completes the observables and rejects pending waits with `StreamClosedError`. */
  close(): Promise<void> {
    this.closing ??= this.shutdown(undefined);
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private wait(name: string, count: number, options: WaitOptions, what: string): Promise<ReceivedInjectionEvent[]> {
    if (typeof name !== 'string' || name === '') {
      throw new ClientArgumentError(`${what}: an injection name is required, not ${JSON.stringify(name)}`);
    }
    const ms = options.timeout ?? DEFAULT_WAIT_TIMEOUT;
    // Above 2^31-1 ms a Node timer fires at once instead: refuse it rather than time out immediately.
    if (!(Number.isFinite(ms) && ms > 0 && ms <= MAX_TIMER)) {
      throw new ClientArgumentError(
        `waitForInjection("${name}"): timeout must be milliseconds from 1 to ${MAX_TIMER}, not ${ms}`,
      );
    }
    const nodes = this.waitNodes(name, options.node);
    const shards = options.shard === undefined ? undefined : ([] as number[]).concat(options.shard);
    const scope = options.scope;
    const startSeq = options.since === undefined ? 0 : markSeq(options.since, `${what}("${name}")`);
    const startNotice = options.since?.controls ?? this.noticeCount;
    const afterPosition = options.after === undefined ? undefined : this.positionCheck(name, options.after, nodes, what);
    const dropped = Math.max(0, this.hits.count - this.setup.replay - startSeq);
    const lastSeen: ReceivedInjectionEvent[] = [];
    let seenCount = 0;
    let found = 0;
    const startedAt = Date.now();

    // Event number i has seq i + 1, so replaying from position `startSeq` is exactly since(mark).
    const hit$ = this.hits.observe(startSeq).pipe(
      tap((event) => {
        seenCount++;
        if (lastSeen.push(event) > LAST_SEEN) lastSeen.shift();
      }),
      options.node !== undefined ? onNode(nodes) : identity,
      shards !== undefined ? onShard(shards) : identity,
      options.type !== undefined ? ofType(options.type) : (identity as Same),
      scope !== undefined ? onScope(scope) : identity,
      afterPosition !== undefined ? filter(afterPosition) : identity,
      tap((event) => {
        if (event.injection === name) found++;
      }),
      firstHits(name, count),
      catchError((err: unknown) =>
        throwError(() => (err instanceof MissingHitError ? new StreamClosedError(`${what}("${name}")`) : err)),
      ),
    );
    const watched = new Set(nodes);
    const interrupted$ = this.interruptions.pipe(
      filter((i) => watched.has(i.node)),
      map((i) => {
        throw i.error(name);
      }),
    );
    // Subscribed after hit$ has replayed: a node already lost fails the wait only if the replay had no hit.
    const alreadyLost$ = defer(() => {
      const lost = nodes.map((n) => this.lostNodes.get(n)).find((e) => e !== undefined);
      return lost === undefined ? EMPTY : throwError(() => lost);
    });

    // Subscribed after hit$ has replayed, like alreadyLost$: a hit that came before its shard went down wins.
    const shardsGone$ =
      shards === undefined
        ? EMPTY
        : merge(of(undefined), this.shardDownSubject).pipe(
            filter(() => this.allDown(nodes, shards)),
            map(() => {
              throw new ShardDownError(name, nodes.join(', '), shards);
            }),
          );

    // Subscribed after hit$ has replayed too; a notice follows every hit its node had before it (the server
    // sends it once every shard applied the change), so a hit that came first has already resolved the wait.
    const ended$ = merge(of(undefined), this.controlSubject).pipe(
      map(() => endingOf(this.notices, name, nodes, startNotice, scope)),
      filter((ending) => ending !== undefined),
      map((ending) => {
        throw new InjectionEndedError(name, ending.reason, ending.node, ending.ts, found, count);
      }),
    );

    return settleFirst([hit$, alreadyLost$, interrupted$, shardsGone$, ended$], ms, () =>
      new WaitTimeoutError({
        injection: name,
        wanted: count,
        found,
        startedAt,
        after: options.after,
        timeout: ms,
        nodes,
        shard: shards,
        lastSeen: [...lastSeen],
        seenCount,
        gaps: this.recentGaps.filter((g) => watched.has(g.node) && g.seq >= startSeq),
        dropped,
      }),
    );
  }

  /** A single position only for a wait on one node: another node's ids are of another epoch. */
  private positionCheck(
    name: string,
    after: StreamPositions,
    nodes: readonly string[],
    what: string,
  ): (event: ReceivedInjectionEvent) => boolean {
    if (typeof after === 'string' && nodes.length !== 1) {
      throw new ClientArgumentError(
        `${what}("${name}"): one position is for a wait on one node; give a record of positions by node name ` +
          `(${nodes.join(', ')})`,
      );
    }
    return toPositionCheck(after, `${what}("${name}")`);
  }

  private waitNodes(name: string, node: string | readonly string[] | undefined): string[] {
    if (node === undefined) return [...this.nodes];
    const wanted = ([] as string[]).concat(node).map(trimSlash);
    for (const n of wanted) {
      if (!this.nodes.includes(n)) {
        throw new ClientArgumentError(
          `waitForInjection("${name}"): node ${JSON.stringify(n)} is not one of this stream's nodes ` +
            `(${this.nodes.join(', ')})`,
        );
      }
    }
    return wanted;
  }

  private sink(): NodeSink {
    return {
      event: (node, event) => this.onEvent(node, event),
      handler: (node, event) => {
        if (this.accepts(event.injection)) this.handlers.next(Object.assign(event, { node }));
      },
      gap: (report) => this.onGap(report),
      shardDown: (node, shard) => this.onShardDown(node, shard),
      control: (node, notice) => this.onControl(node, notice),
      status: (node, status) => this.onNodeStatus(node, status),
      problem: (error) => this.errorSubject.next(error),
      lost: (node, error) => this.onLost(node, error),
    };
  }

  private accepts(injection: string): boolean {
    const f = this.setup.filter;
    return f.injections === undefined || f.injections.has(injection);
  }

  private onEvent(node: string, event: InjectionEvent): void {
    const f = this.setup.filter;
    if (!this.accepts(event.injection)) return;
    if (f.shards !== undefined && !f.shards.has(event.shard)) return;
    if (f.types !== undefined && !f.types.has(event.type)) return;
    if (f.scopes !== undefined && !(event.scope !== undefined && f.scopes.has(event.scope))) return;
    // The decoded object is fresh and ours: stamping it avoids a copy per event. The client's name for the
    // node wins over any `node` field the server sent, since it is what onNode and waits filter on.
    const received = event as { -readonly [K in keyof ReceivedInjectionEvent]: ReceivedInjectionEvent[K] };
    received.node = node;
    received.seq = this.hits.count + 1;
    this.hits.next(received);
  }

  private onGap(report: GapReport): void {
    const gap: GapNotice = { ...report, seq: this.hits.count, ts: Date.now() };
    if (this.recentGaps.push(gap) > GAPS_KEPT) this.recentGaps.shift();
    this.gapSubject.next(gap);
    // The server sends what it still has right after the notice: let the data that arrived with it be
    // delivered first, so a wait whose hit is in that replay resolves instead of failing.
    const pending = setImmediate(() => {
      this.pendingInterruptions.delete(pending);
      this.interruptions.next({ node: gap.node, error: (injection) => new EventGapError(injection, gap) });
    });
    this.pendingInterruptions.add(pending);
  }

  private onShardDown(node: string, shard: number): void {
    if (this.ended) return;
    let down = this.downShards.get(node);
    if (down === undefined) this.downShards.set(node, (down = new Set()));
    down.add(shard);
    this.shardDownSubject.next({ node, shard });
  }

  private onControl(node: string, notice: ControlNotice): void {
    if (this.ended) return;
    const received: ReceivedControlNotice = { ...notice, node, seq: this.hits.count };
    if (this.notices.push({ index: ++this.noticeCount, notice: received }) > NOTICES_KEPT) this.notices.shift();
    this.controlSubject.next(received);
  }

  /** Every shard of `shards` is down on every node of `nodes`: a wait limited to them can never be met. */
  private allDown(nodes: readonly string[], shards: readonly number[]): boolean {
    return nodes.every((n) => {
      const down = this.downShards.get(n);
      return down !== undefined && shards.every((s) => down.has(s));
    });
  }

  private onLost(node: string, error: FaultlineError): void {
    if (this.ended) return;
    this.lostNodes.set(node, error);
    this.errorSubject.next(error);
    this.interruptions.next({ node, error: () => error });
    if (this.lostNodes.size === this.sources.length) this.closing ??= this.shutdown(error);
  }

  private onNodeStatus(node: string, status: StreamStatus): void {
    if (this.ended) return;
    this.nodeStatusSubject.next({ node, status });
    const all = this.sources.map((s) => s.status);
    const next: StreamStatus = all.every((s) => s === 'closed')
      ? 'closed'
      : all.includes('connecting')
        ? 'connecting'
        : all.includes('reconnecting')
          ? 'reconnecting'
          : 'open';
    this.setStatus(next);
  }

  private setStatus(status: StreamStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.statusSubject.next(status);
  }

  private async shutdown(error: FaultlineError | undefined): Promise<void> {
    this.ended = true;
    for (const source of this.sources) source.close();
    for (const pending of this.pendingInterruptions) clearImmediate(pending);
    this.pendingInterruptions.clear();
    this.setStatus('closed');
    if (error === undefined) this.hits.complete();
    else this.hits.error(error);
    this.handlers.complete();
    this.statusSubject.complete();
    this.nodeStatusSubject.complete();
    this.gapSubject.complete();
    this.errorSubject.complete();
    this.interruptions.complete();
    this.shardDownSubject.complete();
    this.controlSubject.complete();
    await Promise.all(this.setup.ownedDispatchers.map((d) => d.destroy()));
  }
}
