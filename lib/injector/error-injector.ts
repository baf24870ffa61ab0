import { Observable, Subject } from 'rxjs';
import type { EnableOptions } from '../enable-options';
import type { ExhaustedEvent, HandlerEvent, InjectionEvent, InjectionParameters, InjectionType } from '../event';
import type { Entry } from './entry';
import { InjectedError, InjectionsOffError, InvalidInjectionError } from './errors';
import { InjectionHandler, type HandlerHost } from './handler';
import { randomSeed, seededRandom, shardSeed } from './random';
import { currentInjectionScope } from './scope';
import {
  EMPTY_PARAMETERS,
  describeValue,
  validateEnable,
  validateName,
  validateScopeOption,
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
  /** The scope of the enablement that fired; undefined when unscoped. */
  scope: string | undefined,
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
  /** The scope this state is of (`get(name, { scope })`); absent for the unscoped enablement. */
  readonly scope?: string;
  /** Scopes `name` is enabled in besides (`get(name)` without a scope); absent when none. */
  readonly scopes?: readonly string[];
}

/** Which enablement of a name a control call means: the one of `scope`, or (no scope) the unscoped one. */
export interface ScopeOption {
  scope?: string;
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
 *
 * Scopes: a name may be enabled unscoped and in any number of scopes at once, each an entry of its own. A reach
 * matches the entry of its current scope (`runInInjectionScope`) first, then the unscoped entry; a reach outside
 * any scope matches only the unscoped one. The scope store is read only when some entry of the reached name is
 * scoped, so a name not enabled, or enabled only unscoped, never pays for it.
 */
export class ErrorInjector implements HandlerHost {
  /** false when this injector is switched off (FAULTLINE=off or `enabled: false`): points never fire. */
  readonly enabled: boolean;
  readonly defaultHandlerTimeout: number;
  /** Every hit of this shard's enabled points, one event per hit. */
  readonly hits$: Observable<InjectionEvent>;
  /** A handler starting to wait for a message and being released; never mixed into `hits$`. */
  readonly handlerEvents$: Observable<HandlerEvent>;
  /**
   * An enablement that ran out on this shard: a one-shot taken or a `count` spent, after that hit's event (a
   * one-shot handler only once its function returned). Never for a disable or a re-enable.
   */
  readonly exhaustions$: Observable<ExhaustedEvent>;

  private shardId: number;
  private logger: InjectionLogger | undefined;
  private readonly offReason: string;
  /** Unscoped entries, by name. */
  private readonly entries = new Map<string, Entry>();
  /** Scoped entries, by name then scope. */
  private readonly scoped = new Map<string, Map<string, Entry>>();
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
  private readonly exhaustionSubject = new Subject<ExhaustedEvent>();

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
    this.exhaustions$ = this.exhaustionSubject.asObservable();
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
    const { oneShot = false, count, skip = 0, probability, seed: givenSeed, scope, parameters } = validateEnable(name, options);
    let seed = givenSeed;
    if (!this.enabled) throw new InjectionsOffError(name, this.offReason);
    if (probability !== undefined && seed === undefined) seed = randomSeed();
    this.release(name, scope);
    const entry: Entry = {
      name,
      scope,
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
    };
    if (scope === undefined) this.entries.set(name, entry);
    else {
      let byScope = this.scoped.get(name);
      if (byScope === undefined) this.scoped.set(name, (byScope = new Map()));
      byScope.set(scope, entry);
    }
    this.reindex();
  }

  /**
   * Disables `name` and releases its waiting handlers: every enablement of it (unscoped and in every scope), or
   * with `scope` only the one of that scope. Disabling a name that is not enabled does nothing.
   */
  disable(name: string, options?: ScopeOption): void {
    validateName(name);
    const scope = validateScopeOption(name, 'scope', options?.scope);
    if (scope !== undefined) this.release(name, scope);
    else this.releaseName(name);
  }

  /** Disables every injection (in every scope) and releases every waiting handler. */
  disableAll(): void {
    for (const name of [...this.entries.keys(), ...this.scoped.keys()]) this.releaseName(name);
  }

  /**
   * Names enabled now, unscoped or in some scope (a one-shot handler that fired and still runs is not, as in
   * ScyllaDB).
   */
  enabledInjections(): string[] {
    const names = new Set<string>();
    for (const e of this.allEntries()) if (!e.exhausted) names.add(e.name);
    return [...names];
  }

  /**
   * Every name enabled now, or hit at some point, on this shard, with its hits over the shard's life (its
   * `lifetimeHits`): what tells that a one-shot already fired though it is no longer enabled.
   */
  lifetimeHitCounts(): Record<string, number> {
    return this.countByName(new Map(this.pastHits), (e) => e.fired);
  }

