import type { Subscription } from 'rxjs';
import type { ShardGroup } from '../../../lib/shards';

// Checks "every hit delivered to every client that was connected for it, in order, none twice" against a
// ground truth: what the group itself ingested, recorded by an in-process subscriber to group.events() that
// sees every hit synchronously as it gets its seq, before any socket can carry it.
//
// A client is connected for the hits with seq in (openSeq, closeSeq]:
// - openSeq is the group's last seq when the client's stream was confirmed open (openInjectionStream resolved,
//   or the 200 arrived): the server subscribes the connection before it sends the 200, so every later hit
//   must reach it. Hits between the subscription and openSeq may arrive too; they are checked like the rest.
// - closeSeq is the group's last seq when the client decided to leave; it then waits until it holds every hit
//   of its window (`drained`) before it closes. A client that vanishes without draining has closeSeq = the
//   last seq it received.
// Within that window the client must receive exactly the truth's hits that pass its filter: the same ids, in
// the same order, none missing, none twice. The check runs as hits arrive, so nothing is stored per client.

export interface HitFilter {
  readonly shards?: ReadonlySet<number>;
  readonly injections?: ReadonlySet<string>;
}

/** The ground truth: every hit the group ingested, by seq. */
export class GroundTruth {
  readonly epoch: string;
  private readonly shardOf: number[] = [];
  private readonly nameOf: string[] = [];
  private readonly typeOf: string[] = [];
  private readonly perShard: number[] = [];
  private readonly subscription: Subscription;
  private first = 0;
  private last = 0;
  private started = false;
  private broken: string | undefined;

  constructor(group: ShardGroup) {
    this.epoch = group.epoch;
    this.subscription = group.events().subscribe((item) => {
      if (item.kind !== 'hit') return;
      if (!this.started) {
        this.started = true;
        this.first = this.last = item.seq - 1;
      }
      // The group's own order must be gap-free: every seq handed out reaches every all-shard reader.
      if (item.seq !== this.last + 1) this.broken ??= `the group skipped from seq ${this.last} to ${item.seq}`;
      this.last = item.seq;
      this.shardOf[item.seq] = item.event.shard;
      this.nameOf[item.seq] = item.event.injection;
      this.typeOf[item.seq] = item.event.type;
      this.perShard[item.event.shard] = (this.perShard[item.event.shard] ?? 0) + 1;
    });
  }

  /** The seq of the last hit ingested so far (0 before any). */
  get lastSeq(): number {
    return this.last;
  }

  /** Hits of shard `shard` so far. */
  count(shard: number): number {
    return this.perShard[shard] ?? 0;
  }

  has(seq: number): boolean {
    return seq > this.first && seq <= this.last;
  }

  shard(seq: number): number {
    return this.shardOf[seq];
  }

  name(seq: number): string {
    return this.nameOf[seq];
  }

  type(seq: number): string {
    return this.typeOf[seq];
  }

  matches(seq: number, filter: HitFilter | undefined): boolean {
    if (filter === undefined) return true;
    if (filter.shards !== undefined && !filter.shards.has(this.shardOf[seq])) return false;
    if (filter.injections !== undefined && !filter.injections.has(this.nameOf[seq])) return false;
    return true;
  }

  /** Hits per shard (index = shard) among those whose name passes `names`. */
  countByShard(names: (name: string) => boolean = () => true): number[] {
    const counts: number[] = [];
    for (let s = this.first + 1; s <= this.last; s++) {
      if (!names(this.nameOf[s])) continue;
      counts[this.shardOf[s]] = (counts[this.shardOf[s]] ?? 0) + 1;
    }
    return Array.from(counts, (c) => c ?? 0);
  }

  /** Every hit recorded, in seq order. */
  *hits(): IterableIterator<{ seq: number; shard: number; injection: string }> {
    for (let s = this.first + 1; s <= this.last; s++) yield { seq: s, shard: this.shardOf[s], injection: this.nameOf[s] };
  }

