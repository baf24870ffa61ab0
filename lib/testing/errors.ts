import { FaultlineError } from '../errors';

/** One injection a test armed and nothing hit before `reset()`. */
export interface UnhitInjection {
  readonly name: string;
  /** The nodes it was armed on. */
  readonly nodes: readonly string[];
  /** Epoch milliseconds when `enable` was called. */
  readonly armedAt: number;
}

/**
 * `reset()` found injections the test armed and nothing hit (with `strict: true`; otherwise the same text is a
 * process warning). An armed point that is never reached usually means the test did not exercise the path it
 * meant to, as nock's `isDone()` says of an unused interceptor.
 */
export class UnhitInjectionError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_UNHIT_INJECTION' as const;

  constructor(readonly unhit: readonly UnhitInjection[]) {
    super(
      `${unhit.length} injection(s) armed in this test were never hit: ` +
        unhit
          .map((u) => `"${u.name}" (armed at ${new Date(u.armedAt).toISOString()} on ${u.nodes.join(', ')})`)
          .join('; '),
    );
  }

  /** The names, in the order they were armed. */
  get injections(): string[] {
    return this.unhit.map((u) => u.name);
  }
}

/** A kit method called after `close()`. */
export class InjectionKitClosedError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_KIT_CLOSED' as const;

  constructor(method: string) {
    super(`setupInjections: ${method}() was called after close()`);
  }
}
