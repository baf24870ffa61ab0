import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { InjectionEvent } from '../../event';
import { scopeProblem } from '../../wire';
import { toSet } from './match';

/**
 * Only the hits of enablements in one injection scope, or in any of several (`enable(name, { scope })`): an
 * unscoped hit never passes.
 */
export function onScope<T extends InjectionEvent>(scopes: string | readonly string[]): MonoTypeOperatorFunction<T> {
  const wanted = toSet(scopes, 'onScope', (s) => scopeProblem(s) === undefined);
  return filter((event) => event.scope !== undefined && wanted.has(event.scope));
}
