import { distinct, filter, map, take, toArray, type OperatorFunction } from 'rxjs';
import type { InjectionEvent } from '../../event';
import { MissingHitError } from '../errors';
import { toSet } from './match';

/**
 * The first hit of each of several injections, in whatever order they come; emits them once all were seen
 * (in the order of `names`) and completes. Errors with `MissingHitError`, naming the missing ones, if the
 * source completes first.
 *
 * @example
 * const [a, b] = await firstValueFrom(stream.injection$.pipe(allOf(['a', 'b']), timeout(5000)));
 */
export function allOf<T extends InjectionEvent>(names: readonly string[]): OperatorFunction<T, T[]> {
  const wanted = toSet(names, 'allOf', (n) => typeof n === 'string' && n !== '');
  const order = [...wanted];
  return (source) =>
    source.pipe(
      filter((event) => wanted.has(event.injection)),
      distinct((event) => event.injection),
      take(wanted.size),
      toArray(),
      map((found) => {
        if (found.length < wanted.size) {
          const seen = new Set(found.map((e) => e.injection));
          const missing = order.filter((n) => !seen.has(n)).map((n) => `"${n}"`);
          throw new MissingHitError(`${missing.join(', ')} ${missing.length === 1 ? 'was' : 'were'} hit`);
        }
        const byName = new Map(found.map((e) => [e.injection, e]));
        return order.map((n) => byName.get(n) as T);
      }),
    );
}
