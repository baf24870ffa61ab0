import type { Hit } from './group-items';

/**
 * The last `capacity` hits, in seq order, in a ring. Every hit the group ingests is pushed, so seqs in the
 * ring are contiguous and the hits after a given seq are found by arithmetic, not search.
 */
export class HitHistory {
  private readonly ring: (Hit | undefined)[];
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<Hit | undefined>(capacity);
  }

  get size(): number {
    return this.length;
  }

  push(hit: Hit): void {
    if (this.capacity === 0) return;
    if (this.length < this.capacity) {
      this.ring[(this.start + this.length) % this.capacity] = hit;
      this.length++;
    } else {
      this.ring[this.start] = hit;
      this.start = (this.start + 1) % this.capacity;
    }
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
  }
}
