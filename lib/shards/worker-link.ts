import { BroadcastChannel, type Worker } from 'node:worker_threads';
import type { EnableOptions } from '../injector';
import type { PackedItems } from './packed-items';
import {
  PROTOCOL_VERSION,
  shardChannelName,
  type ControlOp,
  type ControlValue,
  type HostMessage,
  type WatchFlags,
  type WireError,
  type WorkerMessage,
} from './protocol';

/** What a WorkerLink reports to its group. */
export interface WorkerLinkHost {
  /** The worker called attachShard(): give it a shard number and welcome it. */
  linkHello(link: WorkerLink): void;
  /** The worker called attachShard() from a copy of faultline that speaks another protocol version. */
  linkRefused(link: WorkerLink, version: unknown): void;
  /** The worker applied the welcome (enables); `errors` are those it could not apply. */
  linkAttached(link: WorkerLink, errors: readonly WireError[]): void;
  linkItems(link: WorkerLink, items: PackedItems): void;
  /** The worker dropped `count` hits because the host fell too far behind. */
  linkDropped(link: WorkerLink, count: number): void;
  /** The worker exited and every message it posted has been handed over: it has left the group. */
  linkLeft(link: WorkerLink): void;
}

/** A control request that got no answer: the worker exited, or did not ack within applyTimeout. */
export class ShardUnreachable extends Error {}

export type ControlReply = { readonly value: ControlValue } | { readonly error: WireError };

interface PendingRequest {
  resolve(reply: ControlReply): void;
  reject(err: ShardUnreachable): void;
  timer: NodeJS.Timeout;
}

/** The host's end of one worker: its channel, its requests awaiting acks, and its exit. */
export class WorkerLink {
  readonly threadId: number;
  shard = -1;
  /** False from the moment the worker exits (or the link leaves): nothing more is asked of it. */
  alive = true;
  private readonly channel: BroadcastChannel;
  private readonly pending = new Map<number, PendingRequest>();
  private nextId = 1;
  private watching: WatchFlags = { hits: false, handlers: false };
  private hasLeft = false;
  private drainTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly worker: Worker,
    private readonly host: WorkerLinkHost,
    private readonly applyTimeout: number,
  ) {
    this.threadId = worker.threadId;
    this.channel = new BroadcastChannel(shardChannelName(this.threadId));
    // The link must not keep the host process alive: the Worker object does that, as its owner chose.
    this.channel.unref();
    this.channel.onmessage = (ev) => this.onMessage(ev.data as WorkerMessage | HostMessage);
    worker.once('exit', this.onExit);
    this.post({ t: 'host-hello' });
  }

  get welcomed(): boolean {
    return this.shard >= 0;
  }

  welcome(shard: number, enables: ReadonlyArray<readonly [string, EnableOptions]>, watch: WatchFlags): void {
    this.shard = shard;
    this.watching = watch;
    this.post({ t: 'welcome', shard, enables, watch });
  }

  /** Tells the worker what to forward; posts only on a change. Channel order puts it before later requests. */
  watch(flags: WatchFlags): void {
    if (!this.alive || !this.welcomed) return;
    if (flags.hits === this.watching.hits && flags.handlers === this.watching.handlers) return;
    this.watching = flags;
    this.post({ t: 'watch', hits: flags.hits, handlers: flags.handlers });
  }

  request(op: ControlOp): Promise<ControlReply> {
    if (!this.alive) return Promise.reject(new ShardUnreachable('exited'));
    const id = this.nextId++;
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ShardUnreachable(`no ack within ${this.applyTimeout} ms`));
      }, this.applyTimeout);
      this.pending.set(id, { resolve, reject, timer });
      this.post({ t: 'control', id, ...op });
    });
  }

  /**
   * Asks the worker to stop forwarding and leave the group (bounded by applyTimeout), then leaves. The wire op
   * is still called 'detach' (see protocol.ts).
   */
  async askToLeave(): Promise<void> {
    if (this.alive && this.welcomed) await this.request({ op: 'detach' }).catch(() => undefined);
    this.leave();
  }

  /** Leaves at once: no listener on the worker, no channel, no pending request. */
  leave(): void {
    this.alive = false;
    this.hasLeft = true;
    this.worker.off('exit', this.onExit);
    clearTimeout(this.drainTimer);
    this.failPending('left the group');
    this.channel.close();
  }

  private onMessage(msg: WorkerMessage | HostMessage): void {
    if (this.hasLeft) return;
    switch (msg.t) {
      case 'hello':
        if (this.welcomed || !this.alive) return;
        if (msg.version === PROTOCOL_VERSION) this.host.linkHello(this);
        else this.host.linkRefused(this, msg.version);
        return;
      case 'attached':
        this.host.linkAttached(this, msg.errors);
        return;
      case 'ack': {
        const p = this.pending.get(msg.id);
        if (p === undefined) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        p.resolve(msg.error !== undefined ? { error: msg.error } : { value: msg.value });
        return;
      }
      case 'events':
        if (msg.dropped > 0) this.host.linkDropped(this, msg.dropped);
        this.host.linkItems(this, msg.items);
        // Credited once ingested: a worker can only run ahead of what the main thread has really processed.
        if (msg.credit && this.alive) this.post({ t: 'credit', n: msg.n });
        return;
      case 'drain':
        this.reportLeft();
        return;
    }
  }

  private readonly onExit = (): void => {
    this.alive = false;
    this.failPending('exited');
    // Hits the worker posted before it died may still be queued on our channel. A marker posted now from a
    // second instance of the channel is queued after them, so when it arrives nothing of the worker is left.
    const marker = new BroadcastChannel(shardChannelName(this.threadId));
    marker.postMessage({ t: 'drain' } satisfies HostMessage);
    marker.close();
    this.drainTimer = setTimeout(() => this.reportLeft(), this.applyTimeout);
    this.drainTimer.unref();
  };

  /** The worker exited and everything it posted is in: leave, and tell the group. */
  private reportLeft(): void {
    if (this.hasLeft) return;
    this.leave();
    this.host.linkLeft(this);
  }

  private failPending(why: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ShardUnreachable(why));
    }
    this.pending.clear();
  }

  private post(msg: HostMessage): void {
    this.channel.postMessage(msg);
  }
}
