import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import type { Subscription } from 'rxjs';
import { injector, type EnableOptions, type ErrorInjector } from '../injector';
import { ShardAttachError, timeoutOptionError } from './errors';
import { packItems, type ShardItem } from './packed-items';
import {
  PROTOCOL_VERSION,
  shardChannelName,
  toWireError,
  type ControlOp,
  type ControlValue,
  type HostMessage,
  type WatchFlags,
  type WireError,
  type WorkerMessage,
} from './protocol';

// The worker side of a shard. It must stay free of host code: it runs in every worker thread that attaches.

export interface AttachShardOptions {
  /** Milliseconds to wait for the host to `addWorker()` this worker (default: until it does). */
  timeout?: number;
}

/** Items posted in one message while the host keeps up; a longer synchronous burst is sent in several. */
const MAX_BATCH = 1024;
/** Batches posted but not yet credited by the host, at most: beyond it the worker holds items back. */
const MAX_IN_FLIGHT = 32;
/** A batch asks the host for a credit every this many batches. */
const CREDIT_EVERY = 8;
/** Items held back at most while the host is behind; hits beyond are dropped (and counted), never waited on. */
const MAX_HELD = 100_000;

let attaching: Promise<number> | undefined;

/**
 * Joins the ShardGroup that `addWorker()`-ed (or will add) this worker: this thread's `injector` becomes that
 * shard, applies every injection enabled on the group, and from then on obeys the group's broadcasts and
 * reports its hits. Resolves with the shard number. Calling it again returns the same promise.
 */
export function attachShard(options: AttachShardOptions = {}): Promise<number> {
  if (isMainThread) {
    return Promise.reject(new ShardAttachError('attachShard() is for worker threads; the main thread is shard 0'));
  }
  const timeout = options?.timeout;
  const badTimeout = timeoutOptionError('attachShard', timeout);
  if (badTimeout !== undefined) return Promise.reject(badTimeout);
  attaching ??= new WorkerShard(injector).attach(timeout).catch((err: unknown) => {
    attaching = undefined;
    throw err;
  });
  return attaching;
}

class WorkerShard {
  private readonly channel = new BroadcastChannel(shardChannelName(threadId));
  private shard = -1;
  private hitsSubscription: Subscription | undefined;
  private handlersSubscription: Subscription | undefined;
  private exhaustionsSubscription: Subscription | undefined;
  private batch: ShardItem[] = [];
  private flushScheduled = false;
  private posted = 0;
  private credited = 0;
  private dropped = 0;

  constructor(private readonly injector: ErrorInjector) {}

