import { INJECTION_TYPE_CODES, INJECTION_TYPES, type HitParts, type InjectionParameters, type InjectionType } from '../event';

/**
 * The last hits, in seq order, in a ring: at most `capacity` of them and at most `maxBytes` of their estimated
 * size (see hitBytes), the oldest going first. Every hit the group ingests is pushed, so seqs in the ring are
 * contiguous and the hits after a given seq are found by arithmetic, not search.
 *
 * Kept as columns, not as objects: a name and a parameters object are shared by every hit of an enablement, and
 * the rest are numbers in typed arrays, so keeping a hit allocates nothing. Kept as objects (a Hit, its event,
 * its id, its frame, its boxed ts: five per hit, ten thousand hits) they were copied by every scavenge until
 * promoted, then traced: a quarter of the app's time with one reader. A replay, which is rare, builds them again.
 */
export class HitHistory {
  private readonly names: (string | undefined)[];
  private readonly params: (InjectionParameters | undefined)[];
  /** A hit's scope; undefined for an unscoped hit, so a ring of unscoped hits holds no scope at all. */
  private readonly scopes: (string | undefined)[];
  private readonly types: Uint8Array;
  private readonly shards: Uint32Array;
  private readonly times: Float64Array;
  private readonly sizes: Float64Array;
  private start = 0;
  private length = 0;
  /** Seq of the hit in slot `start` (meaningful while length > 0). */
  private startSeq = 0;
  private heldBytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = Infinity,
  ) {
    this.names = new Array<string | undefined>(capacity).fill(undefined);
    this.params = new Array<InjectionParameters | undefined>(capacity).fill(undefined);
    this.scopes = new Array<string | undefined>(capacity).fill(undefined);
    this.types = new Uint8Array(capacity);
    this.shards = new Uint32Array(capacity);
    this.times = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** The estimated size of the hits kept now. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** The seq of the oldest hit kept, or undefined when none is. */
  get oldestSeq(): number | undefined {
    return this.length === 0 ? undefined : this.startSeq;
  }

  /**
   * Keeps hit `seq` (one more than the last pushed), whose estimated size is `bytes`; a hit bigger than maxBytes
   * on its own is not kept at all.
   */
  push(
    seq: number,
    injection: string,
    type: InjectionType,
    shard: number,
    ts: number,
    params: InjectionParameters | undefined,
    scope: string | undefined,
    bytes = 0,
  ): void {
    if (this.capacity === 0) return;
    if (this.length === this.capacity) this.dropOldest();
    while (this.length > 0 && this.heldBytes + bytes > this.maxBytes) this.dropOldest();
    if (bytes > this.maxBytes) {
      // Still advance past it: the ring must stay contiguous, and an empty ring says "nothing kept".
      return;
    }
    if (this.length === 0) this.startSeq = seq;
    const slot = (this.start + this.length) % this.capacity;
    this.names[slot] = injection;
    this.params[slot] = params;
    this.scopes[slot] = scope;
    this.types[slot] = INJECTION_TYPE_CODES[type];
    this.shards[slot] = shard;
    this.times[slot] = ts;
    this.sizes[slot] = bytes;
    this.heldBytes += bytes;
    this.length++;
  }

  /** What `build` makes of each kept hit of seq > `afterSeq`, oldest first. */
  after<T>(afterSeq: number, build: (seq: number, hit: HitParts) => T): T[] {
    const out: T[] = [];
    for (let i = Math.max(0, afterSeq - this.startSeq + 1); i < this.length; i++) {
      const slot = (this.start + i) % this.capacity;
      const hit: HitParts = {
        injection: this.names[slot] as string,
        type: INJECTION_TYPES[this.types[slot]],
        shard: this.shards[slot],
        ts: this.times[slot],
        params: this.params[slot],
        scope: this.scopes[slot],
      };
      out.push(build(this.startSeq + i, hit));
    }
    return out;
  }

  clear(): void {
    this.names.fill(undefined);
    this.params.fill(undefined);
    this.scopes.fill(undefined);
    this.start = 0;
    this.length = 0;
    this.heldBytes = 0;
  }

  private dropOldest(): void {
    this.heldBytes -= this.sizes[this.start];
    this.names[this.start] = undefined;
    this.params[this.start] = undefined;
    this.scopes[this.start] = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.startSeq++;
    this.length--;
  }
}
