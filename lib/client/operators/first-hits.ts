import { filter, map, take, toArray, type OperatorFunction } from 'rxjs';
import type { InjectionEvent } from '../../event';
import { ClientArgumentError, MissingHitError } from '../errors';
import { describeMatcher, toPredicate, type HitMatcher } from './match';

/**
 * The first `count` hits of an injection (or of events a predicate accepts), emitted together as an array
 * once the last of them arrives; then completes. Errors with `MissingHitError` if the source completes first.
 *
 * @example
 * const three = await firstValueFrom(stream.injection$.pipe(firstHits('retry', 3), timeout(5000)));
 */
export function firstHits<T extends InjectionEvent>(match: HitMatcher<T>, count: number): OperatorFunction<T, T[]> {
  const accepts = toPredicate(match);
  if (!Number.isInteger(count) || count < 1) {
    throw new ClientArgumentError(`firstHits: count must be an integer >= 1, not ${String(count)}`);
  }
  return (source) =>
    source.pipe(
      filter(accepts),
      take(count),
      toArray(),
      map((found) => {
        if (found.length < count) {
          throw new MissingHitError(`${describeMatcher(match)} was hit ${count} times (it was hit ${found.length})`);
        }
        return found;
      }),
    );
}
