import type { Subscription } from 'rxjs';
import type { InjectionMark, InjectionStream, ReceivedInjectionEvent, WaitOptions } from '../client';
import { toPositionCheck } from '../client/operators/after-position';

/** A wait's own options; the kit's `timeout` applies when it has none. */
export interface ArmedWaitOptions {
  /** Milliseconds (default: the kit's `timeout`, 4000). */
  timeout?: number;
}

/** @internal What an ArmedInjection asks of the kit that made it. */
export interface ArmedHost {
  readonly timeout: number;
  message(name: string, scope: string | undefined): Promise<void>;
  disable(armed: ArmedInjection): Promise<void>;
}

/**
 * An injection this kit enabled, with the stream position it was armed at on each node: its waits count only
 * hits after that position, however late they are called, and a hit that came before the call is replayed.
 * Made by `kit.enable()`.
 */
export class ArmedInjection {
  /** Hits after the arming seen so far (on every node). */
  private seen = 0;
  private readonly counting: Subscription;
  private readonly afterArming: (event: ReceivedInjectionEvent) => boolean;
  /** @internal Set once disabled, by `disable()` or the kit's `reset()`. */
  disabled = false;

  /** @internal Use `kit.enable()`. */
  constructor(
    private readonly host: ArmedHost,
    private readonly stream: InjectionStream,
    /** The injection's name. */
    readonly name: string,
    /** Per node name, the position it was armed at (`undefined` for a node that gives none, as ScyllaDB). */
    readonly positions: Readonly<Record<string, string | undefined>>,
    /** Epoch milliseconds when `enable` was called. */
    readonly armedAt: number,
    private readonly mark: InjectionMark,
    /** The scope it was enabled in (a kit set up with `scope: true`), else undefined. */
    readonly scope: string | undefined,
  ) {
    this.afterArming = toPositionCheck(positions, `enable("${name}")`);
    this.counting = stream.injection$.subscribe({
      next: (event) => {
        if (this.counts(event)) this.seen++;
      },
      error: () => undefined,
    });
  }

  /** The nodes it was armed on. */
  get nodes(): string[] {
    return Object.keys(this.positions);
  }

  /** How many hits after the arming the stream has delivered so far. */
  get hitCount(): number {
    return this.seen;
  }

  /**
   * The first hit after the arming. Rejects with `WaitTimeoutError` (naming the injection, the nodes, when the
   * wait started and the last hits it saw), `EventGapError` or `NodeLostError` as `waitForInjection` does.
   */
  hit(options: ArmedWaitOptions = {}): Promise<ReceivedInjectionEvent> {
    return this.stream.waitForInjection(this.name, this.waitOptions(options));
  }

  /** The first `count` hits after the arming, together. */
  hits(count: number, options: ArmedWaitOptions = {}): Promise<ReceivedInjectionEvent[]> {
    return this.stream.waitForHits(this.name, count, this.waitOptions(options));
  }

  /** Sends one message to its handlers on every node (releases a parked handler); of its scope only, when it has one. */
  message(): Promise<void> {
    return this.host.message(this.name, this.scope);
  }

  /** Disables it on every node now (reset() then leaves it alone, but still reports it if it was never hit). */
  disable(): Promise<void> {
    return this.host.disable(this);
  }

  /** @internal Stops counting; the kit calls it on reset and close. */
  stop(): void {
    this.counting.unsubscribe();
  }

  private waitOptions(options: ArmedWaitOptions): WaitOptions {
    const wait: WaitOptions = { timeout: options.timeout ?? this.host.timeout, since: this.mark, after: this.positions };
    return this.scope === undefined ? wait : { ...wait, scope: this.scope };
  }

  private counts(event: ReceivedInjectionEvent): boolean {
    return (
      event.injection === this.name &&
      event.seq > this.mark.seq &&
      (this.scope === undefined || event.scope === this.scope) &&
      this.afterArming(event)
    );
  }
}
