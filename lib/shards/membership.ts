import { threadId as ownThreadId, type Worker } from 'node:worker_threads';
import { InjectionsOffError, InvalidInjectionError, type EnableOptions } from '../injector';
import { ShardApplyError, ShardAttachError, ShardGroupClosedError, ShardGroupOptionError, timeoutOptionError } from './errors';
import type { FanOutShards } from './fan-out';
import type { PackedItems } from './packed-items';
import { PROTOCOL_VERSION, type ControlOp, type WatchFlags, type WireError } from './protocol';
import type { AddWorkerOptions, BroadcastResult, ShardInfo } from './types';
import { ShardUnreachable, WorkerLink, type WorkerLinkHost } from './worker-link';

/** Threads of this process that belong to a group: a worker can be a shard of one group at a time. */
const claimedThreads = new Set<number>();

/** What the membership asks of the rest of its group. */
export interface MembershipHost {
  /** What a worker welcomed as `shard` must apply, in order, before it counts as attached. */
  enablesToJoin(): ReadonlyArray<readonly [string, EnableOptions]>;
  /** What shard `shard` must forward from the moment it is welcomed. */
  watchFlags(shard: number): WatchFlags;
  /** A batch of hits and handler phases a worker shard forwarded. */
  shardItems(shard: number, items: PackedItems): void;
  /** A welcomed worker left the group (it exited, or the group let it go), and its last items are in. */
  shardLeft(shard: number): void;
}

interface Joining {
  resolve(shard: number): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Who is in a ShardGroup: the main thread as shard 0, and each worker that joined (`addWorker()` on this
 * side, `attachShard()` on its side) as the next number, alive until it leaves. Sends control requests to the
 * workers that are alive and tells the group when one leaves.
 */
export class Membership implements FanOutShards {
  /** Index = shard number; index 0 (the main thread) has no link. */
  private readonly links: (WorkerLink | undefined)[] = [undefined];
  private readonly joining = new Map<WorkerLink, Joining>();
  /** Hits each worker shard dropped because the main thread fell too far behind (index = shard). */
  private readonly dropped: number[] = [];
  private closed = false;
  private readonly linkHost: WorkerLinkHost = {
    linkHello: (link) => this.onHello(link),
    linkRefused: (link, version) => this.onRefused(link, version),
    linkAttached: (link, errors) => this.onAttached(link, errors),
    linkItems: (link, items) => this.host.shardItems(link.shard, items),
    linkDropped: (link, count) => {
      this.dropped[link.shard] = (this.dropped[link.shard] ?? 0) + count;
    },
    linkLeft: (link) => this.onLeft(link),
  };

  constructor(
    private readonly host: MembershipHost,
    private readonly applyTimeout: number,
  ) {}

  get count(): number {
    return this.links.length;
  }

  get shards(): readonly ShardInfo[] {
    return this.links.map((link, shard) =>
      link === undefined
        ? { shard, kind: 'main', alive: true, threadId: ownThreadId }
        : { shard, kind: 'worker', alive: link.alive, threadId: link.threadId },
    );
  }

  isDown(shard: number): boolean {
    const link = this.links[shard];
    return link !== undefined && !link.alive;
  }

  watch(shard: number, flags: WatchFlags): void {
    this.links[shard]?.watch(flags);
  }

  /** See ShardGroup.droppedCounts(). */
  droppedCounts(): number[] {
    return this.links.map((_link, shard) => this.dropped[shard] ?? 0);
  }

