import { Observable, Subject } from 'rxjs';
import type { EnableOptions } from '../enable-options';
import type { HandlerEvent, InjectionEvent, InjectionParameters, InjectionType } from '../event';
import type { Entry } from './entry';
import { InjectedError, InjectionsOffError, InvalidInjectionError } from './errors';
import { InjectionHandler, type HandlerHost } from './handler';
import { randomSeed, seededRandom, shardSeed } from './random';
import {
  EMPTY_PARAMETERS,
  describeValue,
  validateEnable,
  validateName,
  validateTimeout,
} from './validate';

export type { EnableOptions } from '../enable-options';

/** @internal What a ShardGroup is told of each hit of its shard 0: the event's parts, one call, no object. */
export type HitListener = (
  injection: string,
  type: InjectionType,
  shard: number,
  ts: number,
  params: InjectionParameters,
) => void;

/** An injection's state on one shard: the body of one element of ScyllaDB's `GET /injection/{name}`, and more. */
export interface InjectionState {
  readonly name: string;
  readonly enabled: boolean;
  readonly oneShot: boolean;
  readonly parameters: InjectionParameters;
  /**
   * Hits of the current enablement, as ScyllaDB's `enter_count`: 0 when not enabled (after disable, and once a
   * one-shot or `count` injection is spent), except that a spent one-shot handler still counts until it returns.
   */
  readonly hits: number;
  /** Hits of this name on this shard since the injector was made, never reset (faultline's own). */
  readonly lifetimeHits: number;
  /** Handlers now parked in `waitForMessage`. */
  readonly waiters: number;
  readonly count?: number;
  readonly skip?: number;
  readonly probability?: number;
  readonly seed?: number;
}

export interface HandlerOptions {
  /** false: each message releases exactly one wait of one handler, instead of one wait of every handler. */
  shareMessages?: boolean;
}

export type InjectionLogger = (message: string, event: InjectionEvent) => void;

export interface ErrorInjectorOptions {
  /** The shard this injector reports in its events. */
  shard?: number;
  /**
   * false makes every point a no-op and `enable` throw InjectionsOffError. When omitted the environment
   * decides: FAULTLINE=off (any case) switches injection off, as ScyllaDB's release builds are.
   */
  enabled?: boolean;
  /** Called on each trigger with ScyllaDB's log line (`Triggering injection "x"`), for tests that parse logs. */
  logger?: InjectionLogger;
  /** Milliseconds a handler's `waitForMessage` waits when it names no timeout (default 5 minutes). */
  defaultHandlerTimeout?: number;
}


/** True when FAULTLINE=off is set in the environment (read once, when an injector is created). */
export function isSwitchedOffByEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.FAULTLINE !== undefined && env.FAULTLINE.trim().toLowerCase() === 'off';
}

/**
 * The injector of one shard (thread). App code calls its points; tests (locally, through a ShardGroup or over
 * REST) enable, disable and message injections.
 *
 * The points are the hot path of production code. A point whose injection is not enabled returns at once,
 * synchronously, allocating nothing: with nothing enabled it reads one field; otherwise it does one Map
 * lookup. Everything else (counting, events, logging, promises) happens only when the point fires.
 */
export class ErrorInjector implements HandlerHost {
  /** false when this injector is switched off (FAULTLINE=off or `enabled: false`): points never fire. */
  readonly enabled: boolean;
  readonly defaultHandlerTimeout: number;
  /** Every hit of this shard's enabled points, one event per hit. */
  readonly hits$: Observable<InjectionEvent>;
  /** A handler starting to wait for a message and being released; never mixed into `hits$`. */
  readonly handlerEvents$: Observable<HandlerEvent>;

  private shardId: number;
  private logger: InjectionLogger | undefined;
  private readonly offReason: string;
  private readonly entries = new Map<string, Entry>();
  /**
   * A two-part filter over the enabled names, so a point whose name is not enabled usually returns without the
   * Map lookup (a few ns): bit `length & 31` of every enabled name's length, and bit `code & 31` of its last
   * character code. Both are 0 when nothing is enabled. A point goes on to the Map only when both bits match.
   */
  private lengthBits = 0;
  private tailBits = 0;
  /** Hits of enablements that have ended, by name (a live entry counts its own): the base of lifetimeHits. */
  private readonly pastHits = new Map<string, number>();
  private readonly hitSubject = new Subject<InjectionEvent>();
  /** Replaced, never changed in place: a listener may remove itself while hits are being told. */
  private hitListeners: readonly HitListener[] = [];
  private readonly handlerSubject = new Subject<HandlerEvent>();

