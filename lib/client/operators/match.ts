import type { InjectionEvent } from '../../event';
import { ClientArgumentError } from '../errors';

/** What the hit operators accept: an injection name, or a predicate over the event. */
export type HitMatcher<T extends InjectionEvent> = string | ((event: T) => boolean);

export function toPredicate<T extends InjectionEvent>(match: HitMatcher<T>): (event: T) => boolean {
  if (typeof match === 'function') return match;
  if (typeof match !== 'string' || match === '') {
    throw new ClientArgumentError(
      `an injection name (a non-empty string) or a predicate is required, not ${JSON.stringify(match)}`,
    );
  }
  return (event) => event.injection === match;
}

export function describeMatcher<T extends InjectionEvent>(match: HitMatcher<T>): string {
  return typeof match === 'string' ? `"${match}"` : 'an event matching the predicate';
}

/** Accepts one value or several, as the filter operators do, and checks each. */
export function toSet<V>(values: V | readonly V[], what: string, valid: (v: V) => boolean): ReadonlySet<V> {
  const list = Array.isArray(values) ? (values as readonly V[]) : [values as V];
  if (list.length === 0) throw new ClientArgumentError(`${what}: at least one value is required`);
  for (const v of list) if (!valid(v)) throw new ClientArgumentError(`${what}: ${JSON.stringify(v)} is not valid`);
  return new Set(list);
}
