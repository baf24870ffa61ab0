import type { Subscription } from 'rxjs';
import type { ControlNotice } from '../event';
import type { ErrorInjector } from '../injector';
import { enablementKey } from '../wire';

/** What the tracker needs to know of the group's members (the Membership, seen from here). */
export interface ExhaustionShards {
  /** Shards so far, the main thread's included: they are numbered 0 to count - 1. */
  readonly count: number;
  /** The shard was a worker that has left the group. */
  isDown(shard: number): boolean;
}

/**
 * One enablement of a name (in one scope, or unscoped) through the group, as its shards run it out. Made by
 * `ExhaustionTracker.enabling()`.
 */
export class Enablement {
  /** Shards that ran it out. */
  readonly exhausted = new Set<number>();
  /** The 'enabled' notice went out: an 'exhausted' one may now follow it. */
  announced = false;
  readonly key: string;

  constructor(
    readonly name: string,
    /** undefined: the name's unscoped enablement. */
    readonly scope: string | undefined,
    /** Live worker shards that have not acked it yet: an exhaustion they report now is of an earlier enablement. */
    readonly unapplied: Set<number>,
  ) {
    this.key = enablementKey(name, scope);
  }
}

/**
 * Sends one 'exhausted' control notice for an enablement once every live shard has run it out (a one-shot
 * taken, a `count` spent): the hit that did it on the last shard is ahead of the notice, as that shard reports
 * its hits and its exhaustion in order. Only enablements made through the group are tracked, each by its name
 * and scope (the enablements of one name in several scopes run out apart); a disable or a new enable of it
 * forgets the old one, so it never ends in 'exhausted'.
 *
 * A worker applies a control op and posts everything it had before its ack, so what it reports between the
 * enable being sent and its ack is of the enablement before: it is ignored (`unapplied`).
 */
export class ExhaustionTracker {
  private readonly enablements = new Map<string, Enablement>();
  private readonly mainExhaustions: Subscription;

  constructor(
    injector: ErrorInjector,
    private readonly shards: ExhaustionShards,
    private readonly send: (notice: ControlNotice) => void,
  ) {
    this.mainExhaustions = injector.exhaustions$.subscribe((event) => this.exhausted(0, event.injection, event.scope));
  }

  /**
   * `name` was just enabled (in `scope`, or unscoped) on shard 0 and is about to be sent to the workers:
   * tracking starts afresh. Tell `applied()` each worker's ack, then `announced()` once the 'enabled' notice
   * went out.
   */
  enabling(name: string, scope?: string): Enablement {
    const unapplied = new Set<number>();
    for (let s = 1; s < this.shards.count; s++) if (!this.shards.isDown(s)) unapplied.add(s);
    const enablement = new Enablement(name, scope, unapplied);
    this.enablements.set(enablement.key, enablement);
    return enablement;
  }

  applied(enablement: Enablement, shard: number): void {
    enablement.unapplied.delete(shard);
  }

  announced(enablement: Enablement): void {
    enablement.announced = true;
    this.check(enablement);
  }

  /**
   * `name` was disabled, in `scope` only or (undefined) in every scope and unscoped: whatever its shards report
   * now is not an exhaustion of a live enablement.
   */
  disabled(name: string, scope?: string): void {
    if (scope !== undefined) {
      this.enablements.delete(enablementKey(name, scope));
      return;
    }
    for (const [key, enablement] of [...this.enablements]) if (enablement.name === name) this.enablements.delete(key);
  }

  disabledAll(): void {
    this.enablements.clear();
  }

  /** Shard `shard` ran out its enablement of `name` in `scope` (undefined: the unscoped one). */
  exhausted(shard: number, name: string, scope?: string): void {
    const enablement = this.enablements.get(enablementKey(name, scope));
    if (enablement === undefined || enablement.unapplied.has(shard)) return;
    enablement.exhausted.add(shard);
    this.check(enablement);
  }

  /** A worker shard left: the live ones that remain may all have run out. */
  shardLeft(): void {
    for (const enablement of [...this.enablements.values()]) this.check(enablement);
  }

  close(): void {
    this.mainExhaustions.unsubscribe();
    this.enablements.clear();
  }

  private check(enablement: Enablement): void {
    if (!enablement.announced || this.enablements.get(enablement.key) !== enablement) return;
    for (let s = 0; s < this.shards.count; s++) if (!this.shards.isDown(s) && !enablement.exhausted.has(s)) return;
    this.enablements.delete(enablement.key);
    const notice: ControlNotice = { op: 'exhausted', injection: enablement.name, shard: null, ts: Date.now() };
    this.send(enablement.scope === undefined ? notice : { ...notice, scope: enablement.scope });
  }
}
