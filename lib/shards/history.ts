import type { Hit } from './group-items';

/**
 * The last hits, in seq order, in a ring: at most `capacity` of them and at most `maxBytes` of their estimated
 * size (see hitBytes), the oldest going first. Every hit the group ingests is pushed, so seqs in the ring are
 * contiguous and the hits after a given seq are found by arithmetic, not search.
 */
export class HitHistory {
  private readonly ring: (Hit | undefined)[];
  private readonly sizes: Float64Array;
  private start = 0;
  private length = 0;
  private heldBytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = Infinity,
  ) {
    this.ring = new Array<Hit | undefined>(capacity);
    this.sizes = new Float64Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** The estimated size of the hits kept now. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** Keeps `hit`, whose estimated size is `bytes`; a hit bigger than maxBytes on its own is not kept at all. */
  push(hit: Hit, bytes = 0): void {
    if (this.capacity === 0) return;
    if (this.length === this.capacity) this.dropOldest();
    while (this.length > 0 && this.heldBytes + bytes > this.maxBytes) this.dropOldest();
    if (bytes > this.maxBytes) {
      // Still advance past it: the ring must stay contiguous, and an empty ring says "nothing kept".
      return;
    }
    const slot = (this.start + this.length) % this.capacity;
    this.ring[slot] = hit;
    this.sizes[slot] = bytes;
    this.heldBytes += bytes;
    this.length++;
  }

  oldest(): Hit | undefined {
    return this.length === 0 ? undefined : this.ring[this.start];
  }

  /** A snapshot of the hits with seq > `afterSeq`, oldest first. */
  after(afterSeq: number): Hit[] {
    const oldest = this.oldest();
    if (oldest === undefined) return [];
    const skip = Math.max(0, afterSeq - oldest.seq + 1);
    const out: Hit[] = [];
    for (let i = skip; i < this.length; i++) out.push(this.ring[(this.start + i) % this.capacity] as Hit);
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.length = 0;
    this.heldBytes = 0;
  }

  private dropOldest(): void {
    this.heldBytes -= this.sizes[this.start];
    this.ring[this.start] = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.length--;
  }
}