  /** Throws if the group's own sequence had a hole. */
  assertIntact(): void {
    if (this.broken !== undefined) throw new Error(this.broken);
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

/** One client's window on the truth, checked incrementally as its hits arrive. */
export class DeliveryWindow {
  /** Hits received and checked. */
  delivered = 0;
  private lastSeq: number | undefined;
  private closeSeq: number | undefined;
  private scanned: number;
  private lastMatch = 0;
  private readonly problems: string[] = [];

  constructor(
    private readonly truth: GroundTruth,
    readonly label: string,
    readonly openSeq: number,
    readonly filter?: HitFilter,
  ) {
    this.scanned = openSeq;
  }

  /** Records one hit as the client received it (its wire id, shard and name). */
  receive(id: string | undefined, shard: number, injection: string): void {
    const dash = id === undefined ? -1 : id.lastIndexOf('-');
    const epoch = id?.slice(0, dash);
    const seq = Number(id?.slice(dash + 1));
    if (id === undefined || epoch !== this.truth.epoch || !Number.isSafeInteger(seq)) {
      return this.problem(`received a hit with id ${String(id)}, not one of epoch ${this.truth.epoch}`);
    }
    if (!this.truth.has(seq)) return this.problem(`received seq ${seq}, which the group never ingested (or before the truth began)`);
    if (this.truth.shard(seq) !== shard || this.truth.name(seq) !== injection) {
      return this.problem(
        `seq ${seq} arrived as ${JSON.stringify(injection)} on shard ${shard}, ` +
          `the group ingested ${JSON.stringify(this.truth.name(seq))} on shard ${this.truth.shard(seq)}`,
      );
    }
    if (!this.truth.matches(seq, this.filter)) return this.problem(`seq ${seq} does not pass the client's filter`);
    if (this.lastSeq !== undefined && seq <= this.lastSeq) {
      return this.problem(`seq ${seq} arrived after seq ${this.lastSeq} (twice, or out of order)`);
    }
    // Everything the client should have had before this one: after its last hit, or after it opened.
    this.reportMissing(this.lastSeq ?? this.openSeq, seq - 1);
    this.lastSeq = seq;
    this.delivered++;
  }

  /**
   * The seq this client must reach before it may leave having seen all of (openSeq, upTo] (0: none). Scanned
   * forward once and remembered, since the targets only grow: a soak polls it for dozens of clients.
   */
  private lastExpected(upTo: number): number {
    if (upTo < this.scanned) {
      for (let s = upTo; s > this.openSeq; s--) if (this.truth.matches(s, this.filter)) return s;
      return 0;
    }
    for (let s = this.scanned + 1; s <= upTo; s++) if (this.truth.matches(s, this.filter)) this.lastMatch = s;
    this.scanned = upTo;
    return this.lastMatch;
  }

  /** Whether the client holds every hit of (openSeq, upTo] that passes its filter. */
  drainedTo(upTo: number): boolean {
    const need = this.lastExpected(upTo);
    return need === 0 || (this.lastSeq ?? 0) >= need;
  }

  /** Ends the window at `closeSeq` (the client drained to it), or at its last hit (it vanished). */
  close(closeSeq?: number): void {
    this.closeSeq = closeSeq ?? this.lastSeq ?? this.openSeq;
    const from = this.lastSeq ?? this.openSeq;
    this.reportMissing(from, this.closeSeq);
  }

  /** Every problem found, each with the client's label; empty when the delivery was exact. */
  get errors(): readonly string[] {
    return this.problems;
  }

  /** The seq of the last hit received (undefined: none yet). */
  get lastReceived(): number | undefined {
    return this.lastSeq;
  }

  get closed(): boolean {
    return this.closeSeq !== undefined;
  }

  private reportMissing(after: number, through: number): void {
    const missing: number[] = [];
    for (let s = after + 1; s <= through; s++) {
      if (s > this.openSeq && this.truth.matches(s, this.filter)) missing.push(s);
    }
    if (missing.length > 0) {
      const shown = missing.length > 10 ? `${missing.slice(0, 10).join(', ')}, ... (${missing.length} in all)` : missing.join(', ');
      this.problem(`missed seq ${shown}`);
    }
  }

  private problem(message: string): void {
    if (this.problems.length < 20) this.problems.push(`${this.label}: ${message}`);
  }
}

/**
 * Per-shard order: each shard reaches the names `${prefix}0 .. ${prefix}${length - 1}` over and over, in that
 * order, so in any correct record of one shard's hits each cycle name is followed by the next one. A hit lost,
 * repeated or reordered breaks the chain; the drivers also compare counts, which catches whole lost cycles.
 */
export class CycleNames {
  readonly names: readonly string[];
  private readonly index = new Map<string, number>();
  private readonly cursors: number[] = [];

  constructor(
    readonly prefix: string,
    readonly length: number,
  ) {
    this.names = Array.from({ length }, (_, i) => `${prefix}${i}`);
    this.names.forEach((n, i) => this.index.set(n, i));
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  /** The next `count` names shard `shard` must reach, continuing where it stopped. */
  next(shard: number, count: number): string[] {
    const start = this.cursors[shard] ?? 0;
    this.cursors[shard] = start + count;
    return Array.from({ length: count }, (_, i) => this.names[(start + i) % this.length]);
  }

  /** Names handed out to `shard` so far (what it was told to reach). */
  handedOut(shard: number): number {
    return this.cursors[shard] ?? 0;
  }

  /**
   * Checks a sequence of (shard, name) in arrival order: per shard, the cycle names must follow each other
   * from the first. Names outside the cycle are ignored. Returns the problems found (empty: in order).
   */
  checkOrder(hits: Iterable<{ shard: number; injection: string }>, label: string): string[] {
    const expected: number[] = [];
    const problems: string[] = [];
    let i = 0;
    for (const { shard, injection } of hits) {
      i++;
      const at = this.index.get(injection);
      if (at === undefined) continue;
      const want = expected[shard];
      if (want !== undefined && at !== want && problems.length < 10) {
        problems.push(`${label}: hit #${i} on shard ${shard} is ${injection}, expected ${this.names[want]}`);
      }
      expected[shard] = (at + 1) % this.length;
    }
    return problems;
  }
}

/** The seq of a wire id `<epoch>-<seq>`. */
export function seqOf(id: string | undefined): number {
  return id === undefined ? NaN : Number(id.slice(id.lastIndexOf('-') + 1));
}