  /** See ShardGroup.addWorker(). */
  add(worker: Worker, options: AddWorkerOptions): Promise<number> {
    if (this.closed) return Promise.reject(new ShardGroupClosedError('addWorker'));
    const timeout = options.timeout;
    const badTimeout = timeoutOptionError('addWorker', timeout);
    if (badTimeout !== undefined) return Promise.reject(badTimeout);
    if (typeof worker !== 'object' || worker === null || typeof (worker as Partial<Worker>).once !== 'function') {
      return Promise.reject(new ShardGroupOptionError('addWorker expects a Worker from node:worker_threads'));
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
              this.leave(link);
              reject(new ShardAttachError(`worker thread ${tid} did not call attachShard() within ${timeout} ms`));
            }, timeout);
      this.joining.set(link, { resolve, reject, timer });
    });
  }

  /**
   * Sends `op` to every worker that is alive and calls `onValue` with each answer, or `onDown` for a worker that
   * has left or does not answer in time. Rejects with the first error a worker reports.
   */
  async ask(
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

  /**
   * Sends a change to every worker; shard 0 has applied it already. `onApplied` hears each worker's ack as it
   * comes, before the next message of that worker is read.
   */
  async broadcast(op: ControlOp, onApplied?: (shard: number) => void): Promise<BroadcastResult> {
    const applied = [0];
    const down: number[] = [];
    await this.ask(
      op,
      (shard) => {
        applied.push(shard);
        onApplied?.(shard);
      },
      (shard) => down.push(shard),
    );
    return { applied: applied.sort(byNumber), down: down.sort(byNumber) };
  }

  /** Rejects every addWorker() still waiting, and has every worker leave (each bounded by applyTimeout). */
  async leaveAll(): Promise<void> {
    this.closed = true;
    // Workers that never said hello are not in `links` but still hold a claim and a channel.
    const unwelcomed: WorkerLink[] = [];
    for (const [link, joining] of this.joining) {
      clearTimeout(joining.timer);
      joining.reject(new ShardGroupClosedError(`addWorker (worker thread ${link.threadId})`));
      if (!link.welcomed) unwelcomed.push(link);
    }
    this.joining.clear();
    for (const link of unwelcomed) {
      link.leave();
      claimedThreads.delete(link.threadId);
    }
    const links = this.links.filter((l): l is WorkerLink => l !== undefined);
    await Promise.all(
      links.map(async (link) => {
        await link.askToLeave();
        claimedThreads.delete(link.threadId);
      }),
    );
  }

  private onHello(link: WorkerLink): void {
    if (this.closed) return;
    const shard = this.links.length;
    this.links.push(link);
    link.welcome(shard, this.host.enablesToJoin(), this.host.watchFlags(shard));
  }

  private onRefused(link: WorkerLink, version: unknown): void {
    const joining = this.joining.get(link);
    if (joining === undefined) return;
    this.joining.delete(link);
    clearTimeout(joining.timer);
    this.leave(link);
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

  /** The worker exited and its last messages are in: a pending addWorker() fails, a welcomed shard has left. */
  private onLeft(link: WorkerLink): void {
    claimedThreads.delete(link.threadId);
    const joining = this.joining.get(link);
    if (joining !== undefined) {
      this.joining.delete(link);
      clearTimeout(joining.timer);
      joining.reject(new ShardAttachError(`worker thread ${link.threadId} exited before it attached`));
    }
    if (link.welcomed) this.host.shardLeft(link.shard);
  }

  /** The group lets go of a worker at once: one that never became a live shard, or a welcomed one (now down). */
  private leave(link: WorkerLink): void {
    claimedThreads.delete(link.threadId);
    link.leave();
    if (link.welcomed) this.host.shardLeft(link.shard);
  }
}

function byNumber(a: number, b: number): number {
  return a - b;
}

// A worker's error crosses the channel as plain data, so its code is all there is to match on. The codes are
// read from the classes themselves (their `code` field), not repeated here.
const INVALID_CODE = new InvalidInjectionError('').code;
const OFF_CODE = new InjectionsOffError('', '').code;

/** Rebuilds a worker's error as the typed error the same failure raises on the main thread. */
function remoteError(error: WireError, shard: number): Error {
  if (error.code === INVALID_CODE) return new InvalidInjectionError(error.message);
  if (error.code === OFF_CODE) {
    return new InjectionsOffError(error.injection ?? '', error.reason ?? `switched off on shard ${shard}`);
  }
  return new ShardApplyError(shard, error.code, error.message);
}
