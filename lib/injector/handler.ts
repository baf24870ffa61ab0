import type { InjectionParameters } from '../event';
import type { Entry, Waiter } from './entry';
import { HandlerAbortedError, HandlerTimeoutError, InjectionParameterError } from './errors';

export interface WaitForMessageOptions {
  /** Milliseconds to wait before rejecting with HandlerTimeoutError; the injector's default when omitted. */
  timeout?: number;
  signal?: AbortSignal;
}

/** What the handler reports to its injector: the phase events and log lines of a wait. */
export interface HandlerHost {
  readonly defaultHandlerTimeout: number;
  handlerPhase(injection: string, phase: 'waiting' | 'released'): void;
}

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
   * HandlerTimeoutError after `timeout` ms, or HandlerAbortedError when `signal` aborts.
   */
  waitForMessage(options: WaitForMessageOptions = {}): Promise<void> {
    const e = this.entry;
    if (this.pollForMessage() || e.disabled) return Promise.resolve();
    const timeout = options.timeout ?? this.host.defaultHandlerTimeout;
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new HandlerAbortedError(e.name, signal.reason));
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: Error): void => {
        e.waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else {
          this.host.handlerPhase(e.name, 'released');
          resolve();
        }
      };
      const waiter: Waiter = {
        wake: () => {
          if (this.pollForMessage() || e.disabled) finish();
        },
      };
      const onAbort = (): void => finish(new HandlerAbortedError(e.name, signal?.reason));
      const timer = setTimeout(() => finish(new HandlerTimeoutError(e.name, timeout)), timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
      e.waiters.add(waiter);
      this.host.handlerPhase(e.name, 'waiting');
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
