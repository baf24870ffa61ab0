import { filter, take, throwIfEmpty, type OperatorFunction } from 'rxjs';
import type { InjectionEvent } from '../../event';
import { MissingHitError } from '../errors';
import { describeMatcher, toPredicate, type HitMatcher } from './match';

/**
 * The first hit of an injection (or the first event a predicate accepts), then completes. If the source
 * completes first it errors with `MissingHitError`, so `forkJoin` or `firstValueFrom` never settle on nothing.
 *
 * @example
 * await firstValueFrom(stream.injection$.pipe(firstHit('wait_for_stream'), timeout(5000)));
 */
export function firstHit<T extends InjectionEvent>(match: HitMatcher<T>): OperatorFunction<T, T> {
  const accepts = toPredicate(match);
  return (source) =>
    source.pipe(
      filter(accepts),
      take(1),
      throwIfEmpty(() => new MissingHitError(`${describeMatcher(match)} was hit`)),
    );
}
