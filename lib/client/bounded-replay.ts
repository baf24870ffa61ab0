import { Observable, Subject } from 'rxjs';
import { ClientArgumentError } from './errors';

/**
 * A multicast of values that replays the last `capacity` of them to each new subscriber, then goes live.
 * RxJS's ReplaySubject does the same, but trims its buffer with `splice(0, n)` on every value once full:
 * tens of microseconds per event at a 10 000-event bound. This keeps a ring instead (O(1) per value) and
 * can replay from a position (`observe(from)`), which is how a wait with a mark skips what came before.
 * The owner ends it with `complete()` or `error()`; late subscribers then get the replay and that end.
 */
export class BoundedReplay<T> {
  private readonly ring: Array<T | undefined>;
  private readonly live = new Subject<T>();
  /** How many values were ever pushed; value number `i` (0-based) sits at `ring[i % capacity]`. */
  private total = 0;
  private ended: { readonly error?: unknown; readonly failed: boolean } | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new ClientArgumentError(`replay capacity must be an integer >= 1, not ${String(capacity)}`);
    }
    // Grown as values come (an append while not full) rather than allocated at capacity: an idle stream with the
    // default bound of 10 000 would otherwise hold 80 KB of empty slots from the start.
    this.ring = [];
  }

  /** How many values were ever pushed (not only those still held). */
  get count(): number {
    return this.total;
  }

  next(value: T): void {
    if (this.ended !== undefined) return;
    this.ring[this.total % this.capacity] = value;
    this.total++;
    this.live.next(value);
  }

  complete(): void {
    if (this.ended !== undefined) return;
    this.ended = { failed: false };
    this.live.complete();
  }

  error(error: unknown): void {
    if (this.ended !== undefined) return;
    this.ended = { error, failed: true };
    this.live.error(error);
  }

  /** The held values from value number `from` on (0-based; older ones may have been dropped), then live. */
  observe(from = 0): Observable<T> {
    return new Observable<T>((subscriber) => {
      // Read the ring by absolute position, re-reading `total` each turn: a value pushed while replaying
      // (by a subscriber's own reaction) is replayed in order too, and none falls between replay and live.
      for (let i = Math.max(from, this.total - this.capacity, 0); i < this.total; i++) {
        if (subscriber.closed) return;
        if (i < this.total - this.capacity) i = this.total - this.capacity;
        subscriber.next(this.ring[i % this.capacity] as T);
      }
      if (this.ended !== undefined) {
        if (this.ended.failed) subscriber.error(this.ended.error);
        else subscriber.complete();
        return;
      }
      return this.live.subscribe(subscriber);
    });
  }
}