  /**
   * Handlers parked in `waitForMessage` now on this shard, by name (summed over the name's scopes); names with
   * none are left out. A one-shot handler that fired and waits is here though no longer enabled: it still takes a
   * message.
   */
  parkedHandlerCounts(): Record<string, number> {
    return this.countByName(new Map(), (e) => (e.waiters.size > 0 ? e.waiters.size : undefined));
  }

  /**
   * True when `name` is enabled and can still fire: unscoped or in any scope, or with `scope` in that scope.
   * Never throws (any value that is not an enabled name or scope is false).
   */
  isEnabled(name: string, options?: ScopeOption): boolean {
    const scope = options?.scope;
    if (scope !== undefined) {
      const e = this.current(name, scope);
      return e !== undefined && !e.exhausted;
    }
    for (const e of this.entriesOf(name)) if (!e.exhausted) return true;
    return false;
  }

  /**
   * The state of `name`'s unscoped enablement on this shard (and the scopes it is enabled in besides), or with
   * `scope` that of its enablement in that scope; `enabled: false` when there is none. `lifetimeHits` counts
   * every scope.
   */
  get(name: string, options?: ScopeOption): InjectionState {
    validateName(name);
    const scope = validateScopeOption(name, 'scope', options?.scope);
    const e = this.current(name, scope);
    const past = this.pastHits.get(name) ?? 0;
    let lifetimeHits = past;
    for (const other of this.entriesOf(name)) lifetimeHits += other.fired;
    const scopes: string[] = [];
    if (scope === undefined) for (const [s, other] of this.scoped.get(name) ?? []) if (!other.exhausted) scopes.push(s);
    const state: { -readonly [K in keyof InjectionState]: InjectionState[K] } =
      e === undefined
        ? { name, enabled: false, oneShot: false, parameters: EMPTY_PARAMETERS, hits: 0, lifetimeHits, waiters: 0 }
        : { name, enabled: !e.exhausted, oneShot: e.oneShot, parameters: e.parameters, hits: e.fired, lifetimeHits, waiters: e.waiters.size };
    if (e?.count !== undefined) state.count = e.count;
    if (e !== undefined && e.skip !== 0) state.skip = e.skip;
    if (e?.probability !== undefined) state.probability = e.probability;
    if (e?.seed !== undefined) state.seed = e.seed;
    if (scope !== undefined) state.scope = scope;
    if (scopes.length > 0) state.scopes = scopes;
    return state;
  }

