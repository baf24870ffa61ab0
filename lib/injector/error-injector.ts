import { Observable, Subject } from 'rxjs';
import type { HandlerEvent, InjectionEvent, InjectionParameters, InjectionType } from '../event';
import type { Entry } from './entry';
import { InjectedError, InjectionsOffError, InvalidInjectionError } from './errors';
import { InjectionHandler, type HandlerHost } from './handler';
import { randomSeed, seededRandom } from './random';
import { EMPTY_PARAMETERS, validateInteger, validateName, validateParameters, validateProbability } from './validate';

export interface EnableOptions {
  /** Fire once, then disable. A one-shot handler stays reachable by messages until its function returns. */
  oneShot?: boolean;
  /** String parameters, readable by the point and sent in every event. */
  parameters?: Record<string, string>;
  /** Fire this many times, then disable (an integer >= 1). */
  count?: number;
  /** Let the first `skip` reaches of the point pass silently (an integer >= 0). */
  skip?: number;
  /** Fire on this share of reaches, 0 to 1, drawn from a generator seeded with `seed`. */
  probability?: number;
  /** Seed for `probability`; a random one is chosen (and shown by `get`) when omitted, so a run can be replayed. */
  seed?: number;
}

/** An injection's state on one shard: the body of one element of ScyllaDB's `GET /injection/{name}`, and more. */
export interface InjectionState {
  readonly name: string;
  readonly enabled: boolean;
  readonly oneShot: boolean;
  readonly parameters: InjectionParameters;
  /** Hits since it was last enabled; kept after it disables itself, reset by the next enable. */
  readonly hits: number;
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
  /** false makes every point a no-op and `enable` throw; defaults to `process.env.FAULTLINE !== 'off'`. */
  enabled?: boolean;
  /** Called on each trigger with ScyllaDB's log line (`Triggering injection "x"`), for tests that parse logs. */
  logger?: InjectionLogger;
  /** Milliseconds a handler's `waitForMessage` waits when it names no timeout (default 5 minutes). */
  defaultHandlerTimeout?: number;
}

/**
 * The injector of one shard (thread). App code calls its points; tests (locally, through a ShardGroup or over
 * REST) enable, disable and message injections. A point whose injection is not enabled returns at once,
 * synchronously, allocating nothing.
 */
export class ErrorInjector implements HandlerHost {
  readonly enabled: boolean;
  readonly defaultHandlerTimeout: number;
  /** Every hit of this shard's enabled points, one event per hit. */
  readonly hits$: Observable<InjectionEvent>;
  /** A handler parking in `waitForMessage` and being released; never mixed into `hits$`. */
  readonly handlerEvents$: Observable<HandlerEvent>;

  private shardId: number;
  private logger: InjectionLogger | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly hitCounts = new Map<string, number>();
  private readonly hitSubject = new Subject<InjectionEvent>();
  private readonly handlerSubject = new Subject<HandlerEvent>();

  constructor(options: ErrorInjectorOptions = {}) {
    this.shardId = options.shard ?? 0;
    this.enabled = options.enabled ?? process.env.FAULTLINE !== 'off';
    this.logger = options.logger;
    this.defaultHandlerTimeout = options.defaultHandlerTimeout ?? 5 * 60_000;
    this.hits$ = this.hitSubject.asObservable();
    this.handlerEvents$ = this.handlerSubject.asObservable();
  }

  get shard(): number {
    return this.shardId;
  }

  /** @internal Set by `attachShard()` when a worker joins a ShardGroup. */
  setShard(shard: number): void {
    this.shardId = shard;
  }

  /** Installs (or removes, with undefined) the hook that receives ScyllaDB-worded trigger log lines. */
  setLogger(logger: InjectionLogger | undefined): void {
    this.logger = logger;
  }

  // ---- control -------------------------------------------------------------------------------------------