  constructor(options: ErrorInjectorOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidInjectionError(`ErrorInjector options must be an object, got ${describeValue(options)}`);
    }
    if (options.shard !== undefined && !(Number.isSafeInteger(options.shard) && options.shard >= 0)) {
      throw new InvalidInjectionError(`ErrorInjector shard must be an integer >= 0, got ${describeValue(options.shard)}`);
    }
    if (options.enabled !== undefined && typeof options.enabled !== 'boolean') {
      throw new InvalidInjectionError(`ErrorInjector enabled must be a boolean, got ${describeValue(options.enabled)}`);
    }
    if (options.logger !== undefined && typeof options.logger !== 'function') {
      throw new InvalidInjectionError(`ErrorInjector logger must be a function, got ${describeValue(options.logger)}`);
    }
    this.shardId = options.shard ?? 0;
    if (options.enabled === undefined) {
      this.enabled = !isSwitchedOffByEnvironment();
      this.offReason = 'FAULTLINE=off is set in the environment of this process';
    } else {
      this.enabled = options.enabled;
      this.offReason = 'this ErrorInjector was created with enabled: false';
    }
    this.logger = options.logger;
    this.defaultHandlerTimeout = validateTimeout(
      'ErrorInjector defaultHandlerTimeout',
      options.defaultHandlerTimeout ?? 5 * 60_000,
    );
    this.hits$ = this.hitSubject.asObservable();
    this.handlerEvents$ = this.handlerSubject.asObservable();
  }

  get shard(): number {
    return this.shardId;
  }

  /**
   * @internal How a ShardGroup watches this thread's hits: `listener` gets each hit's parts before `hits$`
   * emits it (with the same `ts`), without the event object and the Subject's work per hit. A listener that
   * throws does not reach the injection point: its error is thrown from a timer, as a `hits$` subscriber's
   * would be. Returns what stops it.
   */
  listenToHits(listener: HitListener): () => void {
    this.hitListeners = [...this.hitListeners, listener];
    return () => {
      this.hitListeners = this.hitListeners.filter((l) => l !== listener);
    };
  }

  /** @internal Someone watches this injector's hits (a `hits$` subscriber or a listener): a hit is then reported. */
  get hitsWatched(): boolean {
    return this.hitListeners.length > 0 || this.hitSubject.observed;
  }

  /** @internal Set by `attachShard()` when a worker joins a ShardGroup. */
  setShard(shard: number): void {
    this.shardId = shard;
  }

  /** Installs (or removes, with undefined) the hook that receives ScyllaDB-worded trigger log lines. */
  setLogger(logger: InjectionLogger | undefined): void {
    if (logger !== undefined && typeof logger !== 'function') {
      throw new InvalidInjectionError(`logger must be a function, got ${describeValue(logger)}`);
    }
    this.logger = logger;
  }

  // ---- control -------------------------------------------------------------------------------------------

  /**
   * Enables `name`. Enabling a name that is already enabled replaces it: its waiters are released and its
   * counters start again (ScyllaDB ignores a second enable; silently keeping old parameters surprised people).
   * Every option is checked before anything changes: a bad one throws InvalidInjectionError and leaves the
   * injector as it was.
   */
  enable(name: string, options: EnableOptions = {}): void {
    const { oneShot = false, count, skip = 0, probability, seed: givenSeed, parameters } = validateEnable(name, options);
    let seed = givenSeed;
    if (!this.enabled) throw new InjectionsOffError(name, this.offReason);
    if (probability !== undefined && seed === undefined) seed = randomSeed();
    this.release(name);
    this.entries.set(name, {
      name,
      oneShot,
      parameters,
      count,
      skip,
      probability,
      seed,
      random: probability !== undefined && seed !== undefined ? seededRandom(shardSeed(seed, this.shardId)) : undefined,
      reached: 0,
      fired: 0,
      exhausted: false,
      running: 0,
      disabled: false,
      messages: 0,
      consumed: 0,
      waiters: new Set(),
    });
    this.reindex();
  }

  /** Disables `name` and releases its waiting handlers. Disabling a name that is not enabled does nothing. */
  disable(name: string): void {
    validateName(name);
    this.release(name);
  }

  /** Disables every injection and releases every waiting handler. */
  disableAll(): void {
    for (const name of [...this.entries.keys()]) this.release(name);
  }

  /** Names enabled now (a one-shot handler that fired and still runs is not, as in ScyllaDB). */
  enabledInjections(): string[] {
    const names: string[] = [];
    for (const e of this.entries.values()) if (!e.exhausted) names.push(e.name);
    return names;
  }

  /**
   * Every name enabled now, or hit at some point, on this shard, with its hits over the shard's life (its
   * `lifetimeHits`): what tells that a one-shot already fired though it is no longer enabled.
   */
  lifetimeHitCounts(): Record<string, number> {
    const counts = new Map(this.pastHits);
    for (const e of this.entries.values()) counts.set(e.name, (counts.get(e.name) ?? 0) + e.fired);
    // fromEntries defines own properties: a name such as "__proto__" stays a name.
    return Object.fromEntries(counts);
  }

  /** True when `name` is enabled and can still fire. Never throws (any value that is not an enabled name is false). */
  isEnabled(name: string): boolean {
    const e = this.entries.get(name);
    return e !== undefined && !e.exhausted;
  }

  /** The state of `name` on this shard; `enabled: false` (with the hits of its last enablement) when it is not. */
  get(name: string): InjectionState {
    validateName(name);
    const e = this.entries.get(name);
    const past = this.pastHits.get(name) ?? 0;
    if (e === undefined) {
      return { name, enabled: false, oneShot: false, parameters: EMPTY_PARAMETERS, hits: 0, lifetimeHits: past, waiters: 0 };
    }
    const state: {
      -readonly [K in keyof InjectionState]: InjectionState[K];
    } = {
      name,
      enabled: !e.exhausted,
      oneShot: e.oneShot,
      parameters: e.parameters,
      hits: e.fired,
      lifetimeHits: past + e.fired,
      waiters: e.waiters.size,
    };
    if (e.count !== undefined) state.count = e.count;
    if (e.skip !== 0) state.skip = e.skip;
    if (e.probability !== undefined) state.probability = e.probability;
    if (e.seed !== undefined) state.seed = e.seed;
    return state;
  }

  /**
   * Sends one message to the handlers of `name`. Messages are counted, so one that arrives before a handler
   * waits is kept for it. For a name that is not enabled it does nothing (as in ScyllaDB); a one-shot handler
   * that fired and still runs does receive it.
   */
  receiveMessage(name: string): void {
    validateName(name);
    const e = this.entries.get(name);
    if (e === undefined) return;
    e.messages++;
    for (const w of [...e.waiters]) w.wake();
  }

  // ---- injection points ------------------------------------------------------------------------------------
  // Each starts with the same two checks and nothing else on the path where the point does not fire. The checks
  // are written out in each point on purpose: folded into one shared method they measured 1.95x an empty call,
  // past the 1.5x a disabled point may cost; written out they stay within it (`npm run bench -- injector`,
  // docs/benchmarks.md).

  /** Lambda point: runs `fn` with the injection's parameters when it fires. */
  inject(name: string, fn: (parameters: InjectionParameters) => void): void {
    if (
      (this.lengthBits & (1 << name.length)) === 0 ||
      (this.tailBits & (1 << name.charCodeAt(name.length - 1))) === 0
    ) {
      return;
    }
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'lambda')) return;
    this.log('Triggering injection "' + name + '"', e, 'lambda');
    fn(e.parameters);
  }

  /** Control-flow point: true when it fires (a hit of type lambda), for code that wants its own branch. */
  enter(name: string): boolean {
    if (
      (this.lengthBits & (1 << name.length)) === 0 ||
      (this.tailBits & (1 << name.charCodeAt(name.length - 1))) === 0
    ) {
      return false;
    }
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'lambda')) return false;
    this.log('Triggering injection "' + name + '"', e, 'lambda');
    return true;
  }

  /**
   * Sleep point: when it fires, returns a promise that resolves after `msOrDeadline` milliseconds or at the
   * given Date (at once when that is past), or rejects with the signal's reason when `signal` aborts. When it
   * does not fire it returns undefined: no promise, no microtask (`await` still works).
   */
  injectSleep(name: string, msOrDeadline: number | Date, options?: { signal?: AbortSignal }): Promise<void> | undefined {
    if (
      (this.lengthBits & (1 << name.length)) === 0 ||
      (this.tailBits & (1 << name.charCodeAt(name.length - 1))) === 0
    ) {
      return undefined;
    }
    const e = this.entries.get(name);
    if (e === undefined) return undefined;
    // Checked before the hit counts, so a bad argument is reported and does not use up a one-shot.
    const ms = sleepDuration(name, msOrDeadline);
    if (!this.fire(e, 'sleep')) return undefined;
    this.log('Triggering sleep injection "' + name + '" (' + ms + 'ms)', e, 'sleep');
    return sleep(ms, options?.signal);
  }

  /** Exception point: when it fires, throws InjectedError naming the injection, or what `factory` returns. */
  injectError(name: string, factory?: (parameters: InjectionParameters) => unknown): void {
    if (
      (this.lengthBits & (1 << name.length)) === 0 ||
      (this.tailBits & (1 << name.charCodeAt(name.length - 1))) === 0
    ) {
      return;
    }
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'exception')) return;
    this.log('Triggering exception injection "' + name + '"', e, 'exception');
    throw factory ? factory(e.parameters) : new InjectedError(name);
  }

  /**
   * Handler point: when it fires, runs `fn` with an InjectionHandler that can wait for messages and read
   * parameters, and returns a promise of its completion. When it does not fire it returns undefined.
   */
  injectHandler(
    name: string,
    fn: (handler: InjectionHandler) => Promise<void> | void,
    options?: HandlerOptions,
  ): Promise<void> | undefined {
    if (
      (this.lengthBits & (1 << name.length)) === 0 ||
      (this.tailBits & (1 << name.charCodeAt(name.length - 1))) === 0
    ) {
      return undefined;
    }
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'handler', true)) return undefined;
    this.log('Triggering injection "' + name + '" with injection handler', e, 'handler');
    const handler = new InjectionHandler(e, this, options?.shareMessages !== false);
    e.running++;
    const done = (): void => {
      e.running--;
      if (e.exhausted && e.running === 0 && this.entries.get(name) === e) this.release(name);
    };
    let result: Promise<void> | void;
    try {
      result = fn(handler);
    } catch (err) {
      done();
      return Promise.reject(err);
    }
    return Promise.resolve(result).finally(done);
  }

  // ---- internals -------------------------------------------------------------------------------------------

  /** @internal Called by a handler as it starts waiting and as it is released. */
  handlerPhase(e: Entry, phase: 'waiting' | 'released'): void {
    if (this.logger) {
      const line = phase === 'waiting' ? e.name + ': waiting for message' : e.name + ': message received';
      this.log(line, e, 'handler');
    }
    if (this.handlerSubject.observed) {
      this.handlerSubject.next({ injection: e.name, phase, shard: this.shardId, ts: Date.now() });
    }
  }

  /** Decides whether a reach of an enabled point fires, counts it, and emits its one event. */
  private fire(e: Entry, type: InjectionType, isHandler = false): boolean {
    if (e.exhausted) return false;
    e.reached++;
    if (e.reached <= e.skip) return false;
    if (e.random !== undefined && !(e.random() < (e.probability as number))) return false;
    e.fired++;
    if (e.oneShot || (e.count !== undefined && e.fired >= e.count)) {
      // Spent. A handler (this one, or one still running) keeps the entry until it returns, so messages
      // still reach it; otherwise it goes now.
      if (isHandler || e.running > 0) e.exhausted = true;
      else this.release(e.name);
    }
    const listeners = this.hitListeners;
    if (listeners.length === 0 && !this.hitSubject.observed) return true;
    const ts = Date.now();
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](e.name, type, this.shardId, ts, e.parameters);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
    if (this.hitSubject.observed) this.hitSubject.next(this.event(e, type, ts));
    return true;
  }

  private event(e: Entry, type: InjectionType, ts = Date.now()): InjectionEvent {
    return { injection: e.name, type, shard: this.shardId, ts, params: e.parameters };
  }

  /** A throwing logger must not turn an injection point into a crash of the app code that reached it. */
  private log(line: string, e: Entry, type: InjectionType): void {
    const logger = this.logger;
    if (logger === undefined) return;
    try {
      logger(line, this.event(e, type));
    } catch (err) {
      process.emitWarning(`faultline logger threw on "${line}": ${String(err)}`, 'FaultlineWarning');
    }
  }

  private reindex(): void {
    let lengthBits = 0;
    let tailBits = 0;
    for (const name of this.entries.keys()) {
      lengthBits |= 1 << name.length;
      tailBits |= 1 << name.charCodeAt(name.length - 1);
    }
    this.lengthBits = lengthBits;
    this.tailBits = tailBits;
  }

  /** Removes the entry of `name` and releases its waiters (they resolve normally, as in ScyllaDB). */
  private release(name: string): void {
    const e = this.entries.get(name);
    if (e === undefined) return;
    this.entries.delete(name);
    if (e.fired > 0) this.pastHits.set(name, (this.pastHits.get(name) ?? 0) + e.fired);
    this.reindex();
    e.disabled = true;
    for (const w of [...e.waiters]) w.wake();
  }
}

/** Milliseconds to sleep: a number (negative counts as 0) or a valid Date (a past one counts as 0). */
function sleepDuration(name: string, msOrDeadline: number | Date): number {
  const ms =
    typeof msOrDeadline === 'number'
      ? msOrDeadline
      : msOrDeadline instanceof Date
        ? msOrDeadline.getTime() - Date.now()
        : NaN;
  if (Number.isNaN(ms) || ms === Infinity) {
    throw new InvalidInjectionError(
      `injection "${name}": injectSleep needs a finite number of milliseconds or a valid Date, got ${describeValue(msOrDeadline)}`,
    );
  }
  return Math.max(0, Math.min(ms, MAX_SLEEP));
}

// setTimeout's longest delay; longer sleeps would fire at once.
const MAX_SLEEP = 2 ** 31 - 1;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