  attach(timeout: number | undefined): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer =
        timeout === undefined
          ? undefined
          : setTimeout(() => {
              this.leave();
              reject(new ShardAttachError(`no ShardGroup added this worker within ${timeout} ms`));
            }, timeout);
      this.channel.onmessage = (ev) => {
        const msg = ev.data as HostMessage;
        if (this.shard < 0) {
          if (msg.t === 'host-hello') this.post({ t: 'hello', version: PROTOCOL_VERSION });
          else if (msg.t === 'welcome') {
            clearTimeout(timer);
            resolve(this.welcome(msg.shard, msg.enables, msg.watch));
          }
          return;
        }
        this.onMessage(msg);
      };
      this.post({ t: 'hello', version: PROTOCOL_VERSION });
    });
  }

  private welcome(shard: number, enables: ReadonlyArray<readonly [string, EnableOptions]>, watch: WatchFlags): number {
    this.shard = shard;
    this.injector.setShard(shard);
    const errors: WireError[] = [];
    for (const [name, options] of enables) {
      try {
        this.injector.enable(name, options);
      } catch (err) {
        errors.push(toWireError(err));
      }
    }
    this.watch(watch);
    // Always forwarded, whatever the watch: the group counts them to tell when an enablement ran out everywhere,
    // and there is at most one per enablement.
    this.exhaustionsSubscription = this.injector.exhaustions$.subscribe((event) => this.queue(event, true));
    // Items held back while the host was behind are posted as the thread exits (on its own or by
    // process.exit): posting is synchronous, and the host reads everything a dead worker posted.
    process.once('exit', this.flushAtExit);
    this.post({ t: 'attached', shard, errors });
    // Attached, the channel must not keep the worker alive: the worker lives as long as its own work does.
    this.channel.unref();
    return shard;
  }

  private onMessage(msg: HostMessage): void {
    if (msg.t === 'credit') {
      this.credited = Math.max(this.credited, msg.n);
      this.flush();
    } else if (msg.t === 'watch') this.watch(msg);
    else if (msg.t === 'control') this.control(msg.id, msg);
  }

  private control(id: number, op: ControlOp): void {
    let value: ControlValue;
    try {
      value = this.apply(op);
    } catch (err) {
      this.flush(true);
      this.post({ t: 'ack', id, error: toWireError(err) });
      return;
    }
    // Hits that happened before the change was applied reach the host before its ack: when a broadcast
    // resolves, the group already holds every hit that preceded it.
    this.flush(true);
    this.post(value === undefined ? { t: 'ack', id } : { t: 'ack', id, value });
    if (op.op === 'detach') this.leave();
  }

  private apply(op: ControlOp): ControlValue {
    const inj = this.injector;
    switch (op.op) {
      case 'enable':
        inj.enable(op.name, op.options);
        return undefined;
      case 'disable':
        inj.disable(op.name, { scope: op.scope });
        return undefined;
      case 'disableAll':
        inj.disableAll();
        return undefined;
      case 'message':
        inj.receiveMessage(op.name, { scope: op.scope });
        return undefined;
      case 'state':
        return inj.get(op.name, { scope: op.scope });
      case 'enabled':
        return inj.enabledInjections();
      case 'lifetimes':
        return inj.lifetimeHitCounts();
      case 'parked':
        return inj.parkedHandlerCounts();
      case 'detach':
        this.forwardNothing();
        return undefined;
    }
  }

  /** Subscribes to the injector only while the group needs it: an unwatched shard costs nothing extra. */
  private watch(flags: WatchFlags): void {
    if (flags.hits && this.hitsSubscription === undefined) {
      this.hitsSubscription = this.injector.hits$.subscribe((event) => this.queue(event));
    } else if (!flags.hits && this.hitsSubscription !== undefined) {
      this.hitsSubscription.unsubscribe();
      this.hitsSubscription = undefined;
    }
    if (flags.handlers && this.handlersSubscription === undefined) {
      this.handlersSubscription = this.injector.handlerEvents$.subscribe((event) => this.queue(event));
    } else if (!flags.handlers && this.handlersSubscription !== undefined) {
      this.handlersSubscription.unsubscribe();
      this.handlersSubscription = undefined;
    }
  }

  private forwardNothing(): void {
    this.watch({ hits: false, handlers: false });
    this.exhaustionsSubscription?.unsubscribe();
    this.exhaustionsSubscription = undefined;
  }

  /**
   * Batches the items of one synchronous run: the first schedules a flush as a microtask, so a burst goes out
   * in one message and the worker never waits on the host. While the host is behind (too many batches in
   * flight) items are held and go out in one larger batch when it catches up. `keep`: never dropped, even then.
   */
  private queue(item: ShardItem, keep = false): void {
    if (this.batch.length >= MAX_HELD && !keep) {
      this.dropped++;
      return;
    }
    this.batch.push(item);
    if (this.batch.length >= MAX_BATCH && !this.behind()) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private behind(): boolean {
    return this.posted - this.credited >= MAX_IN_FLIGHT;
  }

  /** Posts what is batched, unless the host is behind; `force` (before an ack) posts regardless. */
  private flush(force = false): void {
    if ((this.batch.length === 0 && this.dropped === 0) || (!force && this.behind())) return;
    const items = this.batch;
    const dropped = this.dropped;
    this.batch = [];
    this.dropped = 0;
    const n = ++this.posted;
    this.post({ t: 'events', n, credit: n % CREDIT_EVERY === 0 || this.behind(), items: packItems(items), dropped });
  }

  private readonly flushAtExit = (): void => this.flush(true);

  private post(msg: WorkerMessage): void {
    this.channel.postMessage(msg);
  }

  /** Leaves the group (or gives up joining one): forwards nothing more, closes the channel, may attach again. */
  private leave(): void {
    process.off('exit', this.flushAtExit);
    this.forwardNothing();
    this.channel.close();
    attaching = undefined;
  }
}

