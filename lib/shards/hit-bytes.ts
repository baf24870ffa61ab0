import type { InjectionParameters } from '../event';

/** What one kept hit costs besides its strings: the Hit, its event object, its id. */
const HIT_OVERHEAD_BYTES = 256;

/**
 * The estimated memory one kept hit holds: its name and parameters twice (as the event holds them, and again
 * in its SSE frame once a reader asks for it) plus a fixed overhead. Characters stand for bytes; it is a bound
 * for the history to count against, not an exact measure (escapes make some frames a little longer).
 */
export function hitBytes(injection: string, params: InjectionParameters | undefined): number {
  let chars = injection.length;
  if (params !== undefined) {
    for (const key of Object.keys(params)) chars += key.length + params[key].length;
  }
  return HIT_OVERHEAD_BYTES + 2 * chars;
}

/**
 * hitBytes of the last name and parameters it was asked about: the hits of a stream repeat them, and counting
 * the characters of every parameter per hit was a tenth of what a hit cost. Parameters are remembered only if
 * frozen (as the injector's and the group's are), since a mutable object could change under its count.
 */
export class HitBytesMemo {
  private injection: string | undefined;
  private params: InjectionParameters | undefined;
  private bytes = 0;

  of(injection: string, params: InjectionParameters | undefined): number {
    if (injection === this.injection && params === this.params && (params === undefined || Object.isFrozen(params))) {
      return this.bytes;
    }
    this.injection = injection;
    this.params = params;
    return (this.bytes = hitBytes(injection, params));
  }
}
