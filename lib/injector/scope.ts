import { AsyncLocalStorage } from 'node:async_hooks';
import { FaultlineError } from '../errors';
import { scopeProblem } from '../wire';
import { InvalidInjectionError } from './errors';

// Injection scopes: a string carried by AsyncLocalStorage, so an injection enabled in a scope fires only for the
// reaches made inside it (one test's requests), wherever they await. One store per thread, as there is one
// injector per thread: a worker has its own, and a scope crosses to it only when the app passes it along.

/** A scope that cannot be used: empty, too long, or holding a character outside printable ASCII (or a space). */
export class InvalidScopeError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_INVALID_SCOPE' as const;

  constructor(
    readonly scope: unknown,
    reason: string,
  ) {
    super(`invalid injection scope: ${reason}`);
  }
}

/** Throws InvalidScopeError unless `scope` is a valid scope. */
export function validateScope(scope: unknown): asserts scope is string {
  const problem = scopeProblem(scope);
  if (problem !== undefined) throw new InvalidScopeError(scope, problem);
}

const store = new AsyncLocalStorage<string>();

/**
 * Runs `fn` in injection scope `scope` and returns what it returns: every reach of a point inside it (and in
 * everything it awaits, its timers and callbacks) matches an injection enabled in that scope first, then one
 * enabled without a scope. Nested calls replace the scope for their own duration.
 * Throws InvalidScopeError for a bad scope, before `fn` runs.
 */
export function runInInjectionScope<R>(scope: string, fn: () => R): R {
  validateScope(scope);
  if (typeof fn !== 'function') throw new InvalidInjectionError(`runInInjectionScope needs a function, got ${typeof fn}`);
  return store.run(scope, fn);
}

/** The injection scope the caller runs in, or undefined outside any. */
export function currentInjectionScope(): string | undefined {
  return store.getStore();
}
