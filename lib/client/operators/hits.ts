import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { InjectionEvent } from '../../event';
import { toSet } from './match';

/** Every hit of one injection, or of any of several; does not complete on its own (pair it with `take`). */
export function hits<T extends InjectionEvent>(names: string | readonly string[]): MonoTypeOperatorFunction<T> {
  const wanted = toSet(names, 'hits', (n) => typeof n === 'string' && n !== '');
  return filter((event) => wanted.has(event.injection));
}
