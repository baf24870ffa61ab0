import type { Subscriber } from 'rxjs';
import type { EventsFilter } from './events-filter';
import type { GroupItem } from './types';

/**
 * One events() subscription. It is registered for live items before its history replay is taken, and holds
 * live items back while the replay is emitted (a reader's own code may cause hits synchronously): so between
 * history and live there is no gap and no duplicate.
 */
export class Reader {
  private held: GroupItem[] | undefined = [];

  constructor(
    readonly filter: EventsFilter,
    private readonly subscriber: Subscriber<GroupItem>,
  ) {}

  push(item: GroupItem): void {
    if (this.held !== undefined) this.held.push(item);
    else this.subscriber.next(item);
  }

  /** Emits the replay, then what arrived meanwhile, then goes live. */
  replay(items: readonly GroupItem[]): void {
    for (const item of items) {
      if (this.subscriber.closed) break;
      this.subscriber.next(item);
    }
    const held = this.held as GroupItem[];
    for (let i = 0; i < held.length && !this.subscriber.closed; i++) this.subscriber.next(held[i]);
    this.held = undefined;
  }

  complete(): void {
    this.subscriber.complete();
  }
}
