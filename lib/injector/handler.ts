import type { InjectionParameters } from '../event';
import type { Entry, Waiter } from './entry';
import { HandlerAbortedError, HandlerTimeoutError, InjectionParameterError } from './errors';
import { validateTimeout } from './validate';

export interface WaitForMessageOptions {
  /**
   * Milliseconds to wait before rejecting with HandlerTimeoutError; the injector's default when omitted.
   * `Infinity` (or anything above setTimeout's limit of 2^31-1 ms) waits with no timer at all.
   */
  timeout?: number;
  /** Aborting it rejects the wait with HandlerAbortedError (the reason as its `cause`). */
  signal?: AbortSignal;
}

/** What the handler reports to its injector: the phase events and log lines of a wait. */
export interface HandlerHost {
  readonly defaultHandlerTimeout: number;
  handlerPhase(entry: Entry, phase: 'waiting' | 'released'): void;
}

// setTimeout fires at once (with a warning) for delays above this; such a timeout means "no timer".
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * Given to the function of an `injectHandler` point. It can wait for a message sent with `receiveMessage`
 * (or REST `POST .../message`) and read the parameters the injection was enabled with.
 *
 * Messages are counted: one that arrived before the wait (even before the point was reached) is not lost.
 * With shared messages (the default, as in ScyllaDB) each message releases one wait of every handler;
 * otherwise each message releases exactly one wait of one handler.
 */
export class InjectionHandler {
  private read = 0;

  /** @internal */
  constructor(
    private readonly entry: Entry,
    private readonly host: HandlerHost,
    private readonly shareMessages: boolean,
  ) {}

  get injection(): string {
    return this.entry.name;
  }

  get parameters(): InjectionParameters {
    return this.entry.parameters;
  }

  /** Consumes a message if one is there; never waits. */
  pollForMessage(): boolean {
    const e = this.entry;
    if (this.shareMessages) {
      if (this.read < e.messages) {
        this.read++;
        return true;
      }
      return false;
    }
    if (e.consumed < e.messages) {
      e.consumed++;
      return true;
    }
    return false;
  }

  /**
   * Resolves when a message arrives (or already had), or when the injection is disabled or re-enabled
   * (which releases every waiter, so a test that tears down never leaves app code hanging). Rejects with
   * HandlerTimeoutError after `timeout` ms, or HandlerAbortedError when `signal` aborts; a wait that
   * rejects consumes no message.
   *
   * Every wait reports `waiting` (log line `x: waiting for message`) and, when released, `released`
   * (`x: message received`), even when a message was already there, as ScyllaDB's breakpoint logs both
   * lines unconditionally: a test that waits for the first line keeps working whatever the order.
   */
  waitForMessage(options: WaitForMessageOptions = {}): Promise<void> {
    const e = this.entry;
    let timeout: number;
    try {
      timeout = validateTimeout(
        `injection "${e.name}": waitForMessage timeout`,
        options.timeout ?? this.host.defaultHandlerTimeout,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new HandlerAbortedError(e.name, signal.reason));
    this.host.handlerPhase(e, 'waiting');
    if (e.disabled || this.pollForMessage()) {
      this.host.handlerPhase(e, 'released');
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: Error): void => {
        e.waiters.delete(waiter);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else {
          this.host.handlerPhase(e, 'released');
          resolve();
        }
      };
      const waiter: Waiter = {
        wake: () => {
          if (e.disabled || this.pollForMessage()) finish();
        },
      };
      const onAbort = (): void => finish(new HandlerAbortedError(e.name, signal?.reason));
      const timer =
        timeout <= MAX_TIMER_DELAY
          ? setTimeout(() => finish(new HandlerTimeoutError(e.name, timeout)), timeout)
          : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      e.waiters.add(waiter);
    });
  }

  /** The parameter as a string, or undefined when the injection was enabled without it. */
  get(key: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.entry.parameters, key) ? this.entry.parameters[key] : undefined;
  }

  /** The parameter as a finite number; throws InjectionParameterError when it is not one. */
  getNumber(key: string): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new InjectionParameterError(this.entry.name, key, v, 'a number');
    return n;
  }

  /** The parameter as a safe integer; throws InjectionParameterError when it is not one. */
  getInteger(key: string): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw new InjectionParameterError(this.entry.name, key, v, 'an integer');
    return n;
  }

  /** `true`/`false` in any case (ScyllaDB's Python client sends `True`), also `1`/`0`. */
  getBoolean(key: string): boolean | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
    throw new InjectionParameterError(this.entry.name, key, v, 'a boolean');
  }
}