  /**
   * Sends one message to the handlers of `name`. Messages are counted, so one that arrives before a handler
   * waits is kept for it. For a name that is not enabled it does nothing (as in ScyllaDB); a one-shot handler
   * that fired and still runs does receive it.
   */
  receiveMessage(name: string, options?: ScopeOption): void {
    validateName(name);
    const scope = validateScopeOption(name, 'scope', options?.scope);
    const targets = scope === undefined ? [...this.entriesOf(name)] : [this.current(name, scope)];
    for (const e of targets) {
      if (e === undefined) continue;
      e.messages++;
      for (const w of [...e.waiters]) w.wake();
    }
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
    const e = this.match(name);
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
    const e = this.match(name);
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
    const e = this.match(name);
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
    const e = this.match(name);
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
    const e = this.match(name);
    if (e === undefined || !this.fire(e, 'handler', true)) return undefined;
    this.log('Triggering injection "' + name + '" with injection handler', e, 'handler');
    const handler = new InjectionHandler(e, this, options?.shareMessages !== false);
    e.running++;
    const done = (): void => {
      e.running--;
      if (e.exhausted && e.running === 0 && this.current(name, e.scope) === e) {
        this.release(name, e.scope);
        this.reportExhausted(e);
      }
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

  /**
   * The entry a reach of `name` (past the name filter) matches: the one of its current scope, else the unscoped
   * one. The scope store is read only when `name` has a scoped entry.
   */
  private match(name: string): Entry | undefined {
    const unscoped = this.entries.get(name);
    if (this.scoped.size === 0) return unscoped;
    const byScope = this.scoped.get(name);
    if (byScope === undefined) return unscoped;
    const scope = currentInjectionScope();
    if (scope === undefined) return unscoped;
    const e = byScope.get(scope);
    // A spent scoped one-shot whose handler still runs no longer fires: the reach goes on to the unscoped entry.
    return e !== undefined && !e.exhausted ? e : unscoped;
  }

  private current(name: string, scope: string | undefined): Entry | undefined {
    return scope === undefined ? this.entries.get(name) : this.scoped.get(name)?.get(scope);
  }

  /** Every entry of `name`: the unscoped one, then those of its scopes. */
  private *entriesOf(name: string): Generator<Entry> {
    const e = this.entries.get(name);
    if (e !== undefined) yield e;
    const byScope = this.scoped.get(name);
    if (byScope !== undefined) yield* byScope.values();
  }

  /** `counts` plus `count(e)` of every entry, by name; an entry whose count is undefined is left out. */
  private countByName(counts: Map<string, number>, count: (e: Entry) => number | undefined): Record<string, number> {
    for (const e of this.allEntries()) {
      const n = count(e);
      if (n !== undefined) counts.set(e.name, (counts.get(e.name) ?? 0) + n);
    }
    // fromEntries defines own properties: a name such as "__proto__" stays a name.
    return Object.fromEntries(counts);
  }

  private *allEntries(): Generator<Entry> {
    yield* this.entries.values();
    for (const byScope of this.scoped.values()) yield* byScope.values();
  }

  /** @internal Called by a handler as it starts waiting and as it is released. */
  handlerPhase(e: Entry, phase: 'waiting' | 'released'): void {
    if (this.logger) {
      const line = phase === 'waiting' ? e.name + ': waiting for message' : e.name + ': message received';
      this.log(line, e, 'handler');
    }
    if (this.handlerSubject.observed) {
      this.handlerSubject.next(withScope({ injection: e.name, phase, shard: this.shardId, ts: Date.now() }, e.scope));
    }
  }

  /** Decides whether a reach of an enabled point fires, counts it, and emits its one event. */
  private fire(e: Entry, type: InjectionType, isHandler = false): boolean {
    if (e.exhausted) return false;
    e.reached++;
    if (e.reached <= e.skip) return false;
    if (e.random !== undefined && !(e.random() < (e.probability as number))) return false;
    e.fired++;
    let spent = false;
    if (e.oneShot || (e.count !== undefined && e.fired >= e.count)) {
      // Spent. A handler (this one, or one still running) keeps the entry until it returns, so messages
      // still reach it; otherwise it goes now.
      if (isHandler || e.running > 0) e.exhausted = true;
      else {
        this.release(e.name, e.scope);
        spent = true;
      }
    }
    if (this.hitsWatched) this.tellHit(e, type);
    // After the hit's event: whoever watches both sees the last hit before the end it caused.
    if (spent) this.reportExhausted(e);
    return true;
  }

  /** Tells the listeners, then `hits$`, of a hit of `e` (with one `ts`). */
  private tellHit(e: Entry, type: InjectionType): void {
    const listeners = this.hitListeners;
    const ts = Date.now();
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](e.name, type, this.shardId, ts, e.parameters, e.scope);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
    if (this.hitSubject.observed) this.hitSubject.next(this.event(e, type, ts));
  }

  private reportExhausted(e: Entry): void {
    if (this.exhaustionSubject.observed) {
      this.exhaustionSubject.next(withScope({ injection: e.name, phase: 'exhausted', shard: this.shardId, ts: Date.now() }, e.scope));
    }
  }

  private event(e: Entry, type: InjectionType, ts = Date.now()): InjectionEvent {
    return withScope({ injection: e.name, type, shard: this.shardId, ts, params: e.parameters }, e.scope);
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
    for (const name of [...this.entries.keys(), ...this.scoped.keys()]) {
      lengthBits |= 1 << name.length;
      tailBits |= 1 << name.charCodeAt(name.length - 1);
    }
    this.lengthBits = lengthBits;
    this.tailBits = tailBits;
  }

  /** Removes every entry of `name`, unscoped and scoped. */
  private releaseName(name: string): void {
    this.release(name, undefined);
    for (const scope of [...(this.scoped.get(name)?.keys() ?? [])]) this.release(name, scope);
  }

  /** Removes the entry of `name` in `scope` and releases its waiters (they resolve normally, as in ScyllaDB). */
  private release(name: string, scope: string | undefined): void {
    const e = this.current(name, scope);
    if (e === undefined) return;
    if (scope === undefined) this.entries.delete(name);
    else {
      const byScope = this.scoped.get(name) as Map<string, Entry>;
      byScope.delete(scope);
      if (byScope.size === 0) this.scoped.delete(name);
    }
    if (e.fired > 0) this.pastHits.set(name, (this.pastHits.get(name) ?? 0) + e.fired);
    this.reindex();
    e.disabled = true;
    for (const w of [...e.waiters]) w.wake();
  }
}

/** `event` with the scope of the entry it is of; an unscoped entry's events have no `scope` field at all. */
function withScope<T extends object>(event: T, scope: string | undefined): T & { scope?: string } {
  return scope === undefined ? event : { ...event, scope };
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