  /**
   * Enables `name`. Enabling a name that is already enabled replaces it: its waiters are released and its
   * counters start again (ScyllaDB ignores a second enable; silently keeping old parameters surprised people).
   */
  enable(name: string, options: EnableOptions = {}): void {
    validateName(name);
    if (typeof options !== 'object' || options === null) {
      throw new InvalidInjectionError(`injection "${name}": options must be an object`);
    }
    const parameters = validateParameters(name, options.parameters);
    const count = validateInteger(name, 'count', options.count, 1);
    const skip = validateInteger(name, 'skip', options.skip, 0) ?? 0;
    const probability = validateProbability(name, options.probability);
    let seed = validateInteger(name, 'seed', options.seed, 0);
    if (options.oneShot !== undefined && typeof options.oneShot !== 'boolean') {
      throw new InvalidInjectionError(`injection "${name}": oneShot must be a boolean`);
    }
    if (!this.enabled) throw new InjectionsOffError(name);
    if (probability !== undefined && seed === undefined) seed = randomSeed();
    this.release(name);
    this.entries.set(name, {
      name,
      oneShot: options.oneShot === true,
      parameters,
      count,
      skip,
      probability,
      seed,
      random: probability !== undefined && seed !== undefined ? seededRandom(seed) : undefined,
      reached: 0,
      fired: 0,
      ongoing: false,
      disabled: false,
      messages: 0,
      consumed: 0,
      waiters: new Set(),
    });
    this.hitCounts.set(name, 0);
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

  /** Names enabled now (an ongoing one-shot handler is not, as in ScyllaDB). */
  enabledInjections(): string[] {
    const names: string[] = [];
    for (const e of this.entries.values()) if (!e.ongoing) names.push(e.name);
    return names;
  }

  isEnabled(name: string): boolean {
    const e = this.entries.get(name);
    return e !== undefined && !e.ongoing;
  }

  /** The state of `name` on this shard; `enabled: false` (with the hits of its last enablement) when it is not. */
  get(name: string): InjectionState {
    validateName(name);
    const e = this.entries.get(name);
    const hits = this.hitCounts.get(name) ?? 0;
    if (e === undefined) {
      return { name, enabled: false, oneShot: false, parameters: EMPTY_PARAMETERS, hits, waiters: 0 };
    }
    const state: {
      -readonly [K in keyof InjectionState]: InjectionState[K];
    } = { name, enabled: !e.ongoing, oneShot: e.oneShot, parameters: e.parameters, hits, waiters: e.waiters.size };
    if (e.count !== undefined) state.count = e.count;
    if (e.skip !== 0) state.skip = e.skip;
    if (e.probability !== undefined) state.probability = e.probability;
    if (e.seed !== undefined) state.seed = e.seed;
    return state;
  }

  /**
   * Sends one message to the handlers of `name`. Messages are counted, so one that arrives before a handler
   * waits is kept for it. For a name that is not enabled it does nothing (as in ScyllaDB).
   */
  receiveMessage(name: string): void {
    validateName(name);
    const e = this.entries.get(name);
    if (e === undefined) return;
    e.messages++;
    for (const w of [...e.waiters]) w.wake();
  }

  // ---- injection points ------------------------------------------------------------------------------------

  /** Lambda point: runs `fn` with the injection's parameters when it fires. */
  inject(name: string, fn: (parameters: InjectionParameters) => void): void {
    if (this.entries.size === 0) return;
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'lambda')) return;
    this.log(`Triggering injection "${name}"`, e, 'lambda');
    fn(e.parameters);
  }

  /** Control-flow point: true when it fires (a hit of type lambda), for code that wants its own branch. */
  enter(name: string): boolean {
    if (this.entries.size === 0) return false;
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'lambda')) return false;
    this.log(`Triggering injection "${name}"`, e, 'lambda');
    return true;
  }

  /**
   * Sleep point: when it fires, returns a promise that resolves after `msOrDeadline` milliseconds or at the
   * given Date. When it does not fire it returns undefined: no promise, no microtask (`await` still works).
   */
  injectSleep(name: string, msOrDeadline: number | Date, options?: { signal?: AbortSignal }): Promise<void> | undefined {
    if (this.entries.size === 0) return undefined;
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'sleep')) return undefined;
    const ms = typeof msOrDeadline === 'number' ? msOrDeadline : msOrDeadline.getTime() - Date.now();
    const wait = Math.max(0, ms);
    this.log(`Triggering sleep injection "${name}" (${wait}ms)`, e, 'sleep');
    return sleep(wait, options?.signal);
  }

  /** Exception point: when it fires, throws InjectedError naming the injection, or what `factory` returns. */
  injectError(name: string, factory?: (parameters: InjectionParameters) => unknown): void {
    if (this.entries.size === 0) return;
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'exception')) return;
    this.log(`Triggering exception injection "${name}"`, e, 'exception');
    throw factory ? factory(e.parameters) : new InjectedError(name);
  }

  /**
   * Handler point: when it fires, runs `fn` with an InjectionHandler that can wait for messages and read
   * parameters, and returns its promise. When it does not fire it returns undefined.
   */
  injectHandler(
    name: string,
    fn: (handler: InjectionHandler) => Promise<void> | void,
    options?: HandlerOptions,
  ): Promise<void> | undefined {
    if (this.entries.size === 0) return undefined;
    const e = this.entries.get(name);
    if (e === undefined || !this.fire(e, 'handler', true)) return undefined;
    this.log(`Triggering injection "${name}" with injection handler`, e, 'handler');
    const handler = new InjectionHandler(e, this, options?.shareMessages !== false);
    const done = (): void => {
      if (e.oneShot && this.entries.get(name) === e) this.release(name);
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

  /** @internal Called by a handler as it parks and is released. */
  handlerPhase(injection: string, phase: 'waiting' | 'released'): void {
    if (this.logger) {
      const e = this.entries.get(injection);
      const line = phase === 'waiting' ? `${injection}: waiting for message` : `${injection}: message received`;
      this.logger(line, this.event(injection, 'handler', e?.parameters ?? EMPTY_PARAMETERS));
    }
    if (this.handlerSubject.observed) {
      this.handlerSubject.next({ injection, phase, shard: this.shardId, ts: Date.now() });
    }
  }

  /** Decides whether a reach of an enabled point fires, counts it, and emits its one event. */
  private fire(e: Entry, type: InjectionType, isHandler = false): boolean {
    if (e.ongoing) return false;
    e.reached++;
    if (e.reached <= e.skip) return false;
    if (e.random !== undefined && !(e.random() < (e.probability as number))) return false;
    e.fired++;
    this.hitCounts.set(e.name, (this.hitCounts.get(e.name) ?? 0) + 1);
    if (e.oneShot) {
      // A one-shot handler stays in place until its function returns, so messages still reach it.
      if (isHandler) e.ongoing = true;
      else this.release(e.name);
    } else if (e.count !== undefined && e.fired >= e.count) {
      this.release(e.name);
    }
    if (this.hitSubject.observed) this.hitSubject.next(this.event(e.name, type, e.parameters));
    return true;
  }

  private event(injection: string, type: InjectionType, params: InjectionParameters): InjectionEvent {
    return { injection, type, shard: this.shardId, ts: Date.now(), params };
  }

  private log(line: string, e: Entry, type: InjectionType): void {
    if (this.logger) this.logger(line, this.event(e.name, type, e.parameters));
  }

  /** Removes the entry of `name` and releases its waiters (they resolve normally, as in ScyllaDB). */
  private release(name: string): void {
    const e = this.entries.get(name);
    if (e === undefined) return;
    this.entries.delete(name);
    e.disabled = true;
    for (const w of [...e.waiters]) w.wake();
  }
}

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
